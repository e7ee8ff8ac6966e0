"""Converted kernel SVMs against scikit-learn, hummingbird-ml and sk2torch.

An RBF SVC (gamma='scale') fitted on make_classification(n_samples=4000, n_features=50,
n_informative=20, n_classes=4, random_state=0) predicts 20,000 standard-normal rows with
``torch.set_num_threads(2)``. Contenders are called in turn, and speed-ups are medians of
per-round ratios against scikit-learn's ``predict`` in the same run. Targets: the float64
network >= 8x scikit-learn, float32 >= 15x. Labels are checked against scikit-learn's.

Then peak memory against the row-block size of the kernel layer: each block size runs in a
fresh subprocess, which resets the kernel's peak-RSS mark (``/proc/self/clear_refs``, Linux)
right before one ``predict`` and reports ``VmHWM − VmRSS``: the extra resident memory that
prediction needed, whatever allocator touched it (torch's CPU allocator is malloc, so
tracemalloc cannot see it). Where the mark cannot be reset, ``ru_maxrss`` growth is used
and the JSON says so.

Run ``python benchmarks/bench_svm.py`` (full) or ``--quick`` (fewer rows and rounds).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import resource
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import torch
from harness import print_table, race, resident_kib, save
from sklearn.datasets import make_classification
from sklearn.svm import SVC

import nnconvert as nc

FIT = dict(n_samples=4000, n_features=50, n_informative=20, n_classes=4, random_state=0)
THREADS = 2


def _peers(model) -> dict:
    """Peer converters' predict, each as a zero-argument call on X (absent ones are skipped)."""
    peers = {}
    try:
        import hummingbird.ml

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            hb = hummingbird.ml.convert(model, "torch")
        peers["hummingbird-ml (torch)"] = hb.predict
    except ImportError:
        print("hummingbird-ml is not installed: skipped")
    try:
        import sk2torch

        wrapped = sk2torch.wrap(model)

        def sk2torch_predict(X, module=wrapped):
            with torch.no_grad():
                return module.predict(torch.as_tensor(X)).numpy()

        peers["sk2torch"] = sk2torch_predict
    except ImportError:
        print("sk2torch is not installed: skipped")
    return peers


# -- memory probe (runs in a child process) ---------------------------------------------------


def _probe(path: str, rows: int, block_rows: int | None, features: int) -> None:
    """Child process: one predict, print the extra resident memory it needed, as JSON."""
    torch.set_num_threads(THREADS)
    net = torch.load(path, weights_only=False)
    expansion = net.body[-1]
    expansion.block_rows = block_rows
    X = np.random.default_rng(1).standard_normal((rows, features))
    net.predict(X[:64])  # warm up: imports, thread pools, first allocations
    try:
        Path("/proc/self/clear_refs").write_text("5")  # reset the peak-RSS mark
        method, before = "VmHWM - VmRSS after clear_refs", resident_kib("VmRSS")
    except OSError:
        method = "ru_maxrss growth (peak mark could not be reset)"
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    net.predict(X)
    if method.startswith("VmHWM"):
        after = resident_kib("VmHWM")
    else:
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"extra_mib": max(0, after - before) / 1024, "method": method,
                      "rows_per_block": expansion.rows_per_block(torch.as_tensor(X[:1]))
                      if block_rows is None else block_rows}))


def memory_by_block(net, rows: int, features: int, blocks: list) -> dict:
    """Peak extra memory of one predict on ``rows`` rows, per block size, each in a child."""
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "net.pt")
        torch.save(net, path)
        for block in blocks:
            args = [sys.executable, __file__, "--probe", path, "--rows", str(rows),
                    "--features", str(features)]
            if block is not None:
                args += ["--block-rows", str(block)]
            done = subprocess.run(args, capture_output=True, text=True, check=True)
            results["auto" if block is None else str(block)] = json.loads(
                done.stdout.strip().splitlines()[-1])
    return results


