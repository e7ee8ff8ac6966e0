"""One-vs-one voting, as scikit-learn and libsvm count it: the pair order and the 'ovr' scores.

Shared by every model that decides by pairs of classes: libsvm's SVC and NuSVC, and
``OneVsOneClassifier`` around any classifier.
"""

from __future__ import annotations

import functools

import numpy as np
import torch

__all__ = ["pair_index", "ovo_to_ovr"]


def pair_index(n_classes: int) -> list[tuple[int, int]]:
    """The one-vs-one pairs in libsvm's and scikit-learn's order: (0, 1), (0, 2), …, (1, 2), …"""
    return [(i, j) for i in range(n_classes) for j in range(i + 1, n_classes)]


def ovo_to_ovr(
    predictions: torch.Tensor, confidences: torch.Tensor, n_classes: int
) -> torch.Tensor:
    """scikit-learn's ``_ovr_decision_function``: one-vs-one votes plus a tie-breaking term.

    Pair k = (i, j) in the order (0, 1), (0, 2), ..., (1, 2), ...; ``predictions[:, k]`` is 0
    for a vote to class i and 1 for class j; ``confidences[:, k]`` is positive towards j.
    Returns ``votes + c / (3 (|c| + 1))`` with c the summed signed confidences per class,
    accumulated in scikit-learn's order so that the result agrees to the last bit.
    """
    # Class c meets its C - 1 pairs in scikit-learn's order k; adding the t-th of them to
    # every class at once keeps each class's order of additions (x - a is x + (-a) exactly)
    # with C - 1 whole-matrix steps instead of C(C - 1) column updates, which torch.export
    # and ONNX would otherwise unroll into thousands of scatter operations.
    index, sign, side = (
        torch.as_tensor(a, device=confidences.device) for a in _ovr_plan(n_classes)
    )
    signed = confidences[:, index] * sign.to(confidences.dtype)  # (n, C, C - 1)
    total = confidences.new_zeros((confidences.shape[0], n_classes))
    for t in range(n_classes - 1):
        total = total + signed[:, :, t]
    votes = (predictions.long()[:, index] == side).sum(dim=2).to(confidences.dtype)
    return votes + total / (3 * (total.abs() + 1))


@functools.cache
def _ovr_plan(n_classes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each class, its pairs in scikit-learn's order: pair index, sign of its
    confidence towards the class, and the pair prediction (0 or 1) that votes for it."""
    pairs = pair_index(n_classes)
    index = [[k for k, pair in enumerate(pairs) if c in pair] for c in range(n_classes)]
    first = [[pairs[k][0] == c for k in row] for c, row in enumerate(index)]
    sign = np.where(first, -1.0, 1.0)
    side = np.where(first, 0, 1)
    return np.array(index, dtype=np.int64).reshape(n_classes, -1), sign, side
