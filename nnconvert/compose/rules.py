"""The agreement rules of meta-estimators: a member's rule reaches its parent's verdict.

A family registers how its answers may jump between two roundings (a k-NN vote where two
neighbours are equally far, libsvm's one-vs-one vote) and how precise its own answers are
(XGBoost sums in float32): :mod:`nnconvert.registry`. A meta-estimator that holds such a
member (voting, stacking, bagging, one-vs-rest, calibration, AdaBoost, multi-output, ...)
answers through it, so its answers jump on the same rows and are no more precise. These rules
are registered once, for scikit-learn's ``MetaEstimatorMixin`` (the base of every wrapper
it ships) and ``TransformedTargetRegressor``, and find the members by what a fitted wrapper
holds, so a new wrapper inherits them by construction:

- :func:`~nnconvert.registry.score_jump_rule`: the rows where any member's answers may jump
  (each member asked on the columns it reads), for every score method of the parent;
- :func:`~nnconvert.registry.margin_rule`: the parent's own margin (of its scores, as
  :func:`nnconvert.agreement.default_margin` measures it), 0 on those rows: a label that
  flips there is a near tie of a member, not a defect;
- :func:`~nnconvert.registry.reference_rtol`: the loosest precision of any member (the
  final estimator of a stack included).

``OneVsOneClassifier`` adds its own vote's rule: a pair whose score is within rounding of
its threshold may vote either way, so its decision function jumps by a whole vote there.

A pipeline's and a search's rules are the last step's and the best estimator's
(:mod:`.pipeline`, :mod:`.search`); those reach the rules here through the same tables.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, is_classifier
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import NotFittedError
from sklearn.multiclass import OneVsOneClassifier
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import check_is_fitted

from ..agreement import default_margin, reference_outputs
from ..registry import has_rule, margin_rule, reference_rtol, score_jump_rule

__all__ = ["members", "member_jump_rows", "member_margin", "MARGIN_RTOL"]

#: fitted attributes that hold members answering on the parent's own input
_ON_INPUT = ("estimators_", "estimator_", "regressor_", "best_estimator_",
             "calibrated_classifiers_")
#: and the members that read the others' answers (their rules' precision still counts)
_ON_ANSWERS = ("final_estimator_",)
#: the precision a margin rule detects member jumps at (it is given no tolerance): the
#: loosest a network is held to (float32's), so no jump a verification allows is missed
MARGIN_RTOL = 1e-4


def _fitted(member) -> bool:
    try:
        check_is_fitted(member)
    except (NotFittedError, TypeError):
        return False  # a template a wrapper keeps besides its fitted copies
    return True


def members(estimator, *, on_input: bool = True) -> list[tuple[BaseEstimator, object]]:
    """The fitted members ``estimator`` holds: ``(member, columns)``, ``columns`` the input
    columns it reads (bagging's feature subsets) or None for all of them.

    ``on_input=False`` adds the members that read the others' answers (a stack's final
    estimator), for rules that need no input. Members that are not fitted estimators
    (``'drop'``, an unfitted template) are left out.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.ensemble import BaggingClassifier
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> bag = BaggingClassifier(KNeighborsClassifier(), n_estimators=2, max_features=2,
    ...                         random_state=0).fit(X, y)
    >>> [(type(m).__name__, len(columns)) for m, columns in members(bag)]
    [('KNeighborsClassifier', 2), ('KNeighborsClassifier', 2)]
    """
    found = []
    features = vars(estimator).get("estimators_features_")
    for attribute in _ON_INPUT + (() if on_input else _ON_ANSWERS):
        value = vars(estimator).get(attribute)
        if value is None:
            continue
        items = list(np.ravel(np.asarray(value, dtype=object))) \
            if isinstance(value, (list, tuple, np.ndarray)) else [value]
        for i, item in enumerate(items):
            item = getattr(item, "estimator", item) \
                if attribute == "calibrated_classifiers_" else item
            if not isinstance(item, BaseEstimator) or not _fitted(item):
                continue
            columns = features[i] if attribute == "estimators_" and features is not None \
                and i < len(features) else None
            found.append((item, columns))
    return found


def _may_jump(estimator, depth: int = 0) -> bool:
    # a rule of its own (a family's, a pipeline's), or a member that may jump
    if has_rule(score_jump_rule, estimator) and not isinstance(estimator, _WRAPPERS):
        return True
    return depth < 8 and any(_may_jump(m, depth + 1) for m, _ in members(estimator))


def member_jump_rows(estimator, X, rtol: float) -> np.ndarray | None:
    """The rows of ``X`` where any member's answers may jump between two roundings (None:
    no member's can)."""
    rows = None
    width = np.shape(X)[1] if np.ndim(X) == 2 else None
    for member, columns in members(estimator):
        if not _may_jump(member):
            continue
        Xm = X if columns is None else _safe_indexing(X, np.asarray(columns), axis=1)
        if width is not None and getattr(member, "n_features_in_", None) not in (
                None, np.shape(Xm)[1]):
            continue  # it reads more than the input (a chain's earlier answers)
        jumps = score_jump_rule(member, Xm, reference_outputs(member, Xm), rtol) or {}
        for mask in jumps.values():
            mask = np.asarray(mask, dtype=bool).reshape(len(mask), -1).any(axis=1)
            rows = mask if rows is None else rows | mask
    return rows


