"""ConvertedMultiOutputClassifier: a classifier that answers several targets at once.

Each target (output) is a member that answers ``predict`` (an index into its own classes),
and where the estimator has them ``predict_proba`` and ``decision_function``, as columns of
the body's output (:class:`~nnconvert.compose.members.Columns`). The head reads those
columns; the network turns them into scikit-learn's shapes:

- ``predict``: (n, k) labels, each column from its own target's classes, in the dtype the
  estimator returns (a multi-output tree answers in ``classes_[0]``'s dtype, a
  MultiOutputClassifier numpy's common dtype of its members' answers, a ClassifierChain
  float64);
- ``predict_proba``: a list of k arrays, one (n, C_j) per target (trees, forests, k-NN,
  Dummy, MultiOutputClassifier), or one (n, k) array of P(classes_[1]) per target (a
  multilabel MLP, a ClassifierChain): ``proba_form`` says which;
- ``decision_function``: (n, k) where the estimator has one (a ClassifierChain of members
  with one).

``forward`` (and the exported graph) gives the probabilities side by side, (n, Σ C_j) or
(n, k), or the decision scores where there are no probabilities, or the label indices where
there is neither.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from sklearn.utils.metaestimators import available_if
from torch import nn

from ..layers import LayerDescription
from .base import ConvertedNetwork
from .heads import Head

__all__ = ["MultiOutputHead", "ConvertedMultiOutputClassifier", "PROBA_FORMS"]

#: how ``predict_proba`` comes back: a list of (n, C_j) arrays, or one (n, k) array of
#: P(classes_[1]) per target
PROBA_FORMS = ("list", "columns")


class MultiOutputHead(Head):
    """Reads each target's answers from the body's columns.

    Parameters
    ----------
    columns : Columns
        Where each target's answers lie (:class:`~nnconvert.compose.members.Columns`); every
        target answers ``"predict"`` (its class index), and the same other methods.
    labels : sequence of array-like
        Each target's classes, by the index its ``predict`` answers.
    proba_form : {"list", "columns"} or None
        How ``predict_proba`` comes back (:data:`PROBA_FORMS`); None: the estimator has none.
    decision : bool
        Whether the estimator has ``decision_function`` ((n, k), one score per target).
    log_proba : bool
        Whether it has ``predict_log_proba`` (the log of ``predict_proba``, as scikit-learn
        computes it for these estimators).
    predict_dtype : numpy dtype or None
        The dtype of ``predict``; None: numpy's common dtype of the targets' labels
        (``np.asarray`` of the columns, as MultiOutputClassifier stacks them).
    check : Head, optional
        A head whose :meth:`~nnconvert.network.heads.Head.check_output` says where
        scikit-learn refuses (a radius vote with no neighbour: NaN answers).
    """

    kind = "multioutput_classifier"

    def __init__(self, columns, labels: Sequence, *, proba_form: str | None,
                 decision: bool = False, log_proba: bool = False, predict_dtype=None,
                 check: Head | None = None):
        super().__init__()
        if proba_form is not None and proba_form not in PROBA_FORMS:
            raise ValueError(f"proba_form must be one of {PROBA_FORMS} or None, "
                             f"got {proba_form!r}")
        if len(labels) != len(columns):
            raise ValueError(f"{len(labels)} label sets for {len(columns)} targets")
        self.columns = columns
        self.labels = [np.array(c, copy=True) for c in labels]
        self.proba_form, self.has_decision = proba_form, bool(decision)
        self.has_log_proba = bool(log_proba) and proba_form is not None
        self.predict_dtype = None if predict_dtype is None else np.dtype(predict_dtype)
        self.check = check

    def check_output(self, z: torch.Tensor) -> None:
        if self.check is not None:
            self.check.check_output(z)

    @property
    def n_targets(self) -> int:
        return len(self.labels)

    @property
    def methods(self) -> tuple[str, ...]:
        return (*(("decision_function",) if self.has_decision else ()),
                *(("predict_proba",) if self.proba_form else ()),
                *(("predict_log_proba",) if self.has_log_proba else ()), "predict")

    def proba_widths(self) -> list[int]:
        """The width of each target's block of ``predict_proba`` (the list form)."""
        return [w for member in self.columns.shapes for m, w, _ in member
                if m == "predict_proba"]

    def answer(self, z: torch.Tensor, method: str) -> torch.Tensor:
        if method not in self.methods:
            raise AttributeError(f"this network has no {method}")
        if method == "predict":
            return torch.stack(self.columns.each(z, "predict"), dim=1).long()
        if method == "decision_function":
            return torch.stack(self.columns.each(z, "decision_function"), dim=1)
        proba = self._proba(z)
        return torch.log(proba) if method == "predict_log_proba" else proba

    def _proba(self, z: torch.Tensor) -> torch.Tensor:
        parts = self.columns.each(z, "predict_proba")
        if self.proba_form == "columns":  # each target's P(classes_[1]), one column
            return torch.stack([p if p.ndim == 1 else p[:, -1] for p in parts], dim=1)
        return torch.cat([p.unsqueeze(1) if p.ndim == 1 else p for p in parts], dim=1)

    @property
    def scores_method(self) -> str:
        """What ``forward`` gives: the probabilities, else the decision, else ``predict``."""
        if self.proba_form:
            return "predict_proba"
        return "decision_function" if self.has_decision else "predict"

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        answer = self.answer(z, self.scores_method)
        return answer.to(z.dtype)

    def describe(self) -> LayerDescription:
        k = self.n_targets
        lines = [f"predict(x)_j = labels_j[index_j({{x}})]   for each of the {k} targets"]
        if self.proba_form == "list":
            lines.append("predict_proba(x) = [p_0(x), …, p_k−1(x)]   (a list, one array "
                         "per target)")
        elif self.proba_form == "columns":
            lines.append("predict_proba(x)_j = P(classes_j[1] | x)   (one (n, k) array)")
        if self.has_decision:
            lines.append("decision_function(x)_j = the target's score   (one (n, k) array)")
        # each target's unit reads that target's answer columns (drawn as its edges)
        weight = np.zeros((k, self.columns.width))
        start = 0
        for j, member in enumerate(self.columns.shapes):
            width = sum(w for _, w, _ in member)
            weight[j, start:start + width] = 1.0
            start += width
        return LayerDescription(
            title="outputs: one per target", n_in=self.columns.width, n_out=k,
            activation="per target", activation_kind="identity",
            formula="\n".join(lines), weight=weight,
            unit_names=tuple(f"target {j}" for j in range(k)))


