"""ConvertedOutlierDetector: a torch module that flags outliers as the scikit-learn detector does.

Every scikit-learn outlier detector answers three things from one number per row:
``score_samples`` (higher is more normal), ``decision_function = score_samples − offset_``
(the fitted threshold, from ``contamination``) and ``predict`` (+1 inlier where the decision
is ≥ 0, or > 0 for libsvm's one-class SVM, −1 outlier). Which of the two a family's body
computes first matters to rounding: an isolation forest computes the score and subtracts the
offset, a one-class SVM computes the decision and adds the offset back; :class:`OutlierHead`
repeats the estimator's order. EllipticEnvelope's body computes the squared Mahalanobis
distance ``m``, whose negative is the score.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.utils.metaestimators import available_if

from ..layers import LayerDescription
from .heads import Head
from .labelled import LabelledNetwork

__all__ = ["OutlierHead", "ConvertedOutlierDetector", "OUTLIER_LABELS", "RAW_KINDS"]

#: what ``predict`` returns, by the head's index: outlier, inlier
OUTLIER_LABELS = (-1, 1)
#: what the body's single output column is
RAW_KINDS = ("score_samples", "decision_function", "mahalanobis")


class OutlierHead(Head):
    """The head of every outlier detector.

    Parameters
    ----------
    offset : float
        The estimator's ``offset_``: ``decision_function = score_samples − offset``.
    raw : {"score_samples", "decision_function", "mahalanobis"}
        What the body's one output column holds (the estimator's own order of operations).
    inlier_at_zero : bool, default True
        Whether a decision of exactly 0 is an inlier (``≥ 0``; libsvm's one-class SVM: ``> 0``).
    """

    kind = "outlier_detector"
    scores_method = "decision_function"

    def __init__(self, offset: float, raw: str = "score_samples", *,
                 inlier_at_zero: bool = True):
        super().__init__()
        if raw not in RAW_KINDS:
            raise ValueError(f"raw must be one of {RAW_KINDS}, got {raw!r}")
        self.offset = float(offset)
        self.raw = raw
        self.inlier_at_zero = bool(inlier_at_zero)

    @property
    def methods(self) -> tuple[str, ...]:
        own = ("mahalanobis",) if self.raw == "mahalanobis" else ()
        return ("decision_function", "score_samples", *own, "predict")

    def score_samples(self, z: torch.Tensor) -> torch.Tensor:
        if self.raw == "decision_function":
            return z[:, 0] + self.offset
        return -z[:, 0] if self.raw == "mahalanobis" else z[:, 0]

    def decision_function(self, z: torch.Tensor) -> torch.Tensor:
        if self.raw == "decision_function":
            return z[:, 0]
        return self.score_samples(z) - self.offset

    def mahalanobis(self, z: torch.Tensor) -> torch.Tensor:
        if self.raw != "mahalanobis":
            raise AttributeError("this outlier detector has no mahalanobis")
        return z[:, 0]

    def predict_index(self, z: torch.Tensor) -> torch.Tensor:
        d = self.decision_function(z)
        return ((d >= 0) if self.inlier_at_zero else (d > 0)).long()

    def answer(self, z: torch.Tensor, method: str) -> torch.Tensor:
        if method == "predict":
            return self.predict_index(z)
        if method in self.methods:
            return getattr(self, method)(z)
        raise AttributeError(f"this outlier detector has no {method}")

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.decision_function(z)

    def describe(self) -> LayerDescription:
        sign = "≥" if self.inlier_at_zero else ">"
        first = {
            "score_samples": "score_samples(x) = {x}",
            "decision_function": "decision_function(x) = {x}",
            "mahalanobis": "mahalanobis(x) = {x},  score_samples(x) = −{x}",
        }[self.raw]
        lines = [first]
        if self.raw == "decision_function":
            lines.append(f"score_samples(x) = decision_function(x) + offset_   "
                         f"(offset_ = {self.offset:.6g})")
        else:
            lines.append(f"decision_function(x) = score_samples(x) − offset_   "
                         f"(offset_ = {self.offset:.6g})")
        lines.append(f"predict(x) = +1 (inlier) if decision_function(x) {sign} 0 else −1 "
                     "(outlier)")
        return LayerDescription(
            title="output", n_in=1, n_out=1, activation="threshold", activation_kind="step",
            formula="\n".join(lines), connectivity="elementwise",
            unit_names=("decision",), parameters={"offset_": self.offset})


def _is_mahalanobis(net) -> bool:
    return "mahalanobis" in net.head.methods


class ConvertedOutlierDetector(LabelledNetwork):
    """A fitted scikit-learn outlier detector rebuilt from neural-network layers.

    ``forward`` maps a tensor of features to ``decision_function``; :meth:`predict` returns
    +1 (inlier) or −1 (outlier) as the estimator does, :meth:`score_samples` the score before
    the fitted offset, and :meth:`mahalanobis` exists for EllipticEnvelope. Build one with
    :func:`nnconvert.convert`.

    Attributes
    ----------
    classes_ : numpy.ndarray
        ``[-1, 1]``: what ``predict`` returns.
    offset_ : float
        The fitted threshold: ``decision_function = score_samples − offset_``.

    Examples
    --------
    >>> import numpy as np, nnconvert as nc
    >>> from sklearn.ensemble import IsolationForest
    >>> X = np.random.default_rng(0).normal(size=(200, 3))
    >>> forest = IsolationForest(n_estimators=20, random_state=0).fit(X)
    >>> net = nc.convert(forest)
    >>> bool(np.allclose(net.score_samples(X), forest.score_samples(X), rtol=1e-12))
    True
    """

    output_symbol = "z"

    @property
    def offset_(self) -> float:
        return self.head.offset

    def decision_function(self, X) -> np.ndarray:
        """``score_samples(X) − offset_``, as the estimator's ``decision_function``: negative
        for outliers.

        Returns
        -------
        numpy.ndarray of shape (n_samples,)
        """
        return self._answer(X, "decision_function")

    def score_samples(self, X) -> np.ndarray:
        """The score before the offset, as the estimator's ``score_samples`` (lower is more
        abnormal).

        Returns
        -------
        numpy.ndarray of shape (n_samples,)
        """
        return self._answer(X, "score_samples")

    @available_if(_is_mahalanobis)
    def mahalanobis(self, X) -> np.ndarray:
        """The squared Mahalanobis distances to the robust location, as EllipticEnvelope's.

        Returns
        -------
        numpy.ndarray of shape (n_samples,)
        """
        return self._answer(X, "mahalanobis")

    def _title(self) -> str:
        return f"{self.source} as a network (+1 inlier, −1 outlier):"
