"""When do two classifiers agree? The one definition that tests, verify() and the demo share.

Scores (``decision_function``, ``predict_proba``) agree when they differ by at most ``rtol``
times the scale of the reference scores. Labels agree except where the reference itself is
within a *near-tie band* of changing its mind: a row whose winning margin is smaller than the
score error allowed can flip under rounding alone, and such a flip is a tie, not a
disagreement.

How far a row is from changing its label depends on how the estimator decides, so
:func:`reference_margin` dispatches on the estimator's class; a family whose ``predict`` is
not an argmax or a threshold of its scores (libsvm's one-vs-one vote) registers its own.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
from sklearn.pipeline import Pipeline

__all__ = [
    "METHODS",
    "Agreement",
    "compare",
    "reference_outputs",
    "reference_margin",
    "score_scale",
    "decision_margin",
    "tie_band",
    "count_label_disagreements",
]

#: the score methods compared, in order; ``predict`` is compared separately
METHODS = ("decision_function", "predict_proba")


def score_scale(reference: np.ndarray) -> float:
    """The size of the scores: ``max |reference|``, never below the smallest normal float."""
    reference = np.asarray(reference, dtype=np.float64)
    if reference.size == 0:
        return float(np.finfo(np.float64).tiny)
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


def tie_band(max_abs_diff: float, scale: float, rtol: float) -> float:
    """Margin below which a label flip counts as a near tie, not a disagreement.

    The larger of the allowed score error (``rtol`` times the scale) and twice the score
    error actually observed: a label can only flip where the margin is smaller than what the
    two score vectors differ by.
    """
    return max(rtol * scale, 2.0 * max_abs_diff)


def count_label_disagreements(
    reference_labels: np.ndarray, candidate_labels: np.ndarray, margin: np.ndarray, band: float
) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks ``(disagree, near_tie)`` of label mismatches outside and inside the band."""
    differ = np.asarray(reference_labels) != np.asarray(candidate_labels)
    tie = np.asarray(margin) <= band
    return differ & ~tie, differ & tie


def reference_outputs(estimator, X, methods=None) -> dict[str, np.ndarray]:
    """The estimator's own answers on ``X`` for the score methods it has, and ``predict``."""
    methods = [m for m in (methods or METHODS) if m != "predict" and hasattr(estimator, m)]
    outputs = {m: np.asarray(getattr(estimator, m)(X)) for m in methods}
    outputs["predict"] = np.asarray(estimator.predict(X))
    return outputs


@functools.singledispatch
def reference_margin(estimator, X, reference: dict) -> np.ndarray:
    """Per row, how far the estimator is from predicting another label.

    The margin is in the units of ``decision_function`` when the estimator has one, else of
    ``predict_proba``: the band it is held against is derived from that method's error.
    The default reads the scores ``predict`` is a threshold or argmax of: the decision
    function where there is one (threshold 0), else the probabilities (threshold 0.5).
    """
    if "decision_function" in reference:
        return decision_margin(reference["decision_function"], 0.0)
    proba = reference["predict_proba"]
    if proba.ndim == 2 and proba.shape[1] == 2:
        return decision_margin(proba[:, 1], 0.5)
    return decision_margin(proba)


@reference_margin.register(Pipeline)
def _pipeline_margin(estimator: Pipeline, X, reference: dict) -> np.ndarray:
    # The last step decides; feed it what the earlier steps make of X.
    last = estimator.steps[-1][1]
    if reference_margin.dispatch(type(last)) is reference_margin.dispatch(object):
        return reference_margin.dispatch(object)(estimator, X, reference)
    Xt = estimator[:-1].transform(X) if len(estimator.steps) > 1 else X
    return reference_margin(last, Xt, reference)


@dataclass
class Agreement:
    """How a network's answers compare with its estimator's on some rows.

    Attributes
    ----------
    n_samples : int
    max_abs_diff, max_rel_diff : dict
        Per score method; the relative difference is taken against the reference's scale.
    n_disagreements : int
        Labels that differ outside the near-tie band.
    near_ties : int
        Labels that differ inside it.
    disagreeing_rows, tie_rows : numpy.ndarray
        Row indices of each.
    rtol : float
    passed : bool
        Every score within ``rtol`` of its scale and no disagreement.
    """

    n_samples: int
    rtol: float
    max_abs_diff: dict = field(default_factory=dict)
    max_rel_diff: dict = field(default_factory=dict)
    n_disagreements: int = 0
    near_ties: int = 0
    disagreeing_rows: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    tie_rows: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    @property
    def passed(self) -> bool:
        scores_ok = all(r <= self.rtol for r in self.max_rel_diff.values())
        return scores_ok and self.n_disagreements == 0


def compare(estimator, net, X, *, rtol: float = 1e-9, methods=None) -> Agreement:
    """Compare a network with its estimator on the rows of ``X`` (held in memory).

    Parameters
    ----------
    estimator : fitted scikit-learn classifier
    net : ConvertedClassifier
    X : array-like of shape (n_samples, n_features)
    rtol : float, default 1e-9
        Allowed score difference, relative to the scale of the reference's scores.
    methods : sequence of str or None
        Score methods to compare (default: every one the estimator has).

    Returns
    -------
    Agreement
    """
    reference = reference_outputs(estimator, X, methods)
    result = Agreement(n_samples=len(reference["predict"]), rtol=rtol)
    bands = {}
    for method in METHODS:
        if method not in reference:
            continue
        expected = reference[method]
        got = getattr(net, method)(X)
        if got.shape != expected.shape:
            raise AssertionError(f"{method}: shape {got.shape}, expected {expected.shape}")
        scale = score_scale(expected)
        diff = float(np.max(np.abs(got - expected), initial=0.0))
        result.max_abs_diff[method] = diff
        result.max_rel_diff[method] = diff / scale
        bands[method] = tie_band(diff, scale, rtol)
    labels = net.predict(X)
    margin = reference_margin(estimator, X, reference)
    # the margin is in the units of the scores predict reads: decision_function when present
    band = bands.get("decision_function", bands.get("predict_proba", 0.0))
    disagree, tie = count_label_disagreements(reference["predict"], labels, margin, band)
    result.n_disagreements = int(disagree.sum())
    result.near_ties = int(tie.sum())
    result.disagreeing_rows = np.flatnonzero(disagree)
    result.tie_rows = np.flatnonzero(tie)
    return result
