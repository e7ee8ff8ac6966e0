"""Verifying one block of rows: both answers, their comparison, and the block's partial report.

The estimator answers on the CPU (scikit-learn's own methods); the network answers on its
device in a single pass through its body. A *comparer* (the NumPy path or the CuPy path)
reduces the two to score maxima and label mismatches; what is common to both paths (margins
of the mismatching rows, the rows worth showing) is done here once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import torch

from ..agreement import (
    METHODS,
    ScoreDifference,
    class_indices,
    has_default_margin,
    margin_method,
    mismatch_margins,
    reference_outputs,
    without_score_jumps,
)
from ..registry import load_optional
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
    counts: dict = field(default_factory=dict)


class Comparer(Protocol):
    """The NumPy or the CuPy path."""

    name: str

    def compare(self, reference: dict, outputs: dict, reference_index: np.ndarray,
                rule: tuple | None) -> BlockComparison: ...


def network_outputs(net, block, methods) -> dict[str, torch.Tensor]:
    """The network's answers on ``block``, on its device, from one pass through its body.

    Keys: the score methods asked for (where the network has them) and ``"predict_index"``.
    """
    asked = [m for m in net.methods if m in methods and m != "predict"]
    with torch.no_grad():
        outputs = net.output_tensors(net.as_tensor(block), [*asked, "predict"])
    outputs["predict_index"] = outputs.pop("predict")
    return outputs


def margin_rule(estimator, reference: dict) -> tuple | None:
    """How the kernel may compute margins itself: ``(method, rule, column, threshold)``.

    Mirrors the default :func:`~nnconvert.agreement.reference_margin`; None where the
    estimator's family registered its own (then the host computes margins of mismatches).
    """
    if not has_default_margin(estimator):
        return None
    method = margin_method(reference)
    scores = reference[method]
    if method == "decision_function":
        return (method, 1, 0, 0.0) if scores.ndim == 1 else (method, 2, 0, 0.0)
    if scores.ndim == 2 and scores.shape[1] == 2:
        return (method, 1, 1, 0.5)
    return (method, 2, 0, 0.0)


def _score_row(values: np.ndarray, i: int) -> tuple:
    return tuple(float(v) for v in np.atleast_1d(values[i]))


def verify_block(estimator, net, block, methods, comparer: Comparer, *,
                 rtol: float = 1e-9) -> Partial:
    """The :class:`~nnconvert.verify.report.Partial` of one block (rows numbered from 0).

    ``rtol`` only decides which rows are near ties of vote-counting scores
    (:func:`~nnconvert.agreement.score_jumps`); the verdict's band is applied later.
    """
    reference = reference_outputs(estimator, block, methods)
    outputs = network_outputs(net, block, set(reference))
    if "decision_function" in outputs:
        reference = without_score_jumps(estimator, block, reference,
                                        outputs["decision_function"], rtol)
    problems = []
    compared = {}
    for method in METHODS:
        if method not in reference:
            continue
        if method not in outputs:
            problems.append(f"the estimator has {method} but the network does not")
        elif tuple(outputs[method].shape) != reference[method].shape:
            problems.append(f"{method}: network gives shape {tuple(outputs[method].shape)}, "
                            f"estimator {reference[method].shape}")
        else:
            compared[method] = outputs[method]
    compared["predict_index"] = outputs["predict_index"]
    reference_index = class_indices(net.classes_, reference["predict"])
    rule = margin_rule(estimator, reference)
    result = comparer.compare(reference, compared, reference_index, rule)

    def network_label(i: int):  # one element from the device, for a row that is shown
        return net.classes_[int(compared["predict_index"][i])]

    def network_scores(method: str, i: int) -> tuple:
        return _score_row(compared[method][i:i + 1].cpu().numpy(), 0)

    worst = {}
    for method, diff in result.differences.items():
        if diff.worst_row >= 0:
            i = diff.worst_row
            worst[method] = Row(i, method, reference["predict"][i], network_label(i),
                                _score_row(reference[method], i), network_scores(method, i),
                                diff.max_abs)
    rows = result.mismatch_rows
    margins = result.margins
    if margins is None:
        margins = mismatch_margins(estimator, block, reference, rows)
    examples = []
    shown = margin_method(reference)
    for k in np.argsort(-np.nan_to_num(margins, nan=-np.inf), kind="stable")[:N_WORST]:
        i = int(rows[k])
        if shown in compared:
            ref_scores, net_scores = _score_row(reference[shown], i), network_scores(shown, i)
            gap = max((abs(a - b) for a, b in zip(ref_scores, net_scores)), default=0.0)
        else:
            ref_scores, net_scores, gap = (), (), float("nan")
        examples.append(Row(i, "label", reference["predict"][i], network_label(i), ref_scores,
                            net_scores, gap, float(margins[k])))
    if rows.size or any(d.max_abs > rtol * d.scale for d in result.differences.values()):
        problems += _nondeterminism(net, block, compared)
    return Partial(
        n_samples=len(reference["predict"]),
        max_abs={m: d.max_abs for m, d in result.differences.items()},
        scale={m: d.scale for m, d in result.differences.items()},
        worst=worst,
        mismatch_rows=np.asarray(rows, dtype=np.int64),
        mismatch_margins=np.asarray(margins, dtype=np.float64),
        examples=tuple(examples),
        problems=tuple(problems),
    )


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

    ``on_block(partial, total)`` is called after each block (progress, the CuPy path's band).
    """
    load_optional()  # an optional package's margin rule (scikit-elm), here or on a worker
    total = Partial()
    for first, block in blocks:
        part = verify_block(estimator, net, block, methods, comparer, rtol=rtol).shifted(first)
        total = merge(total, part)
        if on_block is not None:
            on_block(part, total)
    return total
