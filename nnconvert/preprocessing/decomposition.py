"""Linear projections as dense layers: PCA (whitened or not), IncrementalPCA, TruncatedSVD,
the random projections and FastICA.

PCA projects ``(x − μ) Vᵀ``; scikit-learn computes it as ``x Vᵀ − μ Vᵀ`` (the centring after
the projection), which is exactly a layer of linear units with weights ``V`` and bias
``−μ Vᵀ``. Whitening divides each component by ``√(explained variance)``, clipped below at
machine epsilon as scikit-learn clips it: a per-unit scaling layer of its own.

Their ``inverse_transform`` is a layer of linear units too, from the components back to the
features: ``y V + μ`` (PCA; whitened, ``V`` scaled by ``√(explained variance)``,
unclipped, as scikit-learn scales it), ``y V`` (TruncatedSVD), ``y Aᵀ (+ μ)`` (FastICA's
mixing matrix ``A``), ``y (V⁺)ᵀ`` (random projections: the pseudo-inverse scikit-learn
stores, or computes as it does).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
from sklearn.decomposition import PCA, FastICA, IncrementalPCA, TruncatedSVD
from sklearn.random_projection import GaussianRandomProjection, SparseRandomProjection

from ..fitted import Fitted
from ..layers import AffineScaler, LinearUnits, dense_float64
from ..options import Options
from ..registry import converts_inverse, converts_transformer


def _component_names(estimator, n: int) -> list[str]:
    prefix = type(estimator).__name__.lower()
    return [f"{prefix}{i}" for i in range(n)]


def _read_components(estimator) -> tuple[Fitted, np.ndarray]:
    """The checked reader and ``components_``: (n_components, n_features_in_), finite."""
    fitted = Fitted(estimator)
    return fitted, _components(fitted)


@converts_transformer(PCA, IncrementalPCA)
def _pca(pca, options: Options) -> list:
    """One affine layer: ``(x − mean_)·components_ᵀ``, divided by the singular values' scale when
    whitened.
    """
    fitted, components = _read_components(pca)
    mean = fitted.array("mean_", shape=(fitted.n_features,))
    names = _component_names(pca, components.shape[0])
    layers = [LinearUnits(components, -(mean[None, :] @ components.T)[0],
                          title="principal components", unit_names=names)]
    if pca.whiten:
        scale = np.sqrt(fitted.array("explained_variance_", shape=(len(components),),
                                     low=0.0))
        scale = np.maximum(scale, np.finfo(scale.dtype).eps)
        layers.append(AffineScaler(np.zeros_like(scale), scale, mode="center-divide",
                                   title="whitening"))
    return layers


@converts_transformer(TruncatedSVD)
def _truncated_svd(svd: TruncatedSVD, options: Options) -> list:
    """One linear layer: ``x·components_ᵀ`` (no centring, so sparse rows stay sparse).
    """
    _, components = _read_components(svd)
    return [LinearUnits(components, None, title="singular vectors",
                        unit_names=_component_names(svd, components.shape[0]))]


@converts_transformer(GaussianRandomProjection, SparseRandomProjection)
def _random_projection(projection, options: Options) -> list:
    """One linear layer holding the random projection matrix.
    """
    _, components = _read_components(projection)  # sparse for SparseRandomProjection
    return [LinearUnits(components, None, title="random projection",
                        unit_names=_component_names(projection, components.shape[0]))]


@converts_transformer(FastICA)
def _fast_ica(ica: FastICA, options: Options) -> list:
    """One affine layer: the centring, then the unmixing matrix.
    """
    fitted, components = _read_components(ica)
    # scikit-learn centres before projecting only when it whitened: (x − μ) Wᵀ = x Wᵀ − μ Wᵀ
    bias = -(fitted.array("mean_", shape=(fitted.n_features,))[None, :] @ components.T)[0] \
        if ica.whiten else None
    return [LinearUnits(components, bias, title="independent components",
                        unit_names=_component_names(ica, components.shape[0]))]


# -- inverse_transform: from the components back to the features ------------------------------

def back_to_features(weight: np.ndarray, mean: np.ndarray | None, estimator) -> LinearUnits:
    """Linear units computing ``y · weight + mean``: ``weight`` is (components, features)."""
    n = weight.shape[1]
    names = getattr(estimator, "feature_names_in_", None)
    return LinearUnits(weight.T, mean, title="back to the features",
                       unit_names=[str(c) for c in names] if names is not None
                       else [f"x{j}" for j in range(n)])


def _components(fitted: Fitted, attribute: str = "components_") -> np.ndarray:
    """``components_`` (dense or sparse): (n_components, n_features_in_), finite."""
    raw = fitted.get(attribute)
    return fitted.array(attribute, shape=(None, fitted.n_features), value=dense_float64(raw))


@converts_inverse(PCA, IncrementalPCA)
def _pca_inverse(pca, options: Options) -> list:
    fitted = Fitted(pca)
    components = _components(fitted)
    k, n = components.shape
    mean = fitted.array("mean_", shape=(n,))
    if pca.whiten:
        variance = fitted.array("explained_variance_", shape=(k,), low=0.0)
        components = np.sqrt(variance[:, np.newaxis]) * components  # scikit-learn's product
    return [back_to_features(components, mean, pca)]


@converts_inverse(TruncatedSVD)
def _truncated_svd_inverse(svd: TruncatedSVD, options: Options) -> list:
    return [back_to_features(_components(Fitted(svd)), None, svd)]


@converts_inverse(FastICA)
def _fast_ica_inverse(ica: FastICA, options: Options) -> list:
    fitted = Fitted(ica)
    n = fitted.n_features
    mixing = fitted.array("mixing_", shape=(n, None))
    mean = fitted.array("mean_", shape=(n,)) if ica.whiten else None
    return [back_to_features(mixing.T, mean, ica)]


@converts_inverse(GaussianRandomProjection, SparseRandomProjection)
def _random_projection_inverse(projection, options: Options) -> list:
    fitted = Fitted(projection)
    n = fitted.n_features
    if hasattr(projection, "inverse_components_"):
        inverse = fitted.array("inverse_components_", shape=(n, None))
    else:  # scikit-learn computes the pseudo-inverse at each call: the same one, once
        inverse = scipy.linalg.pinv(_components(fitted), check_finite=False)
    return [back_to_features(inverse.T, None, projection)]
