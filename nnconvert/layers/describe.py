"""What every layer tells about itself: :class:`LayerDescription` and the :class:`Layer` base.

``explain()``, the diagrams and the networkx graph read these descriptions and nothing else:
none of them knows which estimator a layer came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from torch import nn

__all__ = ["LayerDescription", "Layer", "ACTIVATION_KINDS"]

#: what a layer's activation can be, and whether each unit applies it to its own value
ACTIVATION_KINDS = {
    "identity": False,  # W·x + b (or a copy), nothing applied
    "affine": False,  # a per-feature affine map (a scaler)
    "sigmoid": True,
    "tanh": True,
    "relu": True,
    "sin": True,
    "cos": True,
    "exp": True,
    "log": True,  # 1 + log(tf) of a term count (sublinear tf), zero where the count is
    "clip": True,  # modified Huber's clip to [−1, 1], rescaled
    "step": True,  # 1 where the unit's value is positive, else 0 (a tree's decisions, leaves)
    "softmax": True,  # across the units, but each unit's output is its own probability
    "normalised-sigmoid": False,  # σ per unit, then divided by the row's sum
    "normalised-clip": False,
    "kernel": False,  # a kernel of the input and a stored vector (support vector, centre)
    "quadratic": False,  # a quadratic form of the input around a stored centre (a class mean)
    "distance": False,  # the distance from the input to a stored point (a training row)
    "select": False,  # keeps some of its inputs (the k smallest distances), drops the rest
    "weighted-vote": False,  # the kept neighbours' weights summed per output, normalised
    "constant": False,  # the same value whatever the input
    "argmax": False,
    "argmin": False,  # the index of the smallest unit (the nearest centre), first index wins
    "logsumexp": False,  # log Σ exp over the units (a mixture's log density)
    "vote": False,  # one-vs-one votes counted over class pairs
    "coupling": False,  # Platt sigmoids and libsvm's pairwise coupling
    "branches": False,  # parallel members, each with its own layers
}


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
        "ReLU", "cos", "exp(-γ‖x − sv‖²)", "vote", "affine". For display only: code that
        needs to know what the activation *is* reads ``activation_kind``.
    formula : str
        The layer as an equation, with ``{x}`` for its input and ``{y}`` for its output.
    connectivity : str
        "dense" (every input feeds every unit), "elementwise" (unit i reads input i),
        "pairwise" (one-vs-one units reading two class scores each), "branches" (see
        ``branches``) or "none" (constant units, which read no input).
    weight : numpy.ndarray or None
        ``(n_out, n_in)`` edge weights for "dense" layers, when they are meaningful to draw.
    bias : numpy.ndarray or None
        One bias per unit, when the layer has biases.
    bias_note : str or None
        How the bias relates to the estimator's own parameters, in words, for ``explain()``.
    bias_form : str or None
        The estimator's parameter the bias equals, as a formula writes it: "−w0" (a linear
        SVM's hyperplane ``w·x − w0 = 0``), "−ρ" or "+ρ" (libsvm's rho). Diagrams write
        ``b = −w0 = 0.75`` on the unit.
    unit_names : tuple of str or None
        A name per output unit (class labels, support-vector indices, feature names).
    parameters : dict
        Scalar hyper-parameters worth showing (gamma, degree, coef0, ...).
    branches : tuple of tuples of LayerDescription, or None
        For a layer drawn as its parts: each branch's own layers, in order. Several branches
        run side by side (the members of a one-vs-rest model); one branch is a layer computed
        as one but drawn as its steps (kernel units, then the neurons reading them).
    activation_kind : str
        What the activation is, one of :data:`ACTIVATION_KINDS` (the keys, not the wording,
        that ``explain()`` and diagrams branch on).
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
    bias_form: str | None = None
    unit_names: tuple[str, ...] | None = None
    parameters: dict = field(default_factory=dict)
    branches: tuple[tuple["LayerDescription", ...], ...] | None = None
    activation_kind: str = "identity"

    def __post_init__(self):
        if self.activation_kind not in ACTIVATION_KINDS:
            raise ValueError(
                f"layer {self.title!r}: unknown activation_kind {self.activation_kind!r}; "
                f"expected one of {', '.join(ACTIVATION_KINDS)}"
            )

    @property
    def has_activation(self) -> bool:
        """Whether the layer has an activation of its own to show: not for ``W·x + b``, a
        scaler, or parallel members (whose own layers show theirs)."""
        return self.activation_kind not in ("identity", "affine", "branches")

    @property
    def activation_per_unit(self) -> bool:
        """Whether each output unit applies the activation to its own value (σ, tanh, ...)
        rather than a rule across the layer (an argmax, a vote) or a kernel of the input."""
        return ACTIVATION_KINDS[self.activation_kind]


class Layer(nn.Module):
    """Base class of nnconvert's layers: a torch module that can describe itself."""

    def describe(self) -> LayerDescription:  # pragma: no cover - abstract
        raise NotImplementedError

    def input_columns(self) -> tuple | None:
        """What each input column must hold (:class:`~nnconvert.layers.columns.ColumnSpec`),
        or None: numbers, no NaN (the default)."""
        return None
