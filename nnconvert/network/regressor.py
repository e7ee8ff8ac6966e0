"""ConvertedRegressor: a torch module that predicts like the scikit-learn regressor it came from."""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse
import torch
from torch import nn

from .base import ConvertedNetwork, sparse_blocks

__all__ = ["ConvertedRegressor", "PREDICT_STD"]

#: not a scikit-learn method: the name under which a network answers the standard deviation
#: of ``predict(X, return_std=True)`` (in ``outputs``, ``output_tensors`` and ``verify``)
PREDICT_STD = "predict_std"

#: scikit-learn's words (GaussianProcessRegressor.predict) when rounding makes a variance < 0
NEGATIVE_VARIANCE = "Predicted variances smaller than 0. Setting those variances to 0."


class ConvertedRegressor(ConvertedNetwork):
    """A fitted scikit-learn regressor rebuilt from neural-network layers.

    ``forward`` maps a tensor of features to the predictions; :meth:`predict` takes any
    array-like, checks it as scikit-learn would and returns scikit-learn's shape: (n,) for a
    1-D target, (n, k) for k targets. Build one with :func:`nnconvert.convert`.

    Parameters
    ----------
    *args
        As :class:`~nnconvert.network.ConvertedNetwork`.
    variance : torch.nn.Module or None
        A branch from the input tensor to the predictive variance per target, for
        estimators whose ``predict`` takes ``return_std=True`` (see
        :attr:`nnconvert.registry.Conversion.variance`).
    **kwargs
        As :class:`~nnconvert.network.ConvertedNetwork`.

    Examples
    --------
    >>> import nnconvert as nc
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.linear_model import BayesianRidge
    >>> X, y = load_diabetes(return_X_y=True)
    >>> net = nc.convert(BayesianRidge().fit(X, y))
    >>> mean, std = net.predict(X[:4], return_std=True)
    >>> mean.shape, std.shape
    ((4,), (4,))
    """

    def __init__(self, *args, variance: nn.Module | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.variance = variance

    @property
    def has_std(self) -> bool:
        """Whether :meth:`predict` answers ``return_std=True`` (its estimator's does)."""
        return self.variance is not None

    def score(self, X, y, sample_weight=None) -> float:
        """The coefficient of determination R² of :meth:`predict` on ``X`` against ``y``,
        as the estimator's ``score`` (scikit-learn's ``r2_score``, outputs averaged)."""
        from sklearn.metrics import r2_score  # only for those who score
        if getattr(self, "score_refused", None):
            raise NotImplementedError(self.score_refused)
        return float(r2_score(y, self.predict(X), sample_weight=sample_weight))

    def predict(self, X, return_std: bool = False, return_cov: bool = False):
        """Predictions, as the estimator's ``predict``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        return_std : bool, default False
            Also return the standard deviation of the predictive distribution, where the
            estimator's ``predict`` can (BayesianRidge, ARDRegression,
            GaussianProcessRegressor, alone or at the end of a pipeline).
        return_cov : bool, default False
            Not supported: a joint covariance couples the rows of ``X``, which a network
            that reads one row at a time does not compute.

        Returns
        -------
        y_mean : numpy.ndarray of shape (n_samples,) or (n_samples, n_targets)
        y_std : numpy.ndarray of the same shape
            Only when ``return_std`` is true.
        """
        if return_cov:
            raise NotImplementedError(
                f"{self.source}: return_cov=True is not supported: the joint covariance of "
                "the query rows couples them, and the network computes each row on its own; "
                "use return_std=True for the per-row standard deviation, or the estimator "
                "itself for the covariance.")
        if not return_std:
            return self._answer(X, "predict")
        if not self.has_std:
            raise TypeError(
                f"{self.source}: predict() got return_std=True, but this network gives no "
                "standard deviation (its estimator's predict takes no return_std, or the "
                "network was fine-tuned away from the fitted posterior); converted "
                "BayesianRidge, ARDRegression and GaussianProcessRegressor models do (alone or "
                "at the end of a pipeline).")
        answers = self.outputs(X, ("predict", PREDICT_STD))
        return answers["predict"], answers[PREDICT_STD]

    @property
    def methods(self) -> tuple[str, ...]:
        """``"predict"``, and ``"predict_std"`` (the std of ``predict(X, return_std=True)``)
        where the network has a variance branch."""
        return (*self.head.methods, *((PREDICT_STD,) if self.has_std else ()))

    def output_tensors(self, x: torch.Tensor, methods) -> dict:
        methods = self._known(methods)
        answers = super().output_tensors(x, [m for m in methods if m != PREDICT_STD])
        if PREDICT_STD in methods:
            answers[PREDICT_STD] = self._std(self.checked_tensor(x))
        return {m: answers[m] for m in methods}

    def _outputs_dense(self, X, methods: tuple, encoded: bool = False
                       ) -> dict[str, np.ndarray]:
        rest = tuple(m for m in methods if m != PREDICT_STD)
        answers = super()._outputs_dense(X, rest, encoded) if rest else {}
        if PREDICT_STD in methods:
            if scipy.sparse.issparse(X):  # a linear first layer read it sparse; the variance
                X = self.input_schema.encode(X, self.dtype)  # branch reads dense blocks
                answers[PREDICT_STD] = np.concatenate([
                    self._std_of_rows(block, True) for block in sparse_blocks(X, X.dtype)])
            else:
                answers[PREDICT_STD] = self._std_of_rows(X, encoded)
        return {m: answers[m] for m in methods}

    def _outputs_of(self, x: torch.Tensor, methods: tuple, finite_unchecked: bool = False
                     ) -> dict[str, np.ndarray] | None:
        # the lean path of plain arrays (ConvertedNetwork.outputs) arrives here, not through
        # _outputs_dense: the std is answered here too
        rest = tuple(m for m in methods if m != PREDICT_STD)
        answers = super()._outputs_of(x, rest, finite_unchecked) if rest else {}
        if answers is None or finite_unchecked and not rest:
            return None  # not shown finite: the full path decides
        if PREDICT_STD in methods:
            with torch.no_grad():
                answers[PREDICT_STD] = self._std(x).cpu().numpy()
        return {m: answers[m] for m in methods}

    def _std_of_rows(self, X, encoded: bool = False) -> np.ndarray:
        x = self._encoded_tensor(X) if encoded else self.as_tensor(X)
        with torch.no_grad():
            return self._std(self.checked_tensor(x)).cpu().numpy()

    def _std(self, x: torch.Tensor) -> torch.Tensor:
        """The variance branch's answer as scikit-learn's std: clipped at 0, its root, shaped
        as the prediction."""
        variance = self.variance(x)
        if bool((variance < 0).any()):
            # rounding in k(x, x) − ‖L⁻¹k‖² near a training row; scikit-learn clips and warns
            warnings.warn(NEGATIVE_VARIANCE, UserWarning, stacklevel=6)  # predict()'s caller
        return self.head(torch.sqrt(torch.clamp(variance, min=0)))

    output_symbol = "ŷ"

    def _output_names(self, n_out: int, labels=None) -> list[str] | None:
        if labels is not None:
            return super()._output_names(n_out, labels)
        # the target as a formula writes it: y, or y0 … yk for several targets
        return ["y"] if n_out == 1 else [f"y{k}" for k in range(n_out)]

    def explain(self) -> str:
        """The equivalence as formulas, layer by layer, and the predictive standard
        deviation where ``predict`` gives one (``return_std=True``)."""
        text = super().explain()
        if not self.has_std:
            return text
        last, direct = self.variance, True
        while isinstance(last, nn.Sequential):  # a pipeline's steps, then the variance layer
            direct = direct and len(last) == 1
            last = last[-1]
        formula = last.describe().formula.format(x="x" if direct else "h", y="σ²")
        lines = ["  predict(X, return_std=True) also returns σ = √max(σ², 0), a branch beside "
                 "the network (export and forward give the mean only):"]
        lines += [f"    {line}" for line in formula.splitlines()]
        if not direct:
            lines.append("    (h: what the pipeline's steps make of x, unfused)")
        return "\n".join([text, *lines])

    @property
    def n_outputs_(self) -> int:
        """Number of targets."""
        return self.head.n_outputs
