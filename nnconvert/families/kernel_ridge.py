"""Kernel ridge regression: kernel units centred on every training row, one linear read-out.

``KernelRidge.predict(X) = k(X, X_fit_) @ dual_coef_``: the same two layers as a support
vector regressor (:class:`~nnconvert.layers.KernelExpansion`), with a unit per training row
(kernel ridge keeps them all) and no bias. scikit-learn evaluates the kernel with
``pairwise_kernels``, whose defaults differ from libsvm's: ``gamma=None`` means
``1 / n_features`` and ``coef0`` defaults to 1.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.kernel_ridge import KernelRidge

from ..errors import ConversionError
from ..fitted import Fitted
from ..layers import (
    KERNEL_TITLES,
    PAIRWISE_KERNELS,
    KernelExpansion,
    KernelUnits,
    LinearUnits,
)
from ..network.heads import RegressionHead
from ..options import Options
from ..registry import Conversion, converts

#: pairwise_kernels' names that the kernel units compute exactly -> their kernel (chi2 and
#: additive_chi2 are refused: scikit-learn raises for negative inputs, a network cannot)
KERNELS = {**PAIRWISE_KERNELS, "laplacian": "laplacian", "cosine": "cosine"}


def _kernel(estimator: KernelRidge) -> str:
    kernel = estimator.kernel
    supported = ", ".join(repr(k) for k in KERNELS)
    if callable(kernel) or kernel == "precomputed":
        shown = "a callable" if callable(kernel) else "'precomputed'"
        raise ConversionError(
            f"KernelRidge with kernel={shown} cannot be converted: the network must compute "
            f"the kernel itself from the input features. Refit with one of {supported}."
        )
    if kernel not in KERNELS:
        raise ConversionError(
            f"KernelRidge(kernel={kernel!r}) is not supported: nnconvert computes the "
            f"kernels {supported} exactly. Refit with one of them."
        )
    kernel = KERNELS[kernel]
    degree = estimator.degree
    if kernel == "poly" and not (isinstance(degree, numbers.Integral)
                                 or float(degree).is_integer()):
        raise ConversionError(
            f"KernelRidge(kernel='poly', degree={degree!r}): only whole-number degrees are "
            "supported (a fractional power of a negative inner product is NaN). Refit with "
            "an integer degree."
        )
    return kernel


@converts(KernelRidge)
def _kernel_ridge(estimator: KernelRidge, options: Options) -> Conversion:
    """Kernel units centred on every training row, one linear read-out neuron (weights
    ``dual_coef_``).

    Kernels linear, poly, rbf, sigmoid, laplacian and cosine.

    Refused: precomputed and callable kernels: there is no function of the row to build units from.
    """
    kernel = _kernel(estimator)
    fitted = Fitted(estimator)
    centres = fitted.array("X_fit_", shape=(None, fitted.n_features))
    # pairwise_kernels' default: gamma=None is 1 / n_features (the linear kernel has none)
    gamma = (1.0 / centres.shape[1] if estimator.gamma is None
             else fitted.number("gamma", low=0))
    units = KernelUnits(centres, kernel=kernel, gamma=gamma, coef0=fitted.number("coef0"),
                        degree=int(fitted.number("degree", low=0)),
                        title=f"{KERNEL_TITLES[kernel]}, one per training row")
    raw = fitted.get("dual_coef_")
    dual_coef = fitted.array("dual_coef_", shape=(len(centres),) if np.ndim(raw) == 1
                             else (len(centres), None))
    # dual_coef_ is (n_fit,) for a 1-D y, (n_fit, k) for k targets (or a y of one column)
    readout = LinearUnits(dual_coef.reshape(dual_coef.shape[0], -1).T, None,
                          title="regression neurons (dual coefficients, no bias)")
    expansion = KernelExpansion(
        units, readout, title=f"KernelRidge ({estimator.kernel} kernel): training rows → ŷ")
    return Conversion(layers=[expansion],
                      head=RegressionHead(readout.out_features, single=dual_coef.ndim == 1))
