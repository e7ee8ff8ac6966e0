"""When do two classifiers agree? The one definition tests, verify() and the demo share.

Scores agree when they differ by at most ``rtol`` times the scale of the reference scores.
Labels agree except where the reference itself is within a *near-tie band* of changing its
mind: a row whose winning margin is smaller than the score error we allow can flip under
rounding alone, and such a flip is not a disagreement but a tie.
"""

from __future__ import annotations

import numpy as np

__all__ = ["score_scale", "decision_margin", "tie_band", "count_label_disagreements"]


def score_scale(reference: np.ndarray) -> float:
    """The size of the scores: ``max |reference|``, never below the smallest normal float."""
    reference = np.asarray(reference, dtype=np.float64)
    if reference.size == 0:
        return np.finfo(np.float64).tiny
    return max(float(np.max(np.abs(reference))), float(np.finfo(np.float64).tiny))


def decision_margin(scores: np.ndarray, threshold: float = 0.0) -> np.ndarray:
    """How far each row is from changing its predicted label.

    For 1-D scores (binary: label by ``score > threshold``) the distance to the threshold;
    for 2-D scores (label by argmax) the gap between the two largest scores.
    """
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim == 1:
        return np.abs(scores - threshold)
    if scores.shape[1] < 2:
        return np.full(scores.shape[0], np.inf)
    top_two = np.partition(scores, -2, axis=1)[:, -2:]
    return top_two[:, 1] - top_two[:, 0]


def tie_band(reference: np.ndarray, candidate: np.ndarray, rtol: float) -> float:
    """Margin below which a label flip counts as a near tie, not a disagreement.

    The larger of the allowed score error (``rtol`` times the scale) and twice the score
    error actually observed: a label can only flip where the margin is smaller than what the
    two score vectors differ by.
    """
    observed = float(np.max(np.abs(np.asarray(reference, np.float64) - candidate), initial=0.0))
    return max(rtol * score_scale(reference), 2.0 * observed)


def count_label_disagreements(
    reference_labels: np.ndarray, candidate_labels: np.ndarray, margin: np.ndarray, band: float
) -> tuple[int, int]:
    """``(disagreements, near_ties)``: label mismatches outside and inside the tie band."""
    differ = np.asarray(reference_labels) != np.asarray(candidate_labels)
    tie = np.asarray(margin) <= band
    return int(np.count_nonzero(differ & ~tie)), int(np.count_nonzero(differ & tie))
