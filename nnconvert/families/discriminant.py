"""Quadratic discriminant analysis and nearest centroids as networks.

Both compute, per class, a discriminant score (scikit-learn's ``_decision_function``) and
share scikit-learn's ``DiscriminantAnalysisPredictionMixin``: ``decision_function`` is the
scores (their difference ``s₁ − s₀`` for two classes), ``predict_log_proba`` is
``s − max s − log Σ exp(s − max s)``, ``predict_proba`` its exponential, ``predict`` the
first argmax of the scores. That is :class:`DiscriminantHead`.

- QuadraticDiscriminantAnalysis: :class:`QuadraticUnits`, one per class,
  ``−½ (‖(x − μ_c) R_c S_c^(−½)‖² + Σ log S_c) + log prior_c`` in scikit-learn's order.
- NearestCentroid: distance units. Its scores are ``−‖(x − c)/σ‖² + 2 log prior`` (σ the
  within-class standard deviation, 1 where it is 0); but with uniform priors scikit-learn's
  ``predict`` is the nearest centroid in the *raw* distance, which can differ from the
  scores' argmax, so those networks carry a second set of units, the negative raw
  distances, that ``predict`` reads. With ``metric="manhattan"`` scikit-learn has
  ``predict`` only.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis
from sklearn.metrics import pairwise_distances
from sklearn.neighbors import NearestCentroid

from ..agreement import decision_margin
from ..fitted import Fitted
from ..layers import Branches, DistanceUnits, Layer, LayerDescription, as_buffer, dense_float64
from ..network.heads import ClassifierHead, first_argmax
from ..registry import Conversion, converts, margin_rule

__all__ = ["QuadraticUnits", "DiscriminantHead"]


class QuadraticUnits(Layer):
    """One quadratic unit per class: QDA's log-posterior up to a constant.

    Parameters
    ----------
    means : array-like of shape (n_classes, n_features)
    rotations : list of arrays of shape (n_features, r_c)
    scalings : list of arrays of shape (r_c,)
    priors : array-like of shape (n_classes,)
    """

    def __init__(self, means, rotations, scalings, priors):
        super().__init__()
        means = dense_float64(means)
        rank = max(np.asarray(s).shape[0] for s in scalings)
        # R_c · S_c^(-1/2), as scikit-learn forms it; classes of lower rank padded with zero
        # columns, which add exactly 0 to the squared norm
        maps = np.zeros((len(scalings), means.shape[1], rank))
        for c, (R, S) in enumerate(zip(rotations, scalings)):
            S = np.asarray(S, dtype=np.float64)
            maps[c, :, :S.shape[0]] = np.asarray(R, dtype=np.float64) * (S ** (-0.5))
        self.register_buffer("means", as_buffer(means))
        self.register_buffer("maps", as_buffer(maps))
        self.register_buffer("log_det", as_buffer([np.sum(np.log(s)) for s in scalings]))
        self.register_buffer("log_prior", as_buffer(np.log(dense_float64(priors))))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        columns = []
        for c in range(self.means.shape[0]):  # one class at a time: memory (rows × features)
            z = (x - self.means[c]) @ self.maps[c]
            columns.append(-0.5 * ((z * z).sum(dim=1) + self.log_det[c]) + self.log_prior[c])
        return torch.stack(columns, dim=1)

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title="quadratic units",
            n_in=self.means.shape[1],
            n_out=self.means.shape[0],
            activation="quadratic",
            activation_kind="quadratic",
            formula=("{y}_c = −½ (‖({x} − μ_c) R_c S_c^(−½)‖² + Σ log S_c) + log prior_c   "
                     "(μ = means_, R = rotations_, S = scalings_)"),
            parameters={"means_": self.means.cpu().numpy()},
        )


class DiscriminantHead(ClassifierHead):
    """scikit-learn's discriminant-analysis answers from per-class scores.

    Parameters
    ----------
    n_classes : int
    has_scores : bool, default True
        Whether the body computes the scores (False: ``predict`` only, from the votes).
    predict_from_extra : bool, default False
        Whether ``predict`` reads a second block of ``n_classes`` columns (the negative raw
        distances of NearestCentroid with uniform priors) rather than the scores.
    """

    untrainable_because = None

    def __init__(self, n_classes: int, *, has_scores: bool = True,
                 predict_from_extra: bool = False):
        super().__init__()
        self.n_classes = int(n_classes)
        self.has_decision = self.has_proba = self.has_log_proba = bool(has_scores)
        self.predict_from_extra = bool(predict_from_extra)

    def _scores(self, z: torch.Tensor) -> torch.Tensor:
        return z[:, :self.n_classes]

    def decision(self, z: torch.Tensor) -> torch.Tensor:
        if not self.has_decision:
            raise AttributeError("this network has no decision_function (nor has its "
                                 "estimator)")
        s = self._scores(z)
        return s[:, 1] - s[:, 0] if self.n_classes == 2 else s

    def log_proba(self, z: torch.Tensor) -> torch.Tensor:
        s = self._scores(z)
        shifted = s - s.max(dim=1, keepdim=True).values
        return shifted - torch.log(torch.exp(shifted).sum(dim=1, keepdim=True))

    def proba(self, z: torch.Tensor) -> torch.Tensor:
        return torch.exp(self.log_proba(z))

    def logits(self, z: torch.Tensor) -> torch.Tensor:
        return self._scores(z)

    def predict_index(self, z: torch.Tensor) -> torch.Tensor:
        return first_argmax(z[:, -self.n_classes:] if self.predict_from_extra else z)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        # without scores (manhattan centroids) the raw output is what predict reads
        return super().forward(z) if self.has_decision else z

    def describe(self) -> LayerDescription:
        if not self.has_decision:
            lines = ["predict(x) = classes_[argmax_k {x}_k]   (the nearest; first index wins a "
                     "tie)"]
        else:
            lines = ["decision_function(x) = {x}" if self.n_classes > 2
                     else "decision_function(x) = {x}_1 − {x}_0",
                     "log p(k | x) = {x}_k − max {x} − log Σ_j exp({x}_j − max {x})",
                     "p(k | x) = exp(log p(k | x))"]
            read = "the nearest centroid (raw distances)" if self.predict_from_extra \
                else "argmax_k {x}_k"
            lines.append(f"predict(x) = classes_[{read}]   (first index wins a tie)")
        return LayerDescription(
            title="output",
            n_in=self.n_classes * (2 if self.predict_from_extra else 1),
            n_out=self.n_classes,
            activation="softmax" if self.has_decision else "argmax",
            activation_kind="softmax" if self.has_decision else "argmax",
            formula="\n".join(lines),
            connectivity="dense" if self.predict_from_extra else "elementwise",
        )


def _class_names(estimator) -> list[str]:
    return [str(c) for c in estimator.classes_]


@converts(QuadraticDiscriminantAnalysis)
def _qda(estimator, options):
    """Quadratic units, one per class (``−½‖(x − μ)R S^−½‖²`` plus the log determinant and log
    prior), then scikit-learn's log-softmax.

    ``reg_param`` and ``priors`` are read as fitted.
    """
    fitted = Fitted(estimator)
    n_classes, n_features = len(fitted.classes()), fitted.n_features
    rotations, scalings = fitted.get("rotations_"), fitted.get("scalings_")
    for attribute, value in (("rotations_", rotations), ("scalings_", scalings)):
        if not isinstance(value, (list, tuple)) or len(value) != n_classes:
            raise fitted.error(attribute, f"is not a list of {n_classes} arrays, one per class")
    rotations = [fitted.array(f"rotations_[{c}]", shape=(n_features, None), value=r)
                 for c, r in enumerate(rotations)]
    # the variances along each rotation: QDA divides by them (0 only for collinear data)
    scalings = [fitted.array(f"scalings_[{c}]", shape=(r.shape[1],), low=0.0, value=s)
                for c, (r, s) in enumerate(zip(rotations, scalings))]
    units = QuadraticUnits(fitted.array("means_", shape=(n_classes, n_features)), rotations,
                           scalings,
                           fitted.array("priors_", shape=(n_classes,), low=0.0, high=1.0))
    return Conversion(layers=[units], head=DiscriminantHead(n_classes))


def _uniform_priors(estimator) -> bool:
    # scikit-learn's own test for taking the raw nearest centroid in predict
    return bool(np.isclose(estimator.class_prior_, 1 / len(estimator.classes_)).all())


class CentroidScores(Layer):
    """NearestCentroid's discriminant scores: ``−‖(x − c)/σ‖² + 2 log prior_c``.

    σ is ``within_class_std_dev_`` where it is non-zero and 1 elsewhere, as scikit-learn
    normalises both the input and the centroids.
    """

    def __init__(self, centroids, std, class_prior, unit_names):
        super().__init__()
        std = dense_float64(std)
        scale = np.where(std != 0, std, 1.0)
        self.register_buffer("scale", as_buffer(scale))
        self.distance = DistanceUnits(dense_float64(centroids) / scale, "sqeuclidean")
        self.register_buffer("log_prior2", as_buffer(2.0 * np.log(dense_float64(class_prior))))
        self.unit_names = tuple(unit_names)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return -self.distance(x / self.scale) + self.log_prior2

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title="centroid distance units",
            n_in=self.scale.shape[0],
            n_out=self.log_prior2.shape[0],
            activation="−distance²",
            activation_kind="distance",
            formula=("{y}_c = −‖({x} − c)/σ‖² + 2 log prior_c   (c = centroids_, σ = "
                     "within_class_std_dev_, 1 where that is 0)"),
            unit_names=self.unit_names,
            parameters={"centroids_": (self.distance.points * self.scale).cpu().numpy()},
        )


@converts(NearestCentroid)
def _nearest_centroid(estimator, options):
    """Distance units centred on the class centroids, then the nearest one.

    Euclidean centroids answer ``decision_function`` and probabilities; manhattan ones ``predict``
    only. ``shrink_threshold`` and priors are read as fitted. With uniform priors scikit-learn's
    ``predict`` takes the nearest centroid in the raw distance, which can differ from the argmax
    of its own scores; the network does the same.
    """
    names = _class_names(estimator)
    fitted = Fitted(estimator)
    k = len(fitted.classes())
    centroids = fitted.array("centroids_", shape=(k, fitted.n_features))
    raw = DistanceUnits(centroids,
                        "sqeuclidean" if estimator.metric == "euclidean" else "manhattan",
                        sign=-1.0, title="nearest-centroid units", unit_names=names)
    if estimator.metric != "euclidean":  # manhattan: predict only
        return Conversion(layers=[raw], head=DiscriminantHead(k, has_scores=False))
    scores = CentroidScores(centroids,
                            fitted.array("within_class_std_dev_", shape=(fitted.n_features,),
                                         low=0.0),
                            fitted.array("class_prior_", shape=(k,), low=0.0, high=1.0), names)
    if not _uniform_priors(estimator):
        return Conversion(layers=[scores], head=DiscriminantHead(k))
    both = Branches([[scores], [raw]], [k, k], title="scores and raw distances")
    return Conversion(layers=[both], head=DiscriminantHead(k, predict_from_extra=True))


@margin_rule.register(NearestCentroid)
def _nearest_centroid_margin(estimator, X, reference: dict):
    """With uniform priors (or the manhattan metric) ``predict`` takes the nearest centroid
    in the raw distance: the margin is the gap between the two nearest."""
    if estimator.metric == "euclidean" and not _uniform_priors(estimator):
        return None
    metric = "sqeuclidean" if estimator.metric == "euclidean" else "manhattan"
    return decision_margin(-pairwise_distances(np.asarray(X, dtype=np.float64),
                                               estimator.centroids_, metric=metric))
