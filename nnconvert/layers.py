"""The few torch layers ``torch.nn`` lacks, each able to describe itself.

A converter builds a network from these layers; it never computes predictions itself.
Every layer answers :meth:`Layer.describe` with a :class:`LayerDescription`, which is all that
``explain()``, the diagrams and the networkx graph ever read: none of them knows which
estimator a layer came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import scipy.sparse
import torch
from torch import nn

__all__ = [
    "LayerDescription",
    "Layer",
    "LinearUnits",
    "AffineScaler",
    "Branches",
    "KernelUnits",
    "KERNEL_FORMULAS",
    "dense_parameters",
    "KernelExpansion",
    "PairwiseCoupling",
    "couple",
    "ACTIVATIONS",
    "ActivatedUnits",
    "as_buffer",
]


@dataclass(frozen=True)
class LayerDescription:
    """What a layer is, in the words a diagram or a formula needs.

    Parameters
    ----------
    title : str
        Short name of the layer ("linear units", "standard scaler", "RBF kernel units").
    n_in, n_out : int
        Width of the layer's input and output.
    activation : str
        The units' activation as a reader would write it: "none", "σ", "softmax", "tanh",
        "ReLU", "cos", "exp(-γ‖x − sv‖²)", "vote", "affine".
    formula : str
        The layer as an equation, with ``{x}`` for its input and ``{y}`` for its output.
    connectivity : str
        "dense" (every input feeds every unit), "elementwise" (unit i reads input i),
        "pairwise" (one-vs-one units reading two class scores each) or "branches" (see
        ``branches``).
    weight : numpy.ndarray or None
        ``(n_out, n_in)`` edge weights for "dense" layers, when they are meaningful to draw.
    bias : numpy.ndarray or None
        One bias per unit, when the layer has biases.
    bias_note : str or None
        How the bias relates to the estimator's own parameters (the SVM's sign flip, b = -w0).
    unit_names : tuple of str or None
        A name per output unit (class labels, support-vector indices, feature names).
    parameters : dict
        Scalar hyper-parameters worth showing (gamma, degree, coef0, ...).
    branches : tuple of tuples of LayerDescription, or None
        For a layer drawn as its parts: each branch's own layers, in order. Several branches
        run side by side (the members of a one-vs-rest model); one branch is a layer computed
        as one but drawn as its steps (kernel units, then the neurons reading them).
    """

    title: str
    n_in: int
    n_out: int
    activation: str
    formula: str
    connectivity: str = "dense"
    weight: np.ndarray | None = None
    bias: np.ndarray | None = None
    bias_note: str | None = None
    unit_names: tuple[str, ...] | None = None
    parameters: dict = field(default_factory=dict)
    branches: tuple[tuple["LayerDescription", ...], ...] | None = None


class Layer(nn.Module):
    """Base class of nnconvert's layers: a torch module that can describe itself."""

    def describe(self) -> LayerDescription:  # pragma: no cover - abstract
        raise NotImplementedError


def dense_float64(values) -> np.ndarray:
    """Fitted values as a dense float64 array.

    scikit-learn keeps some of them sparse: an SVC's support vectors and a Nystroem's
    components when fitted on sparse data, a linear model's ``coef_`` after ``sparsify()``.
    """
    if scipy.sparse.issparse(values):
        values = values.toarray()
    return np.asarray(values, dtype=np.float64)


def as_buffer(values) -> torch.Tensor:
    """A float64 copy of fitted parameters as a tensor (never a view of the estimator's array)."""
    if isinstance(values, torch.Tensor):
        return values.detach().to(dtype=torch.float64, copy=True)
    return torch.tensor(np.array(values, dtype=np.float64, copy=True), dtype=torch.float64)


def dense_parameters(weight, bias=None) -> tuple[nn.Parameter, nn.Parameter | None]:
    """``(weight, bias)`` of a dense layer as trainable float64 parameters, shapes checked."""
    weight = as_buffer(weight)
    if weight.ndim != 2:
        raise ValueError(f"weight must be 2-D (n_out, n_in), got shape {tuple(weight.shape)}")
    bias = None if bias is None else nn.Parameter(as_buffer(bias).reshape(-1))
    return nn.Parameter(weight), bias


