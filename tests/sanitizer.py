"""Building a compiled part of nnconvert with AddressSanitizer and UBSan, and running a
Python script against that build in a fresh process with ``libasan`` preloaded.

Shared by the sanitizer tests of the compiled parts; each test supplies its source file and
its fuzzing script (which loads the library from ``sys.argv[1]`` and prints ``FUZZED`` when
it reaches its end).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

#: what a sanitizer prints when it finds something
REPORTS = ("AddressSanitizer", "runtime error", "UndefinedBehaviorSanitizer", "LeakSanitizer")


def _sanitizer_runtime() -> Path | None:
    gxx = shutil.which("g++")
    if gxx is None:
        return None
    found = subprocess.run([gxx, "-print-file-name=libasan.so"], capture_output=True,
                           text=True).stdout.strip()
    return Path(found) if os.path.isabs(found) and Path(found).exists() else None


def fuzz_sanitized(source: Path, script: str, tmp_path: Path, *args: str,
                   flags: tuple[str, ...] = ()) -> None:
    """Build ``source`` with ``-fsanitize=address,undefined`` into ``tmp_path`` and run
    ``script`` (its library path first among its arguments) under it; fail on a crash, a
    missing ``FUZZED``, or any sanitizer report. Skips where g++ or libasan is missing."""
    libasan = _sanitizer_runtime()
    if libasan is None:
        pytest.skip("g++ with AddressSanitizer (libasan) is not installed here")
    library = tmp_path / f"{source.stem}_sanitized.so"
    build = subprocess.run(
        ["g++", "-std=c++17", "-O1", "-g", "-fno-omit-frame-pointer", "-shared", "-fPIC",
         "-pthread", "-fsanitize=address,undefined", "-fno-sanitize-recover=undefined",
         *flags, str(source), "-o", str(library)], capture_output=True, text=True,
        timeout=300)
    if build.returncode != 0:
        pytest.skip(f"g++ cannot build with -fsanitize=address,undefined: {build.stderr[-500:]}")
    env = dict(os.environ, LD_PRELOAD=str(libasan), OMP_NUM_THREADS="1",
               ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=0",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1", PYTHONWARNINGS="ignore")
    run = subprocess.run([sys.executable, "-c", textwrap.dedent(script), str(library), *args],
                         env=env, capture_output=True, text=True, timeout=600)
    report = run.stderr
    assert run.returncode == 0 and "FUZZED" in run.stdout, report[-5000:]
    for word in REPORTS:
        assert word not in report, report[-5000:]
