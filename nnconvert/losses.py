"""The seeds' losses as differentiable torch functions.

One linear neuron becomes a different classic model depending on the loss it is trained with:
the hinge loss ``max(0, 1 − t·s)`` makes it a linear SVM, the logistic loss
``ln(1 + exp(−t·s))`` a logistic regression (the sigmoid moved from the output into the loss).
With one neuron per class, the multiclass hinge (Weston–Watkins, as in CS231n) and softmax
cross-entropy are the two usual choices, and Tang (2013) trains deep networks with a
one-vs-rest squared hinge (the L2-SVM) on top instead of softmax.

Conventions, the same for every function here:

- ``scores`` are raw, unactivated outputs: shape ``(n,)`` for a binary neuron, ``(n, C)``
  for one neuron per class.
- ``y`` holds class *indices* (positions in ``classes_``), an integer tensor of shape ``(n,)``.
  The binary losses also accept targets in ``{−1, +1}``; ``0`` and ``−1`` both mean the
  negative class, ``classes_[0]``, as in scikit-learn.
- Every loss is the mean over samples, so its scale does not depend on the batch size.

Where torch already has the loss, it is used rather than rewritten: the logistic loss is
:func:`torch.nn.functional.soft_margin_loss`, the multiclass hinge is ``C`` times
:func:`torch.nn.functional.multi_margin_loss` (which divides by the number of classes), and
softmax cross-entropy is :func:`torch.nn.functional.cross_entropy`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = [
    "hinge",
    "logistic",
    "multiclass_hinge",
    "l2svm",
    "softmax_cross_entropy",
    "LOSSES",
    "REGRESSION_LOSSES",
]


def _class_indices(scores: torch.Tensor, y) -> torch.Tensor:
    """``y`` as an int64 tensor of class indices matching ``scores``' rows and columns."""
    if not isinstance(scores, torch.Tensor) or not scores.is_floating_point():
        raise TypeError(
            "scores must be a floating torch tensor (the network's raw outputs), "
            f"got {type(scores).__name__}"
            + (f" of dtype {scores.dtype}" if isinstance(scores, torch.Tensor) else "")
        )
    if scores.ndim != 2:
        raise ValueError(
            f"scores must have shape (n_samples, n_classes), got {tuple(scores.shape)}; "
            "a binary neuron's (n,) scores go to hinge() or logistic()."
        )
    y = torch.as_tensor(y, device=scores.device)
    if y.is_floating_point() or y.dtype == torch.bool:
        raise TypeError(f"y must hold integer class indices, got dtype {y.dtype}")
    if y.shape != scores.shape[:1]:
        raise ValueError(
            f"y has shape {tuple(y.shape)} but scores has {scores.shape[0]} rows: "
            "give one class index per row."
        )
    n_classes = scores.shape[1]
    if y.numel() and (int(y.min()) < 0 or int(y.max()) >= n_classes):
        raise ValueError(
            f"y must hold class indices in [0, {n_classes - 1}] for {n_classes} score columns, "
            f"got values in [{int(y.min())}, {int(y.max())}]; map each label to its "
            "position in classes_."
        )
    return y.long()


def _signed_targets(scores: torch.Tensor, y) -> torch.Tensor:
    """Binary targets ``t ∈ {−1, +1}`` from ``{0, 1}`` or ``{−1, +1}``, as ``scores``' dtype."""
    if not isinstance(scores, torch.Tensor) or not scores.is_floating_point():
        raise TypeError("scores must be a floating torch tensor (the neuron's raw outputs)")
    if scores.ndim != 1:
        raise ValueError(
            f"a binary loss takes one score per sample, shape (n,), got {tuple(scores.shape)}; "
            "for one score per class use multiclass_hinge(), l2svm() or softmax_cross_entropy()."
        )
    y = torch.as_tensor(y, device=scores.device)
    if y.shape != scores.shape:
        raise ValueError(f"y has shape {tuple(y.shape)}, scores {tuple(scores.shape)}")
    values = set(torch.unique(y).tolist())
    if not values <= {-1, 0, 1} or {-1, 0} <= values:
        raise ValueError(
            "binary targets must be class indices {0, 1} or signs {-1, +1}, "
            f"got {sorted(values)}"
        )
    return torch.where(y > 0, 1.0, -1.0).to(scores.dtype)


