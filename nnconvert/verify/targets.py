"""The verdict on classifiers of several targets: labels compared target by target.

A multi-output classifier's ``predict`` is (n, k) labels and its probabilities a list of
arrays (or one (n, k) array). The scores are compared side by side (the list's arrays
concatenated, as the network's head gives them); the labels element by element: each
target's label against the network's index into that target's classes, flattened to one
comparison of n·k labels, so either comparer (NumPy or CuPy) counts them. A row disagrees
where any target does; its margin is that of its closest disagreeing target, in the units of
that target's scores (a decision score's distance to 0, a probability's to 0.5, else the gap
of its two largest probabilities; a target with no scores has an infinite margin: every flip
of its label is a disagreement).
"""

from __future__ import annotations

import numpy as np
import torch

from ..agreement import class_indices, decision_margin

__all__ = ["KIND", "target_labels", "target_rows", "target_margins", "network_label"]

#: the kind of head this module judges
KIND = "multioutput_classifier"


def target_labels(net, predict: np.ndarray, network_index: torch.Tensor) -> tuple:
    """``(reference_index, network_index)`` of every (row, target), flattened row by row."""
    predict = np.asarray(predict).reshape(len(predict), -1)
    reference = np.column_stack([class_indices(labels, predict[:, j])
                                 for j, labels in enumerate(net.head.labels)])
    return reference.reshape(-1), network_index.reshape(-1)


def target_rows(net, flat: np.ndarray) -> np.ndarray:
    """The rows of the flattened (row, target) mismatches, each once, in order."""
    return np.unique(np.asarray(flat, dtype=np.int64) // net.head.n_targets)


def _target_scores(net, reference: dict) -> list[np.ndarray | None]:
    """Each target's scores in the reference, as its label is decided from them."""
    head, k = net.head, net.head.n_targets
    if "decision_function" in reference:
        scores = np.asarray(reference["decision_function"], dtype=np.float64)
        return [scores[:, j] for j in range(k)]
    if "predict_proba" not in reference:
        return [None] * k
    proba = np.asarray(reference["predict_proba"], dtype=np.float64)
    if head.proba_form == "columns":
        return [proba[:, j] - 0.5 for j in range(k)]
    edges = np.cumsum([0] + head.proba_widths())
    return [proba[:, a:b] for a, b in zip(edges, edges[1:])]


def target_margins(net, reference: dict, rows: np.ndarray, network_index) -> np.ndarray:
    """Per disagreeing row, the smallest margin among the targets whose label differs."""
    rows = np.asarray(rows, dtype=np.int64)
    margins = np.full(rows.size, np.inf)
    if rows.size == 0:
        return margins
    predict = np.asarray(reference["predict"]).reshape(len(reference["predict"]), -1)
    got = network_index.detach().cpu().numpy()[rows]
    for j, (labels, scores) in enumerate(zip(net.head.labels, _target_scores(net, reference))):
        differ = class_indices(labels, predict[rows, j]) != got[:, j]
        if scores is None or not differ.any():
            continue
        mine = scores[rows]
        if mine.ndim == 2 and mine.shape[1] == 2:
            mine = mine[:, 1] - 0.5
        margin = decision_margin(mine)
        margins = np.where(differ, np.minimum(margins, margin), margins)
    return margins


def network_label(net, network_index, i: int):
    """The network's labels of row ``i``, one per target."""
    index = network_index[i:i + 1].detach().cpu().numpy()
    return tuple(net.labels_of(index)[0].tolist())
