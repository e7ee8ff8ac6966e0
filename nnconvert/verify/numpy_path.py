"""The NumPy path: the comparison on the CPU, with nnconvert.agreement's block-level pieces.

The network may run anywhere; its outputs come to the host (zero-copy when it runs on the
CPU) and are compared there. This path and the CuPy path give the same report.
"""

from __future__ import annotations

import numpy as np

from ..agreement import ScoreDifference, label_mismatches, score_difference
from .blocks import BlockComparison

__all__ = ["NumpyComparer"]


class NumpyComparer:
    """Compares score arrays and class indices with NumPy; margins are left to the host."""

    name = "numpy"

    def compare(self, reference: dict, outputs: dict, labels, excused: dict,
                rule) -> BlockComparison:
        differences = {}
        for method, got in outputs.items():
            expected, got = reference[method], got.cpu().numpy()
            left_out = excused.get(method)
            if left_out is None:
                differences[method] = score_difference(expected, got)
            else:  # the rows a family's rule excuses take no part in the maximum
                kept = np.flatnonzero(~left_out)
                diff = score_difference(expected[kept], got[kept])
                worst = int(kept[diff.worst_row]) if diff.worst_row >= 0 else -1
                differences[method] = ScoreDifference(diff.max_abs, diff.scale, worst)
        if labels is None:
            return BlockComparison(differences, np.empty(0, dtype=np.int64))
        reference_index, network_index = labels
        return BlockComparison(differences,
                               label_mismatches(reference_index, network_index.cpu().numpy()))
