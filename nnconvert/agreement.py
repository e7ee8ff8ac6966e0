"""When does a network agree with its estimator? The rules the one verdict applies.

Scores (``decision_function``, ``predict_proba``) agree when they differ by at most ``rtol``
times the scale of the reference scores. Labels agree except where the reference itself is
within a *near-tie band* of changing its mind: a row whose winning margin is smaller than the
score error allowed can flip under rounding alone, and such a flip is a tie, not a
disagreement.

How far a row is from changing its label depends on how the estimator decides: a family
whose ``predict`` is not an argmax or a threshold of its scores (libsvm's one-vs-one vote)
registers its own rule with :mod:`nnconvert.registry`; this module imports no estimator.
Regressors and transformers have no labels: their ``predict`` / ``transform`` are scores.

These are the rules; :func:`nnconvert.verify.blocks.verify_block` is the one function that
applies them to a block of rows, for :func:`nnconvert.verify`, :func:`nnconvert.verify.compare`
and :func:`nnconvert.testing.find_disagreement` alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse
import torch

from .network.regressor import PREDICT_STD  # the std of predict(X, return_std=True)
from .registry import has_rule, margin_rule, reference_rtol, score_jump_rule

__all__ = [
    "METHODS",
    "PREDICT_STD",
    "has_method",
    "SCORE_METHODS",
    "LABEL_KINDS",
    "RELATIVE_MARGIN",
    "score_methods",
    "compares_labels",
    "input_rtol",
    "reference_outputs",
    "reference_margin",
    "score_scale",
    "decision_margin",
    "tie_band",
    "ScoreDifference",
    "elementwise_difference",
    "score_difference",
    "label_mismatches",
    "margin_method",
    "mismatch_margins",
    "float64_copy",
    "within_reference_precision",
]

#: per kind of network, the methods compared as scores, in order; a classifier's ``predict``
#: is compared as labels (so are a clusterer's and an outlier detector's: see
#: :data:`LABEL_KINDS`), a regressor's as a score
SCORE_METHODS = {
    "classifier": ("decision_function", "predict_proba", "predict_log_proba"),
    "regressor": ("predict", PREDICT_STD),
    "transformer": ("transform",),
    "clusterer": ("transform", "predict_proba", "score_samples"),
    "outlier_detector": ("decision_function", "score_samples", "mahalanobis"),
    "density": ("score_samples",),
    # a classifier of several targets: its probabilities side by side (a list concatenated)
    "multioutput_classifier": ("decision_function", "predict_proba", "predict_log_proba"),
}
#: the kinds of network whose ``predict`` answers labels, compared as labels with a near-tie
#: band: a classifier's classes, a clusterer's cluster labels, an outlier detector's ±1
LABEL_KINDS = ("classifier", "clusterer", "outlier_detector", "multioutput_classifier")
#: the margin "method" of a model with no score method to measure it in (a MeanShift has
#: ``predict`` only): its margin rule answers margins relative to the row's own scale, and
#: the near-tie band is ``rtol`` itself
RELATIVE_MARGIN = "predict"
#: compared only where the network has them: most scikit-learn estimators compute
#: ``predict_log_proba`` as ``log(predict_proba)``, which a network need not repeat; naive
#: Bayes computes it in log space, and so do their networks. A regressor's std likewise
OPTIONAL_METHODS = ("predict_log_proba", PREDICT_STD)
#: a classifier's score methods
METHODS = SCORE_METHODS["classifier"]


def score_methods(kind: str) -> tuple[str, ...]:
    """The methods a network of ``kind`` is compared on as scores."""
    return SCORE_METHODS[kind]


def compares_labels(kind: str) -> bool:
    """Whether a network of ``kind`` answers labels (:data:`LABEL_KINDS`)."""
    return kind in LABEL_KINDS


def score_scale(reference: np.ndarray) -> float:
    """The size of the scores: ``max |reference|`` over its finite values (a log-probability
    of −inf must not make every difference look small), never below the smallest normal
    float."""
    reference = np.asarray(reference, dtype=np.float64)
    finite = reference[np.isfinite(reference)]
    if finite.size == 0:
        return float(np.finfo(np.float64).tiny)
    return max(float(np.max(np.abs(finite))), float(np.finfo(np.float64).tiny))


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


def default_rtol(dtype: torch.dtype) -> float:
    """The score tolerance a network of ``dtype`` is held to: float64 to rounding (1e-9 of
    the scale), float32 within its own precision (1e-4)."""
    return 1e-4 if dtype == torch.float32 else 1e-9


def input_rtol(rtol: float, X, estimator=None) -> float:
    """The score tolerance for input ``X``: ``rtol``, but no tighter than float32 precision
    when ``X`` is float32, nor than the precision of ``estimator``'s own answers
    (:func:`nnconvert.registry.reference_rtol`).

    On float32 input scikit-learn computes in float32 wherever its estimators keep the
    input's dtype (a StandardScaler does), so its answers are themselves only float32-accurate
    while the network computes in float64: agreement is judged at the precision the reference
    was computed in (the same tolerance a float32 network is held to), not by reproducing
    scikit-learn's dtype path. Only inputs that have no float64 cast to run the reference on
    (documents, whose vectorizer makes float32) take this blanket rule; numeric arrays are
    judged at the precision the reference achieved (:func:`within_reference_precision`),
    and pass ``X=None`` here.
    """
    # a dataframe: float32 only when every column is (a Series has one dtype, as an array)
    dtypes = getattr(X, "dtypes", None) if hasattr(X, "columns") else None
    if dtypes is not None:
        float32 = len(dtypes) > 0 and {str(d) for d in dtypes} == {"float32"}
    else:
        float32 = str(getattr(X, "dtype", "")) == "float32"
    rtol = max(rtol, default_rtol(torch.float32)) if float32 else rtol
    own = None if estimator is None else reference_rtol(estimator)
    return rtol if own is None else max(rtol, own)


def tie_band(max_abs_diff: float, scale: float, rtol: float) -> float:
    """Margin below which a label flip counts as a near tie, not a disagreement.

    The larger of the allowed score error (``rtol`` times the scale) and twice the score
    error actually observed (a label can only flip where the margin is smaller than what the
    two score vectors differ by), but never more than twice the allowed error: scores that
    differ beyond tolerance must not excuse the labels they flip as near ties.
    """
    allowed = rtol * scale
    return max(allowed, 2.0 * min(max_abs_diff, allowed))


def reference_outputs(estimator, X, methods=None) -> dict[str, np.ndarray]:
    """The estimator's own answers on ``X`` for ``methods`` (default: a classifier's score
    methods it has, and ``predict``); sparse answers (a one-hot transform) made dense."""
    if methods is None:
        methods = [*METHODS, "predict"]
    outputs = {}
    for method in methods:
        if method == PREDICT_STD:  # asked for by name only: see has_method
            outputs[method] = np.asarray(estimator.predict(X, return_std=True)[1])
        elif hasattr(estimator, method):
            try:
                answer = getattr(estimator, method)(X)
            except AttributeError:  # ClassifierChain's predict_log_proba of members without
                continue            # predict_proba: present, but it has no answer
            if isinstance(answer, list):  # one array per target: side by side
                answer = np.hstack([np.asarray(a).reshape(len(a), -1) for a in answer])
            outputs[method] = np.asarray(answer.toarray() if scipy.sparse.issparse(answer)
                                         else answer)
    return outputs


def has_method(estimator, method: str) -> bool:
    """Whether ``estimator`` answers ``method``. :data:`PREDICT_STD` is never assumed (a
    pipeline's predict passes ``return_std`` on to a final step that may refuse it): it is
    compared when the caller names it, for a network that has it."""
    return method == PREDICT_STD or hasattr(estimator, method)


def default_margin(reference: dict) -> np.ndarray:
    """The margin of a ``predict`` that thresholds or takes the argmax of its scores: the
    decision function where there is one (threshold 0), else the probabilities (0.5)."""
    if "decision_function" in reference:
        return decision_margin(reference["decision_function"], 0.0)
    if "predict_proba" not in reference and "transform" in reference:
        # a clusterer's label is the nearest centre's: the gap of the two smallest distances
        return decision_margin(-np.asarray(reference["transform"], dtype=np.float64))
    proba = reference["predict_proba"]
    if proba.ndim == 2 and proba.shape[1] == 2:
        return decision_margin(proba[:, 1], 0.5)
    return decision_margin(proba)


def reference_margin(estimator, X, reference: dict) -> np.ndarray:
    """Per row, how far the estimator is from predicting another label.

    The margin is in the units of ``decision_function`` when the estimator has one, else of
    ``predict_proba``: the band it is held against is derived from that method's error.
    A family whose ``predict`` decides otherwise registers its own rule
    (:func:`nnconvert.registry.margin_rule`); the rest get :func:`default_margin`.
    """
    margin = margin_rule(estimator, X, reference)
    return default_margin(reference) if margin is None else margin


def has_default_margin(estimator) -> bool:
    """Whether ``estimator``'s margin is :func:`default_margin` (no family rule)."""
    return not has_rule(margin_rule, estimator)


def score_jumps(estimator, X, reference: dict, rtol: float) -> dict:
    """Per score method, the rows where the estimator's answer may jump between two roundings
    (:func:`nnconvert.registry.score_jump_rule`); empty where its scores are continuous."""
    return score_jump_rule(estimator, X, reference, rtol) or {}


# -- block-level pieces: compare() and nnconvert.verify() both build on these ------------------
# A streamed verification sees its rows a block at a time, while the near-tie band depends on
# maxima over all rows; so a block reports maxima and its label mismatches (with their margins),
# and the band is applied once the maxima are final.


#: elements per piece in score_difference: a few arrays of this many doubles fit in L2 cache
_CACHE_ELEMENTS = 1 << 15


def elementwise_difference(expected: np.ndarray, got: np.ndarray) -> np.ndarray:
    """``|got - expected|``, where equal values (infinities too) differ by 0 and a NaN on one
    side only differs by infinity, so that a NaN can never hide inside a maximum."""
    expected = np.asarray(expected, dtype=np.float64)
    got = np.asarray(got, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        diff = np.abs(got - expected)
        undefined = np.isnan(diff)
    if undefined.any():
        both_nan = np.isnan(expected) & np.isnan(got)
        same = expected == got
        diff[undefined] = np.where((both_nan | same)[undefined], 0.0, np.inf)
    return diff


@dataclass(frozen=True)
class ScoreDifference:
    """How one score method's answers differ on a block of rows.

    ``max_abs`` is the largest elementwise difference, ``scale`` the reference's
    :func:`score_scale`, ``worst_row`` the first row holding ``max_abs`` (-1 for no rows).
    """

    max_abs: float
    scale: float
    worst_row: int


def score_difference(expected: np.ndarray, got: np.ndarray) -> ScoreDifference:
    """The :class:`ScoreDifference` of two equally shaped score arrays.

    Works through the rows in pieces that stay in cache, reusing one buffer, so that the
    comparison costs one read of each array from memory.
    """
    expected = np.asarray(expected)
    got = np.asarray(got)
    n = expected.shape[0] if expected.ndim else 0
    if n == 0:
        return ScoreDifference(0.0, score_scale(expected), -1)
    width = max(1, expected.size // n)
    step = max(1, _CACHE_ELEMENTS // width)
    buffer = np.empty(min(n, step) * width, dtype=np.float64)
    max_abs, worst, scale = -1.0, -1, 0.0
    for start in range(0, n, step):
        e = expected[start:start + step].reshape(-1)
        g = got[start:start + step].reshape(-1)
        with np.errstate(invalid="ignore"):  # inf − inf: the elementwise rule below decides
            diff = np.subtract(g, e, out=buffer[:e.size], dtype=np.float64)
        largest = max(float(diff.max()), -float(diff.min()))  # reductions only: no writes
        if largest != largest:  # NaN (a NaN, or inf - inf): the elementwise rule decides
            diff = elementwise_difference(e, g)
            largest = float(diff.max())
        if largest > max_abs:  # rare after the first pieces: only then find the row
            np.abs(diff, out=diff)
            at = int(np.argmax(diff))  # the first maximum in row order is in the first row
            max_abs, worst = largest, start + at // width
        high, low = float(e.max()), float(e.min())
        if not (np.isfinite(high) and np.isfinite(low)):  # NaN (no answer), or infinities
            high = low = score_scale(e)  # (the log of a zero probability) measure nothing
        scale = max(scale, high, -low)
    return ScoreDifference(max_abs, max(scale, float(np.finfo(np.float64).tiny)), worst)


def class_indices(classes: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Positions of ``labels`` in ``classes`` (int64); -1 where a label is not a class."""
    classes = np.asarray(classes)
    labels = np.asarray(labels)
    order = np.argsort(classes, kind="stable")
    position = np.searchsorted(classes, labels, sorter=order)
    index = order[np.clip(position, 0, len(classes) - 1)]
    return np.where(classes[index] == labels, index, -1).astype(np.int64)


def label_mismatches(reference_labels, candidate_labels) -> np.ndarray:
    """Indices (int64) of the rows whose labels differ."""
    differ = np.asarray(reference_labels) != np.asarray(candidate_labels)
    return np.flatnonzero(differ).astype(np.int64)


def margin_method(reference) -> str:
    """The score method whose units :func:`reference_margin` measures in: the decision
    function, else the probabilities, else a clusterer's distances (``transform``), else
    :data:`RELATIVE_MARGIN`.

    ``reference`` is the estimator's answers (a dict by method) or the methods' names.
    """
    for method in ("decision_function", "predict_proba", "transform"):
        if method in reference:
            return method
    return RELATIVE_MARGIN


def mismatch_margins(estimator, X, reference: dict, rows: np.ndarray) -> np.ndarray:
    """:func:`reference_margin` of just the given rows (margins are row by row).

    Label mismatches are few, so a streamed verification asks for their margins only.
    """
    rows = np.asarray(rows, dtype=np.int64)
    if rows.size == 0:
        return np.empty(0, dtype=np.float64)
    from sklearn.utils import _safe_indexing  # rows of arrays, dataframes and lists alike

    subset = {method: np.asarray(values)[rows] for method, values in reference.items()}
    margin = reference_margin(estimator, _safe_indexing(X, rows), subset)
    return np.asarray(margin, dtype=np.float64).reshape(-1)


# -- the precision the reference achieved ---------------------------------------------------
# On float32 or float16 data scikit-learn computes some steps in that precision (a scaler keeps
# the input's dtype) and others in float64 (a linear model's product with float64 weights):
# which, depends on the estimator. Rather than guess, the reference runs twice, on the data as
# given and on its float64 cast (the values the network computes from, exactly); the network
# may differ from the first by what separates the two, plus its own float64 rounding.


def float64_copy(X):
    """``X`` with its low-precision float columns cast to float64 (the same values, exactly),
    or None where ``X`` holds no float column narrower than float64."""
    if hasattr(X, "columns") and hasattr(X, "dtypes"):  # a dataframe
        narrow = [c for c, d in zip(X.columns, X.dtypes)
                  if getattr(d, "kind", "") == "f" and getattr(d, "itemsize", 8) < 8]
        return X.astype({c: np.float64 for c in narrow}) if narrow else None
    dtype = getattr(X, "dtype", None)
    if isinstance(dtype, np.dtype) and dtype.kind == "f" and dtype.itemsize < 8:
        return X.astype(np.float64)  # numpy arrays and scipy.sparse matrices alike
    return None


def within_reference_precision(reference: dict, exact: dict, outputs: dict
                               ) -> tuple[dict, dict]:
    """The reference each network score is judged against, and the reference's own spread.

    ``reference`` holds scikit-learn's answers on the data as given, ``exact`` on its float64
    cast, ``outputs`` the network's (tensors). Per element, the reference's precision spans
    ``a = |reference − exact|``; the network is judged against the point of
    ``[reference − a, reference + a]`` nearest to it, so only what it differs *beyond* the
    reference's own rounding counts (a NaN on one side only leaves that element unjudged).
    Returns ``(judged, spread)``: ``judged`` the references to compare with, ``spread`` per
    method the largest finite ``a``.
    """
    judged, spread = dict(reference), {}
    for method, got in outputs.items():
        if method not in exact or method not in reference:
            continue
        given = np.asarray(reference[method], dtype=np.float64)
        span = elementwise_difference(given, exact[method])
        network = got.detach().cpu().numpy().astype(np.float64)
        with np.errstate(invalid="ignore"):
            nearest = np.clip(network, given - span, given + span)
        judged[method] = np.where(np.isfinite(span) & ~np.isnan(given), nearest,
                                  np.where(np.isfinite(span), given, network))
        finite = span[np.isfinite(span)]
        spread[method] = float(finite.max()) if finite.size else 0.0
    return judged, spread
