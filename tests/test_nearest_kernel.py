"""The compiled k-smallest search (nearest.cpp) against torch's ``topk``.

k-NN networks take their float32 candidates from the compiled search on the CPU and from
torch ops elsewhere (export, GPUs, no compiler); both feed the same exact re-ranking, which
for the euclidean metrics of a float64 network the compiled kernel does itself, in the same
pass (``nearest_kernel.nearest``). The answers must be the same bits: the same neighbours
in the same order, the same outputs, on data full of exact ties (integer grids, duplicated rows), with either weighting, every
metric that uses the fast form, and rows the float32 fast form cannot rank (far from the
origin, beyond float32's range).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.datasets import load_digits, load_wine
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

import nnconvert as nc
from nnconvert.families.neighbors import NeighbourVote, _boundary_ties
from nnconvert.layers import nearest_kernel


def test_the_search_is_built():
    assert nearest_kernel.library() is not None, (
        "nnconvert/layers/nearest.cpp was not built, or built from another version of it: "
        "reinstall (pip install -e .) on a machine with a C++ compiler")


def _layer(net) -> NeighbourVote:
    return next(m for m in net.modules() if isinstance(m, NeighbourVote))


def _both(net, X, method: str):
    """``net``'s answers and neighbours on ``X`` with the compiled search, then with torch's."""
    layer = _layer(net)
    x = torch.as_tensor(np.asarray(X, dtype=np.float64))
    answers = []
    try:
        for compiled in (True, False):
            layer.compiled = compiled
            with torch.no_grad():
                found = layer._neighbours(x, torch.float32, checked=True)
            answers.append((getattr(net, method)(X), *found))
    finally:
        layer.compiled = True
    return answers


def _assert_same(net, X, method: str) -> None:
    (fused, i_fused, d_fused), (plain, i_plain, d_plain) = _both(net, X, method)
    assert torch.equal(i_fused, i_plain)
    assert torch.equal(d_fused, d_plain)
    assert fused.dtype == plain.dtype and np.array_equal(fused, plain)
    layer = _layer(net)
    if layer.metric in ("euclidean", "sqeuclidean") and layer.points.dtype == torch.float64:
        # the kernel's own re-rank, called directly: the same neighbours, the same bits
        with torch.no_grad():
            i_kernel, d_kernel = layer._fused(torch.as_tensor(np.asarray(X, np.float64)))
        assert torch.equal(i_kernel, i_plain)
        assert torch.equal(d_kernel, d_plain)


def _tied_data():
    """Integer rows on a small grid, some duplicated: exact distance ties everywhere."""
    return st.integers(8, 60).flatmap(lambda n: st.integers(1, 6).flatmap(
        lambda d: st.tuples(arrays(np.int8, (n, d), elements=st.integers(-2, 2)),
                            arrays(np.int8, (12, d), elements=st.integers(-3, 3)),
                            arrays(np.int8, n, elements=st.integers(0, 2)))))


@given(_tied_data(), st.integers(1, 9), st.sampled_from(["uniform", "distance"]),
       st.sampled_from(["euclidean", "sqeuclidean", "cosine"]),
       st.sampled_from(["classifier", "regressor"]))
@example((np.zeros((8, 1), np.int8), np.zeros((12, 1), np.int8),
          np.array([0, 1, 2, 0, 1, 2, 0, 1], np.int8)), 3, "uniform", "euclidean",
         "classifier")
def test_drawn_ties_give_the_same_neighbours_and_bits(data, k, weights, metric, kind):
    X, queries, y = (a.astype(np.float64) for a in data)
    k = min(k, len(X))
    rows = np.vstack([queries, X[:5], X[:5] + 0.5])
    if kind == "classifier":
        model = KNeighborsClassifier(k, weights=weights, metric=metric, algorithm="brute")
        method = "predict_proba"
    else:
        model = KNeighborsRegressor(k, weights=weights, metric=metric, algorithm="brute")
        method = "predict"
        y = y * 1.3 - 0.7  # targets whose sums round
    if kind == "classifier" and len(np.unique(y)) < 2:
        y[0] = 1 - y[0]
    net = nc.convert(model.fit(X, y))
    _assert_same(net, rows, method)
    # and both are scikit-learn's answer away from the k-th-place ties it breaks its own way
    ties = _boundary_ties(model, rows, 1e-9)
    ours, theirs = getattr(net, method)(rows), getattr(model, method)(rows)
    close = np.isclose(ours, theirs, rtol=1e-9, atol=1e-12)
    assert close.reshape(len(rows), -1).all(axis=1)[~ties].all()


@pytest.mark.parametrize("weights", ["uniform", "distance"])
def test_digits_duplicates_and_real_rows_alike(weights):
    # integer pixels and 50 duplicated rows: the tie test of test_neighbors, both searches
    X, y = load_digits(return_X_y=True)
    X, y = np.vstack([X, X[:50]]), np.concatenate([y, y[:50]])
    model = KNeighborsClassifier(5, weights=weights, algorithm="brute").fit(X[::2], y[::2])
    net = nc.convert(model)
    _assert_same(net, X, "predict_proba")
    np.testing.assert_array_equal(net.predict(X), model.predict(X))


def test_rows_the_float32_form_cannot_rank_are_redone_alike():
    # far from the origin (rounding above the gaps), and beyond float32's range (the
    # compiled search finds no finite value there and leaves the row to float64)
    rng = np.random.default_rng(0)
    near = 1e4 + rng.uniform(0, 1e-2, size=(300, 3))
    model = KNeighborsRegressor(4, weights="distance").fit(near[:200], near[:200, 0])
    _assert_same(nc.convert(model), near[200:], "predict")
    huge = rng.normal(size=(200, 3)) * 1e30
    model = KNeighborsRegressor(3).fit(huge[:150], huge[:150, 1] / 1e30)
    net = nc.convert(model)
    _assert_same(net, huge[150:], "predict")
    np.testing.assert_allclose(net.predict(huge[150:]), model.predict(huge[150:]), rtol=1e-9)


def test_any_thread_count_and_a_float32_network_give_the_same_bits():
    X, y = load_wine(return_X_y=True)
    X = np.tile(X, (6, 1)) + np.repeat(np.arange(6), len(X))[:, None]  # several blocks
    model = KNeighborsClassifier(6, weights="distance").fit(X[::2], np.tile(y, 6)[::2])
    threads = torch.get_num_threads()
    try:
        outputs = []
        for n in (1, 2, 3):
            torch.set_num_threads(n)
            outputs.append(nc.convert(model).predict_proba(X))
    finally:
        torch.set_num_threads(threads)
    assert all(np.array_equal(outputs[0], other) for other in outputs[1:])
    _assert_same(nc.convert(model, dtype=torch.float32), X[1::2], "predict_proba")


def test_without_the_library_the_torch_search_answers(monkeypatch):
    X, y = load_wine(return_X_y=True)
    model = KNeighborsClassifier(5).fit(X[::2], y[::2])
    expected = nc.convert(model).predict_proba(X[1::2])
    monkeypatch.setattr(nearest_kernel, "_library", False)  # as after an install, no compiler
    assert not nearest_kernel.runs_on(torch.zeros(1, 13, dtype=torch.float64))
    assert np.array_equal(nc.convert(model).predict_proba(X[1::2]), expected)


def test_an_exported_network_finds_the_same_neighbours(tmp_path):
    X, y = load_wine(return_X_y=True)
    model = KNeighborsClassifier(5, weights="distance").fit(X[::2], y[::2])
    net = nc.convert(model)
    path = tmp_path / "knn.pt2"
    nc.export(net, str(path))
    program = torch.export.load(str(path)).module()
    x = torch.as_tensor(X[1::2])
    proba, labels = program(x)  # the exported methods: predict_proba, predict
    np.testing.assert_allclose(proba.numpy(), net.predict_proba(X[1::2]), rtol=1e-12,
                               atol=1e-15)
    np.testing.assert_array_equal(net.classes_[labels.numpy()], model.predict(X[1::2]))


def test_smallest_refuses_what_it_cannot_read():
    points = torch.randn(20, 3)
    panels, norms = nearest_kernel.packed(points, (points * points).sum(1))
    with pytest.raises(ValueError, match="takes float32 queries"):
        nearest_kernel.smallest(torch.randn(4, 2), panels, norms, 3)  # another width
    with pytest.raises(ValueError, match="take=33"):
        nearest_kernel.smallest(torch.randn(4, 3), panels, norms, 33)  # more than 32 slots
    with pytest.raises(ValueError, match="float64"):
        nearest_kernel.smallest(torch.randn(4, 3, dtype=torch.float64), panels, norms, 3)


@pytest.mark.parametrize("arguments", [
    dict(n_rows=-1), dict(d=0), dict(n_panels=0), dict(take=0), dict(take=33),
    dict(x=None), dict(panels=None),
])
def test_the_library_refuses_sizes_that_describe_no_buffer(arguments):
    points = torch.randn(20, 3)
    panels, norms = nearest_kernel.packed(points, (points * points).sum(1))
    x = torch.randn(4, 3)
    values, indices = torch.empty(4, 5), torch.empty(4, 5, dtype=torch.int64)
    call = dict(x=x.data_ptr(), n_rows=4, d=3, panels=panels.data_ptr(),
                norms=norms.data_ptr(), n_panels=2, take=5, values=values.data_ptr(),
                indices=indices.data_ptr(), n_threads=2)
    call.update(arguments)
    assert nearest_kernel.library().nnc_nearest_search(*call.values()) == -1


def test_thread_counts_and_row_by_row_calls_give_the_same_bits(monkeypatch):
    # every row in its own call (the kernel's one-row blocks), the batch on 1 to 3 threads
    # (the work per thread made tiny so that each count is used), and NNCONVERT_THREADS
    from nnconvert import compiled

    X, y = load_wine(return_X_y=True)
    X = np.tile(X, (4, 1)) + np.repeat(np.arange(4), len(X))[:, None]
    model = KNeighborsRegressor(7, weights="distance").fit(X[::2], X[::2, 0])
    net = nc.convert(model)
    batch = net.predict(X[1::2])
    one_by_one = np.concatenate([net.predict(row[None]) for row in X[1::2][:60]])
    assert np.array_equal(one_by_one, batch[:60])
    monkeypatch.setattr(compiled, "WORK_PER_THREAD", 1)
    for n in (1, 2, 3):
        monkeypatch.setenv(compiled.THREADS_VARIABLE, str(n))
        assert compiled.threads_for(10**6) == n
        assert np.array_equal(net.predict(X[1::2]), batch)
    monkeypatch.setenv(compiled.THREADS_VARIABLE, "many")
    with pytest.raises(ValueError, match="NNCONVERT_THREADS='many'.*positive integer"):
        net.predict(X[:3])


def test_the_exact_kernel_refuses_what_it_cannot_read():
    points = torch.randn(20, 3, dtype=torch.float64)
    panels, norms = nearest_kernel.packed(points, (points * points).sum(1))
    x = torch.randn(4, 3, dtype=torch.float64)
    with pytest.raises(ValueError, match="take=21, k=3"):
        nearest_kernel.nearest(x, panels, norms, points, 21, 3)  # more than the 20 points
    with pytest.raises(ValueError, match="take=5, k=6"):
        nearest_kernel.nearest(x, panels, norms, points, 5, 6)
    with pytest.raises(ValueError, match="float64 queries"):
        nearest_kernel.nearest(x.float(), panels, norms, points, 5, 3)
    with pytest.raises(ValueError, match=r"\(16, 3\)"):
        nearest_kernel.nearest(x, panels, norms, points[:16], 5, 3)  # not what 2 panels hold
