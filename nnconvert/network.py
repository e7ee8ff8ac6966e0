"""ConvertedClassifier: a torch module that answers like the scikit-learn model it came from."""

from __future__ import annotations

import warnings
from typing import Sequence

import numpy as np
import torch
from sklearn.utils.metaestimators import available_if
from torch import nn

from .heads import Head
from .inputs import check_features
from .layers import LayerDescription

__all__ = ["ConvertedClassifier"]


def _has_proba(net: "ConvertedClassifier") -> bool:
    return net.head.has_proba


def _has_decision(net: "ConvertedClassifier") -> bool:
    return net.head.has_decision


class ConvertedClassifier(nn.Module):
    """A fitted scikit-learn classifier rebuilt from neural-network layers.

    ``forward`` maps a tensor of features to the raw scores (scikit-learn's
    ``decision_function``, or its ``predict_proba`` for models that have no decision function).
    The scikit-learn style methods take any array-like, check it as scikit-learn would, and
    return numpy arrays of scikit-learn's shapes; ``predict`` returns labels from ``classes_``.

    Build one with :func:`nnconvert.convert`, not directly.

    Parameters
    ----------
    layers : sequence of torch.nn.Module
        The body, applied in order; each layer describes itself for ``explain()`` and diagrams.
    head : Head
        Turns the body's output into decision scores, probabilities and class indices.
    classes : array-like
        scikit-learn's ``classes_``.
    n_features_in : int
        Number of input features.
    feature_names_in : array-like of str or None
        Feature names seen at fit time, when the estimator recorded them.
    source : str
        A short description of the estimator, used in messages and in ``explain()``.

    Attributes
    ----------
    body : torch.nn.Sequential
        The layers.
    classes_ : numpy.ndarray
    n_features_in_ : int
    feature_names_in_ : numpy.ndarray
        Only present when the estimator has it.
    origin : tuple of (type, dict) or None
        Class and parameters of the estimator the last layer came from, set by
        :func:`nnconvert.convert` for linear models; :func:`nnconvert.to_sklearn` reads it.
    """

    def __init__(
        self,
        layers: Sequence[nn.Module],
        head: Head,
        *,
        classes,
        n_features_in: int,
        feature_names_in=None,
        source: str,
    ):
        super().__init__()
        self.body = nn.Sequential(*layers)
        self.head = head
        self.classes_ = np.array(classes, copy=True)
        self.n_features_in_ = int(n_features_in)
        if feature_names_in is not None:
            self.feature_names_in_ = np.array(feature_names_in, dtype=object, copy=True)
        self.source = source
        self.origin: tuple[type, dict] | None = None

    # -- torch side -------------------------------------------------------------------------
    @property
    def dtype(self) -> torch.dtype:
        """The floating dtype of the network's parameters and buffers."""
        for tensor in list(self.parameters()) + list(self.buffers()):
            if tensor.is_floating_point():
                return tensor.dtype
        return torch.float64

    @property
    def device(self) -> torch.device:
        for tensor in list(self.parameters()) + list(self.buffers()):
            return tensor.device
        return torch.device("cpu")

    def hidden(self, x: torch.Tensor) -> torch.Tensor:
        """The body's output for a tensor ``x`` (the input of the head)."""
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Raw scores for a 2-D tensor of features (decision_function semantics).

        A floating tensor of another dtype is cast to the network's; anything that is not a
        2-D floating tensor of ``n_features_in_`` columns is refused with a clear error.
        """
        return self.head(self.body(self._checked_tensor(x)))

    def _checked_tensor(self, x) -> torch.Tensor:
        if not isinstance(x, torch.Tensor):
            raise TypeError(
                f"forward() takes a torch.Tensor, got {type(x).__name__}; use "
                "decision_function / predict_proba / predict for arrays and dataframes."
            )
        if x.ndim != 2 or x.shape[1] != self.n_features_in_:
            raise ValueError(
                f"expected a 2-D tensor with {self.n_features_in_} features per row, "
                f"got shape {tuple(x.shape)}"
            )
        if not x.is_floating_point():
            raise TypeError(f"expected a floating-point tensor, got {x.dtype}; cast it first")
        self._check_precision()
        return x.to(self.dtype) if x.dtype != self.dtype else x

    def _check_precision(self) -> None:
        """Refuse a network cast to half precision (``net.half()``) with a clear message."""
        low = {t.dtype for t in [*self.parameters(), *self.buffers()]
               if t.is_floating_point() and t.dtype not in (torch.float64, torch.float32)}
        if low:
            raise TypeError(
                f"this network was cast to {', '.join(sorted(map(str, low)))}; nnconvert's "
                "layers compute in float64 (exact) or float32: call net.double() or net.float()"
            )

    # -- scikit-learn side ------------------------------------------------------------------
    def _tensor(self, X) -> torch.Tensor:
        self._check_precision()
        X = check_features(
            X,
            n_features=self.n_features_in_,
            feature_names=getattr(self, "feature_names_in_", None),
            dtype=self.dtype,
            model=self.source,
        )
        with warnings.catch_warnings():
            # a read-only array (from a dataframe, a memory map) is only ever read here
            warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
            return torch.as_tensor(X, device=self.device)

    def _run(self, X, answer) -> torch.Tensor:
        x = self._tensor(X)
        with torch.no_grad():
            return answer(self.body(x))

    @available_if(_has_decision)
    def decision_function(self, X) -> np.ndarray:
        """Decision scores, as the estimator's ``decision_function``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            numpy array, list, pandas dataframe or torch tensor.

        Returns
        -------
        numpy.ndarray of shape (n_samples,) for two classes, else (n_samples, n_classes)
        """
        return self._run(X, self.head.decision).cpu().numpy()

    @available_if(_has_proba)
    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, as the estimator's ``predict_proba``.

        Only present where the estimator has ``predict_proba``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        numpy.ndarray of shape (n_samples, n_classes)
        """
        return self._run(X, self.head.proba).cpu().numpy()

    def predict(self, X) -> np.ndarray:
        """Class labels from ``classes_``, as the estimator's ``predict``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        numpy.ndarray of shape (n_samples,)
        """
        index = self._run(X, self.head.predict_index).cpu().numpy()
        return self.classes_.take(index)

    # -- description ------------------------------------------------------------------------
    def describe(self) -> list[LayerDescription]:
        """The descriptions of every layer, the head last."""
        return [layer.describe() for layer in self.body] + [self.head.describe()]

    def explain(self) -> str:
        """The equivalence as formulas, layer by layer.

        Returns
        -------
        str
            A title naming the estimator, then one line (or a few) per layer with its
            equation, width and activation, ending with how predictions are made.
        """
        descriptions = self.describe()
        body, head = descriptions[:-1], descriptions[-1]
        names = ["x"] + [f"h{i}" for i in range(1, len(body))] + ["s"]
        lines = [f"{self.source} as a network, classes_ = {self.classes_.tolist()}:"]
        for i, d in enumerate(body):
            equation = d.formula.format(x=names[i], y=names[i + 1])
            lines.append(f"  {equation}")
            detail = f"{d.title}: {d.n_in} → {d.n_out}"
            if d.activation not in ("none", "affine"):
                detail += f", activation {d.activation}"
            if d.bias is not None and d.bias.size <= 3:
                detail += ", b = " + ", ".join(f"{b:.6g}" for b in d.bias)
            if d.bias_note:
                detail += f"; {d.bias_note}"
            lines.append(f"      ({detail})")
        for line in head.formula.format(x=names[len(body)]).splitlines():
            lines.append(f"  {line}")
        return "\n".join(lines)

    def extra_repr(self) -> str:
        return f"source={self.source!r}, classes={self.classes_.tolist()}, dtype={self.dtype}"
