"""Verification at scale: how fast nc.verify compares, and in how much memory it streams.

1. Comparison throughput. The comparison of a block (reference scores against the network's,
   plus the labels) should run near memory speed: it is measured as bytes read per second,
   as a fraction of this machine's memory-copy bandwidth (bytes read + written per second by
   ``np.copyto``) measured in the same run, alternating rounds. Goal: >= 50%. With CuPy and a
   GPU, the CUDA kernel is measured the same way against a device-to-device copy.
2. verify() end to end on a memory-mapped .npy of 2,000,000 x 20 float64 (320 MB), in a fresh
   process: rows/s, and how much the peak resident memory grows (goal: < 400 MiB).

Run: ``python benchmarks/bench_verify.py`` (``--quick``: 10x smaller, a few seconds).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np
from harness import race, save
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

import nnconvert as nc
from nnconvert.agreement import reference_outputs
from nnconvert.verify import blocks
from nnconvert.verify.numpy_path import NumpyComparer


def comparison_throughput(rows: int, classes: int, rounds: int) -> dict:
    """NumPy comparison of one big block against np.copyto of the same bytes."""
    X_fit, y_fit = make_classification(n_samples=2000, n_features=20, n_informative=10,
                                       n_classes=classes, random_state=0)
    estimator = LogisticRegression(max_iter=300).fit(X_fit, y_fit)
    net = nc.convert(estimator)
    X = np.random.default_rng(0).standard_normal((rows, 20))
    reference = reference_outputs(estimator, X, ["decision_function", "predict"])
    outputs = blocks.network_outputs(net, X, {"decision_function", "predict"})
    labels = (blocks.class_indices(net.classes_, reference["predict"]), outputs.pop("predict"))
    rule = blocks.margin_rule(estimator, reference)
    comparer = NumpyComparer()
    read = (reference["decision_function"].nbytes + outputs["decision_function"].numel() * 8
            + labels[0].nbytes + labels[1].numel() * 8)
    source = np.ones(read // 16)  # copying it reads and writes read/2 bytes: the same traffic
    target = np.empty_like(source)
    results = race(
        {"np.copyto": lambda: np.copyto(target, source),
         "verify comparison (numpy)": lambda: comparer.compare(reference, outputs, labels, {},
                                                               rule)},
        reference="np.copyto", rounds=rounds,
    )
    copy_s = results["np.copyto"]["median_s"]
    compare_s = results["verify comparison (numpy)"]["median_s"]
    fraction = results["verify comparison (numpy)"]["speedup_vs_reference"]  # same bytes
    payload = {
        "rows": rows, "classes": classes, "bytes_read_by_comparison": read,
        "memcpy_GBps": 2 * source.nbytes / copy_s / 1e9,
        "comparison_GBps": read / compare_s / 1e9,
        "fraction_of_memcpy": fraction,
        "race": results,
    }
    print(f"\ncomparison of {rows:,} rows x {classes} classes ({read / 2**20:.0f} MiB read)")
    print(f"  memory copy bandwidth  {payload['memcpy_GBps']:7.2f} GB/s (read + write)")
    print(f"  numpy comparison       {payload['comparison_GBps']:7.2f} GB/s "
          f"= {fraction:.0%} of it (goal >= 50%)")
    from nnconvert.verify.cupy_path import CupyComparer, cupy_available

    if cupy_available():
        import cupy

        gpu_outputs = blocks.network_outputs(net.to("cuda"), X, {"decision_function", "predict"})
        gpu_labels = (labels[0], gpu_outputs.pop("predict"))
        gpu = CupyComparer()
        gpu_source = cupy.ones(read // 16)
        gpu_target = cupy.empty_like(gpu_source)

        def sync(f):
            return lambda: (f(), cupy.cuda.Device().synchronize())

        # the reference stays on the host (it comes from scikit-learn): that copy is counted
        gpu_results = race(
            {"cupy copy": sync(lambda: cupy.copyto(gpu_target, gpu_source)),
             "verify comparison (cupy)": sync(
                 lambda: gpu.compare(reference, gpu_outputs, gpu_labels, {}, rule))},
            reference="cupy copy", rounds=rounds)
        payload["cupy"] = gpu_results
        print(f"  cupy kernel            "
              f"{gpu_results['verify comparison (cupy)']['speedup_vs_reference']:.0%} of a "
              f"device copy (reference scores copied from the host included)")
    return payload


SCRIPT = """
import json, resource, time, numpy as np
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
import nnconvert as nc
X_fit, y_fit = make_classification(n_samples=2000, n_features=20, n_informative=10,
                                   n_classes=5, random_state=0)
estimator = LogisticRegression(max_iter=300).fit(X_fit, y_fit)
net = nc.convert(estimator)
X = np.load({path!r}, mmap_mode="r")
nc.verify(estimator, net, X[:1000])  # lazy imports, not blocks, before the baseline


def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1])


try:  # reset the kernel's peak (VmHWM) to the present, so that the peak is verify()'s own
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    baseline, peak_field = status("VmRSS"), "VmHWM"
except OSError:  # no such reset here: the peak since the start of the process
    baseline, peak_field = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, None
report = nc.verify(estimator, net, X)
peak = status(peak_field) if peak_field else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
estimator.decision_function(X); estimator.predict_proba(X); estimator.predict(X)
sklearn_s = time.perf_counter() - start
print(report)
print("RESULT", json.dumps({{"passed": report.passed, "rows": report.n_samples,
                 "rows_per_s": report.rows_per_s, "elapsed_s": report.elapsed_s,
                 "peak_growth_MiB": (peak - baseline) / 1024, "peak_from": peak_field,
                 "sklearn_alone_s": sklearn_s}}))
"""


def memory_mapped(rows: int) -> dict:
    """verify() on a memory-mapped file, in a fresh process so that maxrss is its own."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "X.npy"
        X = np.lib.format.open_memmap(path, mode="w+", dtype=np.float64, shape=(rows, 20))
        rng = np.random.default_rng(0)
        for start in range(0, rows, 100_000):
            X[start:start + 100_000] = rng.standard_normal((min(100_000, rows - start), 20))
        X.flush()
        del X
        done = subprocess.run([sys.executable, "-c", textwrap.dedent(SCRIPT.format(
            path=str(path)))], capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    result = json.loads(done.stdout.split("RESULT", 1)[1])
    print(f"\nverify() on a memory-mapped {rows:,} x 20 float64 file "
          f"({rows * 160 / 2**20:.0f} MiB)")
    print(textwrap.indent(done.stdout.split("RESULT")[0].strip(), "  "))
    print(f"  peak memory grew by {result['peak_growth_MiB']:.1f} MiB (goal < 400 MiB); "
          f"scikit-learn's three methods alone take {result['sklearn_alone_s']:.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10x smaller, fewer rounds")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    payload = {
        "quick": args.quick,
        "comparison": comparison_throughput(2_000_000 // scale, 10, 3 if args.quick else 7),
        "memory_mapped": memory_mapped(2_000_000 // scale),
    }
    save("verify_quick" if args.quick else "verify", payload)


if __name__ == "__main__":
    main()
