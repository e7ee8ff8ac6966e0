"""The CuPy path: the comparison as one fused CUDA kernel (``compare.cu``) per score method.

The network's outputs stay on the GPU and reach the kernel without a copy (DLPack); only the
reference scores (computed by scikit-learn on the CPU) travel to the device, and the
network's scores come back only when a vote may flip at a near tie
(:func:`nnconvert.agreement.without_score_jumps`). The kernel
leaves the block's maxima, worst row and the mismatching rows (with their margins) in device
memory; a few scalars and the (usually empty) list of mismatches come back.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from ..agreement import ScoreDifference
from .blocks import BlockComparison

__all__ = ["CupyComparer", "cupy_available", "KERNEL_SOURCE"]

#: the CUDA source, shipped with the package
KERNEL_SOURCE = Path(__file__).with_name("compare.cu")

THREADS = 256  # NNCONVERT_THREADS in compare.cu

#: numpy view of compare.cu's ``nnconvert::Accumulator``
ACCUMULATOR = np.dtype(
    [("max_abs", "<f8"), ("scale", "<f8"), ("worst", "<i8"), ("mismatches", "<u8")],
    align=True,
)


def cupy_available() -> bool:
    """Whether CuPy is installed and sees at least one CUDA device."""
    try:
        import cupy
    except ImportError:
        return False
    try:
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # no driver, no device: CuPy raises its own runtime errors
        return False


@functools.cache
def _kernels():
    import cupy

    module = cupy.RawModule(
        code=KERNEL_SOURCE.read_text(),
        options=("--std=c++17",),
        name_expressions=("compare_scores<double>", "compare_scores<float>"),
    )
    return {
        np.dtype(np.float64): module.get_function("compare_scores<double>"),
        np.dtype(np.float32): module.get_function("compare_scores<float>"),
    }


class CupyComparer:
    """Compares on the GPU: one kernel launch per score method and block."""

    name = "cupy"

    def __init__(self):
        import cupy

        self.cupy = cupy
        self.grid = 4 * cupy.cuda.Device().attributes["MultiProcessorCount"]

    def _launch(self, ref, got, ref_index, got_index, rule, mismatch_rows, mismatch_margins,
                counters):
        cp = self.cupy
        n = ref.shape[0]
        width = int(np.prod(ref.shape[1:], dtype=np.int64)) if ref.ndim > 1 else 1
        partials = cp.empty(self.grid * ACCUMULATOR.itemsize, dtype=cp.uint8)
        result = cp.empty(ACCUMULATOR.itemsize, dtype=cp.uint8)
        _, code, column, threshold = rule if rule is not None else (None, -1, 0, 0.0)
        null = np.uintp(0)  # a NULL pointer: this launch compares no labels
        kernel = _kernels()[np.dtype(got.dtype)]
        kernel(
            (self.grid,), (THREADS,),
            (ref, got, np.int64(n), np.int32(width),
             ref_index if ref_index is not None else null,
             got_index if got_index is not None else null,
             np.int32(code), np.int32(column), np.float64(threshold), partials, result,
             *(a if a is not None else null for a in (mismatch_rows, mismatch_margins)),
             counters),
        )
        return np.frombuffer(result.get().tobytes(), dtype=ACCUMULATOR)[0]

    def compare(self, reference: dict, outputs: dict, labels, excused: dict,
                rule) -> BlockComparison:
        cp = self.cupy
        label_method = None
        mismatch_rows = mismatch_margins = None
        # counters[0]: mismatch slots used; counters[1]: the kernel's finished blocks
        counters = cp.zeros(2, dtype=cp.uint64)
        if labels is not None:
            ref_index = cp.asarray(labels[0])
            got_index = cp.from_dlpack(labels[1].contiguous())
            n = ref_index.shape[0]
            mismatch_rows = cp.empty(n, dtype=cp.int64)
            mismatch_margins = cp.empty(n, dtype=cp.float64)
            # the kernel finds label mismatches while it compares the scores they come from,
            # unless some of those rows are excused (then the labels are compared alone)
            if rule is not None and rule[0] in outputs and rule[0] not in excused:
                label_method = rule[0]
        differences = {}
        for method, tensor in outputs.items():
            got = cp.from_dlpack(tensor.contiguous())  # zero-copy: the network's own memory
            ref = cp.asarray(np.ascontiguousarray(reference[method], dtype=np.float64))
            kept = None
            if method in excused:  # rows a family's rule excuses take no part
                kept = cp.asarray(np.flatnonzero(~excused[method]))
                ref, got = ref[kept], cp.ascontiguousarray(got[kept])
            with_labels = method == label_method
            acc = self._launch(ref, got, ref_index if with_labels else None,
                               got_index if with_labels else None,
                               rule if with_labels else None,
                               mismatch_rows if with_labels else None,
                               mismatch_margins if with_labels else None, counters)
            worst = int(acc["worst"])
            if kept is not None and worst >= 0:
                worst = int(kept[worst].get())
            differences[method] = ScoreDifference(
                float(max(acc["max_abs"], 0.0)),
                max(float(acc["scale"]), float(np.finfo(np.float64).tiny)), worst)
        if labels is None:
            return BlockComparison(differences, np.empty(0, dtype=np.int64))
        if label_method is None:  # no score launch carried the labels: compare them alone
            rows = cp.flatnonzero(ref_index != got_index).get()
            return BlockComparison(differences, rows.astype(np.int64))
        used = int(counters[0].get())
        order = cp.argsort(mismatch_rows[:used])  # atomics fill the list in any order
        rows = mismatch_rows[:used][order].get()
        return BlockComparison(differences, rows, mismatch_margins[:used][order].get())
