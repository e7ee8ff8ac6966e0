"""libsvm's agreement rules: how close a row is to a vote that changes the label, and where
the 'ovr' scores may jump by a whole vote between two roundings."""

from __future__ import annotations

import copy

import numpy as np
from sklearn.svm import SVC, NuSVC

from ...agreement import decision_margin, score_scale
from ...network.votes import pair_index
from ...registry import margin_rule, score_jump_rule


@margin_rule.register(SVC)
@margin_rule.register(NuSVC)
def _libsvm_vote_margin(estimator, X, reference: dict) -> np.ndarray:
    """SVC and NuSVC: how close a row is to a one-vs-one vote that changes the label.

    libsvm's ``predict`` counts votes: pair (i, j) votes i where its decision value is > 0.
    A label can only change through a pair whose value is near zero *and* whose flipped
    vote changes the winner, so the margin is the smallest ``|value|`` among those pairs
    (infinite where no single flip matters). With ``break_ties`` the winner is the argmax
    of the ``'ovr'`` scores, so their top-two gap counts too.
    """
    classes = estimator.classes_
    if len(classes) <= 2 or "decision_function" not in reference:
        return None  # two classes: the sign of the decision function, the default rule
    values = _libsvm_pair_values(estimator, X)
    k = len(classes)
    pairs = pair_index(k)
    towards_first = values > 0
    votes = np.zeros((values.shape[0], k))
    for p, (i, j) in enumerate(pairs):
        votes[:, i] += towards_first[:, p]
        votes[:, j] += ~towards_first[:, p]
    ties_broken = estimator.break_ties and estimator.decision_function_shape == "ovr"
    scores = np.asarray(reference["decision_function"], dtype=np.float64) if ties_broken else votes
    label = np.argmax(scores, axis=1)
    margin = decision_margin(scores) if ties_broken else np.full(values.shape[0], np.inf)
    for p, (i, j) in enumerate(pairs):
        moved = np.where(towards_first[:, p], 1.0, -1.0)
        flipped = scores.copy()
        flipped[:, i] -= moved
        flipped[:, j] += moved
        matters = np.argmax(flipped, axis=1) != label
        margin = np.where(matters, np.minimum(margin, np.abs(values[:, p])), margin)
    return margin


def _libsvm_pair_values(estimator, X) -> np.ndarray:
    """libsvm's one-vs-one decision values, whatever ``decision_function_shape`` says."""
    one_vs_one = copy.copy(estimator)  # shares the fitted arrays; only the output shape differs
    one_vs_one.decision_function_shape = "ovo"
    return np.asarray(one_vs_one.decision_function(X), dtype=np.float64)


@score_jump_rule.register(SVC)
@score_jump_rule.register(NuSVC)
def _libsvm_vote_jumps(estimator, X, reference: dict, rtol: float) -> dict | None:
    # 'ovo' scores are the pair values themselves, and two classes have no vote
    if len(estimator.classes_) <= 2 or estimator.decision_function_shape != "ovr":
        return None
    values = _libsvm_pair_values(estimator, X)
    return {"decision_function": (np.abs(values) <= rtol * score_scale(values)).any(axis=1)}
