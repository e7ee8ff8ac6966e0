"""The compiled walk under AddressSanitizer and UBSan, fed hostile tables and rows.

``walk.cpp`` is built again with ``-fsanitize=address,undefined`` (where g++ and its
sanitizer runtimes are installed; skipped with the reason otherwise) and loaded into a
fresh Python with ``libasan`` preloaded. A hypothesis corpus then drives the packing and walk
entry points (:class:`~nnconvert.families.trees.walk_kernel.CompiledWalk`, the traversal's
forward, :func:`~nnconvert.families.trees.walk_kernel.tree_sum`): drawn trees walked by
drawn rows (NaN, ±inf, 1e308, -0.0), and fitted tables whose buffers are then edited in
place to hostile values. Each call ends in an answer or a clear error; the process must exit
0 with no sanitizer report at all.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

WALK = Path(__file__).resolve().parents[1] / "nnconvert" / "families" / "trees" / "walk.cpp"

_FUZZ = r'''
import sys
import numpy as np
import torch
from hypothesis import given, settings, HealthCheck, strategies as st

from nnconvert.families.trees import walk_kernel
from nnconvert.families.trees.traversal import TreeTraversal
from nnconvert.errors import InvalidModelError

walk_kernel._library = walk_kernel.load_library(sys.argv[1])
assert walk_kernel._library is not None, "the sanitizer build did not load"
torch.set_num_threads(2)
RUNS = settings(max_examples=int(sys.argv[2]), derandomize=True, database=None,
                deadline=None, suppress_health_check=list(HealthCheck))
VALUES = st.sampled_from([np.nan, np.inf, -np.inf, 1e308, -1e308, -0.0, 0.0, 0.5, -3.0,
                          254.0, 255.0, 256.0, -1.0, 1e-40])


@st.composite
def trees(draw, n_features):
    """A random binary tree as TreeTraversal takes it (children after parents)."""
    n_splits = draw(st.integers(0, 12))
    left, right = [-1], [-1]
    for _ in range(n_splits):
        leaves = [i for i in range(len(left)) if left[i] < 0]
        node = draw(st.sampled_from(leaves))
        left[node], right[node] = len(left), len(left) + 1
        left += [-1, -1]
        right += [-1, -1]
    n = len(left)
    categorical = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    categorical &= np.array(left) >= 0
    return dict(left=np.array(left), right=np.array(right),
                feature=np.array(draw(st.lists(st.integers(0, n_features - 1), min_size=n,
                                               max_size=n))),
                threshold=np.array(draw(st.lists(st.floats(-3, 3), min_size=n, max_size=n))),
                missing_left=np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n))),
                value=np.array(draw(st.lists(st.floats(-5, 5), min_size=n, max_size=n)))
                .reshape(-1, 1) * np.ones((1, 2)),
                categorical=categorical,
                category_left=np.array(draw(st.lists(
                    st.lists(st.booleans(), min_size=256, max_size=256),
                    min_size=int(categorical.sum()), max_size=int(categorical.sum())))
                ).reshape(-1, 256))


def rows(n_features):
    return st.lists(st.lists(st.one_of(VALUES, st.floats(-4, 4)), min_size=n_features,
                             max_size=n_features), min_size=0, max_size=40)


@st.composite
def layers(draw):
    n_features = draw(st.integers(1, 5))
    drawn = draw(st.lists(trees(n_features), min_size=1, max_size=5))
    if not draw(st.booleans()):
        for t in drawn:
            t.pop("categorical"), t.pop("category_left")
    layer = TreeTraversal(drawn, n_features, draw(st.sampled_from([1.0, 0.5])),
                          float32_inputs=draw(st.booleans()), allow_nan=draw(st.booleans()))
    return layer, n_features


def walk(layer, x):
    try:
        layer(x)
    except (InvalidModelError, ValueError):
        pass


@RUNS
@given(layers(), st.data(), st.sampled_from([torch.float32, torch.float64]))
def drawn_tables_and_rows(made, data, dtype):
    layer, n_features = made
    assert layer.compiled
    x = torch.tensor(data.draw(rows(n_features)), dtype=dtype).reshape(-1, n_features)
    out = layer(x)
    assert out.shape == (len(x), 2)


EDITS = ["feature", "base", "roots", "threshold", "own_order", "category_row",
         "category_left", "is_categorical", "value"]
INDICES = st.sampled_from([-2**31, -2**31 + 1, -65, -2, -1, 0, 1, 2**15, 2**31 - 1])


@RUNS
@given(layers(), st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 10**6), INDICES),
                          min_size=1, max_size=4), st.data())
def edited_tables(made, edits, data):
    layer, n_features = made
    x = torch.tensor(data.draw(rows(n_features)), dtype=torch.float64).reshape(-1, n_features)
    walk(layer, x)  # packed once, then edited under it
    with torch.no_grad():
        for name, position, value in edits:
            buffer = getattr(layer, name, None)
            if buffer is None or buffer.numel() == 0:
                continue
            flat = buffer.view(-1)
            flat[position % flat.numel()] = (value if buffer.dtype != torch.bool
                                             else bool(value % 2))
    walk(layer, x)
    layer.refresh()
    walk(layer, x)


@RUNS
@given(st.integers(0, 20), st.integers(1, 6), st.integers(1, 3), st.booleans(), st.data())
def sums(n_rows, n_trees, k, one_column, data):
    values = torch.tensor(data.draw(st.lists(st.floats(-1e3, 1e3), min_size=n_rows * n_trees * k,
                                             max_size=n_rows * n_trees * k)),
                          dtype=torch.float64).reshape(n_rows, n_trees, k)
    if one_column:
        column = np.array(data.draw(st.lists(st.integers(0, 2), min_size=n_trees,
                                             max_size=n_trees)), np.int32)
        walk_kernel.tree_sum(values[:, :, :1], column, 3)
    else:
        walk_kernel.tree_sum(values, None, k)


drawn_tables_and_rows()
edited_tables()
sums()
print("FUZZED")
'''


def _sanitizer_runtime() -> Path | None:
    gxx = shutil.which("g++")
    if gxx is None:
        return None
    found = subprocess.run([gxx, "-print-file-name=libasan.so"], capture_output=True,
                           text=True).stdout.strip()
    return Path(found) if os.path.isabs(found) and Path(found).exists() else None


def test_the_walk_under_address_and_undefined_behaviour_sanitizers(tmp_path):
    libasan = _sanitizer_runtime()
    if libasan is None:
        pytest.skip("g++ with AddressSanitizer (libasan) is not installed here")
    library = tmp_path / "_walk_sanitized.so"
    build = subprocess.run(
        ["g++", "-std=c++17", "-O1", "-g", "-fno-omit-frame-pointer", "-shared", "-fPIC",
         "-pthread", "-fsanitize=address,undefined", "-fno-sanitize-recover=undefined",
         str(WALK), "-o", str(library)], capture_output=True, text=True, timeout=300)
    if build.returncode != 0:
        pytest.skip(f"g++ cannot build with -fsanitize=address,undefined: {build.stderr[-500:]}")
    env = dict(os.environ, LD_PRELOAD=str(libasan), OMP_NUM_THREADS="1",
               ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=0",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1", PYTHONWARNINGS="ignore")
    examples = os.environ.get("NNCONVERT_FUZZ_EXAMPLES", "60")
    run = subprocess.run([sys.executable, "-c", textwrap.dedent(_FUZZ), str(library), examples],
                         env=env, capture_output=True, text=True, timeout=600)
    report = run.stderr
    assert run.returncode == 0 and "FUZZED" in run.stdout, report[-5000:]
    for word in ("AddressSanitizer", "runtime error", "UndefinedBehaviorSanitizer"):
        assert word not in report, report[-5000:]