def _numpy(t: torch.Tensor | None) -> np.ndarray | None:
    return None if t is None else t.detach().cpu().double().numpy()


class LinearUnits(Layer):
    """Fully connected units with no activation: ``y = x W^T + b``.

    Parameters
    ----------
    weight : array-like of shape (n_out, n_in)
    bias : array-like of shape (n_out,) or None
    title : str
        How the units are named in descriptions.
    bias_note : str or None
        The relation of the bias to the estimator's parameters, for ``explain()`` and diagrams.
    unit_names : sequence of str or None
        One name per unit.
    """

    def __init__(
        self,
        weight,
        bias=None,
        *,
        title: str = "linear units",
        bias_note: str | None = None,
        unit_names: Sequence[str] | None = None,
    ):
        super().__init__()
        self.weight, self.bias = dense_parameters(weight, bias)
        self.title = title
        self.bias_note = bias_note
        self.unit_names = None if unit_names is None else tuple(str(u) for u in unit_names)

    @property
    def in_features(self) -> int:
        return self.weight.shape[1]

    @property
    def out_features(self) -> int:
        return self.weight.shape[0]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.bias is None:
            return x @ self.weight.T
        return torch.addmm(self.bias, x, self.weight.T)

    def describe(self) -> LayerDescription:
        formula = "{y} = W·{x} + b" if self.bias is not None else "{y} = W·{x}"
        return LayerDescription(
            title=self.title,
            n_in=self.in_features,
            n_out=self.out_features,
            activation="none",
            formula=formula,
            weight=_numpy(self.weight),
            bias=_numpy(self.bias),
            bias_note=self.bias_note,
            unit_names=self.unit_names,
        )


