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
rounding. With ``kernel="precomputed"`` the input *is* the kernel row against the training
rows, so the network is steps 2 and 3 alone: linear in the kernel row. A callable kernel is
refused: there is no kernel unit to build from it.

``KernelCenterer`` on its own is step 2 (its input is a kernel row). KernelPCA's
``inverse_transform`` (``fit_inverse_transform=True``) is kernel units on the transformed
training rows and a linear read-out of its ``dual_coef_`` (a kernel ridge pre-image).
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.decomposition import KernelPCA
from sklearn.preprocessing import KernelCenterer

from ..errors import UnsupportedEstimatorError
from ..layers import (
    KERNEL_TITLES,
    PAIRWISE_KERNELS,
    KernelUnits,
    Layer,
    LayerDescription,
    LinearUnits,
    as_buffer,
)
from ..fitted import Fitted
from ..options import Options
from ..registry import converts_inverse, converts_transformer

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
    fitted = Fitted(kpca)
    degree = kpca.degree
    if isinstance(degree, float) and np.isfinite(degree) and degree >= 0:
        if not degree.is_integer():  # scikit-learn takes it; a kernel unit's power is whole
            raise UnsupportedEstimatorError(
                f"KernelPCA with degree={degree!r} is not supported: use a non-negative "
                "integer degree.")
        degree = int(degree)
    return {"gamma": fitted.number("gamma_", low=0.0), "coef0": fitted.number("coef0"),
            "degree": fitted.integer("degree", low=0, value=degree)}


def _centring(centerer, n_rows: int | None = None, name: str | None = None) -> KernelCentring:
    """The centring layer of a fitted ``KernelCenterer``; ``n_rows``: the training rows it
    must centre against (KernelPCA's), checked."""
    fitted = Fitted(centerer, name)
    rows = fitted.array("K_fit_rows_", shape=(n_rows,))
    return KernelCentring(rows, fitted.number("K_fit_all_"))


@converts_transformer(KernelCenterer)
def _kernel_centerer(centerer: KernelCenterer, options: Options) -> list:
    """A centring layer: scikit-learn's kernel centring of a kernel row against the fitted
    training kernel.
    """
    return [_centring(centerer, Fitted(centerer).n_features)]


def _kernel(kpca: KernelPCA) -> str:
    kernel = kpca.kernel
    if not isinstance(kernel, str) or kernel not in KERNEL_PCA_KERNELS:
        raise UnsupportedEstimatorError(
            f"KernelPCA(kernel={getattr(kernel, '__name__', kernel)!r}) cannot be converted: "
            "a Python function is not a kernel unit nnconvert can read. Supported kernels: "
            f"{', '.join(sorted(KERNEL_PCA_KERNELS))}, and 'precomputed'.")
    return KERNEL_PCA_KERNELS[kernel]


@converts_transformer(KernelPCA)
def _kernel_pca(kpca: KernelPCA, options: Options) -> list:
    """Kernel units on the training rows, scikit-learn's kernel centring, then the scaled
    eigenvectors as linear units.

    Kernels rbf, poly, sigmoid, cosine and linear; ``remove_zero_eig``; a component whose
    eigenvalue is 0 projects to 0, as scikit-learn's. ``kernel="precomputed"``: the input is
    the kernel row against the training rows, and the network is the centring and the
    projection alone (linear in that row).

    Refused: callable kernels.
    """
    fitted = Fitted(kpca)
    n_features = fitted.n_features
    vectors = fitted.array("eigenvectors_", ndim=2)
    n_rows = vectors.shape[0]
    centring = _centring(fitted.get("_centerer"), n_rows, "KernelPCA._centerer")
    projection = _projection(fitted, vectors)
    if kpca.kernel == "precomputed":
        # the input is a kernel row: one column per training row
        fitted.same("n_features_in_", n_features, n_rows,
                    "a width (one kernel value per training row) of")
        return [centring, projection]
    kernel = _kernel(kpca)
    centres = fitted.array("X_fit_", shape=(n_rows, n_features))
    return [
        KernelUnits(centres, kernel=kernel, title=f"{KERNEL_TITLES[kernel]} (training rows)",
                    **_kernel_parameters(kpca)),
        centring,
        projection,
    ]


def _projection(fitted: Fitted, vectors: np.ndarray) -> LinearUnits:
    eigenvalues = fitted.array("eigenvalues_", shape=(vectors.shape[1],), low=0.0)
    scaled = np.zeros_like(vectors)  # a zero eigenvalue projects to 0, as scikit-learn's
    nonzero = np.flatnonzero(eigenvalues)
    scaled[:, nonzero] = vectors[:, nonzero] / np.sqrt(eigenvalues[nonzero])
    names = [f"kernelpca{i}" for i in range(vectors.shape[1])]
    return LinearUnits(scaled.T, None, title="kernel principal components", unit_names=names)


@converts_inverse(KernelPCA)
def _kernel_pca_inverse(kpca: KernelPCA, options: Options) -> list:
    if not kpca.fit_inverse_transform:
        raise UnsupportedEstimatorError(
            "KernelPCA was fitted with fit_inverse_transform=False, so it has no inverse "
            "transform (scikit-learn raises NotFittedError): refit with "
            "fit_inverse_transform=True.")
    if kpca.kernel == "precomputed":
        raise UnsupportedEstimatorError(
            "KernelPCA(kernel='precomputed')'s inverse_transform needs the kernel of its "
            "input and the transformed training rows, which the caller computes.")
    kernel = _kernel(kpca)
    fitted = Fitted(kpca)
    rows = fitted.array("X_transformed_fit_", ndim=2)
    dual = fitted.array("dual_coef_", shape=(rows.shape[0], fitted.n_features))
    return [KernelUnits(rows, kernel=kernel, title=f"{KERNEL_TITLES[kernel]} (training scores)",
                        **_kernel_parameters(kpca)),
            LinearUnits(dual.T, None, title="pre-image read-out (dual_coef_)")]
