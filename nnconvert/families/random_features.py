"""Random-feature pipeline steps: kernel approximations as hidden layers.

``RBFSampler`` (random Fourier features) is a layer of cosine units,
``√(2/D) · cos(x W + b)``; ``Nystroem`` is a layer of kernel units centred on its
``components_`` followed by a linear map (``normalization_``). Put either in front of any
supported linear classifier and the pipeline is a one-hidden-layer network, an ELM whose
hidden layer was chosen to approximate a kernel.

The other kernel approximations are layers of their own kind:

- ``SkewedChi2Sampler``: ``log(x + c)`` per feature, then cosine units as RBFSampler's;
- ``AdditiveChi2Sampler``: per feature, ``√(x·L)`` and, for each step ``j``, the pair
  ``√(2xL / cosh(πjL)) · cos(jL·log x)``, ``… · sin(jL·log x)`` (0 where ``x = 0``);
- ``PolynomialCountSketch``: one count sketch per degree (±1 weights into hashed buckets:
  linear units), multiplied as polynomials through the FFT, as scikit-learn multiplies them.

Where scikit-learn refuses an input (a negative value for the chi² samplers), the layer
refuses it with scikit-learn's words, except under ``torch.export`` (no branch on data).
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.kernel_approximation import (
    AdditiveChi2Sampler,
    Nystroem,
    PolynomialCountSketch,
    RBFSampler,
    SkewedChi2Sampler,
)

from ..errors import UnsupportedEstimatorError
from ..fitted import Fitted
from ..layers import (
    PAIRWISE_KERNELS,
    ActivatedUnits,
    KernelUnits,
    Layer,
    LayerDescription,
    LinearUnits,
    as_buffer,
    as_numpy,
    dense_float64,
)
from ..options import Options
from ..registry import converts_transformer

#: Nystroem kernel names -> KernelUnits kernels (their defaults: see _nystroem_parameters)
NYSTROEM_KERNELS = PAIRWISE_KERNELS


@converts_transformer(RBFSampler)
def _rbf_sampler(sampler: RBFSampler, options: Options) -> list:
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
def _nystroem(nystroem: Nystroem, options: Options) -> list:
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


def _refuse(x: torch.Tensor, bad: torch.Tensor, message: str) -> None:
    if not torch.compiler.is_exporting() and bool(bad.any()):
        raise ValueError(message)


class ShiftedLog(Layer):
    """``y = log(x + c)`` per feature (SkewedChi2Sampler's first step); ``x ≤ −c`` refused."""

    def __init__(self, n_features: int, shift: float):
        super().__init__()
        self.n_features, self.shift = int(n_features), float(shift)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _refuse(x, x <= -self.shift, "X may not contain entries smaller than -skewedness.")
        return torch.log(x + self.shift)

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title="log units", n_in=self.n_features, n_out=self.n_features, activation="log",
            activation_kind="log", connectivity="elementwise",
            formula=f"{{y}}_j = log({{x}}_j + {self.shift:g})")


@converts_transformer(SkewedChi2Sampler)
def _skewed_chi2(sampler: SkewedChi2Sampler, options: Options) -> list:
    """Cosine units on ``log(x + c)``: the skewed chi-squared random features as a fixed hidden layer.
    """
    fitted = Fitted(sampler)
    n = fitted.n_features
    weights = fitted.array("random_weights_", shape=(n, None))
    offset = fitted.array("random_offset_", shape=(weights.shape[1],))
    shift = fitted.number("skewedness", value=sampler.skewedness)
    scale = np.sqrt(2.0) / np.sqrt(sampler.n_components)  # scikit-learn's own rounding
    return [ShiftedLog(n, shift),
            ActivatedUnits(weights.T, offset, activation="cos", scale=scale,
                           title="random Fourier units (skewed χ²)")]


#: AdditiveChi2Sampler's default sample_interval per sample_steps
_CHI2_INTERVALS = {1: 0.8, 2: 0.5, 3: 0.4}


