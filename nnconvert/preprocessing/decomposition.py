"""Linear projections as dense layers: PCA (whitened or not), IncrementalPCA, TruncatedSVD,
the random projections and FastICA.

PCA projects ``(x − μ) Vᵀ``; scikit-learn computes it as ``x Vᵀ − μ Vᵀ`` (the centring after
the projection), which is exactly a layer of linear units with weights ``V`` and bias
``−μ Vᵀ``. Whitening divides each component by ``√(explained variance)``, clipped below at
machine epsilon as scikit-learn clips it: a per-unit scaling layer of its own.
"""

from __future__ import annotations

import numpy as np
from sklearn.decomposition import PCA, FastICA, IncrementalPCA, TruncatedSVD
from sklearn.random_projection import GaussianRandomProjection, SparseRandomProjection

from ..layers import AffineScaler, LinearUnits, dense_float64
from ..registry import converts_transformer


def _component_names(estimator, n: int) -> list[str]:
    prefix = type(estimator).__name__.lower()
    return [f"{prefix}{i}" for i in range(n)]


@converts_transformer(PCA, IncrementalPCA)
def _pca(pca, options: dict) -> list:
    """One affine layer: ``(x − mean_)·components_ᵀ``, divided by the singular values' scale when
    whitened.
    """
    components = dense_float64(pca.components_)
    mean = np.asarray(pca.mean_, dtype=np.float64)
    names = _component_names(pca, components.shape[0])
    layers = [LinearUnits(components, -(mean[None, :] @ components.T)[0],
                          title="principal components", unit_names=names)]
    if pca.whiten:
        scale = np.sqrt(np.asarray(pca.explained_variance_, dtype=np.float64))
        scale = np.maximum(scale, np.finfo(scale.dtype).eps)
        layers.append(AffineScaler(np.zeros_like(scale), scale, mode="center-divide",
                                   title="whitening"))
    return layers


@converts_transformer(TruncatedSVD)
def _truncated_svd(svd: TruncatedSVD, options: dict) -> list:
    """One linear layer: ``x·components_ᵀ`` (no centring, so sparse rows stay sparse).
    """
    components = dense_float64(svd.components_)
    return [LinearUnits(components, None, title="singular vectors",
                        unit_names=_component_names(svd, components.shape[0]))]


@converts_transformer(GaussianRandomProjection, SparseRandomProjection)
def _random_projection(projection, options: dict) -> list:
    """One linear layer holding the random projection matrix.
    """
    components = dense_float64(projection.components_)  # sparse for SparseRandomProjection
    return [LinearUnits(components, None, title="random projection",
                        unit_names=_component_names(projection, components.shape[0]))]


@converts_transformer(FastICA)
def _fast_ica(ica: FastICA, options: dict) -> list:
    """One affine layer: the centring, then the unmixing matrix.
    """
    components = dense_float64(ica.components_)
    # scikit-learn centres before projecting only when it whitened: (x − μ) Wᵀ = x Wᵀ − μ Wᵀ
    bias = -(np.asarray(ica.mean_, dtype=np.float64)[None, :] @ components.T)[0] \
        if ica.whiten else None
    return [LinearUnits(components, bias, title="independent components",
                        unit_names=_component_names(ica, components.shape[0]))]
