"""KernelPCA as kernel units centred on the training rows, a centring layer and linear units.

scikit-learn's ``transform`` is three steps, and the network keeps all three:

1. ``K = k(x, X_fit_)``: one kernel unit per training row (the SVMs' :class:`KernelUnits`);
2. the centring of its ``KernelCenterer``:
   ``K − K_fit_rows_ − mean_j K_j + K_fit_all_`` (the training kernel's column means, the
   row's own mean and the training kernel's grand mean);
3. a projection on ``eigenvectors_ / √eigenvalues_``, where a component whose eigenvalue is
   exactly 0 projects to 0 (scikit-learn's null-space rule), not to ``±inf``.

Folding the centring into the projection's weights would save a layer but subtract large
kernel values from each other in another order; keeping scikit-learn's order keeps its
rounding. A precomputed or callable kernel is refused: there is no
kernel unit to build from them.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.decomposition import KernelPCA

from ..errors import UnsupportedEstimatorError
from ..layers import (
    KERNEL_TITLES,
    PAIRWISE_KERNELS,
    KernelUnits,
    Layer,
    LayerDescription,
    LinearUnits,
    as_buffer,
    dense_float64,
)
from ..registry import converts_transformer

__all__ = ["KernelCentring"]

#: KernelPCA's kernels that kernel units compute (scikit-learn's names -> KernelUnits')
KERNEL_PCA_KERNELS = {**PAIRWISE_KERNELS, "cosine": "cosine"}


class KernelCentring(Layer):
    """``y_j = K_j − r_j − mean_i K_i + a``: a kernel row centred in feature space.

    scikit-learn's ``KernelCenterer.transform`` for one row ``K`` of kernel values against
    the ``n`` training rows, in its order of operations.

    Parameters
    ----------
    fit_rows : array-like of shape (n,)
        The training kernel's column means (``K_fit_rows_``).
    fit_all : float
        The training kernel's grand mean (``K_fit_all_``).
    """

    def __init__(self, fit_rows, fit_all: float):
        super().__init__()
        self.register_buffer("fit_rows", as_buffer(fit_rows).reshape(-1))
        self.fit_all = float(fit_all)

    def forward(self, k: torch.Tensor) -> torch.Tensor:
        row_means = k.sum(dim=1, keepdim=True) / self.fit_rows.shape[0]
        return k - self.fit_rows - row_means + self.fit_all

    def describe(self) -> LayerDescription:
        n = self.fit_rows.shape[0]
        return LayerDescription(
            title="kernel centring", n_in=n, n_out=n, activation="centre",
            activation_kind="identity", connectivity="dense",
            formula="{y}_j = {x}_j − K̄_j − mean_i {x}_i + K̄   "
                    "(K̄_j: the training kernel's column means, K̄ its grand mean)",
            parameters={"K_fit_all": self.fit_all})


def _kernel_parameters(kpca: KernelPCA) -> dict:
    # scikit-learn passes gamma_, degree and coef0 (filtered per kernel), or kernel_params
    # in their place for a callable kernel only; gamma_ is 1 / n_features when gamma is None
    degree = kpca.degree
    if float(degree) != int(degree) or degree < 0:
        raise UnsupportedEstimatorError(
            f"KernelPCA with degree={degree!r} is not supported: use a non-negative integer "
            "degree.")
    return {"gamma": float(kpca.gamma_), "coef0": float(kpca.coef0), "degree": int(degree)}


@converts_transformer(KernelPCA)
def _kernel_pca(kpca: KernelPCA, options: dict) -> list:
    """Kernel units on the training rows, scikit-learn's kernel centring, then the scaled
    eigenvectors as linear units.

    Kernels rbf, poly, sigmoid, cosine and linear; ``remove_zero_eig``; a component whose
    eigenvalue is 0 projects to 0, as scikit-learn's.

    Refused: precomputed and callable kernels.
    """
    kernel = kpca.kernel
    if not isinstance(kernel, str) or kernel not in KERNEL_PCA_KERNELS:
        why = ("a precomputed kernel is a matrix the caller computes, not a function of x a "
               "layer can hold" if kernel == "precomputed" else
               "a Python function is not a kernel unit nnconvert can read")
        raise UnsupportedEstimatorError(
            f"KernelPCA(kernel={getattr(kernel, '__name__', kernel)!r}) cannot be converted: "
            f"{why}. Supported kernels: {', '.join(sorted(KERNEL_PCA_KERNELS))}.")
    kernel = KERNEL_PCA_KERNELS[kernel]
    centres = dense_float64(kpca.X_fit_)
    eigenvalues = np.asarray(kpca.eigenvalues_, dtype=np.float64)
    vectors = np.asarray(kpca.eigenvectors_, dtype=np.float64)
    scaled = np.zeros_like(vectors)  # a zero eigenvalue projects to 0, as scikit-learn's
    nonzero = np.flatnonzero(eigenvalues)
    scaled[:, nonzero] = vectors[:, nonzero] / np.sqrt(eigenvalues[nonzero])
    names = [f"kernelpca{i}" for i in range(vectors.shape[1])]
    return [
        KernelUnits(centres, kernel=kernel, title=f"{KERNEL_TITLES[kernel]} (training rows)",
                    **_kernel_parameters(kpca)),
        KernelCentring(kpca._centerer.K_fit_rows_, kpca._centerer.K_fit_all_),
        LinearUnits(scaled.T, None, title="kernel principal components", unit_names=names),
    ]