def _has(method: str):
    return lambda net: method in net.head.methods


class ConvertedMultiOutputClassifier(ConvertedNetwork):
    """A fitted scikit-learn classifier of several targets rebuilt from neural-network layers.

    ``predict`` returns (n, k) labels, each column from its own target's classes;
    ``predict_proba`` returns what the estimator returns (a list of k arrays, or one (n, k)
    array); ``decision_function`` exists where the estimator has one. Build one with
    :func:`nnconvert.convert`.

    Attributes
    ----------
    classes_ : list of numpy.ndarray, or numpy.ndarray
        As the estimator exposes it (a list per target; a multilabel MLP's one array).
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np, nnconvert as nc
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> Y = np.column_stack([y, X[:, 0] > 5.8])
    >>> tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, Y)
    >>> net = nc.convert(tree)
    >>> net.predict(X[:2]).shape, len(net.predict_proba(X[:2]))
    ((2, 2), 2)
    >>> bool((net.predict(X) == tree.predict(X)).all())
    True
    """

    output_symbol = "a"  # the targets' answers, side by side

    def __init__(self, layers: Sequence[nn.Module], head: MultiOutputHead, *, classes,
                 n_features_in: int, feature_names_in=None, source: str):
        super().__init__(layers, head, n_features_in=n_features_in,
                         feature_names_in=feature_names_in, source=source)
        if isinstance(classes, np.ndarray):
            self.classes_ = np.array(classes, copy=True)
        else:
            self.classes_ = [np.array(c, copy=True) for c in classes]

    def _to_numpy(self, method: str, answer: torch.Tensor) -> np.ndarray:
        values = answer.cpu().numpy()
        if method == "predict":
            return self.labels_of(values)
        if self.head.proba_form == "list" and method in ("predict_proba", "predict_log_proba"):
            return np.split(values, np.cumsum(self.head.proba_widths())[:-1], axis=1)
        return values

    def labels_of(self, index: np.ndarray) -> np.ndarray:
        """The (n, k) labels of (n, k) class indices, in the estimator's dtype."""
        columns = [labels.take(index[:, j]) for j, labels in enumerate(self.head.labels)]
        if self.head.predict_dtype is None:  # as MultiOutputClassifier: np.asarray(y).T
            return np.asarray(columns).T.reshape(index.shape)
        out = np.empty(index.shape, dtype=self.head.predict_dtype)
        for j, column in enumerate(columns):
            out[:, j] = column
        return out

    def predict(self, X) -> np.ndarray:
        """The labels of every target, as the estimator's ``predict``.

        Returns
        -------
        numpy.ndarray of shape (n_samples, n_targets)
        """
        return self._answer(X, "predict")

    @available_if(_has("predict_proba"))
    def predict_proba(self, X):
        """The probabilities, as the estimator's ``predict_proba``.

        Returns
        -------
        list of numpy.ndarray of shape (n_samples, n_classes_j), or numpy.ndarray of shape
        (n_samples, n_targets)
        """
        return self._answer(X, "predict_proba")

    @available_if(_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """The log of :meth:`predict_proba`, as the estimator's ``predict_log_proba``."""
        return self._answer(X, "predict_log_proba")

    @available_if(_has("decision_function"))
    def decision_function(self, X) -> np.ndarray:
        """One decision score per target, as the estimator's ``decision_function``.

        Returns
        -------
        numpy.ndarray of shape (n_samples, n_targets)
        """
        return self._answer(X, "decision_function")

    def score(self, X, y, sample_weight=None) -> float:
        """The fraction of rows whose every target is predicted right (subset accuracy, as
        MultiOutputClassifier's ``score``)."""
        if getattr(self, "score_refused", None):
            raise NotImplementedError(self.score_refused)
        right = np.all(np.asarray(y) == self.predict(X), axis=1)
        return float(np.average(right, weights=sample_weight))

    def _output_names(self, n_out: int, labels=None) -> list[str] | None:
        if labels is None and n_out == self.head.n_targets:
            return [f"target {j}" for j in range(n_out)]
        return super()._output_names(n_out, labels)

    def _title(self) -> str:
        return f"{self.source} as a network, {self.head.n_targets} targets:"

    def extra_repr(self) -> str:
        return f"source={self.source!r}, targets={self.head.n_targets}, dtype={self.dtype}"
