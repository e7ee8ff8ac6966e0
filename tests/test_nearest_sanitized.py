"""The compiled k-smallest search (nearest.cpp) under AddressSanitizer and UBSan.

``nearest.cpp`` is built again with ``-fsanitize=address,undefined`` and driven, in a fresh
Python with ``libasan`` preloaded, by hypothesis-drawn searches, with and without the exact
re-rank (any number of rows, points and features, any ``take`` and ``k``, NaN, ±inf, 1e38
and subnormal values, 1 to 3 threads), by
k-NN layers whose training rows are then edited to hostile values, and by direct calls with
sizes that describe no buffer (which it must refuse, not read). The process must end with
no sanitizer report.
"""

from __future__ import annotations

import os
from pathlib import Path

from sanitizer import fuzz_sanitized

NEAREST = Path(__file__).resolve().parents[1] / "nnconvert" / "layers" / "nearest.cpp"

_FUZZ = r'''
import sys
import numpy as np
import torch
from hypothesis import given, settings, HealthCheck, strategies as st

from nnconvert.families.neighbors import NeighbourVote
from nnconvert.layers import nearest_kernel

nearest_kernel._library = nearest_kernel.load_library(sys.argv[1])
assert nearest_kernel._library is not None, "the sanitizer build did not load"
RUNS = settings(max_examples=int(sys.argv[2]), derandomize=True, database=None,
                deadline=None, suppress_health_check=list(HealthCheck))
VALUES = st.one_of(st.sampled_from([np.nan, np.inf, -np.inf, 1e38, -1e38, 1e-40, -0.0]),
                   st.floats(-4, 4, width=32))


def matrix(rows, columns):
    return st.lists(st.lists(VALUES, min_size=columns, max_size=columns), min_size=rows,
                    max_size=rows).map(lambda v: torch.tensor(v, dtype=torch.float32)
                                       .reshape(rows, columns))


@RUNS
@given(st.integers(0, 30), st.integers(1, 40), st.integers(1, 7), st.integers(1, 3),
       st.data())
def searches(n, m, d, threads, data):
    torch.set_num_threads(threads)
    queries, points = data.draw(matrix(n, d)), data.draw(matrix(m, d))
    panels, norms = nearest_kernel.packed(points, (points * points).sum(1))
    take = data.draw(st.integers(1, m))
    values, indices = nearest_kernel.smallest(queries, panels, norms, take)
    assert values.shape == indices.shape == (n, take)
    assert bool(((indices >= -1) & (indices < m)).all())
    k = data.draw(st.integers(1, take))
    nearest, squared, unsure = nearest_kernel.nearest(queries.double(), panels, norms,
                                                      points.double(), take, k)
    assert nearest.shape == squared.shape == (n, k) and unsure.shape == (n,)
    assert bool(((nearest >= 0) & (nearest < m)).all())


@RUNS
@given(st.integers(1, 30), st.integers(1, 5), st.integers(1, 9), st.data())
def layers(m, d, k, data):
    points = data.draw(matrix(m, d)).double().nan_to_num(0.0, 1.0, -1.0)
    layer = NeighbourVote(points, torch.eye(2)[torch.arange(m) % 2], min(k, m),
                          data.draw(st.sampled_from(["uniform", "distance"])),
                          data.draw(st.sampled_from(["euclidean", "sqeuclidean", "cosine"])),
                          2.0, classifier=True)
    x = data.draw(matrix(data.draw(st.integers(1, 20)), d)).double()
    layer(x)
    with torch.no_grad():  # the training rows edited under the cached panels
        layer.fast_points[data.draw(st.integers(0, m - 1))] = data.draw(VALUES)
        layer.fast_norms[data.draw(st.integers(0, m - 1))] = data.draw(VALUES)
    layer(x)


REFUSED = [("n_rows", -1), ("n_rows", -2**62), ("d", 0), ("d", -1), ("n_panels", 0),
           ("n_panels", -2**62), ("take", 0), ("take", -1), ("take", 33), ("x", None),
           ("panels", None), ("norms", None), ("values", None), ("indices", None)]


@RUNS
@given(st.sampled_from(REFUSED))
def refused_sizes(refused):
    name, value = refused
    points = torch.randn(20, 3)
    panels, norms = nearest_kernel.packed(points, (points * points).sum(1))
    x, values = torch.randn(4, 3), torch.empty(4, 5)
    indices = torch.empty(4, 5, dtype=torch.int64)
    call = dict(x=x.data_ptr(), n_rows=4, d=3, panels=panels.data_ptr(),
                norms=norms.data_ptr(), n_panels=2, take=5, values=values.data_ptr(),
                indices=indices.data_ptr(), n_threads=2)
    call[name] = value  # take=33: more than the 32 places of two panels
    assert nearest_kernel.library().nnc_nearest_search(*call.values()) == -1


REFUSED_EXACT = [("n_rows", -1), ("d", 0), ("n_panels", 0), ("n_points", 0), ("n_points", 33),
                 ("n_points", 16), ("take", 0), ("take", 21), ("k", 0), ("k", 6),
                 ("x32", None), ("x64", None), ("points", None), ("nearest", None),
                 ("distances", None), ("unsure", None)]


@RUNS
@given(st.sampled_from(REFUSED_EXACT))
def refused_exact_sizes(refused):
    name, value = refused
    points = torch.randn(20, 3)
    panels, norms = nearest_kernel.packed(points, (points * points).sum(1))
    points64, x = points.double(), torch.randn(4, 3)
    x64, exact = x.double(), torch.empty(4, 5, dtype=torch.float64)
    nearest, unsure = torch.empty(4, 5, dtype=torch.int64), torch.empty(4, dtype=torch.bool)
    call = dict(x32=x.data_ptr(), x64=x64.data_ptr(), n_rows=4, d=3,
                panels=panels.data_ptr(), norms=norms.data_ptr(), n_panels=2,
                points=points64.data_ptr(), n_points=20, take=5, k=5, spread=1.0,
                nearest=nearest.data_ptr(), distances=exact.data_ptr(),
                unsure=unsure.data_ptr(), n_threads=2)
    call[name] = value  # n_points 16 or 33: not what two panels hold; take 21: > n_points
    assert nearest_kernel.library().nnc_nearest_exact(*call.values()) == -1


searches()
layers()
refused_sizes()
refused_exact_sizes()
print("FUZZED")
'''


def test_the_search_under_address_and_undefined_behaviour_sanitizers(tmp_path):
    fuzz_sanitized(NEAREST, _FUZZ, tmp_path,
                   os.environ.get("NNCONVERT_FUZZ_EXAMPLES", "60"))
