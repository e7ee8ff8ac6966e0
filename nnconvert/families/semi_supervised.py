"""LabelPropagation and LabelSpreading as networks: kernel units on the training rows, a
read-out of their label distributions, and a normalisation.

``predict_proba`` of both is the kernel-weighted sum of ``label_distributions_`` over the
training rows ``X_``, each row divided by its sum; ``predict`` is the first argmax:

- ``kernel='rbf'``: a layer of Gaussian units ``exp(−γ‖x − x_i‖²)`` read out by the label
  distributions (:class:`KernelLabelSum`). Far from every training row all the units
  underflow to 0 and scikit-learn divides 0 by 0: its probabilities are NaN and ``predict``
  gives ``classes_[0]`` (NumPy's argmax of a NaN row); the network answers the same.
- ``kernel='knn'``: the k nearest training rows, each adding its label distribution: the
  neighbours' vote of :class:`~nnconvert.families.neighbors.NeighbourVote` (equal distances
  to the lowest training row first), whose mean is then normalised. At a tie between the
  k-th and (k+1)-th neighbours scikit-learn's own search decides; ``verify`` counts such
  rows as near ties.

Examples
--------
>>> import nnconvert as nc
>>> from sklearn.datasets import load_iris
>>> from sklearn.semi_supervised import LabelSpreading
>>> X, y = load_iris(return_X_y=True)
>>> y = y.copy(); y[::2] = -1  # half the labels hidden
>>> model = LabelSpreading(kernel="knn", n_neighbors=5).fit(X, y)
>>> [type(layer).__name__ for layer in nc.convert(model).body]
['NeighbourVote', 'Normalised']
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.semi_supervised import LabelPropagation, LabelSpreading

from ..agreement import default_margin
from ..errors import ConversionError
from ..fitted import Fitted
from ..layers import Layer, LayerDescription, as_buffer, distances
from ..layers.rows import in_row_blocks
from ..network.heads import FrequencyHead
from ..options import Options
from ..registry import Conversion, converts, margin_rule, score_jump_rule
from .neighbors import _boundary_ties, _vote_layer

__all__ = ["KernelLabelSum", "Normalised"]

_BLOCK_ELEMENTS = 1 << 22


class KernelLabelSum(Layer):
    """Gaussian units on the training rows, read out by their label distributions:
    ``{y} = Σ_i exp(−γ‖x − x_i‖²) · label_distributions_[i]``.

    Parameters
    ----------
    rows : array-like of shape (n_train, n_features)
    labels : array-like of shape (n_train, n_classes)
    gamma : float
    """

    def __init__(self, rows, labels, gamma: float):
        super().__init__()
        self.register_buffer("rows", as_buffer(rows))
        self.register_buffer("labels", as_buffer(labels))
        self.gamma = float(gamma)

    def _block(self, x: torch.Tensor) -> torch.Tensor:
        k = torch.exp(-self.gamma * distances(x, self.rows.to(x.dtype), "sqeuclidean"))
        return k @ self.labels.to(x.dtype)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return in_row_blocks(self._block, x, max(1, _BLOCK_ELEMENTS // self.rows.shape[0]))

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title=f"RBF units, one per training row ({self.rows.shape[0]})",
            n_in=self.rows.shape[1], n_out=self.labels.shape[1],
            activation="exp(−γ d²)", activation_kind="kernel",
            formula=(f"{{y}}_k = Σ_i exp(−{self.gamma:g}·‖{{x}} − x_i‖²) · F_ik   "
                     "(F = label_distributions_)"),
            parameters={"training rows": self.rows.cpu().numpy()})


class Normalised(Layer):
    """Each row divided by its sum, as scikit-learn does: a row summing to 0 becomes NaN
    (0/0), as scikit-learn's does, with no guard."""

    def __init__(self, width: int):
        super().__init__()
        self.width = int(width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x / x.sum(dim=1, keepdim=True)

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title="normalise", n_in=self.width, n_out=self.width, activation="normalise",
            activation_kind="identity", connectivity="elementwise",
            formula="{y}_k = {x}_k / Σ_j {x}_j   (0/0 = NaN where every weight underflows)")


@converts(LabelPropagation, LabelSpreading)
def _label_propagation(model, options: Options) -> Conversion:
    """Kernel units on the training rows (``kernel='rbf'``: Gaussian units; ``'knn'``: the k
    nearest rows' vote), read out by ``label_distributions_``, then each row divided by its
    sum; ``predict`` is the first argmax.

    Rows far from every training row have RBF weights that all underflow to 0: scikit-learn's
    probabilities there are NaN (0/0) and its ``predict`` ``classes_[0]``; the network's are
    too. With ``'knn'``, equal distances go to the lowest training row, as brute force does.

    Refused: a callable kernel (Python code, not a network).
    """
    fitted = Fitted(model)
    classes = fitted.classes()
    rows = fitted.array("X_", shape=(None, fitted.n_features))
    labels = fitted.array("label_distributions_", shape=(len(rows), len(classes)), low=0)
    kernel = fitted.get("kernel")
    if callable(kernel):
        raise ConversionError(
            f"{type(model).__name__} with a callable kernel runs Python code, not a network: "
            "use kernel='rbf' or 'knn'.")
    kernel = fitted.choice("kernel", ("rbf", "knn"))
    if kernel == "rbf":
        gamma = fitted.number("gamma", low=0)
        layers = [KernelLabelSum(rows, labels, gamma)]
    else:
        neighbours = fitted.get("nn_fit")
        if neighbours is None:
            raise fitted.error("nn_fit", "is None, but a fitted kernel='knn' model keeps its "
                                         "NearestNeighbors there")
        Fitted(neighbours, f"{type(model).__name__}.nn_fit").array(
            "_fit_X", shape=rows.shape)
        layers = [_vote_layer(neighbours, labels, classifier=True)]
    layers.append(Normalised(len(classes)))
    return Conversion(layers=layers, head=FrequencyHead(
        len(classes), "a normalised kernel sum of label distributions is not a score a "
        "classification loss is written for", log_proba=False))


@score_jump_rule.register(LabelPropagation)
@score_jump_rule.register(LabelSpreading)
def _knn_jumps(model, X, reference: dict, rtol: float):
    """With ``kernel='knn'``, which neighbours vote jumps where the k-th and (k+1)-th are
    equally far (scikit-learn's search decides there)."""
    if model.kernel != "knn":
        return None
    return {"predict_proba": _boundary_ties(model.nn_fit, X, rtol)}


@margin_rule.register(LabelPropagation)
@margin_rule.register(LabelSpreading)
def _knn_margin(model, X, reference: dict):
    """The probabilities' margin; none where the k nearest are a tie (``kernel='knn'``)."""
    if model.kernel != "knn":
        return None
    return np.where(_boundary_ties(model.nn_fit, X, 1e-9), 0.0, default_margin(reference))