def hinge(scores: torch.Tensor, y) -> torch.Tensor:
    """Binary hinge loss, mean of ``max(0, 1 − t·s)``: trains a neuron into a linear SVM.

    Parameters
    ----------
    scores : torch.Tensor of shape (n,)
        The neuron's raw outputs.
    y : array-like of shape (n,)
        ``{0, 1}`` class indices or ``{−1, +1}`` signs; positive means ``classes_[1]``.

    Returns
    -------
    torch.Tensor
        A scalar.
    """
    t = _signed_targets(scores, y)
    return F.relu(1.0 - t * scores).mean()


def logistic(scores: torch.Tensor, y) -> torch.Tensor:
    """Binary logistic loss, mean of ``ln(1 + exp(−t·s))``: a neuron into a logistic regression.

    This is torch's :func:`~torch.nn.functional.soft_margin_loss`, computed stably for large
    ``|s|``. Arguments as for :func:`hinge`.
    """
    return F.soft_margin_loss(scores, _signed_targets(scores, y))


def multiclass_hinge(scores: torch.Tensor, y, margin: float = 1.0) -> torch.Tensor:
    """Multiclass hinge (Weston–Watkins): mean over samples of ``Σ_{j≠y} max(0, s_j − s_y + Δ)``.

    At zero scores it equals ``(C − 1)·Δ``, the sanity check of an untrained classifier.

    Parameters
    ----------
    scores : torch.Tensor of shape (n, C)
    y : array-like of int, shape (n,)
        Class indices.
    margin : float, default 1.0
        The margin Δ.

    Returns
    -------
    torch.Tensor
        A scalar.
    """
    y = _class_indices(scores, y)
    # torch's multi_margin_loss averages over the C classes as well as the samples
    return scores.shape[1] * F.multi_margin_loss(scores, y, p=1, margin=float(margin))


def l2svm(scores: torch.Tensor, y) -> torch.Tensor:
    """Tang's L2-SVM: one-vs-rest squared hinge, mean over samples of ``Σ_k max(0, 1 − t_k·s_k)²``.

    ``t_k = +1`` for the true class and ``−1`` for every other; at zero scores the loss is
    ``C``. Unlike the hinge, it is differentiable everywhere, which is why Tang prefers it for
    back-propagation. Arguments as for :func:`multiclass_hinge`; one score per sample,
    shape ``(n,)``, gives the binary squared hinge, with ``y`` as for :func:`hinge`.
    """
    if isinstance(scores, torch.Tensor) and scores.ndim == 1:
        # one neuron: the squared hinge of a binary L2-SVM
        return F.relu(1.0 - _signed_targets(scores, y) * scores).square().mean()
    y = _class_indices(scores, y)
    t = 2.0 * F.one_hot(y, scores.shape[1]).to(scores.dtype) - 1.0
    return F.relu(1.0 - t * scores).square().sum(dim=1).mean()


def softmax_cross_entropy(scores: torch.Tensor, y) -> torch.Tensor:
    """Softmax cross-entropy, mean of ``−log softmax(s)_y``; ``log C`` at zero scores.

    This is :func:`torch.nn.functional.cross_entropy` with nnconvert's argument checks.
    """
    return F.cross_entropy(scores, _class_indices(scores, y))


#: Losses by the name :func:`nnconvert.training.fine_tune` and the examples use.
LOSSES = {
    "hinge": hinge,
    "logistic": logistic,
    "multiclass_hinge": multiclass_hinge,
    "l2svm": l2svm,
    "softmax_cross_entropy": softmax_cross_entropy,
}


def _checked_targets(predictions: torch.Tensor, y) -> torch.Tensor:
    y = torch.as_tensor(y, dtype=predictions.dtype, device=predictions.device)
    if y.shape != predictions.shape:
        raise ValueError(f"targets of shape {tuple(y.shape)} do not match the predictions' "
                         f"{tuple(predictions.shape)}")
    return y


def squared(predictions: torch.Tensor, y) -> torch.Tensor:
    """Mean squared error (``F.mse_loss``): the loss least squares and ridge minimise."""
    return F.mse_loss(predictions, _checked_targets(predictions, y))


def absolute(predictions: torch.Tensor, y) -> torch.Tensor:
    """Mean absolute error (``F.l1_loss``): the median's loss."""
    return F.l1_loss(predictions, _checked_targets(predictions, y))


def huber(predictions: torch.Tensor, y, delta: float = 1.0) -> torch.Tensor:
    """Huber loss (``F.huber_loss``): squared within ``delta`` of the target, linear beyond."""
    return F.huber_loss(predictions, _checked_targets(predictions, y), delta=delta)


#: Regression losses by name, for :func:`nnconvert.training.fine_tune` of a regressor.
REGRESSION_LOSSES = {"squared": squared, "absolute": absolute, "huber": huber}