class AdditiveChi2Units(Layer):
    """AdditiveChi2Sampler's Fourier features of each feature (see the module docstring),
    laid out as scikit-learn stacks them: ``[√(xL), cos₁, sin₁, cos₂, sin₂, …]``, each a
    block of all the features."""

    def __init__(self, n_features: int, steps: int, interval: float):
        super().__init__()
        self.n_features, self.steps, self.interval = int(n_features), int(steps), float(interval)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _refuse(x, x < 0, "Negative values in data passed to X")
        nonzero = x != 0.0
        # where x = 0 the feature is 0, not log(0): read 1 there, then zero it
        safe = torch.where(nonzero, x, torch.ones_like(x))
        zero = torch.zeros_like(x)
        blocks = [torch.where(nonzero, torch.sqrt(safe * self.interval), zero)]
        log_step = self.interval * torch.log(safe)
        step = 2 * safe * self.interval
        for j in range(1, self.steps):
            factor = torch.sqrt(step / float(np.cosh(np.pi * j * self.interval)))
            blocks.append(torch.where(nonzero, factor * torch.cos(j * log_step), zero))
            blocks.append(torch.where(nonzero, factor * torch.sin(j * log_step), zero))
        return torch.cat(blocks, dim=1)

    def describe(self) -> LayerDescription:
        L, n = f"{self.interval:g}", self.n_features
        blocks = 2 * self.steps - 1
        # unit (block b, feature j) reads feature j alone: one edge each
        reads = np.tile(np.eye(n), (blocks, 1))
        names = [f"√x{j}" for j in range(n)] + [
            f"{wave}{k}(x{j})" for k in range(1, self.steps) for wave in ("cos", "sin")
            for j in range(n)]
        return LayerDescription(
            title="additive χ² Fourier units", n_in=n, n_out=n * blocks, activation="cos/sin",
            activation_kind="cos", weight=reads, unit_names=tuple(names),
            formula=(f"{{y}} = [√({L}·{{x}}), then for j = 1 … {self.steps - 1}: "
                     f"√(2·{L}·{{x}} / cosh(πj·{L}))·cos(j·{L}·log {{x}}), ·sin(…)] "
                     "(0 where {x} = 0)"),
            parameters={"sample_steps": self.steps, "sample_interval": self.interval})


@converts_transformer(AdditiveChi2Sampler)
def _additive_chi2(sampler: AdditiveChi2Sampler, options: Options) -> list:
    """Fourier units (cos/sin of ``log x`` times each sampled frequency, scaled by ``√x``): the
    additive chi-squared map as a fixed layer.
    """
    fitted = Fitted(sampler)
    steps = fitted.integer("sample_steps", low=1, value=sampler.sample_steps)
    if sampler.sample_interval is None:
        if steps not in _CHI2_INTERVALS:
            raise UnsupportedEstimatorError(
                f"AdditiveChi2Sampler(sample_steps={steps}) has no default sample_interval "
                "(scikit-learn's transform refuses it too): set sample_interval.")
        interval = _CHI2_INTERVALS[steps]
    else:
        interval = fitted.number("sample_interval", low=0.0, value=sampler.sample_interval)
    return [AdditiveChi2Units(fitted.n_features, steps, interval)]


class CountSketchUnits(Layer):
    """PolynomialCountSketch: ``degree`` count sketches of ``[√γ·x, √c]``, multiplied as
    polynomials through the FFT; the real part of the inverse FFT is the output.

    Parameters
    ----------
    sketches : array-like of shape (degree, n_components, n_inputs)
        Each sketch's ±1 weights (``bitHash_`` at ``indexHash_``), one per input and degree.
    gamma, coef0 : float
        The input is scaled by ``√gamma``; a constant input ``√coef0`` is appended where
        ``coef0 ≠ 0``.
    """

    def __init__(self, sketches, gamma: float, coef0: float):
        super().__init__()
        self.register_buffer("sketches", as_buffer(sketches))
        self.gamma, self.coef0 = float(gamma), float(coef0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = float(np.sqrt(self.gamma)) * x
        if self.coef0 != 0:
            x = torch.cat([x, x.new_full((x.shape[0], 1), float(np.sqrt(self.coef0)))], dim=1)
        counts = torch.einsum("nf,dcf->ndc", x, self.sketches.to(x.dtype))
        product = torch.fft.fft(counts, dim=2).prod(dim=1)
        return torch.fft.ifft(product, dim=1).real

    def describe(self) -> LayerDescription:
        degree, n_out, n_in = self.sketches.shape
        n_in -= self.coef0 != 0
        weight = as_numpy(self.sketches).sum(axis=0)[:, :n_in]
        return LayerDescription(
            title=f"count sketches (degree {degree})", n_in=n_in, n_out=n_out,
            activation="FFT product", weight=weight,
            formula=(f"{{y}} = Re IFFT(Π_d FFT(S_d·[√γ·{{x}}, √c])), {degree} sketches S_d of "
                     "±1 weights into hashed buckets"),
            parameters={"gamma": self.gamma, "coef0": self.coef0, "degree": int(degree)})


@converts_transformer(PolynomialCountSketch)
def _polynomial_count_sketch(sketch: PolynomialCountSketch, options: Options) -> list:
    """Count sketches of the input as linear units, then their product through the FFT: the
    polynomial kernel's sketch as a fixed layer.
    """
    fitted = Fitted(sketch)
    n = fitted.n_features
    width = n + (sketch.coef0 != 0)
    degree = fitted.integer("degree", low=1, value=sketch.degree)
    components = fitted.integer("n_components", low=1, value=sketch.n_components)
    index = fitted.array("indexHash_", shape=(degree, width), dtype=np.int64, low=0,
                         high=components - 1)
    bits = fitted.array("bitHash_", shape=(degree, width))
    weights = np.zeros((degree, components, width))
    for d in range(degree):
        np.add.at(weights[d], (index[d], np.arange(width)), bits[d])
    return [CountSketchUnits(weights, fitted.number("gamma", low=0.0, value=sketch.gamma),
                             fitted.number("coef0", low=0.0, value=sketch.coef0))]
