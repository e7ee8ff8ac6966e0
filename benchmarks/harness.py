"""What every benchmark here shares: alternating timing, medians of ratios, a table, JSON.

Speed claims are ratios against a reference measured in the same run, the contenders called
in turn (A B C A B C ...) so that drifts of the machine hit all of them alike, and summarised
as the median of the per-round ratios.
"""

from __future__ import annotations

import json
import os
import platform
import contextlib
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np
import sklearn
import torch

RESULTS = Path(__file__).resolve().parent / "results"


def race(contenders: dict[str, Callable[[], object]], reference: str, rounds: int = 7,
         warmup: int = 1) -> dict[str, dict]:
    """Time each contender ``rounds`` times, in turn; ratios are against ``reference``.

    Returns, per contender: the median seconds, every round's seconds, and the median of the
    per-round speed-ups ``t_reference / t_contender`` (above 1: faster than the reference).
    A contender that raises is recorded as failed with its error, not dropped.
    """
    failed: dict[str, str] = {}
    for name, call in contenders.items():
        for _ in range(warmup):
            try:
                call()
            except Exception as error:  # a peer converter that breaks is a result to report
                failed[name] = f"{type(error).__name__}: {error}"[:200]
                break
    times: dict[str, list[float]] = {name: [] for name in contenders if name not in failed}
    for _ in range(rounds):
        for name in times:
            start = time.perf_counter()
            contenders[name]()
            times[name].append(time.perf_counter() - start)
    results = {}
    for name in contenders:
        if name in failed:
            results[name] = {"failed": failed[name]}
            continue
        ratios = [r / t for r, t in zip(times[reference], times[name])]
        results[name] = {
            "median_s": statistics.median(times[name]),
            "rounds_s": times[name],
            "speedup_vs_reference": statistics.median(ratios),
        }
    return results


@contextlib.contextmanager
def busy_core():
    """Another process spinning on one core while the block runs: a user's other work on a
    shared machine, or another threaded library between predictions."""
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.2)  # let it take its core
        yield
    finally:
        spinner.kill()
        spinner.wait()


def print_table(title: str, results: dict[str, dict], reference: str) -> None:
    """A fixed-width table: contender, median time, speed-up against the reference."""
    print(f"\n{title}  (reference: {reference}; speed-up = median over rounds of t_ref / t)")
    print(f"{'contender':44s} {'median':>10s} {'speed-up':>9s}")
    for name, r in results.items():
        if "failed" in r:
            print(f"{name:44s} {'failed':>10s}  {r['failed']}")
        else:
            print(f"{name:44s} {r['median_s'] * 1e3:8.1f}ms {r['speedup_vs_reference']:8.2f}x")


def environment() -> dict:
    """Versions and thread counts, saved with every result."""
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
    }


def save(name: str, payload: dict) -> Path:
    """Write ``payload`` (plus the environment) to benchmarks/results/NAME.json."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"environment": environment(), **payload}, indent=2))
    print(f"\nsaved {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    return path


def resident_kib(field: str) -> int | None:
    """A field of /proc/self/status in KiB (VmRSS, VmHWM), or None off Linux."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def peak_extra_mib(call: Callable[[], object]) -> float | None:
    """The resident memory ``call()`` needs above what is resident before it, in MiB.

    Resets the kernel's peak-RSS mark first (``/proc/self/clear_refs``, Linux); None where
    that cannot be done. Sees torch's and NumPy's allocations alike (tracemalloc sees
    neither).
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return None
    before = resident_kib("VmRSS")
    call()
    after = resident_kib("VmHWM")
    return None if before is None or after is None else max(0, after - before) / 1024


def quick_or_full(description: str) -> tuple[int, int]:
    """Parse ``--quick`` (a tenth of the rows, 3 rounds) for a benchmark script; returns
    ``(scale, rounds)``: the divisor of the row counts and the number of timing rounds."""
    import argparse

    parser = argparse.ArgumentParser(description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a tenth of the rows, 3 rounds")
    quick = parser.parse_args().quick
    return (10, 3) if quick else (1, 5)
