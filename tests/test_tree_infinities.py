"""Infinities and float32 overflow reach trees as their estimators take them.

HistGradientBoosting predicts on ±inf (compared with its thresholds like any value, NaN to
each split's missing side); scikit-learn's classic trees cast X to float32 and refuse what
is then infinite, 1e308 included. The network does the same, in both tree forms.
"""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
)
from sklearn.tree import DecisionTreeRegressor

import nnconvert as nc


def _with_infinities(X, seed):
    rng = np.random.default_rng(seed)
    Q = np.vstack([X[:150], X.max(0) * 10, X.min(0) * 10])
    mask = rng.random(Q.shape) < 0.3
    Q[mask] = rng.choice([np.inf, -np.inf, np.nan], size=mask.sum())
    return Q


@pytest.mark.parametrize("form", ["traversal", "network"])
@pytest.mark.parametrize("make", ["classifier", "regressor", "categorical"])
def test_histgradientboosting_answers_infinities_as_scikit_learn(make, form):
    if make == "regressor":
        X, y = load_diabetes(return_X_y=True)
        model = HistGradientBoostingRegressor(max_iter=20, random_state=0).fit(X, y)
    else:
        X, y = load_breast_cancer(return_X_y=True)
        X = X.copy()
        categorical = None
        if make == "categorical":  # a category column beside numeric ones with ±inf
            X[:, 0] = np.digitize(X[:, 0], np.quantile(X[:, 0], [0.25, 0.5, 0.75]))
            categorical = [0]
        model = HistGradientBoostingClassifier(max_iter=20, random_state=0,
                                               categorical_features=categorical).fit(X, y)
    Q = _with_infinities(X, 0)
    if make == "categorical":
        Q[:, 0] = np.where(np.isfinite(Q[:, 0]), np.clip(np.round(Q[:, 0]), 0, 3), np.nan)
        form = "traversal"  # category bitsets have no step units
    net = nc.convert(model, tree_form=form)
    method = "predict_proba" if make != "regressor" else "predict"
    expected = getattr(model, method)(Q)
    np.testing.assert_allclose(getattr(net, method)(Q), expected, rtol=0,
                               atol=1e-12 * np.abs(expected).max())
    if make != "regressor":
        np.testing.assert_array_equal(net.predict(Q), model.predict(Q))


@pytest.mark.parametrize("value", [np.inf, -np.inf, 1e308, -3.5e38])
@pytest.mark.parametrize("model", [
    RandomForestClassifier(n_estimators=5, random_state=0),
    DecisionTreeRegressor(max_depth=4, random_state=0),
])
def test_classic_trees_refuse_what_overflows_float32_as_scikit_learn(model, value):
    X, y = load_breast_cancer(return_X_y=True)
    model.fit(X, y)
    row = X[:1].copy()
    row[0, 3] = value
    with pytest.raises(ValueError, match="infinity|too large"):
        model.predict(row)
    net = nc.convert(model)
    with pytest.raises(ValueError, match="infinity|too large|float32"):
        net.predict(row)
    fine = X[:1].copy()
    fine[0, 3] = 3.0e38  # finite in float32: answered by both
    np.testing.assert_array_equal(net.predict(fine), model.predict(fine))
