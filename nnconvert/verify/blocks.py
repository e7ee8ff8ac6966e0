"""Judging one block of rows: both answers, their comparison, and the block's partial report.

This is the one place where a network's answers meet its estimator's: :func:`verify_block`
serves :func:`nnconvert.verify`, :func:`nnconvert.verify.compare`, the dask workers and
:func:`nnconvert.testing.find_disagreement` alike. The estimator answers on the CPU
(scikit-learn's own methods); the network answers on its device in a single pass through its
body (:meth:`~nnconvert.network.ConvertedNetwork.output_tensors`). A *comparer* (the NumPy
path or the CuPy path) reduces the two to score maxima and label mismatches; rows a family's
rule excuses (scores that may jump by a vote at a near tie) are left out through a mask,
never by editing the reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import torch

from ..agreement import (
    float64_copy,
    within_reference_precision,
    OPTIONAL_METHODS,
    ScoreDifference,
    class_indices,
    compares_labels,
    has_default_margin,
    margin_method,
    mismatch_margins,
    reference_outputs,
    score_jumps,
    score_methods,
)
from ..registry import load_optional
from . import targets
from .report import N_WORST, Partial, Row, merge

__all__ = [
    "BlockComparison",
    "Comparer",
    "class_indices",
    "network_outputs",
    "verify_block",
    "margin_rule",
    "verify_blocks",
]


@dataclass
class BlockComparison:
    """What a comparer found on one block (row indices local to the block).

    ``margins`` is None when the comparer leaves the margins to the host.
    """

    differences: dict[str, ScoreDifference]
    mismatch_rows: np.ndarray
    margins: np.ndarray | None = None


class Comparer(Protocol):
    """The NumPy or the CuPy path."""

    name: str

    def compare(self, reference: dict, outputs: dict, labels: tuple | None,
                excused: dict, rule: tuple | None) -> BlockComparison:
        """Score maxima per method of ``outputs`` (rows of ``excused[method]`` left out) and
        the rows where ``labels = (reference_index, network_index)`` differ (None: no labels)."""


def network_outputs(net, block, methods) -> dict[str, torch.Tensor]:
    """The network's answers on ``block``, on its device, from one pass through its body.

    Keys: the methods asked for that the network has; a classifier's ``"predict"`` is the
    index into ``classes_``.
    """
    asked = [m for m in net.methods if m in methods]
    with torch.no_grad():
        return net.output_tensors(net.as_tensor(block), asked)


def margin_rule(estimator, reference: dict) -> tuple | None:
    """How the kernel may compute margins itself: ``(method, rule, column, threshold)``.

    Mirrors the default :func:`~nnconvert.agreement.reference_margin`; None where the
    estimator's family registered its own (then the host computes margins of mismatches).
    """
    if not has_default_margin(estimator):
        return None
    method = margin_method(reference)
    if method not in ("decision_function", "predict_proba"):
        return None  # a clusterer's distances: the host measures the few mismatches
    scores = reference[method]
    if method == "decision_function":
        return (method, 1, 0, 0.0) if scores.ndim == 1 else (method, 2, 0, 0.0)
    if scores.ndim == 2 and scores.shape[1] == 2:
        return (method, 1, 1, 0.5)
    return (method, 2, 0, 0.0)


def _label(reference: dict, i: int):
    return reference["predict"][i] if "predict" in reference else None


def _score_row(values: np.ndarray, i: int) -> tuple:
    return tuple(float(v) for v in np.atleast_1d(values[i]))


def verify_block(estimator, net, block, methods, comparer: Comparer, *,
                 rtol: float = 1e-9) -> Partial:
    """The :class:`~nnconvert.verify.report.Partial` of one block (rows numbered from 0).

    ``rtol`` only decides which rows are near ties of vote-counting scores
    (:func:`~nnconvert.agreement.score_jumps`); the verdict's band is applied later.
    """
    kind = net.head.kind
    reference = reference_outputs(estimator, block, methods)
    outputs = network_outputs(net, block, set(reference))
    problems = []
    compared = {}
    for method in score_methods(kind):
        if method not in reference:
            continue
        if method not in outputs and method in OPTIONAL_METHODS:
            continue
        if method not in outputs:
            problems.append(f"the estimator has {method} but the network does not")
        elif tuple(outputs[method].shape) != reference[method].shape:
            problems.append(f"{method}: network gives shape {tuple(outputs[method].shape)}, "
                            f"estimator {reference[method].shape}")
        else:
            compared[method] = outputs[method]
    labels, rule, excused = None, None, {}
    several = kind == targets.KIND  # labels of several targets: compared one by one
    if several:
        labels = targets.target_labels(net, reference["predict"], outputs["predict"])
    elif compares_labels(kind):
        labels = (class_indices(net.classes_, reference["predict"]), outputs["predict"])
        rule = margin_rule(estimator, reference)
    if compared:
        excused = {method: rows for method, rows
                   in score_jumps(estimator, block, reference, rtol).items()
                   if method in compared and rows.any()}
    judged, spread = reference, {}
    exact_block = float64_copy(block)
    if exact_block is not None:  # low-precision data: judged at the reference's precision
        exact = reference_outputs(estimator, exact_block, list(reference))
        judged, spread = within_reference_precision(reference, exact, compared)
        if labels is not None and not several:
            labels = (_labels_within_precision(net, labels, exact), labels[1])
    result = comparer.compare(judged, compared, labels, excused, rule)

    def network_label(i: int):  # one element from the device, for a row that is shown
        if labels is None:
            return None
        if several:
            return targets.network_label(net, outputs["predict"], i)
        return net.classes_[int(labels[1][i])]

    def network_scores(method: str, i: int) -> tuple:
        return _score_row(compared[method][i:i + 1].cpu().numpy(), 0)

    worst = {}
    for method, diff in result.differences.items():
        if diff.worst_row >= 0:
            i = diff.worst_row
            worst[method] = Row(i, method, _label(reference, i), network_label(i),
                                _score_row(reference[method], i), network_scores(method, i),
                                diff.max_abs)
    rows = result.mismatch_rows
    margins = result.margins
    if several:
        rows = targets.target_rows(net, rows)
        margins = targets.target_margins(net, reference, rows, outputs["predict"])
    elif margins is None:
        margins = mismatch_margins(estimator, block, reference, rows)
    examples = []
    shown = margin_method(reference) if labels is not None else None
    for k in np.argsort(-np.nan_to_num(margins, nan=-np.inf), kind="stable")[:N_WORST]:
        i = int(rows[k])
        if shown in compared:
            ref_scores, net_scores = _score_row(reference[shown], i), network_scores(shown, i)
            gap = max((abs(a - b) for a, b in zip(ref_scores, net_scores)), default=0.0)
        else:
            ref_scores, net_scores, gap = (), (), float("nan")
        label = reference["predict"][i]
        examples.append(Row(i, "label", tuple(label.tolist()) if several else label,
                            network_label(i), ref_scores,
                            net_scores, gap, float(margins[k])))
    if rows.size or any(d.max_abs > rtol * d.scale for d in result.differences.values()):
        problems += _nondeterminism(net, block, compared)
    return Partial(
        n_samples=len(next(iter(reference.values()))),
        max_abs={m: d.max_abs for m, d in result.differences.items()},
        scale={m: d.scale for m, d in result.differences.items()},
        worst=worst,
        mismatch_rows=np.asarray(rows, dtype=np.int64),
        mismatch_margins=np.asarray(margins, dtype=np.float64),
        examples=tuple(examples),
        problems=tuple(problems),
        reference_spread=spread,
    )


def _labels_within_precision(net, labels, exact: dict) -> np.ndarray:
    """The reference's label indices, where its label on the data as given and on the float64
    cast differ taking the network's when that is one of the two: the reference itself cannot
    tell them apart at the precision it computed in."""
    reference_index, network_index = labels
    exact_index = class_indices(net.classes_, exact["predict"])
    network_index = network_index.detach().cpu().numpy()
    ambiguous = (reference_index != exact_index) & (network_index == exact_index)
    return np.where(ambiguous, network_index, reference_index)


#: what the report says when the network answers the same rows differently twice
NONDETERMINISTIC = (
    "the network gave different answers on the same rows in two runs: the numeric library "
    "is nondeterministic, so the differences may not be the conversion's (with MKL, set "
    "MKL_CBWR=COMPATIBLE or MKL_NUM_THREADS=1 and verify again)")


def _nondeterminism(net, block, first: dict) -> list:
    """A failing block is run through the network a second time (the whole block: a subset
    could take a different BLAS path); if the network disagrees with itself, say so."""
    again = network_outputs(net, block, set(first) - {"predict_index"})
    for method, values in first.items():
        same = again[method] == values if method in again else None
        if values.is_floating_point() and same is not None:
            same |= torch.isnan(again[method]) & torch.isnan(values)  # a NaN is reproducible
        if same is not None and not bool(same.all()):
            return [NONDETERMINISTIC]
    return []


def verify_blocks(estimator, net, blocks, methods, comparer: Comparer, on_block=None, *,
                  rtol: float = 1e-9) -> Partial:
    """Verify ``(first_row, block)`` pairs in turn and merge their partials.

    ``on_block(partial, total)`` is called after each block (progress).
    """
    load_optional()  # an optional package's margin rule (scikit-elm), here or on a worker
    total = Partial()
    for first, block in blocks:
        part = verify_block(estimator, net, block, methods, comparer, rtol=rtol).shifted(first)
        total = merge(total, part)
        if on_block is not None:
            on_block(part, total)
    return total
