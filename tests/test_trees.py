"""Classic trees and forests convert exactly (traversal form), thresholds and NaN included."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_diabetes, load_wine
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import nnconvert as nc
from nnconvert.families.trees.traversal import TreeLayer, float32_threshold


@pytest.mark.parametrize("make", [lambda: DecisionTreeClassifier(random_state=0),
                                  lambda: DecisionTreeClassifier(max_depth=3, random_state=0),
                                  lambda: RandomForestClassifier(30, random_state=0),
                                  lambda: ExtraTreesClassifier(30, random_state=0)])
def test_classifiers_exact(make):
    X, y = load_wine(return_X_y=True)
    est = make().fit(X[::2], y[::2])
    net = nc.convert(est)
    held = X[1::2]
    assert np.abs(net.predict_proba(held) - est.predict_proba(held)).max() <= 1e-9
    assert (net.predict(held) == est.predict(held)).all()


@pytest.mark.parametrize("make", [lambda: DecisionTreeRegressor(random_state=0),
                                  lambda: RandomForestRegressor(20, random_state=0),
                                  lambda: ExtraTreesRegressor(20, random_state=0)])
def test_regressors_exact(make):
    X, y = load_diabetes(return_X_y=True)
    est = make().fit(X[::2], y[::2])
    held = X[1::2]
    scale = np.abs(est.predict(held)).max()
    assert np.abs(nc.convert(est).predict(held) - est.predict(held)).max() <= 1e-9 * scale


def test_rows_on_and_around_thresholds():
    X, y = load_wine(return_X_y=True)
    est = DecisionTreeClassifier(random_state=0).fit(X, y)
    t = est.tree_
    rows = []
    for node in np.flatnonzero(t.children_left >= 0):
        base = X[0].copy()
        th = t.threshold[node]
        for v in (th, np.nextafter(th, np.inf), np.nextafter(th, -np.inf),
                  float(np.nextafter(np.float32(th), np.float32(np.inf))),
                  float(np.nextafter(np.float32(th), np.float32(-np.inf)))):
            row = base.copy()
            row[t.feature[node]] = v
            rows.append(row)
    rows = np.array(rows)
    net = nc.convert(est)
    assert (net.predict(rows) == est.predict(rows)).all()
    assert np.array_equal(net.predict_proba(rows), est.predict_proba(rows))


def test_float32_threshold_rounds_down():
    t = np.array([0.1, 1.0, -0.3])
    s = float32_threshold(t)
    assert (s.astype(np.float64) <= t).all()
    assert (np.nextafter(s, np.float32(np.inf)).astype(np.float64) > t).all()


@pytest.mark.parametrize("form", ["network", "traversal"])
def test_nan_routing_at_tensor_level(form):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    y = (X[:, 0] > 0).astype(int)
    X[rng.random(X.shape) < 0.2] = np.nan
    est = DecisionTreeClassifier(random_state=0).fit(X, y)
    net = nc.convert(est, tree_form=form)
    layer = next(m for m in net.modules() if isinstance(m, TreeLayer))
    proba = layer(torch.as_tensor(X))
    assert np.abs(proba.numpy() - est.predict_proba(X)).max() <= 1e-12