# -- the benchmark ----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="4,000 rows and 3 rounds instead of 20,000 rows and 7 rounds")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--probe", help=argparse.SUPPRESS)
    parser.add_argument("--block-rows", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--features", type=int, default=FIT["n_features"],
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    rows = args.rows or (4_000 if args.quick else 20_000)
    rounds = args.rounds or (3 if args.quick else 7)
    if args.probe:
        _probe(args.probe, rows, args.block_rows, args.features)
        return

    torch.set_num_threads(THREADS)
    X_fit, y_fit = make_classification(**FIT)
    model = SVC(kernel="rbf", gamma="scale").fit(X_fit, y_fit)
    X = np.random.default_rng(0).standard_normal((rows, FIT["n_features"]))
    nets = {dtype: nc.convert(model, dtype=dtype) for dtype in (torch.float64, torch.float32)}
    print(f"SVC(rbf, gamma='scale'): {len(model.support_)} support vectors, "
          f"{len(model.classes_)} classes; {rows:,} rows x {FIT['n_features']} features, "
          f"torch threads {torch.get_num_threads()}")

    reference = "scikit-learn predict"
    contenders = {reference: lambda: model.predict(X)}
    for dtype, net in nets.items():
        contenders[f"nnconvert {str(dtype).split('.')[-1]} predict"] = (
            lambda n=net: n.predict(X))
    for name, predict in _peers(model).items():
        contenders[f"{name} predict"] = lambda p=predict: p(X)
    results = race(contenders, reference=reference, rounds=rounds)
    print_table(f"SVC.predict on {rows:,} x {FIT['n_features']}", results, reference)

    expected = model.predict(X)
    agreement = {}
    for name, call in contenders.items():
        if name == reference or "failed" in results[name]:
            continue
        labels = np.asarray(call())
        agreement[name] = {"identical": bool(np.array_equal(labels, expected)),
                           "n_different": int(np.sum(labels != expected))}
    print("\nlabels against scikit-learn's:")
    for name, a in agreement.items():
        verdict = "identical" if a["identical"] else f"{a['n_different']} differ"
        print(f"  {name:44s} {verdict}")

    # how the block size trades speed: the same float64 network, blocks of different heights
    expansion = nets[torch.float64].body[-1]
    blocks = [32, 128, None, 1024, rows]
    sweep = {}
    for block in blocks:
        net = copy.deepcopy(nets[torch.float64])
        net.body[-1].block_rows = block
        label = "auto" if block is None else str(block)
        if block is None:
            label += f" ({expansion.rows_per_block(torch.zeros(1, dtype=torch.float64))})"
        sweep[f"float64, block rows {label}"] = lambda n=net: n.predict(X)
    block_results = race(sweep, reference=f"float64, block rows {rows}", rounds=rounds)
    print_table("float64 predict by kernel block height", block_results,
                f"float64, block rows {rows} (one block)")

    memory = memory_by_block(nets[torch.float64], rows, FIT["n_features"], blocks)
    n_sv = len(model.support_)
    print(f"\npeak extra memory of one float64 predict on {rows:,} rows "
          f"(a full {rows:,} x {n_sv} kernel matrix is {rows * n_sv * 8 / 2**20:.0f} MiB)")
    for block, m in memory.items():
        print(f"  block rows {block:>6s} ({m['rows_per_block']:>6d}): {m['extra_mib']:8.1f} MiB")
    print(f"  measured as {next(iter(memory.values()))['method']}")

    save("svm" + ("-quick" if args.quick else ""), {
        "fit": FIT, "model": "SVC(kernel='rbf', gamma='scale')", "rows": rows,
        "rounds": rounds, "support_vectors": n_sv, "threads": THREADS,
        "targets": {"nnconvert float64 predict": 8.0, "nnconvert float32 predict": 15.0},
        "results": results, "label_agreement": agreement,
        "block_sweep": block_results, "memory_by_block": memory,
    })


if __name__ == "__main__":
    main()
