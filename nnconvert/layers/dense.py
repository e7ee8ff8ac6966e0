"""Dense layers: neurons that read every input, with or without an activation.

Also the helpers that turn fitted scikit-learn arrays into float64 parameters, copied so that
a network never shares memory with the estimator it came from.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import scipy.sparse
import torch
from torch import nn

from .describe import Layer, LayerDescription

__all__ = [
    "LinearUnits",
    "BinarizeUnits",
    "ActivatedUnits",
    "ACTIVATIONS",
    "as_buffer",
    "as_numpy",
    "dense_float64",
    "dense_parameters",
    "readout_units",
]


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


def as_numpy(t: torch.Tensor | None) -> np.ndarray | None:
    """A parameter or buffer as float64 numpy, wherever it lives (descriptions read these)."""
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
        The relation of the bias to the estimator's parameters, in words, for ``explain()``.
    bias_form : str or None
        The estimator's parameter the bias equals ("−w0", "−ρ", "+ρ"), for diagrams.
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
        bias_form: str | None = None,
        unit_names: Sequence[str] | None = None,
    ):
        super().__init__()
        self.weight, self.bias = dense_parameters(weight, bias)
        self.title = title
        self.bias_note = bias_note
        self.bias_form = bias_form
        self.unit_names = None if unit_names is None else tuple(str(u) for u in unit_names)

    @property
    def in_features(self) -> int:
        return self.weight.shape[1]

    @property
    def out_features(self) -> int:
        return self.weight.shape[0]

    #: a sparse CSR tensor is multiplied as it is (never densified): see ConvertedNetwork
    reads_sparse = True

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.bias is None:
            return x @ self.weight.T
        # addmm takes a sparse CSR ``x`` too: sparse rows times the dense weight
        return torch.addmm(self.bias, x, self.weight.T)

    def describe(self) -> LayerDescription:
        formula = "{y} = W·{x} + b" if self.bias is not None else "{y} = W·{x}"
        return LayerDescription(
            title=self.title,
            n_in=self.in_features,
            n_out=self.out_features,
            activation="none",
            formula=formula,
            weight=as_numpy(self.weight),
            bias=as_numpy(self.bias),
            bias_note=self.bias_note,
            bias_form=self.bias_form,
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
    "exp": (torch.exp, "exp"),  # the inverse of a log link (Poisson, gamma, Tweedie GLMs)
}


#: the same activations in place, for inference
_IN_PLACE = {"sigmoid": torch.sigmoid_, "tanh": torch.tanh_, "relu": torch.relu_,
             "sin": torch.sin_, "cos": torch.cos_, "exp": torch.exp_}


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
        if not torch.is_grad_enabled() and self.activation in _IN_PLACE:
            y = _IN_PLACE[self.activation](z)  # z is ours alone: no second (rows × units) buffer
            return y.mul_(self.scale) if self.scale != 1.0 else y
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
            activation_kind=self.activation,
            formula="{y} = " + factor + outer,
            weight=as_numpy(self.weight),
            bias=as_numpy(self.bias),
            unit_names=self.unit_names,
            parameters={"scale": self.scale} if self.scale != 1.0 else {},
        )


def readout_units(coef, intercept, classes, title: str = "read-out neurons",
                  bias_note: str | None = None, bias_form: str | None = None) -> LinearUnits:
    """Linear neurons reading out classes: one (named after ``classes[1]``) for two classes,
    else one per class. ``intercept`` may be a scalar (no intercept fitted: 0.0)."""
    weight = np.atleast_2d(np.asarray(coef, dtype=np.float64))
    bias = np.broadcast_to(np.asarray(intercept, dtype=np.float64).reshape(-1), weight.shape[:1])
    names = [classes[1]] if weight.shape[0] == 1 and len(classes) == 2 else classes
    return LinearUnits(weight, bias, title=title, bias_note=bias_note, bias_form=bias_form,
                       unit_names=names)


class BinarizeUnits(Layer):
    """A step unit per feature: ``1 if x > threshold else 0`` (scikit-learn's ``binarize``)."""

    def __init__(self, n_features: int, threshold: float):
        super().__init__()
        self.n_features = int(n_features)
        self.threshold = float(threshold)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x > self.threshold).to(x.dtype)

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title="binarize (step units)",
            n_in=self.n_features,
            n_out=self.n_features,
            activation="step",
            formula=f"{{y}}_j = 1 if {{x}}_j > {self.threshold:g} else 0",
            connectivity="elementwise",
        )
