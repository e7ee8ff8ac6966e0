"""Cross decomposition (PLSRegression, PLSCanonical, CCA, PLSSVD): a standardisation layer and
linear units onto the X scores.

``transform(X)`` standardises as scikit-learn does (``(x − x_mean) / x_std``) and projects on
``x_rotations_`` (PLSSVD: ``x_weights_``); ``inverse_transform`` maps scores back through
``x_loadings_`` and undoes the standardisation (``y Pᵀ · x_std + x_mean``). The estimators
with a ``predict`` (PLSRegression, PLSCanonical, CCA) convert whole to regressors
(:mod:`nnconvert.families.linear`); as a pipeline step they transform. To convert one's
``transform`` on its own, end a pipeline with it and ``'passthrough'``.
"""

from __future__ import annotations

from sklearn.cross_decomposition import CCA, PLSSVD, PLSCanonical, PLSRegression

from ..fitted import Fitted
from ..layers import AffineScaler, LinearUnits
from ..options import Options
from ..registry import converts_inverse, converts_transformer

__all__: list[str] = []

#: the estimators with a predict (and loadings, for the inverse)
PLS = (PLSRegression, PLSCanonical, CCA)


def _standardisation(fitted: Fitted) -> AffineScaler:
    n = fitted.n_features
    return AffineScaler(fitted.array("_x_mean", shape=(n,)), fitted.array("_x_std", shape=(n,)),
                        mode="center-divide", title="standardisation (x − x_mean) / x_std")


@converts_transformer(*PLS, PLSSVD)
def _cross_decomposition(estimator, options: Options) -> list:
    """A standardisation layer, then linear units onto the X scores (``x_rotations_``;
    PLSSVD: ``x_weights_``); ``inverse_transform`` maps back through ``x_loadings_``.

    As a pipeline step; PLSRegression, PLSCanonical and CCA convert whole as regressors.
    """
    fitted = Fitted(estimator)
    attribute = "x_weights_" if isinstance(estimator, PLSSVD) else "x_rotations_"
    rotations = fitted.array(attribute, shape=(fitted.n_features, None))
    prefix = type(estimator).__name__.lower()
    return [_standardisation(fitted),
            LinearUnits(rotations.T, None, title="X scores",
                        unit_names=[f"{prefix}{i}" for i in range(rotations.shape[1])])]


@converts_inverse(*PLS)
def _cross_decomposition_inverse(estimator, options: Options) -> list:
    fitted = Fitted(estimator)
    n = fitted.n_features
    loadings = fitted.array("x_loadings_", shape=(n, None))
    return [LinearUnits(loadings, None, title="back through the X loadings"),
            AffineScaler(fitted.array("_x_mean", shape=(n,)),
                         fitted.array("_x_std", shape=(n,)), mode="multiply-add",
                         title="standardisation, inverse")]
