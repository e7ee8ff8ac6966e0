"""Outlier detectors: OneClassSVM (kernel units), SGDOneClassSVM (one linear neuron),
EllipticEnvelope (a Mahalanobis quadratic unit) and LocalOutlierFactor with ``novelty=True``
(distance units to the training rows, the k nearest kept, reachability and local densities).

Every one answers through :class:`~nnconvert.network.outlier.OutlierHead`: the body computes
the number the estimator computes first (libsvm's and SGD's decision, the Mahalanobis
distance, LOF's score), and the head adds or subtracts ``offset_`` as the estimator does, so
the two methods agree with it to the bit of that one operation. IsolationForest lives with the
other tree ensembles (:mod:`nnconvert.families.trees.isolation`).
"""

from __future__ import annotations

import numpy as np
import torch
from scipy import linalg
from sklearn.covariance import EllipticEnvelope
from sklearn.linear_model import SGDOneClassSVM
from sklearn.neighbors import LocalOutlierFactor
from sklearn.svm import OneClassSVM

from ..errors import ConversionError
from ..fitted import Fitted
from ..layers import (
    KERNEL_TITLES,
    METRIC_FORMULAS,
    KernelExpansion,
    KernelUnits,
    Layer,
    LayerDescription,
    LinearUnits,
    as_buffer,
    distances,
    metric_of,
)
from ..layers.rows import in_row_blocks
from ..network.outlier import OUTLIER_LABELS, OutlierHead
from ..registry import Conversion, converts, score_jump_rule

__all__ = ["MahalanobisUnit", "LocalOutlierUnits"]


def _labels(dtype) -> np.ndarray:
    return np.array(OUTLIER_LABELS, dtype=dtype)


def offset(fitted: Fitted) -> float:
    """``offset_``: a number, or an array of one (libsvm's and SGD's)."""
    values = fitted.array("offset_")
    if values.size != 1:
        raise fitted.error("offset_", f"has shape {values.shape}, but one value was expected")
    return float(values.reshape(-1)[0])


@converts(OneClassSVM)
def _one_class_svm(estimator, options):
    """Kernel units on the support vectors and one neuron (the kernel sum − ρ): ``decision_function``;
    ``score_samples`` adds ``offset_`` back; ``predict`` is ±1.
    """
    fitted = Fitted(estimator)
    d = fitted.n_features
    kernel = estimator.kernel
    if callable(kernel) or kernel not in ("linear", "poly", "rbf", "sigmoid"):
        raise ConversionError(
            f"OneClassSVM(kernel={'a callable' if callable(kernel) else repr(kernel)}) cannot "
            "be converted: the network computes the kernel from the features. Refit with "
            "kernel='linear', 'poly', 'rbf' or 'sigmoid'.")
    vectors = fitted.array("support_vectors_", shape=(None, d))
    units = KernelUnits(vectors, kernel=kernel, gamma=fitted.number("_gamma"),
                        coef0=fitted.number("coef0", value=estimator.coef0),
                        degree=fitted.integer("degree", low=0, value=estimator.degree),
                        title=f"{KERNEL_TITLES[kernel]}, one per support vector",
                        unit_names=[f"sv {i}" for i in range(len(vectors))])
    readout = LinearUnits(fitted.array("dual_coef_", shape=(1, len(vectors))),
                          fitted.array("intercept_", shape=(1,)), title="decision neuron",
                          bias_note="libsvm decides by Σ α·k − ρ; intercept_ = −ρ",
                          bias_form="−ρ", unit_names=["decision"])
    expansion = KernelExpansion(units, readout,
                                title=f"OneClassSVM ({kernel} kernel): support vectors → decision")
    # libsvm's one-class predict is +1 only where the decision is > 0
    head = OutlierHead(offset(fitted), "decision_function", inlier_at_zero=False)
    return Conversion(layers=[expansion], head=head, classes=_labels(np.intp))


@converts(SGDOneClassSVM)
def _sgd_one_class_svm(estimator, options):
    """One linear neuron: ``decision_function``, ``score_samples`` and ``predict`` (±1) as
    scikit-learn's.
    """
    fitted = Fitted(estimator)
    d = fitted.n_features
    neuron = LinearUnits(fitted.array("coef_", shape=(d,)).reshape(1, d), [-offset(fitted)],
                         title="decision neuron", bias_note="b = −offset_",
                         bias_form="−offset_", unit_names=["decision"])
    head = OutlierHead(offset(fitted), "decision_function")
    return Conversion(layers=[neuron], head=head, classes=_labels(np.int32))


class MahalanobisUnit(Layer):
    """One quadratic unit: the squared Mahalanobis distance ``(x − μ)ᵀ Θ (x − μ)`` to the
    robust location, in the difference form.

    Parameters
    ----------
    location : array of shape (n_features,)
    precision : array of shape (n_features, n_features)
    block_rows : int, default 8192
    """

    def __init__(self, location, precision, *, block_rows: int = 8192):
        super().__init__()
        self.register_buffer("location", as_buffer(location))
        self.register_buffer("precision", as_buffer(precision))
        self.block_rows = int(block_rows)

    def _block(self, x: torch.Tensor) -> torch.Tensor:
        diff = x - self.location
        return ((diff @ self.precision) * diff).sum(dim=1, keepdim=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return in_row_blocks(self._block, x, self.block_rows)

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title="Mahalanobis unit", n_in=int(self.location.shape[0]), n_out=1,
            activation="quadratic", activation_kind="quadratic",
            formula="{y} = ({x} − μ)ᵀ Θ ({x} − μ)   (μ = location_, Θ = the precision)",
            unit_names=("mahalanobis",), parameters={"location_": self.location.cpu().numpy()})


