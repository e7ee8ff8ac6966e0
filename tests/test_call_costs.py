"""What a call of the scikit-learn style methods costs besides the work: threads chosen per
call (network/threads.py), a large linear batch checked finite from its output in place of
a pass over the input, a float32 forest's leaf values widened once, not per call. Each with
the answers unchanged and every refusal of the full path kept."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from equivalence import assert_equivalent
from sklearn.datasets import load_breast_cancer, load_iris, make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.svm import SVC

import nnconvert as nc
from nnconvert.network import base
from nnconvert.network.threads import SINGLE_THREAD_WORK


def _threads_seen(net, X, method="predict") -> int:
    seen = []
    handle = net.body[0].register_forward_hook(
        lambda *_: seen.append(torch.get_num_threads()))
    try:
        getattr(net, method)(X)
    finally:
        handle.remove()
    return seen[0]


@pytest.fixture
def two_threads():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


def test_small_calls_run_on_one_thread_and_restore_the_callers_setting(two_threads):
    X, y = load_iris(return_X_y=True)
    model = SVC().fit(X, y)
    net = nc.convert(model)
    assert _threads_seen(net, X[:1]) == 1
    assert torch.get_num_threads() == 2
    rows = SINGLE_THREAD_WORK // net._work_per_row() + 1  # enough work for the caller's
    big = np.tile(X, (rows // len(X) + 1, 1))
    assert _threads_seen(net, big) == 2
    net.num_threads = 2
    assert _threads_seen(net, X[:1]) == 2
    net.num_threads = 1
    assert _threads_seen(net, big) == 1 and torch.get_num_threads() == 2
    np.testing.assert_array_equal(net.predict(big), model.predict(big))


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True])
def test_a_bad_thread_count_is_refused_and_the_setting_kept(two_threads, bad):
    X, y = load_iris(return_X_y=True)
    net = nc.convert(LogisticRegression(max_iter=500).fit(X, y))
    net.num_threads = bad
    with pytest.raises(ValueError, match="num_threads must be a positive int or None"):
        net.predict(X)
    assert torch.get_num_threads() == 2


@pytest.fixture(scope="module")
def wide_linear():
    X, y = make_classification(n_samples=6000, n_features=30, n_informative=12, n_classes=4,
                               random_state=0)
    return LogisticRegression(max_iter=1000).fit(X, y), X


def _full_path(net, X, monkeypatch, method):
    with monkeypatch.context() as patch:
        patch.setattr(base, "lean_tensor", lambda net, X, **_: None)
        return getattr(net, method)(X)


def _error(call) -> str:
    with pytest.raises(ValueError) as caught:
        call()
    return str(caught.value)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", [(0, 0), (3000, 17), (5999, 29)])
def test_a_large_linear_batch_shows_non_finite_input_in_its_output(wide_linear, bad, where,
                                                                    monkeypatch):
    """No pass over X for finiteness: its output shows it. Every NaN or ±inf anywhere is
    still refused, with the full path's own message."""
    model, X = wide_linear
    net = nc.convert(model)
    assert net._finiteness_from_output(X)
    assert_equivalent(model, net, X)
    for method in ("decision_function", "predict_proba"):
        np.testing.assert_array_equal(getattr(net, method)(X),
                                      _full_path(net, X, monkeypatch, method))
    Z = X.copy()
    Z[where] = bad
    assert _error(lambda: net.predict(Z)) == _error(
        lambda: _full_path(net, Z, monkeypatch, "predict"))
    assert np.array_equal(Z[np.isfinite(Z)], X[np.isfinite(Z)])  # the caller's data unchanged


def test_an_all_zero_weight_column_keeps_the_pass_over_the_input(wide_linear):
    """A BLAS may skip a zero weight, and with it the NaN it multiplies: such a network
    checks the input itself."""
    model, X = wide_linear
    net = nc.convert(model)
    with torch.no_grad():
        net.body[0].weight[:, 5] = 0.0
    assert not net._finiteness_from_output(X)
    Z = X.copy()
    Z[100, 5] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        net.predict(Z)


def test_finite_input_whose_output_overflows_takes_the_full_path():
    """Finite values whose scores overflow are not refused: they are not missing, and the
    full path answers them as scikit-learn does."""
    X, _ = load_breast_cancer(return_X_y=True)
    X = np.tile(X, (10, 1))
    model = LinearRegression().fit(X, 2 * X[:, 0] + 1)
    net = nc.convert(model)
    huge = X.copy()
    huge[7] = 1e308
    assert net._finiteness_from_output(huge)
    got, expected = net.predict(huge), model.predict(huge)
    np.testing.assert_array_equal(np.isfinite(got), np.isfinite(expected))
    assert not np.isfinite(got[7])
    np.testing.assert_allclose(np.delete(got, 7), np.delete(expected, 7), rtol=1e-9)


def test_a_float32_forest_widens_its_leaf_values_once():
    X, y = load_iris(return_X_y=True)
    model = RandomForestClassifier(10, random_state=0).fit(X, y)
    net = nc.convert(model, dtype=torch.float32, tree_form="traversal")
    walks = [m for m in net.modules() if hasattr(m, "_compiled_walk")]
    if not walks:
        pytest.skip("the compiled tree walk is not built here")
    layer = walks[0]
    net.predict_proba(X.astype(np.float32))
    first = layer._compiled_walk._arrays(layer, torch.float32)["value"]
    net.predict_proba(X.astype(np.float32))
    assert layer._compiled_walk._arrays(layer, torch.float32)["value"] is first
    assert first.dtype == torch.float64
    with torch.no_grad():
        layer.value.mul_(2.0)  # an in-place change reaches the widened copy
    assert layer._compiled_walk._arrays(layer, torch.float32)["value"] is not first
    assert_equivalent(model, nc.convert(model, dtype=torch.float32, tree_form="traversal"),
                      X)
