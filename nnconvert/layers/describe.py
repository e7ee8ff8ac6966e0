"""What every layer tells about itself: :class:`LayerDescription` and the :class:`Layer` base.

``explain()``, the diagrams and the networkx graph read these descriptions and nothing else:
none of them knows which estimator a layer came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from torch import nn

__all__ = ["LayerDescription", "Layer"]


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

    def input_columns(self) -> tuple | None:
        """What each input column must hold (:class:`~nnconvert.layers.columns.ColumnSpec`),
        or None: numbers, no NaN (the default)."""
        return None
