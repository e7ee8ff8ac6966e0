"""Inputs as XGBoost and LightGBM take them: ±inf and values that overflow float32 are
answered as each library answers them (measured here against the library, not assumed),
numeric and categorical columns alike, in both tree forms."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris

import nnconvert as nc

xgb = pytest.importorskip("xgboost")
lgb = pytest.importorskip("lightgbm")

#: what a user may pass beside ordinary numbers: ±inf, doubles beyond float32 (XGBoost
#: reads them as ±inf), float32's largest value, and NaN (a missing value)
ODD = np.array([np.inf, -np.inf, 1e308, -1e308, 3.5e38, -3.5e38,
                float(np.finfo(np.float32).max), np.nan])


def _odd_rows(X, seed, fraction=0.3):
    """X's rows, then each row again with a third of its cells replaced by ODD values."""
    rng = np.random.default_rng(seed)
    Q = np.vstack([X[:120], X[:120]])
    mask = np.zeros(Q.shape, bool)
    mask[120:] = rng.random((120, Q.shape[1])) < fraction
    Q[mask] = rng.choice(ODD, size=mask.sum())
    return Q


def _with_category(X, y, seed=0, n_codes=8):
    rng = np.random.default_rng(seed)
    code = rng.integers(0, n_codes, len(X)).astype(float)
    y = np.where(np.isin(code, [1, 4, 6]), (y + 1) % 3, y)
    return np.c_[X, code], y


def _close(got, expected, rtol):
    got, expected = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    assert np.abs(got - expected).max() <= rtol * np.abs(expected).max()


def _margin(net, X):
    with torch.no_grad():
        z = net.body(torch.as_tensor(X, dtype=net.dtype)).numpy()
    return z[:, 0] if z.shape[1] == 1 else z


@pytest.mark.parametrize("form", ["network", "traversal"])
def test_xgboost_routes_infinities_as_xgboost(form):
    X, y = load_breast_cancer(return_X_y=True)
    X = X.copy()
    X[np.random.default_rng(1).random(X.shape) < 0.1] = np.nan  # default_left is learnt
    est = xgb.XGBClassifier(n_estimators=25, max_depth=4, n_jobs=1, random_state=0).fit(X, y)
    Q = _odd_rows(X, 0)
    net = nc.convert(est, tree_form=form)
    # a float32 XGBoost sum of 25 trees: 1e-6 of the scale; a row on another leaf would
    # differ by a leaf value
    _close(_margin(net, Q), est.predict(Q, output_margin=True), 1e-6)
    _close(net.predict_proba(Q), est.predict_proba(Q), 1e-6)
    np.testing.assert_array_equal(net.predict(Q), est.predict(Q))
    assert nc.verify(est, net, Q).passed


def test_xgboost_categories_take_infinities_as_invalid():
    X, y = _with_category(*load_iris(return_X_y=True))
    est = xgb.XGBClassifier(n_estimators=15, max_depth=4, n_jobs=1, enable_categorical=True,
                            feature_types=["q"] * 4 + ["c"], tree_method="hist",
                            max_cat_to_onehot=1, random_state=0).fit(X, y)
    Q = _odd_rows(X, 2)
    Q[::3, -1] = np.random.default_rng(3).choice(ODD, size=len(Q[::3]))
    net = nc.convert(est)
    _close(_margin(net, Q), est.predict(Q, output_margin=True), 1e-6)
    np.testing.assert_array_equal(net.predict(Q), est.predict(Q))


@pytest.mark.parametrize("form", ["network", "traversal"])
def test_lightgbm_compares_infinities_as_doubles(form):
    X, y = load_diabetes(return_X_y=True)
    X = X.copy()
    X[::7, 2] = np.nan
    est = lgb.LGBMRegressor(n_estimators=20, num_leaves=8, n_jobs=1, verbose=-1,
                            random_state=0).fit(X, y)
    Q = _odd_rows(X, 4)
    net = nc.convert(est, tree_form=form)
    _close(net.predict(Q), est.predict(Q), 1e-12)


@pytest.mark.parametrize("zero_as_missing", [False, True])
def test_lightgbm_categories_and_zero_band_take_infinities(zero_as_missing):
    X, y = _with_category(*load_iris(return_X_y=True))
    X[:, 1] = np.where(X[:, 1] < 3.0, 0.0, X[:, 1])  # zeros, which may mean "missing"
    est = lgb.LGBMClassifier(n_estimators=20, n_jobs=1, verbose=-1, min_data_per_group=5,
                             cat_smooth=1.0, zero_as_missing=zero_as_missing,
                             random_state=0).fit(X, y, categorical_feature=[4])
    Q = _odd_rows(X, 5)
    Q[::3, -1] = np.random.default_rng(6).choice(ODD, size=len(Q[::3]))
    net = nc.convert(est)
    _close(net.decision_function(Q), est.decision_function(Q), 1e-12)
    np.testing.assert_array_equal(net.predict(Q), est.predict(Q))


def test_lightgbm_category_columns_take_what_lightgbm_takes():
    # fitted on a pandas category column: a DataFrame must give it as one (LightGBM refuses
    # its integer codes or its labels as another dtype); an array gives the codes themselves
    pandas = pytest.importorskip("pandas")
    X, y = load_iris(return_X_y=True)
    code = np.random.default_rng(0).integers(0, 3, len(X))
    y = np.where(code == 1, (y + 1) % 3, y)
    frame = pandas.DataFrame(X, columns=list("abcd"))
    frame.insert(1, "colour", pandas.Categorical(np.array(["red", "green", "blue"])[code]))
    est = lgb.LGBMClassifier(n_estimators=10, n_jobs=1, verbose=-1, min_data_per_group=5,
                             cat_smooth=1.0, random_state=0).fit(frame, y)
    net = nc.convert(est)
    np.testing.assert_array_equal(net.predict(frame), est.predict(frame))
    codes = frame.assign(colour=frame["colour"].cat.codes)
    for given in (codes, frame.astype({"colour": str})):
        with pytest.raises(ValueError, match="categorical_feature do not match"):
            est.predict(given)
        with pytest.raises(ValueError, match="pandas category column"):
            net.predict(given)
    array = codes.to_numpy(dtype=float)
    array[::10, 1] = np.nan
    array[5:8, 1] = [-0.5, 7.0, np.inf]  # category 0 (truncated), unseen, invalid
    np.testing.assert_array_equal(net.predict(array), est.predict(array))
    _close(net.predict_proba(array), est.predict_proba(array), 1e-12)
