"""The methods verified beside a network's scores and labels: inverse_transform, score_samples,
apply and decision_path.

A kind of network is judged on its score methods (:data:`~nnconvert.agreement.SCORE_METHODS`)
and its labels; where the estimator and its network both answer one of
:data:`EXTRA_METHODS` as well, :func:`nnconvert.verify` compares it too, and the report
names it like any other method:

- ``inverse_transform`` maps the output space back, so both are given the estimator's own
  ``transform`` of the rows (the points an inverse is asked about), compared as scores;
- ``score_samples`` (a PCA's or a factor analysis' log-likelihood) is a score;
- ``apply`` (leaf indices) and ``decision_path`` (a node indicator) are indices, compared
  exactly: their scale is 1, so a single node of difference fails at any ``rtol``.

On low-precision data (float32, float16) a score method is judged at the precision the
reference achieved, as the kind's own scores are
(:func:`~nnconvert.agreement.within_reference_precision`): the reference runs again on the
float64 cast of what it was given.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse
import torch

from ..agreement import (
    ScoreDifference,
    float64_copy,
    has_method,
    score_difference,
    score_methods,
    within_reference_precision,
)
from ..network.transformer import ConvertedTransformer

__all__ = ["EXTRA_METHODS", "INDEX_METHODS", "extra_methods", "compare_extra"]

#: compared where both the estimator and the network answer them, beside the kind's scores
EXTRA_METHODS = ("inverse_transform", "score_samples", "apply", "decision_path")
#: answers that are node indices: compared exactly
INDEX_METHODS = ("apply", "decision_path")
#: a transformer's network of each method (None where nnconvert refuses to convert it)
_CONVERTED = {"inverse_transform": "inverse_network", "score_samples": "score_network"}


def network_has(net, method: str) -> bool:
    """Whether ``net`` computes ``method`` (``apply`` is also torch's ``Module.apply``: only
    a network of trees answers scikit-learn's). A transformer whose inverse or score
    nnconvert refuses to convert (it raises, saying why) has none to verify."""
    if method in INDEX_METHODS:
        paths = getattr(net, "tree_paths", None)
        return paths is not None and (method == "apply" or paths.has_decision_path)
    if isinstance(net, ConvertedTransformer) and method in _CONVERTED:
        return getattr(net, _CONVERTED[method]) is not None
    return hasattr(net, method)


def extra_methods(estimator, net) -> list[str]:
    """The :data:`EXTRA_METHODS` both answer that the kind does not compare already.

    Examples
    --------
    >>> import nnconvert as nc
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.decomposition import PCA
    >>> X, _ = load_iris(return_X_y=True)
    >>> pca = PCA(2).fit(X)
    >>> extra_methods(pca, nc.convert(pca))
    ['inverse_transform', 'score_samples']
    """
    own = score_methods(net.head.kind)
    return [m for m in EXTRA_METHODS if m not in own and has_method(estimator, m)
            and network_has(net, m)]


def _dense(answer) -> np.ndarray:
    return np.asarray(answer.toarray() if scipy.sparse.issparse(answer) else answer)


def _inputs(estimator, method: str, block):
    """What ``method`` is asked about: the rows, or their transform for an inverse."""
    if method == "inverse_transform":
        return _dense(estimator.transform(block))
    return block


def _answers(model, method: str, inputs):
    answer = getattr(model, method)(inputs)
    if method == "decision_path" and isinstance(answer, tuple):
        answer = answer[0]  # a forest's (indicator, n_nodes_ptr): the indicator is the path
    if method == "decision_path":
        return scipy.sparse.csr_matrix(answer, dtype=np.float64)
    return _dense(answer)


def _path_difference(expected, got) -> tuple[ScoreDifference, np.ndarray, np.ndarray]:
    """Nodes on one path and not the other, per row: exact, scale 1."""
    differ = np.asarray(abs(expected - got).max(axis=1).todense()).reshape(-1) \
        if expected.shape[0] else np.zeros(0)
    worst = int(np.argmax(differ)) if differ.size and differ.max() > 0 else \
        (0 if differ.size else -1)
    return ScoreDifference(float(differ.max()) if differ.size else 0.0, 1.0, worst), \
        expected, got


def compare_extra(estimator, net, block, methods) -> tuple[dict, dict, dict, list, dict]:
    """Compare ``methods`` (of :data:`EXTRA_METHODS`) on ``block``.

    Returns ``(differences, reference_rows, network_rows, problems, spread)``: per method its
    :class:`~nnconvert.agreement.ScoreDifference` and the two answers on its worst row (for
    the report); what kept a method from being compared (a shape that differs); per method
    compared on low-precision data, how far the reference's own answers moved on the float64
    cast.
    """
    differences, reference_rows, network_rows, problems, spread = {}, {}, {}, [], {}
    for method in methods:
        inputs = _inputs(estimator, method, block)
        expected = _answers(estimator, method, inputs)
        got = _answers(net, method, inputs)
        if expected.shape != got.shape:
            problems.append(f"{method}: network gives shape {got.shape}, estimator "
                            f"{expected.shape}")
            continue
        if method == "decision_path":
            diff, expected, got = _path_difference(expected, got)
            row = diff.worst_row
            reference_rows[method] = tuple(map(float, expected[row].indices)) if row >= 0 else ()
            network_rows[method] = tuple(map(float, got[row].indices)) if row >= 0 else ()
            differences[method] = diff
            continue
        judged = expected
        exact_inputs = float64_copy(inputs) if method not in INDEX_METHODS else None
        if exact_inputs is not None:  # low-precision data: at the reference's precision
            exact = {method: _answers(estimator, method, exact_inputs)}
            judged_all, spread_one = within_reference_precision(
                {method: expected}, exact, {method: torch.as_tensor(got)})
            judged = judged_all[method]
            spread.update(spread_one)
        diff = score_difference(judged, got)
        if method in INDEX_METHODS:
            diff = ScoreDifference(diff.max_abs, 1.0, diff.worst_row)
        differences[method] = diff
        row = diff.worst_row
        reference_rows[method] = tuple(np.atleast_1d(expected[row]).astype(float)) \
            if row >= 0 else ()
        network_rows[method] = tuple(np.atleast_1d(got[row]).astype(float)) if row >= 0 else ()
    return differences, reference_rows, network_rows, problems, spread
