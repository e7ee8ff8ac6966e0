"""KernelDensity as kernel units and a log-sum-exp: one unit per training row, the log of the
kernel of the row's distance to it, summed in log space and normalised.

``score_samples(x) = log Σ_i w_i K_h(d(x, x_i)) + log norm(h, d) − log Σ_i w_i`` with every
kernel scikit-learn offers, each in the log form its tree computes (``−½ d²/h²``,
``log(1 − d²/h²)``, ``−d/h``, ``log(1 − d/h)``, ``log cos(π d / 2h)``, or 0 inside the
bandwidth for the tophat; −inf outside a compact kernel's support, where ``d < h`` fails), and
the normalisation of scikit-learn's ``_log_kernel_norm``. Distances are the difference form of
the Minkowski family (euclidean, manhattan, chebyshev, minkowski with any p).
``score`` is the sum over rows.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from sklearn.neighbors import KernelDensity

from ..errors import ConversionError
from ..fitted import Fitted
from ..layers import METRIC_FORMULAS, Layer, LayerDescription, as_buffer, distances, metric_of
from ..layers.rows import in_row_blocks
from ..network.density import DensityHead
from ..registry import Conversion, converts, reference_rtol, score_jump_rule

__all__ = ["KernelDensityUnits", "log_kernel_norm", "KERNELS"]

#: each kernel's log, of the distance {d} and the bandwidth h
KERNELS = {
    "gaussian": "−½ {d}²/h²",
    "tophat": "0 if {d} < h",
    "epanechnikov": "log(1 − {d}²/h²) if {d} < h",
    "exponential": "−{d}/h",
    "linear": "log(1 − {d}/h) if {d} < h",
    "cosine": "log cos(π {d} / 2h) if {d} < h",
}
#: kernels that are zero (log −inf) from the bandwidth on
COMPACT = ("tophat", "epanechnikov", "linear", "cosine")


def _log_volume(n: int) -> float:
    return 0.5 * n * math.log(math.pi) - math.lgamma(0.5 * n + 1)


def log_kernel_norm(h: float, d: int, kernel: str) -> float:
    """The log of the kernel's normalisation in ``d`` dimensions, as scikit-learn's
    ``_log_kernel_norm``."""
    log_2pi = math.log(2 * math.pi)
    if kernel == "gaussian":
        factor = 0.5 * d * log_2pi
    elif kernel == "tophat":
        factor = _log_volume(d)
    elif kernel == "epanechnikov":
        factor = _log_volume(d) + math.log(2.0 / (d + 2.0))
    elif kernel == "exponential":
        factor = log_2pi + _log_volume(d - 2) + math.lgamma(d)
    elif kernel == "linear":
        factor = _log_volume(d) - math.log(d + 1.0)
    else:  # cosine: a chain-rule integration, as scikit-learn writes it
        factor, term = 0.0, 2.0 / math.pi
        for k in range(1, d + 1, 2):
            factor += term
            term *= -(d - k) * (d - k - 1) * (2.0 / math.pi) ** 2
        # scikit-learn's sum is negative for some even d (4, 6, ...): its log, and every
        # density, is then NaN; the network answers NaN as well
        factor = (math.log(factor) if factor > 0 else math.nan) + log_2pi + _log_volume(d - 2)
    return -factor - d * math.log(h)


def _log_kernel(dist: torch.Tensor, h: float, kernel: str) -> torch.Tensor:
    if kernel == "gaussian":
        return -0.5 * (dist * dist) / (h * h)
    if kernel == "exponential":
        return -dist / h
    inside = dist < h
    if kernel == "tophat":
        value = torch.zeros_like(dist)
    elif kernel == "epanechnikov":
        value = torch.log(torch.clamp(1 - dist * dist / (h * h), min=0))
    elif kernel == "linear":
        value = torch.log(torch.clamp(1 - dist / h, min=0))
    else:
        value = torch.log(torch.clamp(torch.cos(0.5 * math.pi * dist / h), min=0))
    return torch.where(inside, value, torch.full_like(dist, -math.inf))


class KernelDensityUnits(Layer):
    """One kernel unit per training row, summed in log space: the log density (n, 1).

    Parameters
    ----------
    points : array of shape (n_train, n_features)
    log_weights : array of shape (n_train,)
        ``log w_i`` (0 without sample weights).
    bandwidth : float
    kernel : str
        A key of :data:`KERNELS`.
    metric : str
    p : float
    constant : float
        ``log norm(h, d) − log Σ w``.
    block_rows : int, default 256
    """

    def __init__(self, points, log_weights, bandwidth: float, kernel: str, metric: str,
                 p: float, constant: float, *, block_rows: int = 256):
        super().__init__()
        self.register_buffer("points", as_buffer(points))
        self.register_buffer("log_weights", as_buffer(log_weights))
        self.bandwidth, self.kernel, self.metric, self.p = float(bandwidth), kernel, metric, p
        self.constant = float(constant)
        self.block_rows = int(block_rows)

    def _block(self, x: torch.Tensor) -> torch.Tensor:
        d = distances(x, self.points, self.metric, self.p)
        terms = _log_kernel(d, self.bandwidth, self.kernel) + self.log_weights
        return (torch.logsumexp(terms, dim=1) + self.constant).unsqueeze(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return in_row_blocks(self._block, x, self.block_rows)

    def describe(self) -> LayerDescription:
        metric = METRIC_FORMULAS[self.metric].format(x="{x}").replace("c", "x_i")
        kernel = KERNELS[self.kernel].format(d="d_i")
        return LayerDescription(
            title=f"{self.kernel} kernel units, one per training row, and a log-sum-exp",
            n_in=int(self.points.shape[1]), n_out=1, activation="log-sum-exp",
            activation_kind="logsumexp",
            formula=(f"d_i = {metric};  log K_i = {kernel}\n"
                     "{y} = log Σ_i w_i exp(log K_i) + log norm(h, d) − log Σ_i w_i   "
                     f"(h = {self.bandwidth:.6g}, log norm − log Σ w = {self.constant:.6g})"),
            unit_names=("log p(x)",), parameters={"bandwidth": self.bandwidth})


def _parts(estimator) -> tuple:
    fitted = Fitted(estimator)
    d = fitted.n_features
    tree = fitted.get("tree_")
    points = fitted.array("tree_.data", shape=(None, d), value=np.asarray(tree.data))
    n = points.shape[0]
    weights = tree.sample_weight
    if weights is None:
        log_weights, total = np.zeros(n), float(n)
    else:
        weights = fitted.array("tree_.sample_weight", shape=(n,), low=0.0, value=weights)
        with np.errstate(divide="ignore"):
            log_weights = np.log(weights)
        total = float(tree.sum_weight)
    return fitted, d, points, log_weights, total


@converts(KernelDensity)
def _kernel_density(estimator, options):
    """Kernel units, one per training row (the log of the kernel of the row's distance to it), then
    a log-sum-exp and scikit-learn's normalisation: ``score_samples``.

    Every kernel scikit-learn offers, in the log form its tree computes; distances euclidean,
    manhattan, chebyshev and minkowski (any p).
    """
    fitted, d, points, log_weights, total = _parts(estimator)
    kernel = fitted.choice("kernel", list(KERNELS), value=estimator.kernel)
    h = fitted.number("bandwidth_", low=0.0, strict_low=True)
    if estimator.atol:
        raise ConversionError(
            f"KernelDensity(atol={estimator.atol}) answers within an absolute tolerance, "
            "which depends on its tree's traversal, not a function of the row: refit with "
            "atol=0 (rtol may stay: the network is exact, within your rtol of it).")
    try:
        metric, p = metric_of(estimator.metric, None, estimator.metric_params)
    except ValueError as e:
        raise ConversionError(
            f"KernelDensity(metric={estimator.metric!r}): {e}; its tree's other metrics "
            "(haversine, mahalanobis, ...) are not converted.") from None
    if metric == "cosine":
        raise ConversionError("KernelDensity has no cosine metric")
    constant = log_kernel_norm(h, d, kernel) - math.log(total)
    units = KernelDensityUnits(points, log_weights, h, kernel, metric, p, constant)
    return Conversion(layers=[units], head=DensityHead())


@reference_rtol.register(KernelDensity)
def _tree_tolerance(estimator) -> float | None:
    """KernelDensity(rtol > 0) answers within that relative tolerance of the exact density."""
    return float(estimator.rtol) if estimator.rtol else None


@score_jump_rule.register(KernelDensity)
def _bandwidth_edge(estimator, X, reference: dict, rtol: float) -> dict | None:
    """A compact kernel jumps to zero at the bandwidth: rows with a training row within
    rounding of distance h may count it or not."""
    if estimator.kernel not in COMPACT:
        return None
    _, d, points, _, _ = _parts(estimator)
    metric, p = metric_of(estimator.metric, None, estimator.metric_params)
    with torch.no_grad():
        dist = distances(torch.as_tensor(np.asarray(X, dtype=np.float64)),
                         torch.as_tensor(points), metric, p).numpy()
    h = float(estimator.bandwidth_)
    return {"score_samples": (np.abs(dist - h) <= max(rtol, 1e-12) * h).any(axis=1)}