_WRAPPERS = (MetaEstimatorMixin, TransformedTargetRegressor)


@score_jump_rule.register(MetaEstimatorMixin)
@score_jump_rule.register(TransformedTargetRegressor)
def _member_jumps(estimator, X, reference: dict, rtol: float) -> dict | None:
    rows = member_jump_rows(estimator, X, rtol)
    if rows is None or not rows.any():
        return None
    # a classifier's predict is its labels (judged by the margin), a regressor's a score
    labels = is_classifier(estimator)
    return {method: rows for method in reference if not (labels and method == "predict")}


@margin_rule.register(MetaEstimatorMixin)
def member_margin(estimator, X, reference: dict) -> np.ndarray | None:
    """The default margin of the parent's scores, 0 where a member's answers may jump."""
    rows = member_jump_rows(estimator, X, MARGIN_RTOL)
    if rows is None or not rows.any() or not (
            {"decision_function", "predict_proba", "transform"} & set(reference)):
        return None  # the default margin of the parent's own scores
    return np.where(rows, 0.0, default_margin(reference))


@reference_rtol.register(MetaEstimatorMixin)
@reference_rtol.register(TransformedTargetRegressor)
def _member_rtol(estimator) -> float | None:
    found = [reference_rtol(m) for m, _ in members(estimator, on_input=False)]
    found = [r for r in found if r is not None]
    return max(found) if found else None


# -- one-vs-one: the wrapper's own vote, besides its members' rules --------------------------

def _pair_ties(ovo: OneVsOneClassifier, X, rtol: float) -> np.ndarray | None:
    """Rows where a pair's score is within rounding of its threshold (a decision function's
    0, a probability's ½): the pair's vote, so the wrapper's vote counts and its decision
    function, jump by a whole vote there."""
    if vars(ovo).get("pairwise_indices_") is not None:
        return None  # members on kernel columns: their own rules only
    near = np.zeros(len(X), dtype=bool)
    for member in ovo.estimators_:
        if hasattr(member, "decision_function"):
            score, threshold = np.asarray(member.decision_function(X), np.float64), 0.0
        else:
            score, threshold = np.asarray(member.predict_proba(X), np.float64)[:, 1], 0.5
        scale = max(float(np.max(np.abs(score), initial=0.0)), 1.0)
        near |= np.abs(score.reshape(len(X), -1)[:, 0] - threshold) <= max(rtol, 1e-12) * scale
    return near


@score_jump_rule.register(OneVsOneClassifier)
def _one_vs_one_jumps(ovo: OneVsOneClassifier, X, reference: dict, rtol: float) -> dict | None:
    rows = [r for r in (member_jump_rows(ovo, X, rtol), _pair_ties(ovo, X, rtol))
            if r is not None]
    rows = np.logical_or.reduce(rows) if rows else None
    if rows is None or not rows.any():
        return None
    return {method: rows for method in reference if method != "predict"}


@margin_rule.register(OneVsOneClassifier)
def _one_vs_one_margin(ovo: OneVsOneClassifier, X, reference: dict) -> np.ndarray | None:
    jumps = _one_vs_one_jumps(ovo, X, reference, MARGIN_RTOL)
    if not jumps or "decision_function" not in reference:
        return None
    return np.where(next(iter(jumps.values())), 0.0, default_margin(reference))
