"""The CUDA comparison kernel (nnconvert/verify/compare.cu).

Without a GPU: the source must compile with nvcc, and its per-row logic (the ``__host__
__device__`` functions the kernel runs) is compiled for the CPU into a small shared library
and held against the NumPy path on real models and data. With a GPU: the kernel itself.
"""

from __future__ import annotations

import ctypes
import shutil
import subprocess

import numpy as np
import pytest
import torch
from zoo import fitted, probe_points

import nnconvert as nc
from nnconvert.agreement import (
    mismatch_margins,
    reference_outputs,
    score_difference,
)
from nnconvert.verify import blocks
from nnconvert.verify.cupy_path import ACCUMULATOR, KERNEL_SOURCE


class Accumulator(ctypes.Structure):
    _fields_ = [("max_abs", ctypes.c_double), ("scale", ctypes.c_double),
                ("worst", ctypes.c_longlong), ("mismatches", ctypes.c_ulonglong)]


def test_the_python_view_of_the_accumulator_matches_the_struct():
    assert ACCUMULATOR.itemsize == ctypes.sizeof(Accumulator)
    assert [ACCUMULATOR.fields[name][1] for name, _ in Accumulator._fields_] == [
        getattr(Accumulator, name).offset for name, _ in Accumulator._fields_]


