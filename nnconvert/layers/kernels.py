"""Kernel units: one unit per centre whose activation is the kernel, and their read-out.

Shared by every family that evaluates a kernel against stored points: kernel SVMs (support
vectors), ELMs with Gaussian units, Nyström features.
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from .dense import LinearUnits, as_buffer
from .describe import Layer, LayerDescription
from .rows import in_row_blocks

__all__ = ["KERNEL_FORMULAS", "KERNEL_TITLES", "PAIRWISE_KERNELS", "KernelUnits",
           "KernelExpansion"]


#: how each kernel is written, with γ, r (coef0) and d (degree)
KERNEL_FORMULAS = {
    "linear": "⟨{x}, sv⟩",
    "poly": "(γ⟨{x}, sv⟩ + r)^d",
    "rbf": "exp(−γ‖{x} − sv‖²)",
    "sigmoid": "tanh(γ⟨{x}, sv⟩ + r)",
    "laplacian": "exp(−γ‖{x} − sv‖₁)",
    "cosine": "⟨{x}, sv⟩ / (‖{x}‖ ‖sv‖)",
}
#: scikit-learn's ``pairwise_kernels`` names (Nystroem, KernelRidge) that kernel units compute
PAIRWISE_KERNELS = {"rbf": "rbf", "poly": "poly", "polynomial": "poly", "sigmoid": "sigmoid",
                    "linear": "linear"}
#: how a layer of each kernel's units is named
KERNEL_TITLES = {
    "linear": "linear kernel units",
    "poly": "polynomial kernel units",
    "rbf": "Gaussian (RBF) kernel units",
    "sigmoid": "tanh (sigmoid kernel) units",
    "laplacian": "Laplacian kernel units",
    "cosine": "cosine-similarity units",
}


class KernelUnits(Layer):
    """One unit per centre (support vector, Nyström component): ``y_j = k(x, c_j)``.

    The activation *is* the kernel: ``linear`` ⟨x, c⟩, ``poly`` (γ⟨x, c⟩ + r)^d, ``rbf``
    exp(−γ‖x − c‖²) computed from ‖x‖² + ‖c‖² − 2⟨x, c⟩ (one GEMM; libsvm sums (x − c)²
    itself, which agrees to rounding, clamped at 0 as a distance must be), and ``sigmoid``
    tanh(γ⟨x, c⟩ + r) (libsvm's sigmoid kernel is a tanh: such an SVM is a tanh network);
    scikit-learn's ``laplacian`` exp(−γ‖x − c‖₁) and ``cosine`` ⟨x, c⟩ / (‖x‖‖c‖) (a zero
    row has norm 1, as in ``normalize``) for kernel ridge.
    Rows are processed in blocks of ``block_rows`` so memory follows the block size, not
    n_rows × n_centres.

    Parameters
    ----------
    centres : array-like of shape (n_units, n_features)
    kernel : {"linear", "poly", "rbf", "sigmoid", "laplacian", "cosine"}
    gamma, coef0 : float
    degree : int
    title : str
    block_rows : int
    unit_names : sequence of str or None
        One name per unit (which support vector, of which class).
    """

    def __init__(self, centres, *, kernel: str, gamma: float = 1.0, coef0: float = 0.0,
                 degree: int = 3, title: str = "kernel units", block_rows: int = 4096,
                 unit_names: Sequence[str] | None = None):
        super().__init__()
        if kernel not in KERNEL_FORMULAS:
            raise ValueError(f"kernel must be one of {sorted(KERNEL_FORMULAS)}, got {kernel!r}")
        self.register_buffer("centres", as_buffer(centres))
        self.register_buffer("centre_sq_norms", (self.centres ** 2).sum(dim=1))
        if kernel == "cosine":  # normalised once, as scikit-learn normalises both sides
            self.centres = _unit_rows(self.centres)
        self.kernel = kernel
        self.gamma = float(gamma)
        self.coef0 = float(coef0)
        self.degree = int(degree)
        self.title = title
        self.block_rows = int(block_rows)
        self.unit_names = None if unit_names is None else tuple(str(u) for u in unit_names)

    def _block(self, x: torch.Tensor) -> torch.Tensor:
        if self.kernel == "laplacian":
            # ‖x − c‖₁ needs every difference: a (rows × units × features) block
            return torch.exp(-self.gamma * (x[:, None, :] - self.centres).abs().sum(dim=2))
        if self.kernel == "cosine":
            return _unit_rows(x) @ self.centres.T
        if torch.is_grad_enabled() and (x.requires_grad or self.centres.requires_grad):
            return self._block_autograd(x)
        # Inference: one GEMM writes the block, every later step works in place on it, so a
        # block costs one (rows × units) buffer and no temporaries.
        if self.kernel == "rbf":
            # −γ‖x − c‖² = 2γ⟨x, c⟩ − γ‖c‖² − γ‖x‖²: the GEMM starts from −γ‖c‖² and scales
            # the products by 2γ in the same pass, so γ costs no pass of its own
            k = torch.addmm(self.centre_sq_norms * -self.gamma, x, self.centres.T,
                            alpha=2.0 * self.gamma)
            k.sub_((x * x).sum(dim=1, keepdim=True) * self.gamma)
            # rounding can leave a tiny negative distance for x ≈ c; libsvm's is ≥ 0
            return k.clamp_(max=0.0).exp_()
        k = x @ self.centres.T
        if self.kernel == "linear":
            return k
        k.mul_(self.gamma).add_(self.coef0)
        return k.pow_(self.degree) if self.kernel == "poly" else k.tanh_()

    def _block_autograd(self, x: torch.Tensor) -> torch.Tensor:
        # the same function out of place, so gradients flow (fine-tuning, attacks on inputs)
        dots = x @ self.centres.T
        if self.kernel == "linear":
            return dots
        if self.kernel == "rbf":
            sq = (x * x).sum(dim=1, keepdim=True)
            return torch.exp(-self.gamma * (sq + self.centre_sq_norms - 2 * dots).clamp(min=0))
        inner = self.gamma * dots + self.coef0
        if self.kernel == "poly":
            return inner ** self.degree
        return torch.tanh(inner)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return in_row_blocks(self._block, x, self.block_rows)

    def describe(self) -> LayerDescription:
        activation = KERNEL_FORMULAS[self.kernel].format(x="x")
        parameters = {}
        if self.kernel not in ("linear", "cosine"):
            parameters["gamma"] = self.gamma
        if self.kernel in ("poly", "sigmoid"):
            parameters["coef0"] = self.coef0
        if self.kernel == "poly":
            parameters["degree"] = self.degree
        return LayerDescription(
            title=self.title,
            n_in=self.centres.shape[1],
            n_out=self.centres.shape[0],
            activation=activation,
            activation_kind="kernel",
            formula="{y}_j = " + KERNEL_FORMULAS[self.kernel].replace("sv", "c_j"),
            connectivity="dense",
            parameters=parameters,
            unit_names=self.unit_names,
        )


def _unit_rows(x: torch.Tensor) -> torch.Tensor:
    """Rows divided by their Euclidean norms; zero rows stay zero (scikit-learn's normalize)."""
    norms = torch.linalg.vector_norm(x, dim=1, keepdim=True)
    return x / torch.where(norms == 0, torch.ones_like(norms), norms)


def _grad_needed(x: torch.Tensor, module: nn.Module) -> bool:
    return torch.is_grad_enabled() and (
        x.requires_grad or any(p.requires_grad for p in module.parameters())
    )


class KernelExpansion(Layer):
    """Kernel units and the linear neurons that read them, evaluated one row block at a time.

    Mathematically two layers, ``y = W·k(x) + b`` with ``k`` a :class:`KernelUnits` layer
    (``units``) and ``W``, ``b`` a :class:`LinearUnits` layer (``readout``); run together so
    that the (rows × units) kernel matrix only ever exists for one block of rows: each block
    is one GEMM into a cache-sized buffer, the kernel applied in place, then one GEMM
    (block × units) @ (units × outputs) into the output. Memory follows ``block_rows``, not
    the number of rows. :meth:`describe` returns both layers as the steps of one branch, so
    diagrams draw the kernel units and the neurons separately.

    Parameters
    ----------
    units : KernelUnits
    readout : LinearUnits
        Reads the kernel units: ``readout.in_features == units`` count.
    block_rows : int or None
        Rows per block. None (default) sizes the block so that it holds about
        ``block_bytes`` of kernel values, which keeps it in the CPU's cache.
    block_bytes : int, default 4 MiB
        Smaller blocks stay in faster cache but cost more calls, each a thread
        synchronisation, which a busy machine makes expensive; 4 MiB (about 2 MiB per thread
        with two threads) is a compromise, not a tuned optimum.
    title : str
    """

    def __init__(self, units: KernelUnits, readout: LinearUnits, *, block_rows: int | None = None,
                 block_bytes: int = 4 << 20, title: str = "kernel expansion"):
        super().__init__()
        n_units = units.centres.shape[0]
        if readout.in_features != n_units:
            raise ValueError(
                f"the readout reads {readout.in_features} values but there are {n_units} "
                "kernel units"
            )
        if block_rows is not None and int(block_rows) < 1:
            raise ValueError(f"block_rows must be a positive integer or None, got {block_rows!r}")
        self.units = units
        self.readout = readout
        self.block_rows = None if block_rows is None else int(block_rows)
        self.block_bytes = int(block_bytes)
        self.title = title

    def rows_per_block(self, x: torch.Tensor) -> int:
        """How many rows of ``x`` one block holds."""
        if self.block_rows is not None:
            return self.block_rows
        per_row = max(1, self.units.centres.shape[0]) * x.element_size()
        return max(16, self.block_bytes // per_row)

    #: blocks of fewer rows are zero-padded to this many: BLAS takes other code paths (with
    #: other summation orders) for the smallest matrices, and a row's scores should not
    #: depend on the batch it came in or on where a block boundary fell
    MIN_BLOCK_ROWS = 8

    def _evaluate(self, block: torch.Tensor) -> torch.Tensor:
        m = block.shape[0]
        if m < self.MIN_BLOCK_ROWS:
            padding = block.new_zeros((self.MIN_BLOCK_ROWS - m, block.shape[1]))
            return self.readout(self.units._block(torch.cat([block, padding])))[:m]
        return self.readout(self.units._block(block))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if torch.compiler.is_exporting():
            return self.readout(self.units(x))
        rows = self.rows_per_block(x)
        if x.shape[0] <= rows:
            return self._evaluate(x)
        if _grad_needed(x, self):
            return torch.cat([self._evaluate(b) for b in torch.split(x, rows)])
        weight, bias = self.readout.weight, self.readout.bias
        out = x.new_empty((x.shape[0], weight.shape[0]))
        for start in range(0, x.shape[0], rows):
            block = x[start:start + rows]
            target = out[start:start + rows]
            if block.shape[0] < self.MIN_BLOCK_ROWS:
                target.copy_(self._evaluate(block))
                continue
            k = self.units._block(block)
            if bias is None:
                torch.mm(k, weight.T, out=target)
            else:
                torch.addmm(bias, k, weight.T, out=target)
        return out

    def describe(self) -> LayerDescription:
        units, readout = self.units.describe(), self.readout.describe()
        kernel = KERNEL_FORMULAS[self.units.kernel].replace("sv", "sv_j")
        return LayerDescription(
            title=self.title,
            n_in=units.n_in,
            n_out=readout.n_out,
            activation=units.activation,
            activation_kind="kernel",
            formula=(
                # kernel ridge's read-out has no bias
                ("{y} = W·k + b" if readout.bias is not None else "{y} = W·k")
                + ",  k_j = " + kernel + f"  (j = 1 … {units.n_out})"
            ),
            connectivity="branches",
            bias=readout.bias,
            bias_note=readout.bias_note,
            bias_form=readout.bias_form,
            unit_names=readout.unit_names,
            parameters=units.parameters,
            branches=((units, readout),),
        )
