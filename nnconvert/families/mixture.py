"""Gaussian mixtures as quadratic units and a log-sum-exp: GaussianMixture and
BayesianGaussianMixture, every covariance type.

Each component is one quadratic unit, its weighted log-likelihood
``log w_k + log N(x | μ_k, Σ_k)``, read through the fitted *precision Cholesky* factor ``P_k``
(``Σ_k⁻¹ = P_k P_kᵀ``) as scikit-learn reads it:
``−½ (d log 2π + ‖(x − μ_k) P_k‖²) + log det P_k + log w_k``. ``full`` and ``tied`` compute
``x P_k − μ_k P_k`` as scikit-learn does (one matrix product for every component); ``diag``
and ``spherical`` the difference form ``(x − μ_k) ∘ p_k``, which keeps the digits scikit-learn's
expanded form ``Σ μ²p² − 2 x·(μp²) + x²·p²`` can cancel. The head is the log-sum-exp:
``score_samples`` (the log density), ``predict_proba`` (``exp(z − logsumexp z)``) and
``predict`` (the first argmax). A Bayesian mixture adds its variational terms to each unit's
constant: the expected log weights (Dirichlet distribution or process) and the Wishart terms
of ``degrees_of_freedom_`` and ``mean_precision_``.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.special import digamma
from sklearn.mixture import BayesianGaussianMixture, GaussianMixture

from ..fitted import Fitted
from ..layers import Layer, LayerDescription
from ..layers.dense import as_buffer
from ..layers.rows import into_row_blocks
from ..network.clusterer import ClusterHead
from ..registry import Conversion, converts

__all__ = ["GaussianComponentUnits", "MixtureHead"]

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


class GaussianComponentUnits(Layer):
    """One quadratic unit per mixture component: ``−½ q_k(x) + const_k``, with
    ``q_k(x) = ‖(x − μ_k) P_k‖²`` in the form of ``covariance_type`` (see the module).

    Parameters
    ----------
    means : array of shape (n_components, n_features)
    precisions_cholesky : array
        scikit-learn's ``precisions_cholesky_`` for ``covariance_type``.
    covariance_type : {"full", "tied", "diag", "spherical"}
    constants : array of shape (n_components,)
        ``−½ d log 2π + log det P_k`` plus the log weight (and a Bayesian mixture's terms).
    block_rows : int, optional
        Rows per block; default: as many as hold about 4 MiB of the (rows, components,
        features) intermediate (few blocks: each op on a block is a parallel region).
    """

    def __init__(self, means, precisions_cholesky, covariance_type: str, constants, *,
                 block_rows: int | None = None):
        super().__init__()
        means = np.asarray(means, dtype=np.float64)
        chol = np.asarray(precisions_cholesky, dtype=np.float64)
        k, d = means.shape
        self.covariance_type = covariance_type
        if covariance_type == "full":  # every component's P_k side by side: one GEMM
            self.register_buffer("maps", as_buffer(np.concatenate(list(chol), axis=1)))
            self.register_buffer("shifts", as_buffer(
                np.concatenate([means[c] @ chol[c] for c in range(k)])))
        elif covariance_type == "tied":
            self.register_buffer("maps", as_buffer(chol))
            self.register_buffer("shifts", as_buffer(means @ chol))
        elif covariance_type == "diag":
            self.register_buffer("scales", as_buffer(chol))
        else:
            self.register_buffer("scales", as_buffer(chol ** 2))
        self.register_buffer("means", as_buffer(means))
        self.register_buffer("constants", as_buffer(constants))
        if block_rows is None:
            block_rows = max(64, (4 << 20) // (8 * k * d))
        self.block_rows = int(block_rows)

    def _quadratic(self, x: torch.Tensor) -> torch.Tensor:
        k, d = self.means.shape
        kind = self.covariance_type
        if kind == "full":
            y = (x @ self.maps).sub_(self.shifts).view(x.shape[0], k, d)
        elif kind == "tied":
            y = (x @ self.maps).unsqueeze(1) - self.shifts
        elif kind == "diag":
            y = (x.unsqueeze(1) - self.means) * self.scales
        else:
            diff = x.unsqueeze(1) - self.means
            return (diff * diff).sum(dim=2) * self.scales
        return (y * y).sum(dim=2)

    def _block(self, x: torch.Tensor) -> torch.Tensor:
        return self.constants - 0.5 * self._quadratic(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return into_row_blocks(self._block, x, self.block_rows, self.means.shape[0])

    def describe(self) -> LayerDescription:
        k, d = self.means.shape
        form = {"full": "‖x P_k − μ_k P_k‖²", "tied": "‖x P − μ_k P‖²",
                "diag": "‖(x − μ_k) ∘ p_k‖²", "spherical": "‖x − μ_k‖² p_k²"}
        quadratic = form[self.covariance_type].replace("x", "{x}")
        return LayerDescription(
            title=f"quadratic units, one per Gaussian component ({self.covariance_type})",
            n_in=d, n_out=k, activation="quadratic", activation_kind="quadratic",
            formula=("{y}_k = log w_k + log N({x} | μ_k, Σ_k) = c_k − ½ " + quadratic
                     + "   (P: precisions_cholesky_, c_k = log w_k − ½ d log 2π + log det P_k)"),
            unit_names=tuple(f"component {c}" for c in range(k)),
            parameters={"means_": self.means.cpu().numpy()})


class MixtureHead(ClusterHead):
    """A mixture's head: the log-sum-exp of the weighted component log-likelihoods ``z``.

    ``score_samples = logsumexp(z)``, ``predict_proba = exp(z − logsumexp(z))``,
    ``predict = argmax z`` (first index at a tie). ``forward`` gives ``z`` itself.
    """

    has_proba = True
    has_score_samples = True
    scores_method = None

    def __init__(self, n_components: int):
        super().__init__()
        self.n_components = int(n_components)

    def score_samples(self, z: torch.Tensor) -> torch.Tensor:
        return torch.logsumexp(z, dim=1)

    def predict_proba(self, z: torch.Tensor) -> torch.Tensor:
        return torch.exp(z - torch.logsumexp(z, dim=1, keepdim=True))

    def predict_index(self, z: torch.Tensor) -> torch.Tensor:
        return z.argmax(dim=1)  # torch and numpy: the first maximum wins

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title="output", n_in=self.n_components, n_out=self.n_components,
            activation="log-sum-exp", activation_kind="logsumexp",
            formula=("score_samples(x) = log p(x) = log Σ_k exp {x}_k\n"
                     "predict_proba(x)_k = exp({x}_k − log p(x))\n"
                     "predict(x) = argmax_k {x}_k   (first index wins a tie)"),
            connectivity="elementwise")


def _log_det_cholesky(chol: np.ndarray, covariance_type: str, n_features: int) -> np.ndarray:
    """``log det P_k``, as scikit-learn's ``_compute_log_det_cholesky``."""
    if covariance_type == "full":
        return np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
    if covariance_type == "tied":
        return np.sum(np.log(np.diag(chol)))
    if covariance_type == "diag":
        return np.log(chol).sum(axis=1)
    return n_features * np.log(chol)


def _cholesky_shape(covariance_type: str, k: int, d: int) -> tuple:
    return {"full": (k, d, d), "tied": (d, d), "diag": (k, d), "spherical": (k,)}[
        covariance_type]


def _gaussian_parts(estimator) -> tuple:
    fitted = Fitted(estimator)
    d = fitted.n_features
    kind = fitted.choice("covariance_type", COVARIANCE_TYPES)
    means = fitted.array("means_", shape=(None, d))
    k = means.shape[0]
    chol = fitted.array("precisions_cholesky_", shape=_cholesky_shape(kind, k, d))
    diagonal = {"full": lambda c: np.diagonal(c, axis1=1, axis2=2), "tied": np.diag}.get(
        kind, lambda c: c)(chol)
    if not (diagonal > 0).all():
        raise fitted.error("precisions_cholesky_", "has a diagonal entry ≤ 0: not the Cholesky "
                                                   "factor of a precision matrix")
    constant = -0.5 * d * np.log(2 * np.pi) + _log_det_cholesky(chol, kind, d)
    return fitted, kind, means, chol, np.broadcast_to(constant, (k,)).astype(np.float64)


def _mixture(estimator, means, chol, kind, constants) -> Conversion:
    units = GaussianComponentUnits(means, chol, kind, constants)
    return Conversion(layers=[units], head=MixtureHead(len(means)),
                      classes=np.arange(len(means), dtype=np.int64))


@converts(GaussianMixture)
def _gaussian_mixture(estimator, options):
    """A quadratic unit per component (its weighted log-likelihood, read through the fitted precision
    Cholesky factor), then a log-sum-exp: ``score_samples``, ``predict_proba`` and ``predict``.

    Every covariance type; ``diag`` and ``spherical`` in the difference form.
    """
    fitted, kind, means, chol, constant = _gaussian_parts(estimator)
    weights = fitted.array("weights_", shape=(len(means),), low=0.0)
    with np.errstate(divide="ignore"):  # a weight of 0 is log 0 = −inf, as in scikit-learn
        log_weights = np.log(weights)
    return _mixture(estimator, means, chol, kind, constant + log_weights)


def _per_component(fitted: Fitted, attribute: str, k: int) -> np.ndarray:
    values = fitted.array(attribute)
    if values.ndim > 1 or values.size not in (1, k):
        raise fitted.error(attribute, f"has shape {values.shape}, but one value or {k} were "
                                      "expected")
    return values


@converts(BayesianGaussianMixture)
def _bayesian_mixture(estimator, options):
    """As :class:`~sklearn.mixture.GaussianMixture`, each unit's constant holding the variational
    terms (expected log weights, the Wishart terms).
    """
    fitted, kind, means, chol, constant = _gaussian_parts(estimator)
    k, d = means.shape
    prior = fitted.choice("weight_concentration_prior_type",
                          ("dirichlet_process", "dirichlet_distribution"))
    if prior == "dirichlet_process":
        raw = fitted.get("weight_concentration_")
        if not isinstance(raw, tuple) or len(raw) != 2:
            raise fitted.error("weight_concentration_", "is not the pair of arrays a "
                                                        "Dirichlet process keeps")
        a = fitted.array("weight_concentration_", shape=(k,), value=raw[0])
        b = fitted.array("weight_concentration_", shape=(k,), value=raw[1])
        total = digamma(a + b)
        log_weights = digamma(a) - total + np.hstack((0, np.cumsum(digamma(b) - total)[:-1]))
    else:
        alpha = fitted.array("weight_concentration_", shape=(k,), low=0.0)
        log_weights = digamma(alpha) - digamma(np.sum(alpha))
    dof = _per_component(fitted, "degrees_of_freedom_", k)  # one, shared, where "tied"
    mean_precision = _per_component(fitted, "mean_precision_", k)
    if not (dof > d - 1).all() or not (mean_precision > 0).all():
        raise fitted.error("degrees_of_freedom_", f"must exceed n_features − 1 = {d - 1} "
                                                  "(and mean_precision_ be positive)")
    log_lambda = d * np.log(2.0) + np.sum(
        digamma(0.5 * (dof - np.arange(0, d)[:, np.newaxis])), 0)
    constants = (constant - 0.5 * d * np.log(dof) + 0.5 * (log_lambda - d / mean_precision)
                 + log_weights)
    return _mixture(estimator, means, chol, kind, constants)
