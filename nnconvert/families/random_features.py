"""Random-feature pipeline steps: kernel approximations as hidden layers.

``RBFSampler`` (random Fourier features) is a layer of cosine units,
``√(2/D) · cos(x W + b)``; ``Nystroem`` is a layer of kernel units centred on its
``components_`` followed by a linear map (``normalization_``). Put either in front of any
supported linear classifier and the pipeline is a one-hidden-layer network, an ELM whose
hidden layer was chosen to approximate a kernel.
"""

from __future__ import annotations

from sklearn.kernel_approximation import Nystroem, RBFSampler

from ..errors import UnsupportedEstimatorError
from ..layers import (
    PAIRWISE_KERNELS,
    ActivatedUnits,
    KernelUnits,
    LinearUnits,
    dense_float64,
)
from ..registry import converts_transformer

#: Nystroem kernel names -> KernelUnits kernels (their defaults: see _nystroem_parameters)
NYSTROEM_KERNELS = PAIRWISE_KERNELS


@converts_transformer(RBFSampler)
def _rbf_sampler(sampler: RBFSampler, options: dict) -> list:
    """Cosine units ``√(2/n)·cos(W x + b)``: the random Fourier features as a fixed hidden layer.
    """
    n = sampler.random_weights_.shape[1]
    return [ActivatedUnits(sampler.random_weights_.T, sampler.random_offset_, activation="cos",
                           scale=(2.0 / n) ** 0.5, title="random Fourier units")]


def _nystroem_parameters(nystroem: Nystroem, n_features: int) -> dict:
    # scikit-learn's defaults when unset (pairwise_kernels): gamma = 1 / n_features;
    # polynomial and sigmoid kernels: coef0 = 1, degree = 3
    params = dict(nystroem.kernel_params or {})
    for name in ("gamma", "degree", "coef0"):
        if getattr(nystroem, name) is not None:
            params[name] = getattr(nystroem, name)
    gamma = params.get("gamma")
    degree = params.get("degree", 3)
    if float(degree) != int(degree) or degree < 0:
        raise UnsupportedEstimatorError(
            f"Nystroem with degree={degree!r} is not supported: use a non-negative integer degree."
        )
    return {
        "gamma": 1.0 / n_features if gamma is None else float(gamma),
        "coef0": float(params.get("coef0", 1.0)),
        "degree": int(degree),
    }


@converts_transformer(Nystroem)
def _nystroem(nystroem: Nystroem, options: dict) -> list:
    """Kernel units on the sampled components, then the normalisation matrix: a fixed hidden layer.

    Kernels rbf, poly, sigmoid and linear.

    Refused: other kernels (precomputed, callable, additive_chi2, chi2), naming the supported ones.
    """
    kernel = nystroem.kernel
    if not isinstance(kernel, str) or kernel not in NYSTROEM_KERNELS:
        raise UnsupportedEstimatorError(
            f"Nystroem with kernel={kernel!r} is not supported; supported kernels: "
            f"{sorted(NYSTROEM_KERNELS)}."
        )
    components = dense_float64(nystroem.components_)
    units = KernelUnits(components, kernel=NYSTROEM_KERNELS[kernel],
                        title="Nyström kernel units",
                        **_nystroem_parameters(nystroem, components.shape[1]))
    return [units, LinearUnits(nystroem.normalization_, None, title="Nyström normalisation")]