class AffineScaler(Layer):
    """A per-feature affine map, the network form of scikit-learn's scalers.

    ``mode="center-divide"`` computes ``(x - offset) / scale`` (StandardScaler, RobustScaler,
    MaxAbsScaler); ``mode="multiply-add"`` computes ``x * scale + offset`` (MinMaxScaler).
    Keeping scikit-learn's own order of operations keeps the results identical to rounding.
    ``clip`` clamps the output to ``(low, high)`` (MinMaxScaler's ``clip=True``).
    """

    modes = ("center-divide", "multiply-add")

    def __init__(self, offset, scale, *, mode: str, title: str, clip=None):
        super().__init__()
        if mode not in self.modes:
            raise ValueError(f"mode must be one of {self.modes}, got {mode!r}")
        self.register_buffer("offset", as_buffer(offset).reshape(-1))
        self.register_buffer("scale", as_buffer(scale).reshape(-1))
        self.mode = mode
        self.title = title
        self.clip = None if clip is None else (float(clip[0]), float(clip[1]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.mode == "center-divide":
            y = (x - self.offset) / self.scale
        else:
            y = x * self.scale + self.offset
        if self.clip is not None:
            y = y.clamp(*self.clip)
        return y

    def as_affine(self) -> tuple[torch.Tensor, torch.Tensor]:
        """``(a, c)`` with ``forward(x) == a * x + c`` (up to rounding), for folding."""
        if self.mode == "center-divide":
            return 1.0 / self.scale, -self.offset / self.scale
        return self.scale, self.offset

    def describe(self) -> LayerDescription:
        formula = (
            "{y} = ({x} − μ) / s" if self.mode == "center-divide" else "{y} = {x} · s + m"
        )
        if self.clip is not None:
            formula += f", clipped to [{self.clip[0]:g}, {self.clip[1]:g}]"
        n = self.offset.shape[0]
        return LayerDescription(
            title=self.title,
            n_in=n,
            n_out=n,
            activation="affine",
            formula=formula,
            connectivity="elementwise",
        )


class Branches(Layer):
    """Parallel sub-networks on the same input, their outputs side by side.

    The body of a meta-estimator whose members cannot be merged into one layer (kernel SVMs
    inside a one-vs-rest model, say). ``widths`` gives each branch's output width.
    """

    def __init__(self, branches, widths, *, title: str = "parallel members"):
        super().__init__()
        self.branches = nn.ModuleList(nn.Sequential(*layers) for layers in branches)
        self.widths = list(widths)
        self.title = title

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([branch(x) for branch in self.branches], dim=1)

    def describe(self) -> LayerDescription:
        inner = tuple(tuple(layer.describe() for layer in branch) for branch in self.branches)
        return LayerDescription(
            title=self.title,
            n_in=inner[0][0].n_in,
            n_out=sum(self.widths),
            activation="branches",
            formula=f"{{y}} = [f_1({{x}}), …, f_{len(self.widths)}({{x}})]",
            connectivity="branches",
            branches=inner,
        )


#: how each kernel is written, with γ, r (coef0) and d (degree)
KERNEL_FORMULAS = {
    "linear": "⟨{x}, sv⟩",
    "poly": "(γ⟨{x}, sv⟩ + r)^d",
    "rbf": "exp(−γ‖{x} − sv‖²)",
    "sigmoid": "tanh(γ⟨{x}, sv⟩ + r)",
}


class KernelUnits(Layer):
    """One unit per centre (support vector, Nyström component): ``y_j = k(x, c_j)``.

    The activation *is* the kernel: ``linear`` ⟨x, c⟩, ``poly`` (γ⟨x, c⟩ + r)^d, ``rbf``
    exp(−γ‖x − c‖²) computed from ‖x‖² + ‖c‖² − 2⟨x, c⟩ (one GEMM; libsvm sums (x − c)²
    itself, which agrees to rounding, clamped at 0 as a distance must be), and ``sigmoid``
    tanh(γ⟨x, c⟩ + r) (libsvm's sigmoid kernel is a tanh: such an SVM is a tanh network).
    Rows are processed in blocks of ``block_rows`` so memory follows the block size, not
    n_rows × n_centres.

    Parameters
    ----------
    centres : array-like of shape (n_units, n_features)
    kernel : {"linear", "poly", "rbf", "sigmoid"}
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
        self.kernel = kernel
        self.gamma = float(gamma)
        self.coef0 = float(coef0)
        self.degree = int(degree)
        self.title = title
        self.block_rows = int(block_rows)
        self.unit_names = None if unit_names is None else tuple(str(u) for u in unit_names)

    def _block(self, x: torch.Tensor) -> torch.Tensor:
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
        # exported graphs cannot branch on their dynamic batch size: one block there
        if torch.compiler.is_exporting() or x.shape[0] <= self.block_rows:
            return self._block(x)
        return torch.cat([self._block(b) for b in torch.split(x, self.block_rows)], dim=0)

    def describe(self) -> LayerDescription:
        activation = KERNEL_FORMULAS[self.kernel].format(x="x")
        parameters = {"kernel": self.kernel}
        if self.kernel != "linear":
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
            formula="{y}_j = " + KERNEL_FORMULAS[self.kernel].replace("sv", "c_j"),
            connectivity="dense",
            parameters=parameters,
            unit_names=self.unit_names,
        )


#: elementwise activations of hidden units: name -> (torch function, how a reader writes it)
ACTIVATIONS = {
    "identity": (lambda z: z, "none"),
    "sigmoid": (torch.sigmoid, "σ"),
    "tanh": (torch.tanh, "tanh"),
    "relu": (torch.relu, "ReLU"),
    "sin": (torch.sin, "sin"),
    "cos": (torch.cos, "cos"),
}


class ActivatedUnits(Layer):
    """A layer of neurons: ``y = scale · f(x W^T + b)``, ``f`` one of :data:`ACTIVATIONS`.

    The hidden layer of an ELM or an MLP, and the random Fourier features of ``RBFSampler``
    (``f = cos``, ``scale = √(2/D)``). A scaler in front of it can be folded into ``W`` and
    ``b`` (``fuse=True``); the layer after it cannot: the activation stands between them.

    Parameters
    ----------
    weight : array-like of shape (n_out, n_in)
    bias : array-like of shape (n_out,) or None
    activation : str
        A key of :data:`ACTIVATIONS`.
    scale : float, default 1.0
        A constant factor applied after the activation.
    title : str
    unit_names : sequence of str or None
    """

    def __init__(self, weight, bias=None, *, activation: str, scale: float = 1.0,
                 title: str = "hidden units", unit_names: Sequence[str] | None = None):
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}"
            )
        self.weight, self.bias = dense_parameters(weight, bias)
        self.activation = activation
        self.scale = float(scale)
        self.title = title
        self.unit_names = None if unit_names is None else tuple(str(u) for u in unit_names)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = x @ self.weight.T if self.bias is None else torch.addmm(self.bias, x, self.weight.T)
        y = ACTIVATIONS[self.activation][0](z)
        return y * self.scale if self.scale != 1.0 else y

    def describe(self) -> LayerDescription:
        symbol = ACTIVATIONS[self.activation][1]
        inner = "W·{x} + b" if self.bias is not None else "W·{x}"
        outer = inner if self.activation == "identity" else f"{symbol}({inner})"
        factor = "" if self.scale == 1.0 else f"{self.scale:.6g} · "
        return LayerDescription(
            title=self.title,
            n_in=self.weight.shape[1],
            n_out=self.weight.shape[0],
            activation=symbol,
            formula="{y} = " + factor + outer,
            weight=_numpy(self.weight),
            bias=_numpy(self.bias),
            unit_names=self.unit_names,
            parameters={"scale": self.scale} if self.scale != 1.0 else {},
        )


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
        # exported graphs cannot branch on their dynamic batch size: one block there
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
            formula=(
                "{y} = W·k + b,  k_j = " + kernel
                + f"  (j = 1 … {units.n_out})"
            ),
            connectivity="branches",
            bias=readout.bias,
            bias_note=readout.bias_note,
            unit_names=readout.unit_names,
            parameters=units.parameters,
            branches=((units, readout),),
        )


class PairwiseCoupling(Layer):
    """libsvm's probabilities: a Platt sigmoid per class pair, then Wu–Lin–Weng coupling.

    For pair ``p = (i, j)`` with libsvm's decision value ``f`` (positive towards class i),
    ``r_ij = clip(1 / (1 + exp(A_p f + B_p)), 1e-7, 1 − 1e-7)`` and ``r_ji = 1 − r_ij``; the
    class probabilities are the solution of Wu, Lin and Weng's (2004) method 2, found by
    libsvm's fixed-point iteration with its own starting point (uniform), update order,
    stopping rule (``max_t |(Qp)_t − pᵀQp| < 0.005 / k``) and limit (``max(100, k)``
    sweeps), so that it stops where libsvm stops, row by row. It runs for two classes too,
    as libsvm does. The whole computation is in float64 whatever the network's dtype: its
    stopping test is a threshold that must be crossed where libsvm crosses it.

    Parameters
    ----------
    prob_a, prob_b : array-like of shape (n_pairs,)
        ``probA_`` and ``probB_`` of the fitted SVC or NuSVC.
    n_classes : int
    """

    MIN_PROB = 1e-7

    def __init__(self, prob_a, prob_b, n_classes: int):
        super().__init__()
        n_pairs = n_classes * (n_classes - 1) // 2
        self.register_buffer("prob_a", as_buffer(prob_a).reshape(-1))
        self.register_buffer("prob_b", as_buffer(prob_b).reshape(-1))
        if self.prob_a.numel() != n_pairs or self.prob_b.numel() != n_pairs:
            raise ValueError(
                f"{n_classes} classes need {n_pairs} Platt coefficients, got "
                f"{self.prob_a.numel()} and {self.prob_b.numel()}"
            )
        self.n_classes = int(n_classes)

    def pairwise(self, decision: torch.Tensor) -> torch.Tensor:
        """``r`` of shape (n, k, k): ``r[:, i, j]`` estimates P(i | i or j); diagonal 0."""
        f = decision.to(torch.float64) * self.prob_a.to(decision.device, torch.float64)
        f = f + self.prob_b.to(decision.device, torch.float64)
        # libsvm's sigmoid_predict: e^(−|f|) in both branches avoids overflow and cancellation
        e = torch.exp(-f.abs())
        p = torch.where(f >= 0, e / (1.0 + e), 1.0 / (1.0 + e))
        p = p.clamp(self.MIN_PROB, 1.0 - self.MIN_PROB)
        k = self.n_classes
        r = f.new_zeros((f.shape[0], k, k))
        i, j = torch.triu_indices(k, k, offset=1, device=f.device)
        r[:, i, j] = p
        r[:, j, i] = 1.0 - p
        return r

    def forward(self, decision: torch.Tensor) -> torch.Tensor:
        """Class probabilities (n, k) from libsvm's pair decision values (n, n_pairs)."""
        return couple(self.pairwise(decision)).to(decision.dtype)

    def describe(self) -> LayerDescription:
        k = self.n_classes
        return LayerDescription(
            title="Platt sigmoids and pairwise coupling",
            n_in=k * (k - 1) // 2,
            n_out=k,
            activation="σ, coupled",
            formula=(
                "r_ij = 1 / (1 + exp(A_ij {x}_ij + B_ij)), clipped to [1e-7, 1 − 1e-7]\n"
                "{y} = argmin_p Σ_i Σ_j≠i (r_ji p_i − r_ij p_j)²  subject to Σ p = 1"
                f"  (Wu–Lin–Weng, libsvm's iteration: ≤ {max(100, k)} sweeps, "
                f"tolerance {0.005 / k:.3g})"
            ),
            connectivity="pairwise",
        )


def couple(r: torch.Tensor) -> torch.Tensor:
    """libsvm's ``multiclass_probability``, for every row of ``r`` (n, k, k) at once.

    Each row iterates until its own stopping test passes and is then frozen, exactly as
    libsvm would have treated it alone; the sums run in libsvm's order.
    """
    n, k, _ = r.shape
    max_iter, eps = max(100, k), 0.005 / k
    # Q_tt = Σ_{j≠t} r_jt² (in j order), Q_tj = −r_jt r_tj
    q = -(r.transpose(1, 2) * r)
    diagonal = r.new_zeros((n, k))
    for j in range(k):
        diagonal += r[:, j, :] ** 2
    on_diagonal = torch.arange(k, device=r.device)
    q[:, on_diagonal, on_diagonal] = diagonal
    result = r.new_full((n, k), 1.0 / k)
    rows = torch.arange(n, device=r.device)
    p = result.clone()
    for _ in range(max_iter):
        qp = r.new_zeros((len(rows), k))
        for j in range(k):
            qp += q[:, :, j] * p[:, j:j + 1]
        pqp = r.new_zeros(len(rows))
        for t in range(k):
            pqp += p[:, t] * qp[:, t]
        done = (qp - pqp[:, None]).abs().amax(dim=1) < eps
        if done.any():
            result[rows[done]] = p[done]
            keep = ~done
            rows, p, q, qp, pqp = rows[keep], p[keep], q[keep], qp[keep], pqp[keep]
            if len(rows) == 0:
                return result
        for t in range(k):
            qtt = q[:, t, t]
            diff = (pqp - qp[:, t]) / qtt
            p[:, t] += diff
            grow = 1.0 + diff
            pqp = (pqp + diff * (diff * qtt + 2.0 * qp[:, t])) / grow / grow
            qp = (qp + diff[:, None] * q[:, t, :]) / grow[:, None]
            p = p / grow[:, None]
    # rows still running after max_iter sweeps keep their last iterate, as in libsvm
    result[rows] = p
    return result
