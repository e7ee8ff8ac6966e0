"""Inputs as scikit-learn takes them: complex numbers, dates, np.matrix, ±inf, float32
overflow and 1-D input, on the plain path and on the per-column (missing-value) path alike."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from zoo import fitted

import nnconvert as nc
from nnconvert.layers import Layer, LayerDescription
from nnconvert.layers.columns import ColumnSpec
from nnconvert.network import ConvertedRegressor
from nnconvert.network.heads import RegressionHead

#: a plain all-numeric model, and one whose columns take the per-column path (NaN allowed)
MODELS = ["logreg-iris-str", "hgb-iris"]


def _frame(X: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(X, columns=[f"c{j}" for j in range(X.shape[1])])


@pytest.mark.parametrize("case_id", MODELS)
def test_complex_input_is_refused_with_the_reason(case_id):
    estimator, _, X = fitted(case_id)
    net = nc.convert(estimator)
    with pytest.raises(ValueError, match="Complex data not supported"):
        estimator.predict(X[:3].astype(complex))  # scikit-learn refuses it too
    frame = _frame(X[:3]).astype({"c1": complex})
    for bad in (X[:3].astype(complex), frame, (X[:3] + 0j).tolist()):
        with pytest.raises(ValueError, match="complex numbers"):
            net.predict(bad)


@pytest.mark.parametrize("case_id", MODELS)
def test_dates_and_durations_are_refused_not_read_as_nanoseconds(case_id):
    estimator, _, X = fitted(case_id)
    net = nc.convert(estimator)
    dated = _frame(X[:3]).assign(c0=pd.to_datetime(["2024-01-02"] * 3))
    with pytest.raises(ValueError, match=r"column 'c0' of X holds dates and times"):
        net.predict(dated)
    lasting = _frame(X[:3]).assign(c2=pd.to_timedelta([1, 2, 3], unit="s"))
    with pytest.raises(ValueError, match=r"column 'c2' of X holds durations"):
        net.predict(lasting)


@pytest.mark.parametrize("case_id", MODELS)
def test_np_matrix_is_refused_as_scikit_learn_refuses_it(case_id):
    estimator, _, X = fitted(case_id)
    net = nc.convert(estimator)
    with pytest.raises(TypeError, match="np.matrix is not supported") as theirs:
        estimator.predict(np.matrix(X[:3]))
    with pytest.raises(TypeError) as ours:
        net.predict(np.matrix(X[:3]))
    assert str(ours.value) == str(theirs.value)


def test_isotonic_network_takes_the_1d_input_scikit_learn_takes():
    from sklearn.datasets import load_diabetes
    from sklearn.isotonic import IsotonicRegression

    X, y = load_diabetes(return_X_y=True)
    estimator = IsotonicRegression(out_of_bounds="clip").fit(X[:300, 2], y[:300])
    net = nc.convert(estimator)
    one_d = X[300:, 2].copy()
    column = one_d.reshape(-1, 1)
    before = one_d.copy()
    expected = estimator.predict(one_d)
    np.testing.assert_allclose(net.predict(one_d), expected, rtol=1e-12, atol=0)
    np.testing.assert_allclose(net.predict(list(one_d)), expected, rtol=1e-12, atol=0)
    np.testing.assert_allclose(net.predict(column), estimator.predict(column), rtol=1e-12)
    assert np.array_equal(one_d, before)  # the caller's array keeps its shape and values
    # a model of several features still refuses 1-D input, as scikit-learn does
    other, _, Xo = fitted("logreg-iris-str")
    with pytest.raises(ValueError):
        nc.convert(other).predict(Xo[0])


# -- ±inf and float32 overflow: what a column spec declares, the schema enforces --------------

class _Sum(Layer):
    """A test-only layer: the row sums, reading columns as ``spec`` declares."""

    def __init__(self, n: int, spec: ColumnSpec):
        super().__init__()
        self.n, self.spec = n, spec

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.sum(dim=1, keepdim=True)

    def input_columns(self) -> tuple:
        return (self.spec,) * self.n

    def describe(self) -> LayerDescription:
        return LayerDescription(title="sum", n_in=self.n, n_out=1, activation="identity")


def _net(spec: ColumnSpec) -> ConvertedRegressor:
    return ConvertedRegressor([_Sum(3, spec)], RegressionHead(1, single=True), n_features_in=3,
                              source="test sum")


def test_infinity_passes_only_where_the_column_routes_it():
    X = np.array([[1.0, np.inf, 2.0], [-np.inf, 0.0, 1.0], [1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="contains infinity"):
        _net(ColumnSpec(allow_nan=True)).predict(X)  # NaN handled does not mean inf routed
    got = _net(ColumnSpec(allow_nan=True, allow_inf=True)).predict(X)
    assert got[0] == np.inf and got[1] == -np.inf and got[2] == 6.0
    assert "±inf allowed" in "\n".join(_net(ColumnSpec(allow_inf=True)).input_schema.describe())


def test_values_that_overflow_float32_are_refused_where_the_column_is_read_as_float32():
    X = np.array([[1.0, 1e308, 2.0], [0.0, 0.0, 1.0]])
    assert _net(ColumnSpec()).predict(X)[0] == 1e308 + 3.0  # float64 readers take it
    with pytest.raises(ValueError, match=r"too large for dtype\('float32'\) in column 1"):
        _net(ColumnSpec(float32=True)).predict(X)
    # the largest value that still rounds to a finite float32 is accepted, as in scikit-learn
    edge = float(np.finfo(np.float32).max)
    assert np.isfinite(_net(ColumnSpec(float32=True)).predict(np.array([[edge, 0.0, 0.0]])))


def test_a_column_two_branches_read_accepts_only_what_both_accept():
    both = ColumnSpec(allow_nan=True, allow_inf=True).shared_with(ColumnSpec(float32=True))
    assert not both.allow_nan and not both.allow_inf and both.float32


def test_nothing_the_user_passes_is_modified():
    estimator = LogisticRegression(max_iter=500).fit(*_iris())
    net = nc.convert(estimator)
    X = _iris()[0][:5].astype(np.float32)
    before = X.copy()
    net.predict(X)
    assert X.dtype == np.float32 and np.array_equal(X, before)


def _iris():
    from sklearn.datasets import load_iris

    return load_iris(return_X_y=True)
