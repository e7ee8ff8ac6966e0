"""The NumPy path: the comparison on the CPU, with nnconvert.agreement's block-level pieces.

The network may run anywhere; its outputs come to the host (zero-copy when it runs on the
CPU) and are compared there. This path and the CuPy path give the same report.
"""

from __future__ import annotations

import numpy as np

from ..agreement import label_mismatches, score_difference
from .blocks import BlockComparison

__all__ = ["NumpyComparer"]


class NumpyComparer:
    """Compares score arrays and class indices with NumPy; margins are left to the host."""

    name = "numpy"

    def compare(self, reference: dict, outputs: dict, reference_index: np.ndarray,
                rule) -> BlockComparison:
        differences = {
            method: score_difference(reference[method], got.cpu().numpy())
            for method, got in outputs.items() if method != "predict_index"
        }
        network_index = outputs["predict_index"].cpu().numpy()
        return BlockComparison(differences, label_mismatches(reference_index, network_index))