@converts(EllipticEnvelope)
def _elliptic_envelope(estimator, options):
    """A Mahalanobis quadratic unit on the robust location and precision; the head subtracts
    ``offset_``: ``decision_function``, ``score_samples``, ``predict`` (±1).
    """
    fitted = Fitted(estimator)
    d = fitted.n_features
    location = fitted.array("location_", shape=(d,))
    if getattr(estimator, "store_precision", True) and getattr(estimator, "precision_",
                                                                None) is not None:
        precision = fitted.array("precision_", shape=(d, d))
    else:  # as get_precision(): the pseudo-inverse of the covariance
        precision = linalg.pinvh(fitted.array("covariance_", shape=(d, d)), check_finite=False)
    head = OutlierHead(offset(fitted), "mahalanobis")
    return Conversion(layers=[MahalanobisUnit(location, precision)], head=head,
                      classes=_labels(np.int64))


class LocalOutlierUnits(Layer):
    """LocalOutlierFactor's score of new rows, as units over the training rows.

    Distance units to every training row (the fitted metric, difference form); the k nearest
    kept (a stable sort: the lower training index wins a tie, as scikit-learn's ``kneighbors``
    keeps it); the reachability distances ``max(d(x, o), k-distance(o))``; the row's local
    reachability density ``1 / (mean reach + 1e-10)``; and the score
    ``−mean_o lrd(o) / lrd(x)`` (higher is more normal).

    Parameters
    ----------
    points : array of shape (n_train, n_features)
    k_distances : array of shape (n_train,)
        Each training row's distance to its k-th neighbour.
    densities : array of shape (n_train,)
        Each training row's local reachability density (``_lrd``).
    n_neighbors : int
    metric : str
    p : float
    block_rows : int, default 256
    """

    def __init__(self, points, k_distances, densities, n_neighbors: int, metric: str,
                 p: float = 2.0, *, block_rows: int = 256):
        super().__init__()
        self.register_buffer("points", as_buffer(points))
        self.register_buffer("k_distances", as_buffer(k_distances))
        self.register_buffer("densities", as_buffer(densities))
        self.n_neighbors, self.metric, self.p = int(n_neighbors), metric, float(p)
        self.block_rows = int(block_rows)

    def _block(self, x: torch.Tensor) -> torch.Tensor:
        d = distances(x, self.points, self.metric, self.p)
        nearest, index = torch.sort(d, dim=1, stable=True)
        nearest, index = nearest[:, :self.n_neighbors], index[:, :self.n_neighbors]
        reach = torch.maximum(nearest, self.k_distances[index])
        density = 1.0 / (reach.mean(dim=1) + 1e-10)
        return -(self.densities[index] / density.unsqueeze(1)).mean(dim=1, keepdim=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return in_row_blocks(self._block, x, self.block_rows)

    def describe(self) -> LayerDescription:
        formula = METRIC_FORMULAS[self.metric].format(x="{x}").replace("c", "o")
        return LayerDescription(
            title=f"local outlier units: distances to {self.points.shape[0]} training rows, "
                  f"the {self.n_neighbors} nearest kept",
            n_in=int(self.points.shape[1]), n_out=1, activation="distance",
            activation_kind="distance",
            formula=("d_o = " + formula + ";  N = the k nearest o (lower index wins a tie)\n"
                     "reach_o = max(d_o, k-distance(o));  lrd(x) = 1 / (mean_N reach + 1e-10)\n"
                     "{y} = −mean_(o∈N) lrd(o) / lrd(x)"),
            unit_names=("score",), parameters={"n_neighbors": self.n_neighbors})


@converts(LocalOutlierFactor)
def _local_outlier_factor(estimator, options):
    """Distance units to the training rows, the k nearest kept, then reachability distances and the
    local densities: LOF's score; ``novelty=True`` only.

    Refused: ``novelty=False``: scikit-learn itself offers no ``predict`` on new rows then.
    """
    if not estimator.novelty:
        raise ConversionError(
            "LocalOutlierFactor(novelty=False) has no predict for new rows (only fit_predict on "
            "its training rows): refit with novelty=True to score new rows.")
    fitted = Fitted(estimator)
    d = fitted.n_features
    n = fitted.integer("n_samples_fit_", low=1)
    k = fitted.integer("n_neighbors_", low=1, high=n)
    points = fitted.array("_fit_X", shape=(n, d))
    k_distances = fitted.array("_distances_fit_X_", shape=(n, k), low=0.0)[:, k - 1]
    densities = fitted.array("_lrd", shape=(n,), low=0.0)
    params = dict(estimator.effective_metric_params_ or {})
    try:
        metric, p = metric_of(estimator.effective_metric_, params.pop("p", estimator.p), params)
    except ValueError as e:
        raise ConversionError(f"LocalOutlierFactor: {e}") from None
    units = LocalOutlierUnits(points, k_distances, densities, k, metric, p)
    head = OutlierHead(offset(fitted), "score_samples")
    return Conversion(layers=[units], head=head, classes=_labels(np.int64))


@score_jump_rule.register(LocalOutlierFactor)
def _neighbour_ties(estimator, X, reference: dict, rtol: float) -> dict:
    """Rows whose k-th and (k+1)-th nearest training rows are equally far (to rounding): which
    of them is a neighbour changes the score by a whole neighbour's density, and scikit-learn's
    own search paths keep either (duplicated training rows make such ties common)."""
    k, n = estimator.n_neighbors_, estimator.n_samples_fit_
    if k >= n:
        return {}
    d, _ = estimator.kneighbors(X, n_neighbors=k + 1)
    scale = max(float(np.max(d, initial=0.0)), np.finfo(np.float64).tiny)
    tied = d[:, k] - d[:, k - 1] <= rtol * scale
    return {"decision_function": tied, "score_samples": tied}