def test_compare_cu_compiles_with_nvcc(tmp_path):
    nvcc = shutil.which("nvcc")
    if nvcc is None:
        pytest.skip("nvcc (the CUDA compiler) is not on PATH: cannot compile compare.cu here")
    ptx = tmp_path / "compare.ptx"
    done = subprocess.run([nvcc, "-std=c++17", "-ptx", str(KERNEL_SOURCE), "-o", str(ptx)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    text = ptx.read_text()
    entries = [line for line in text.splitlines() if ".entry" in line]
    assert len(entries) == 2 and all("compare_scores" in e for e in entries)


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    """compare.cu's host-side logic as a shared library, via ctypes."""
    compiler = shutil.which("c++") or shutil.which("g++") or shutil.which("clang++")
    if compiler is None:
        pytest.skip("no C++ compiler (c++, g++, clang++) on PATH to build the kernel's logic")
    library = tmp_path_factory.mktemp("harness") / "compare_host.so"
    done = subprocess.run(
        [compiler, "-x", "c++", "-std=c++17", "-O2", "-Wall", "-Werror", "-shared", "-fPIC",
         "-DNNCONVERT_HOST_HARNESS", str(KERNEL_SOURCE), "-o", str(library)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    lib = ctypes.CDLL(str(library))
    pointer = ctypes.c_void_p
    for name in ("compare_scores_host_f64", "compare_scores_host_f32"):
        function = getattr(lib, name)
        function.restype = Accumulator
        function.argtypes = [pointer, pointer, ctypes.c_longlong, ctypes.c_int, pointer,
                             pointer, ctypes.c_int, ctypes.c_int, ctypes.c_double,
                             pointer, pointer]
    lib.combine_host.restype = Accumulator
    lib.combine_host.argtypes = [Accumulator, Accumulator]
    return lib


def run_kernel_logic(lib, ref, got, ref_index=None, got_index=None, rule=None):
    """Call the host build the way cupy_path launches the kernel; returns (acc, rows, margins)."""
    ref = np.ascontiguousarray(ref, dtype=np.float64)
    got = np.ascontiguousarray(got)
    n = ref.shape[0]
    width = 1 if ref.ndim == 1 else ref.shape[1]
    rows = np.full(n, -1, dtype=np.int64)
    margins = np.full(n, np.nan)
    _, code, column, threshold = rule if rule is not None else (None, -1, 0, 0.0)
    function = lib.compare_scores_host_f32 if got.dtype == np.float32 else \
        lib.compare_scores_host_f64
    address = lambda a: None if a is None else np.ascontiguousarray(a).ctypes.data  # noqa
    keep = [np.ascontiguousarray(a) for a in (ref_index, got_index) if a is not None]
    acc = function(ref.ctypes.data, got.ctypes.data, n, width,
                   address(keep[0]) if ref_index is not None else None,
                   address(keep[1]) if got_index is not None else None,
                   code, column, threshold, rows.ctypes.data, margins.ctypes.data)
    return acc, rows[:acc.mismatches], margins[:acc.mismatches]


def broken(estimator, dtype, reference):
    """The network with its first biases moved by up to 5% of the score scale: labels then
    differ near the boundaries."""
    net = nc.convert(estimator, dtype=dtype)
    scale = np.abs(reference.get("decision_function", reference.get("predict_proba"))).max()
    with torch.no_grad():
        first = next(p for n, p in net.named_parameters() if n.endswith("bias"))
        first += 0.05 * scale * torch.linspace(-1, 1, first.numel(), dtype=first.dtype)
    return net


CASES = [
    ("logreg-breast_cancer", torch.float64),  # binary: threshold margin on decision_function
    ("logreg-digits-saga-balanced", torch.float64),  # top-two margin, two score methods
    ("linearsvc-iris-ovr-str", torch.float32),  # float32 network outputs
    ("sgd-huber-breast_cancer", torch.float32),
    ("ridge-digits-str", torch.float64),  # string labels
]


@pytest.mark.parametrize("case_id, dtype", CASES)
def test_the_kernel_logic_gives_the_numpy_answers_on_real_data(harness, case_id, dtype):
    estimator, X_train, X_test = fitted(case_id)
    X = np.vstack([X_test, probe_points(X_train, 400)])
    reference = reference_outputs(estimator, X)
    net = broken(estimator, dtype, reference)
    outputs = blocks.network_outputs(net, X, set(reference))
    reference_index = blocks.class_indices(net.classes_, reference["predict"])
    network_index = outputs["predict"].numpy()
    rule = blocks.margin_rule(estimator, reference)
    assert rule is not None
    mismatching = 0
    for method in ("decision_function", "predict_proba"):
        if method not in outputs:
            continue
        got = outputs[method].contiguous().numpy()
        with_labels = method == rule[0]
        expected = score_difference(reference[method], got)
        acc, rows, margins = run_kernel_logic(
            harness, reference[method], got, reference_index if with_labels else None,
            network_index if with_labels else None, rule if with_labels else None)
        assert acc.max_abs == expected.max_abs
        assert acc.scale == expected.scale
        assert acc.worst == expected.worst_row
        if not with_labels:
            assert acc.mismatches == 0 and rows.size == 0
            continue
        expected_rows = np.flatnonzero(reference_index != network_index)
        np.testing.assert_array_equal(rows, expected_rows)
        np.testing.assert_allclose(margins, mismatch_margins(estimator, X, reference, rows),
                                   rtol=1e-15, atol=0)
        mismatching += acc.mismatches
    assert mismatching > 0  # the labels were compared on rows that differ


def test_special_values_follow_the_numpy_rule(harness):
    from nnconvert.agreement import elementwise_difference

    inf, nan = np.inf, np.nan
    ref = np.array([1.0, inf, -inf, nan, nan, 2.0, inf, 0.0])
    got = np.array([1.5, inf, inf, nan, 1.0, nan, 5.0, -0.0])
    expected = elementwise_difference(ref, got)
    for i in range(len(ref)):
        acc, _, _ = run_kernel_logic(harness, ref[i:i + 1], got[i:i + 1])
        assert acc.max_abs == expected[i], (ref[i], got[i])


def test_combining_accumulators_keeps_the_first_worst_row(harness):
    a = Accumulator(2.0, 5.0, 40, 1)
    b = Accumulator(2.0, 7.0, 12, 2)
    for left, right in ((a, b), (b, a)):
        c = harness.combine_host(left, right)
        assert (c.max_abs, c.scale, c.worst, c.mismatches) == (2.0, 7.0, 12, 3)
    empty = Accumulator(-1.0, 0.0, -1, 0)
    c = harness.combine_host(empty, a)
    assert (c.max_abs, c.worst) == (2.0, 40)


@pytest.mark.gpu
@pytest.mark.parametrize("case_id, dtype", CASES)
def test_the_kernel_on_the_gpu_gives_the_numpy_comparison(case_id, dtype):
    from nnconvert.verify.cupy_path import CupyComparer
    from nnconvert.verify.numpy_path import NumpyComparer

    estimator, X_train, X_test = fitted(case_id)
    X = np.vstack([X_test, probe_points(X_train, 4000)])
    reference = reference_outputs(estimator, X)
    net = broken(estimator, dtype, reference)
    index = blocks.class_indices(net.classes_, reference["predict"])
    rule = blocks.margin_rule(estimator, reference)

    def compare_with(comparer, net):
        outputs = blocks.network_outputs(net, X, set(reference))
        labels = (index, outputs.pop("predict"))
        return comparer.compare(reference, outputs, labels, {}, rule)

    on_cpu = compare_with(NumpyComparer(), net)
    on_gpu = compare_with(CupyComparer(), net.to("cuda"))
    assert on_gpu.differences == on_cpu.differences
    np.testing.assert_array_equal(on_gpu.mismatch_rows, on_cpu.mismatch_rows)
    np.testing.assert_allclose(
        on_gpu.margins, mismatch_margins(estimator, X, reference, on_cpu.mismatch_rows),
        rtol=1e-15, atol=0)
