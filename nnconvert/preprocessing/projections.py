"""Linear maps learnt by other means than an eigendecomposition: NeighborhoodComponentsAnalysis,
SparsePCA and MiniBatchSparsePCA, FactorAnalysis, and FeatureAgglomeration's pooling.

However each was fitted, its ``transform`` is linear in ``x``, so each is a layer of linear
units (after a centring layer where scikit-learn centres first, in its order):

- NCA: ``x Lᵀ`` (``components_``);
- SparsePCA: the ridge solve scikit-learn runs per call, ``(x − μ) Cᵀ (C Cᵀ + αI)⁻¹``, with
  the fixed matrix ``(C Cᵀ + αI)⁻¹ C`` solved once, as scikit-learn's Cholesky solver does;
- FactorAnalysis: the posterior mean of the factors, ``(x − μ) Ψ⁻¹Wᵀ (I + WΨ⁻¹Wᵀ)⁻¹``, with
  ``W`` its ``components_`` and ``Ψ`` its ``noise_variance_``;
- FeatureAgglomeration (mean pooling): each cluster's sum of its features, divided by its
  size, as scikit-learn's ``bincount`` divides.

Their ``inverse_transform`` (SparsePCA: ``y C + μ``; FeatureAgglomeration: each feature
takes its cluster's value) are layers too.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
from sklearn.cluster import FeatureAgglomeration
from sklearn.decomposition import FactorAnalysis, MiniBatchSparsePCA, SparsePCA
from sklearn.neighbors import NeighborhoodComponentsAnalysis

from ..errors import UnsupportedEstimatorError
from ..fitted import Fitted
from ..layers import AffineScaler, LinearUnits, SelectColumns
from ..options import Options
from ..registry import converts_inverse, converts_transformer
from .decomposition import back_to_features

__all__: list[str] = []


def _names(estimator, n: int) -> list[str]:
    prefix = type(estimator).__name__.lower()
    return [f"{prefix}{i}" for i in range(n)]


def _centring(mean: np.ndarray) -> AffineScaler:
    return AffineScaler(mean, np.ones_like(mean), mode="center-divide", title="centring (x − μ)")


@converts_transformer(NeighborhoodComponentsAnalysis)
def _nca(nca: NeighborhoodComponentsAnalysis, options: Options) -> list:
    """Linear units: ``x Lᵀ`` (``components_``).
    """
    fitted = Fitted(nca)
    components = fitted.array("components_", shape=(None, fitted.n_features))
    return [LinearUnits(components, None, title="NCA projection",
                        unit_names=_names(nca, components.shape[0]))]


def _sparse_components(spca) -> tuple[np.ndarray, np.ndarray]:
    fitted = Fitted(spca)
    components = fitted.array("components_", shape=(None, fitted.n_features))
    return components, fitted.array("mean_", shape=(fitted.n_features,))


@converts_transformer(SparsePCA, MiniBatchSparsePCA)
def _sparse_pca(spca, options: Options) -> list:
    """A centring layer, then linear units holding the ridge solve ``(C Cᵀ + αI)⁻¹ C``, computed
    once; ``inverse_transform`` is ``y C + μ``.
    """
    components, mean = _sparse_components(spca)
    alpha = Fitted(spca).number("ridge_alpha", low=0.0, value=spca.ridge_alpha)
    gram = components @ components.T
    gram.flat[::gram.shape[0] + 1] += alpha
    try:  # the ridge system scikit-learn solves at every call, solved once for its matrix
        weight = scipy.linalg.solve(gram, components, assume_a="pos")
    except (np.linalg.LinAlgError, ValueError):
        raise UnsupportedEstimatorError(
            f"{type(spca).__name__}: its ridge system C Cᵀ + {alpha:g}·I is singular, so "
            "scikit-learn's transform is not defined either; refit with ridge_alpha > 0."
        ) from None
    return [_centring(mean), LinearUnits(weight, None, title="sparse components (ridge solve)",
                                         unit_names=_names(spca, components.shape[0]))]


@converts_inverse(SparsePCA, MiniBatchSparsePCA)
def _sparse_pca_inverse(spca, options: Options) -> list:
    components, mean = _sparse_components(spca)
    return [back_to_features(components, mean, spca)]


@converts_transformer(FactorAnalysis)
def _factor_analysis(fa: FactorAnalysis, options: Options) -> list:
    """A centring layer, then linear units: the posterior mean of the factors
    ``(x − μ) Ψ⁻¹Wᵀ (I + WΨ⁻¹Wᵀ)⁻¹``.
    """
    fitted = Fitted(fa)
    n = fitted.n_features
    components = fitted.array("components_", shape=(None, n))
    noise = fitted.array("noise_variance_", shape=(n,), low=0.0)
    if (noise == 0).any():
        raise fitted.error("noise_variance_", "holds zeros, which its transform divides by")
    mean = fitted.array("mean_", shape=(n,))
    wpsi = components / noise  # scikit-learn's own products, in its order
    posterior = scipy.linalg.inv(np.eye(len(components)) + wpsi @ components.T)
    return [_centring(mean), LinearUnits((wpsi.T @ posterior).T, None,
                                         title="factors (posterior mean)",
                                         unit_names=_names(fa, len(components)))]


def _clusters(agglomeration: FeatureAgglomeration) -> tuple[np.ndarray, np.ndarray]:
    """``(labels_, each cluster's size)``, the labels checked to number the clusters."""
    fitted = Fitted(agglomeration)
    labels = fitted.array("labels_", shape=(fitted.n_features,), dtype=np.int64, low=0)
    sizes = np.bincount(labels)
    if (sizes == 0).any():
        raise fitted.error("labels_", "skips a cluster number, which scikit-learn's mean "
                                      "pooling divides by zero for")
    return labels, sizes


@converts_transformer(FeatureAgglomeration)
def _feature_agglomeration(agglomeration: FeatureAgglomeration, options: Options) -> list:
    """Mean pooling: each cluster's features summed and divided by its size; ``inverse_transform``
    gives each feature its cluster's value.
    """
    if agglomeration.pooling_func is not np.mean:
        raise UnsupportedEstimatorError(
            f"FeatureAgglomeration(pooling_func={agglomeration.pooling_func!r}) is not "
            "supported: only the default np.mean pooling is a layer nnconvert builds.")
    labels, sizes = _clusters(agglomeration)
    members = np.zeros((len(sizes), len(labels)))
    members[labels, np.arange(len(labels))] = 1.0
    return [LinearUnits(members, None, title="cluster sums", unit_names=_names(
                agglomeration, len(sizes))),
            AffineScaler(np.zeros(len(sizes)), sizes.astype(np.float64), mode="center-divide",
                         title="cluster means (÷ size)")]


@converts_inverse(FeatureAgglomeration)
def _feature_agglomeration_inverse(agglomeration, options: Options) -> list:
    labels, sizes = _clusters(agglomeration)
    # np.unique's inverse: clusters numbered 0 … k−1 are their own ranks
    return [SelectColumns(labels, len(sizes))]
