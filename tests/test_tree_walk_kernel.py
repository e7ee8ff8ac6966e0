"""The traversal's compiled walk (walk.cpp) against the same walk in torch ops.

On the CPU the traversal walks every tree and sums the leaves in one compiled call; the
torch walk stays for export and GPUs. Both must give the same bits, for every kind of split
(float32 casts, float64 thresholds, NaN sides, category bitsets), every read-out (k values
per leaf, one value per tree in its column), both network dtypes and any thread count.
"""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from sklearn.datasets import load_diabetes, load_iris, load_wine
from sklearn.ensemble import (
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.tree import DecisionTreeRegressor
from test_boosting import _with_a_category
from test_tree_forms import _edge_rows, _with_nan

import nnconvert as nc
from nnconvert import testing
from nnconvert.families.trees import walk_kernel
from nnconvert.families.trees.traversal import TreeTraversal


def test_the_kernel_is_built():
    assert walk_kernel.library() is not None, (
        "nnconvert/families/trees/walk.cpp was not built, or built from another version of "
        "it: reinstall (make test does; or pip install -e .) on a machine with a C++ compiler")


def _two_targets():
    X, y = load_diabetes(return_X_y=True)
    return X, np.c_[y, X[:, 2] * 100]


CASES = {
    # float32(x) against float32 thresholds, NaN sides, k = 3 values per leaf
    "forest-nan": (lambda: RandomForestClassifier(15, max_depth=6, random_state=0),
                   lambda: load_wine(return_X_y=True), True),
    # float64 thresholds, NaN sides, one value per tree in its class column
    "hist-gradient-boosting-nan": (
        lambda: HistGradientBoostingClassifier(max_iter=15, random_state=0),
        lambda: load_wine(return_X_y=True), True),
    # category bitsets, and NaN at categorical and numerical splits
    "hist-gradient-boosting-categories": (
        lambda: HistGradientBoostingClassifier(max_iter=15, categorical_features=[2],
                                               random_state=0),
        lambda: _with_a_category(*load_iris(return_X_y=True)), False),
    # no NaN routing: the input is not widened
    "gradient-boosting": (lambda: GradientBoostingRegressor(n_estimators=20, random_state=0),
                          lambda: load_diabetes(return_X_y=True), False),
    # two outputs per leaf
    "tree-two-targets": (lambda: DecisionTreeRegressor(max_depth=8, random_state=0),
                         _two_targets, False),
}


def _walks(net, X):
    """``net``'s outputs on ``X`` with the compiled walk, then with the torch walk."""
    layers = [m for m in net.modules() if isinstance(m, TreeTraversal)]
    assert layers and all(layer.compiled for layer in layers)
    method = "decision_function" if hasattr(net, "decision_function") else "predict"
    fused = getattr(net, method)(X)
    for layer in layers:
        layer.compiled = False
    try:
        return fused, getattr(net, method)(X)
    finally:
        for layer in layers:
            layer.compiled = True


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("case", CASES)
def test_the_compiled_walk_gives_the_torch_walks_bits(case, dtype):
    make, data, nan = CASES[case]
    X, y = data()
    fit_X = _with_nan(X) if nan else X
    estimator = make().fit(fit_X[::2], y[::2])
    rows = np.vstack([X[1::2], _edge_rows(X, estimator)] + ([_with_nan(X[1::2])] if nan else []))
    net = nc.convert(estimator, tree_form="traversal", dtype=dtype)
    fused, torch_walk = _walks(net, rows)
    assert fused.dtype == torch_walk.dtype
    assert np.array_equal(fused, torch_walk)


@pytest.mark.parametrize("module", ["xgboost", "lightgbm"])
def test_boosting_libraries_take_the_compiled_walk(module):
    library = pytest.importorskip(module)
    X, y = load_wine(return_X_y=True)
    X = _with_nan(X)
    make = (library.XGBClassifier if module == "xgboost" else library.LGBMClassifier)
    estimator = make(n_estimators=20, max_depth=4, verbosity=0 if module == "xgboost" else -1)
    net = nc.convert(estimator.fit(X[::2], y[::2]), tree_form="traversal")
    fused, torch_walk = _walks(net, X[1::2])
    assert np.array_equal(fused, torch_walk)


def test_any_thread_count_gives_the_same_bits():
    X, y = load_wine(return_X_y=True)
    net = nc.convert(RandomForestClassifier(30, random_state=0).fit(X[::2], y[::2]),
                     tree_form="traversal")
    rows = np.tile(X, (8, 1))  # enough rows for several blocks per thread
    threads = torch.get_num_threads()
    try:
        outputs = []
        for n in (1, 2, 3):
            torch.set_num_threads(n)
            outputs.append(net.predict_proba(rows))
    finally:
        torch.set_num_threads(threads)
    assert all(np.array_equal(outputs[0], other) for other in outputs[1:])


def test_the_walk_follows_buffers_loaded_after_its_first_call():
    X, y = load_diabetes(return_X_y=True)
    net = nc.convert(GradientBoostingRegressor(n_estimators=10, random_state=0).fit(X, y),
                     tree_form="traversal")
    before = net.predict(X)
    layer = next(m for m in net.modules() if isinstance(m, TreeTraversal))
    state = layer.state_dict()
    state["threshold"] = state["threshold"] + 1.0  # every split now sends more rows left
    layer.load_state_dict(state)
    fused, torch_walk = _walks(net, X)
    assert np.array_equal(fused, torch_walk)
    assert not np.array_equal(fused, before)


@pytest.mark.parametrize("make", [
    lambda: HistGradientBoostingClassifier(max_iter=10, max_depth=3, random_state=0),
    lambda: RandomForestClassifier(5, max_depth=4, random_state=0),
])
def test_without_the_kernel_both_forms_walk_and_sum_in_torch_alike(monkeypatch, make):
    monkeypatch.setattr(walk_kernel, "_library", False)  # as after an install with no compiler
    X, y = load_wine(return_X_y=True)
    X = _with_nan(X)
    estimator = make().fit(X[::2], y[::2])
    network = nc.convert(estimator, tree_form="network")
    traversal = nc.convert(estimator, tree_form="traversal")
    assert not any(m.compiled for m in traversal.modules() if isinstance(m, TreeTraversal))
    a, b = network.predict_proba(X[1::2]), traversal.predict_proba(X[1::2])
    assert np.array_equal(a, b)
    assert np.abs(a - estimator.predict_proba(X[1::2])).max() <= 1e-12


@given(testing.fitted_estimators(families=["trees"]), st.data())
def test_drawn_trees_and_rows_walk_alike_compiled_and_in_torch(fitted, data):
    estimator, X = fitted
    net = nc.convert(estimator, tree_form="traversal")
    drawn = np.array([data.draw(testing.inputs(X, beyond=0.1)) for _ in range(6)])
    rows = np.vstack([drawn, X[:10], _edge_rows(X, estimator)])
    if all(m.allow_nan for m in net.modules() if isinstance(m, TreeTraversal)):
        missing = rows.copy()
        missing[::3, 0] = missing[1::3, -1] = np.nan
        rows = np.vstack([rows, missing])
    fused, torch_walk = _walks(net, rows)
    assert np.array_equal(fused, torch_walk)
    report = nc.verify(estimator, net, rows)
    assert report.passed, str(report)


def _forest(X, y):
    return nc.convert(RandomForestClassifier(10, max_depth=5, random_state=0).fit(X, y),
                      tree_form="traversal")


def test_inference_mode_converts_and_walks(iris):
    X, y, _ = iris
    expected = _forest(X, y).predict_proba(X)
    with torch.inference_mode():
        net = _forest(X, y)
        assert np.array_equal(net.predict_proba(X), expected)
        net.float()  # buffers made in inference mode keep no version counter
        assert np.abs(net.predict_proba(X) - expected).max() < 1e-6


@pytest.mark.parametrize("form", ["traversal", "network"])
def test_torch_func_transforms_walk_in_torch_ops(iris, form):
    X, y, _ = iris
    net = nc.convert(RandomForestClassifier(5, max_depth=3, random_state=0).fit(X, y),
                     tree_form=form)
    x = torch.as_tensor(X[:8])
    batched = torch.func.vmap(net)(x.reshape(2, 4, 4))
    plain = net(x)
    outputs = zip(batched, plain) if isinstance(plain, tuple) else [(batched, plain)]
    for b, p in outputs:
        assert torch.equal(b.reshape(p.shape), p)


def test_a_layer_given_rows_of_another_width_says_so(iris):
    X, y, _ = iris
    layer = next(m for m in _forest(X, y).modules() if isinstance(m, TreeTraversal))
    with pytest.raises(ValueError, match="rows of 4 features, got an input of shape"):
        layer(torch.as_tensor(X[:, :2]))


def test_refresh_follows_changes_torch_does_not_count(iris):
    X, y, _ = iris
    net = _forest(X, y)
    layer = next(m for m in net.modules() if isinstance(m, TreeTraversal))
    net.predict_proba(X)
    layer.threshold.data -= 1.0  # through .data: no version counter moves
    layer.refresh()
    fused, torch_walk = _walks(net, X)
    assert np.array_equal(fused, torch_walk)


def test_a_pickled_traversal_walks_compiled_again(iris):
    import pickle

    X, y, _ = iris
    net = _forest(X, y)
    expected = net.predict_proba(X)
    copy = pickle.loads(pickle.dumps(net))
    assert all(m.compiled for m in copy.modules() if isinstance(m, TreeTraversal))
    assert np.array_equal(copy.predict_proba(X), expected)
