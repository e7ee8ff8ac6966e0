"""GaussianProcessRegressor's predictive mean as kernel units: ``ŷ = k(x, X_train)·α``.

The fitted kernel (``kernel_``) is rebuilt as a small tree of torch modules, one per kernel
scikit-learn composes: ConstantKernel, RBF (isotropic or one length scale per feature),
Matern (ν = 0.5, 1.5, 2.5, ∞), RationalQuadratic, DotProduct, WhiteKernel (0 between a new
row and a training row, as scikit-learn evaluates ``k(X, X_train)``), and their sums,
products and powers. Distances are computed in the difference form, as scipy's ``cdist``.
Then ``ŷ = std_y · (K α) + mean_y`` (``normalize_y``). Other kernels are refused with the
list. ``predict(X, return_std=True)`` runs a branch beside the network,
``σ² = std_y² (k(x, x) − ‖L⁻¹ k(X_train, x)‖²)`` (:class:`GaussianProcessVariance`);
``return_cov`` is refused (it couples the query rows).
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process import kernels as gp
from torch import nn

from ..errors import ConversionError
from ..fitted import Fitted
from ..layers import Layer, LayerDescription, as_buffer, distances
from ..layers.rows import in_row_blocks
from ..network.heads import RegressionHead
from ..options import Options
from ..registry import Conversion, converts

__all__ = ["KernelOfRows", "GaussianProcessMean", "GaussianProcessVariance", "training_rows"]

#: the kernels a network computes, by scikit-learn's class name
SUPPORTED = ("ConstantKernel", "RBF", "Matern (nu 0.5, 1.5, 2.5, inf)", "RationalQuadratic",
             "DotProduct", "WhiteKernel", "Sum", "Product", "Exponentiation")
_BLOCK_ELEMENTS = 1 << 22


class KernelOfRows(nn.Module):
    """``k(x, c)`` of one scikit-learn kernel, for every input row and stored row.

    Its hyper-parameters are read through :class:`~nnconvert.fitted.Fitted` (a length scale
    or an ``alpha`` must be positive, every value finite); ``owner`` names the estimator in
    errors ("GaussianProcessClassifier with a ... kernel is not supported").
    """

    def __init__(self, kernel, owner: str = "GaussianProcessRegressor"):
        super().__init__()
        self.kind = type(kernel).__name__
        fitted = Fitted(kernel, f"{owner}.kernel_ ({self.kind})")
        if isinstance(kernel, (gp.Sum, gp.Product)):
            self.parts = nn.ModuleList([KernelOfRows(kernel.k1, owner),
                                        KernelOfRows(kernel.k2, owner)])
        elif isinstance(kernel, gp.Exponentiation):
            self.parts = nn.ModuleList([KernelOfRows(kernel.kernel, owner)])
            self.exponent = fitted.number("exponent")
        elif isinstance(kernel, gp.ConstantKernel):
            self.value = fitted.number("constant_value")
        elif isinstance(kernel, (gp.RBF, gp.Matern)):
            if isinstance(kernel, gp.Matern) and kernel.nu not in (0.5, 1.5, 2.5, np.inf):
                raise ConversionError(
                    f"Matern(nu={kernel.nu}) needs Bessel functions torch does not have; "
                    "nu = 0.5, 1.5, 2.5 and inf convert.")
            self.register_buffer("length_scale", as_buffer(fitted.array(
                "length_scale", ndim=1, low=0, strict_low=True,
                value=np.atleast_1d(kernel.length_scale))))
            self.nu = float(getattr(kernel, "nu", np.inf))
        elif isinstance(kernel, gp.RationalQuadratic):
            self.alpha = fitted.number("alpha", low=0, strict_low=True)
            self.length = fitted.number("length_scale", low=0, strict_low=True)
        elif isinstance(kernel, gp.DotProduct):
            self.sigma_0 = fitted.number("sigma_0")
        elif isinstance(kernel, gp.WhiteKernel):
            self.noise_level = fitted.number("noise_level", low=0)
        else:
            raise ConversionError(
                f"{owner} with a {type(kernel).__name__} kernel is not "
                f"supported; kernels that convert: {', '.join(SUPPORTED)}.")
        self.text = str(kernel)

    def diag(self, x: torch.Tensor) -> torch.Tensor:
        """``k(x, x)`` for every row, as scikit-learn's ``kernel_.diag(X)``: a WhiteKernel
        adds its noise here (a row is itself), though ``k(x, x_train)`` has none of it."""
        kind = self.kind
        if kind == "Sum":
            return self.parts[0].diag(x) + self.parts[1].diag(x)
        if kind == "Product":
            return self.parts[0].diag(x) * self.parts[1].diag(x)
        if kind == "Exponentiation":
            return self.parts[0].diag(x) ** self.exponent
        if kind in ("ConstantKernel", "WhiteKernel"):
            value = self.value if kind == "ConstantKernel" else self.noise_level
            return torch.full((x.shape[0],), value, dtype=x.dtype, device=x.device)
        if kind == "DotProduct":
            return (x * x).sum(dim=1) + self.sigma_0 ** 2
        # RBF, Matern, RationalQuadratic: stationary and normalised, k(x, x) = 1
        return torch.ones(x.shape[0], dtype=x.dtype, device=x.device)

    def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        kind = self.kind
        if kind == "Sum":
            return self.parts[0](x, c) + self.parts[1](x, c)
        if kind == "Product":
            return self.parts[0](x, c) * self.parts[1](x, c)
        if kind == "Exponentiation":
            return self.parts[0](x, c) ** self.exponent
        if kind == "ConstantKernel":
            return torch.full((x.shape[0], c.shape[0]), self.value, dtype=x.dtype,
                              device=x.device)
        if kind == "WhiteKernel":  # k(X, Y) with Y given: zero (noise is on the diagonal)
            return torch.zeros(x.shape[0], c.shape[0], dtype=x.dtype, device=x.device)
        if kind == "DotProduct":
            return x @ c.T + self.sigma_0 ** 2
        if kind == "RationalQuadratic":
            squared = distances(x, c, "sqeuclidean")
            return (1 + squared / (2 * self.alpha * self.length ** 2)) ** -self.alpha
        scale = self.length_scale.to(x.dtype)
        d2 = distances(x / scale, c / scale, "sqeuclidean")
        if kind == "RBF" or self.nu == np.inf:
            return torch.exp(-0.5 * d2)
        d = torch.sqrt(d2)
        if self.nu == 0.5:
            return torch.exp(-d)
        if self.nu == 1.5:
            k = d * np.sqrt(3)
            return (1.0 + k) * torch.exp(-k)
        k = d * np.sqrt(5)
        return (1.0 + k + k ** 2 / 3.0) * torch.exp(-k)


class GaussianProcessMean(Layer):
    """Kernel units on the training rows read out by ``α``: ``ŷ = std · k(x, X_train)·α +
    mean``, a block of rows at a time.

    Parameters
    ----------
    kernel : KernelOfRows
        The fitted ``kernel_``, as torch.
    rows : array-like of shape (n_train, n_features)
    alpha : array-like of shape (n_train,) or (n_train, n_targets)
    scale, offset : array-like of shape (n_targets,)
        ``_y_train_std`` and ``_y_train_mean``.
    """

    def __init__(self, kernel, rows, alpha, scale, offset):
        super().__init__()
        self.kernel = kernel
        self.register_buffer("rows", as_buffer(rows))
        alpha = np.asarray(alpha, dtype=np.float64)
        self.register_buffer("alpha", as_buffer(alpha.reshape(len(alpha), -1)))
        self.register_buffer("scale", as_buffer(np.atleast_1d(scale)))
        self.register_buffer("offset", as_buffer(np.atleast_1d(offset)))

    def _block(self, x: torch.Tensor) -> torch.Tensor:
        mean = self.kernel(x, self.rows.to(x.dtype)) @ self.alpha.to(x.dtype)
        return self.scale.to(x.dtype) * mean + self.offset.to(x.dtype)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rows = max(1, _BLOCK_ELEMENTS // self.rows.shape[0])
        return in_row_blocks(self._block, x, rows)

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title=f"Gaussian-process kernel units, one per training row "
                  f"({self.rows.shape[0]})",
            n_in=self.rows.shape[1],
            n_out=self.alpha.shape[1],
            activation="kernel",
            activation_kind="kernel",
            formula=("{y} = std_y · Σ_i α_i k({x}, x_i) + mean_y,   k = " + self.kernel.text),
            parameters={"training rows": self.rows.cpu().numpy()},
        )


class GaussianProcessVariance(Layer):
    """The predictive variance: ``σ²(x) = std_y² · (k(x, x) − ‖L⁻¹ k(X_train, x)‖²)``, one
    column per target, a block of rows at a time.

    ``L`` is the Cholesky factor of the training kernel matrix (``L_``); the triangular
    solve is the one scikit-learn makes (Rasmussen & Williams, algorithm 2.1, line 5).

    Parameters
    ----------
    kernel : KernelOfRows
        The fitted kernel, shared with the mean's layer.
    rows : array-like of shape (n_train, n_features)
    factor : array-like of shape (n_train, n_train)
        ``L_``, lower triangular.
    scale : array-like of shape (n_targets,)
        ``_y_train_std``.
    """

    def __init__(self, kernel: KernelOfRows, rows, factor, scale):
        super().__init__()
        self.kernel = kernel
        self.register_buffer("rows", as_buffer(rows))
        self.register_buffer("factor", as_buffer(factor))
        self.register_buffer("scale", as_buffer(np.atleast_1d(scale)))

    def _block(self, x: torch.Tensor) -> torch.Tensor:
        k = self.kernel(x, self.rows.to(x.dtype))  # (rows, n_train)
        v = torch.linalg.solve_triangular(self.factor.to(x.dtype), k.T, upper=False)
        variance = self.kernel.diag(x) - (v * v).sum(dim=0)
        return variance[:, None] * self.scale.to(x.dtype) ** 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rows = max(1, _BLOCK_ELEMENTS // self.rows.shape[0])
        return in_row_blocks(self._block, x, rows)

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title="Gaussian-process variance",
            n_in=self.rows.shape[1],
            n_out=self.scale.shape[0],
            activation="kernel",
            activation_kind="kernel",
            formula=("{y} = std_y² · (k({x}, {x}) − ‖L⁻¹ k(X_train, {x})‖²),   "
                     "L = L_ (Cholesky factor of the training kernel matrix)"),
        )


def training_rows(fitted: Fitted) -> np.ndarray:
    """``X_train_``: (n_rows, n_features_in_), finite; the rows a kernel unit centres on."""
    rows = fitted.array("X_train_", ndim=2)
    if len(rows) == 0:
        raise fitted.error("X_train_", "holds no rows")
    n_features = getattr(fitted.estimator, "n_features_in_", None)
    if n_features is not None:
        fitted.same("X_train_", rows.shape[1], fitted.n_features, "a width of")
    return rows


@converts(GaussianProcessRegressor)
def _gaussian_process(gpr: GaussianProcessRegressor, options: Options) -> Conversion:
    """Kernel units centred on the training rows, one read-out neuron: the predictive mean
    ``k(x, X_train)·α``; ``predict(X, return_std=True)`` adds a variance branch beside it.

    Kernels Constant, RBF, Matern (ν ∈ {0.5, 1.5, 2.5, ∞}), RationalQuadratic, DotProduct, White
    and their sums, products and powers; ``normalize_y``; one target or several. The std is
    ``std_y² (k(x, x) − ‖L⁻¹ k(X_train, x)‖²)``, clipped at 0 with scikit-learn's warning.
    Float64 only is exact in practice: the ``α`` cancel, so a float32 network's mean can be off
    by about 1e-3 of its scale.

    Refused: ``return_cov=True``: it couples the query rows, which a row-by-row network cannot.
    """
    if not hasattr(gpr, "X_train_"):
        raise ConversionError("this GaussianProcessRegressor was never fitted: its prior "
                              "mean is 0 everywhere; fit it first.")
    fitted = Fitted(gpr)
    rows = training_rows(fitted)
    n_rows = len(rows)
    alpha = fitted.array("alpha_", ndim=np.ndim(fitted.get("alpha_")))
    if alpha.ndim not in (1, 2) or alpha.shape[0] != n_rows:
        raise fitted.error("alpha_", f"has shape {alpha.shape}, but ({n_rows},) or "
                                     f"({n_rows}, n_targets) was expected")
    n_targets = 1 if alpha.ndim == 1 else alpha.shape[1]
    # _y_train_std and _y_train_mean: scalars for a 1-D y, else one per target
    scale = fitted.array("_y_train_std", value=np.atleast_1d(fitted.get("_y_train_std")),
                         ndim=1, low=0, strict_low=True)
    offset = fitted.array("_y_train_mean", value=np.atleast_1d(fitted.get("_y_train_mean")),
                          ndim=1)
    for name, values in (("_y_train_std", scale), ("_y_train_mean", offset)):
        if len(values) not in (1, n_targets):
            fitted.same(name, len(values), n_targets, "a length of")
    factor = fitted.array("L_", shape=(n_rows, n_rows))
    layer = GaussianProcessMean(KernelOfRows(gpr.kernel_), rows, alpha, scale, offset)
    single = alpha.ndim == 1 or alpha.shape[1] == 1
    # _y_train_std is a scalar for a 1-D y and normalize_y: one column, as the mean's
    scale = np.broadcast_to(scale, (layer.alpha.shape[1],))
    variance = GaussianProcessVariance(layer.kernel, rows, factor, scale)
    return Conversion(layers=[layer], head=RegressionHead(layer.alpha.shape[1], single=single),
                      variance=variance)
