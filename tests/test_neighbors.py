"""Neighbours, discriminant analysis, centroids and dummies: exactness on held-out, perturbed,
training-equal and integer-valued rows, the tie rules, and the refusals."""

from __future__ import annotations

import numpy as np
import pytest
from equivalence import assert_equivalent
from sklearn.datasets import load_digits, load_iris
from sklearn.dummy import DummyClassifier
from sklearn.neighbors import (
    KNeighborsClassifier,
    KNeighborsRegressor,
    NearestCentroid,
    RadiusNeighborsClassifier,
    RadiusNeighborsRegressor,
)
from zoo import fitted, ids, probe_points

import nnconvert as nc
from nnconvert.families.neighbors import _boundary_ties
from nnconvert.verify import compare

CLASSIFIERS = ids("neighbors")
REGRESSORS = ids("neighbors", kind="regressor")


def _rows(X_train, X_test):
    rng = np.random.default_rng(1)
    perturbed = X_test + rng.normal(scale=1e-3, size=X_test.shape) * (X_test.std(0) + 1e-12)
    return np.vstack([X_test, X_train[:40], perturbed, np.round(X_test),
                      probe_points(X_train, 60)])


@pytest.mark.parametrize("case_id", CLASSIFIERS + REGRESSORS)
def test_float64_exact_on_every_kind_of_row(case_id):
    estimator, X_train, X_test = fitted(case_id)
    assert_equivalent(estimator, nc.convert(estimator), _rows(X_train, X_test))


def test_equal_distances_take_the_lowest_training_row_as_brute_force_does():
    # digits: integer pixels, and 50 duplicated rows: full of equal distances
    X, y = load_digits(return_X_y=True)
    X, y = np.vstack([X, X[:50]]), np.concatenate([y, y[:50]])
    brute = KNeighborsClassifier(algorithm="brute").fit(X[::2], y[::2])
    net = nc.convert(brute)
    ties = _boundary_ties(brute, X, 1e-9)
    assert ties.sum() > 10  # the data does have 5th/6th neighbours at equal distance
    np.testing.assert_array_equal(net.predict_proba(X), brute.predict_proba(X))
    np.testing.assert_array_equal(net.predict(X), brute.predict(X))
    # a tree search breaks those ties its own way: verify calls such rows near ties
    tree = KNeighborsClassifier(algorithm="ball_tree").fit(X[::2], y[::2])
    differ = np.abs(nc.convert(tree).predict_proba(X) - tree.predict_proba(X)).max(axis=1) > 0
    assert not (differ & ~ties).any()
    assert compare(tree, nc.convert(tree), X).passed


def test_tied_votes_go_to_the_first_class():
    X = np.array([[0.0], [1.0], [-1.0], [2.0]])
    y = np.array([1, 0, 1, 0])  # the query at 0.5 has one neighbour of each class nearest
    model = KNeighborsClassifier(2).fit(X, y)
    query = np.array([[0.5]])
    assert model.predict(query)[0] == 0 and nc.convert(model).predict(query)[0] == 0


@pytest.mark.parametrize("make", [KNeighborsClassifier, KNeighborsRegressor])
def test_a_row_equal_to_training_rows_takes_their_vote_alone_with_distance_weights(make):
    X, y = load_iris(return_X_y=True)
    model = make(n_neighbors=5, weights="distance").fit(X, y)
    net = nc.convert(model)
    method = "predict_proba" if hasattr(model, "predict_proba") else "predict"
    np.testing.assert_allclose(getattr(net, method)(X), getattr(model, method)(X), atol=1e-12)


def test_nearest_centroid_with_uniform_priors_predicts_by_the_raw_distance():
    # one feature with a large within-class spread: normalised scores and raw distances
    # rank the centroids differently for some rows
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal([0, 0], [1, 10], (50, 2)), rng.normal([3, 6], [1, 0.5], (50, 2))])
    y = np.repeat([0, 1], 50)
    model = NearestCentroid().fit(X, y)
    query = probe_points(X, 400)
    scores_argmax = model.classes_[np.argmax(model._decision_function(query), axis=1)]
    assert (scores_argmax != model.predict(query)).any()
    assert_equivalent(model, nc.convert(model), query)


def test_manhattan_centroids_predict_only():
    X, y = load_iris(return_X_y=True)
    model = NearestCentroid(metric="manhattan").fit(X, y)
    net = nc.convert(model)
    assert not hasattr(net, "predict_proba") and not hasattr(model, "predict_proba")
    np.testing.assert_array_equal(net.predict(X), model.predict(X))
    assert nc.verify(model, net, X).passed


@pytest.mark.parametrize("make, words", [
    (lambda: DummyClassifier(strategy="stratified"), "random label"),
    (lambda: KNeighborsClassifier(weights=lambda d: d), "weight function"),
    (lambda: KNeighborsClassifier(metric="precomputed"), "precomputed"),
    # seuclidean converts now (tests/test_neighbour_metrics.py); boolean metrics do not
    (lambda: KNeighborsClassifier(metric="jaccard"), "reads every value as a boolean"),
])
def test_what_cannot_be_a_network_is_refused_with_the_reason(make, words):
    X, y = load_iris(return_X_y=True)
    model = make()
    model.fit(X @ X.T if "precomputed" in str(model) else X, y)
    with pytest.raises(nc.ConversionError, match=words):
        nc.convert(model)


def test_explain_states_the_tie_rule_and_draw_shows_the_selection(tmp_path):
    estimator, _, _ = fitted("knn-iris")
    net = nc.convert(estimator)
    text = net.explain()
    assert "5 smallest" in text and "lowest training row first" in text
    diagram = nc.draw(net)
    diagram.save(tmp_path / "knn.svg")
    assert "nearest of" in (tmp_path / "knn.svg").read_text()
    qda, _, _ = fitted("qda-iris")
    assert "quadratic units" in nc.convert(qda).explain()


def test_a_radius_with_no_neighbour_is_refused_or_nan_as_in_scikit_learn():
    X, y = load_iris(return_X_y=True)
    model = RadiusNeighborsClassifier(0.3).fit(X[::2], y[::2])
    net = nc.convert(model)
    with pytest.raises(ValueError, match="No neighbors found for test samples"):
        model.predict(X)
    with pytest.raises(ValueError, match=r"No neighbors found for test samples \[ *5 "):
        net.predict(X)
    assert "scikit-learn raises" in net.explain()
    regressor = RadiusNeighborsRegressor(0.3).fit(X[::2], X[::2, 0])
    with pytest.warns(UserWarning, match="no neighbors within specified radius"):
        got = nc.convert(regressor).predict(X)
    with pytest.warns(UserWarning, match="no neighbors within specified radius"):
        expected = regressor.predict(X)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    assert np.isnan(got).any()
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_an_outlier_label_outside_the_classes_is_refused():
    X, y = load_iris(return_X_y=True)
    model = RadiusNeighborsClassifier(0.5, outlier_label=99).fit(X, y)
    with pytest.raises(nc.ConversionError, match="not one of its classes_"):
        nc.convert(model)


def test_points_far_from_the_origin_are_ranked_exactly():
    # norms of 1e8 and gaps of 1e-3: the fast form's float32 (and float64) rounding exceeds
    # the gaps, so the network must fall back to its exact distances for these rows. The
    # reference is the kd-tree search, which computes distances from differences too:
    # scikit-learn's brute force uses the fast form itself here and picks the wrong
    # neighbours for 4% of these rows (distances off by 1e-4 on 1e-3)
    rng = np.random.default_rng(0)
    X = 1e4 + rng.uniform(0, 1e-2, size=(400, 3))
    y = (X[:, 0] > X[:, 1]).astype(int)
    model = KNeighborsRegressor(4, weights="distance", algorithm="kd_tree").fit(X[:300], y[:300])
    layer = nc.convert(model).body[0]
    import torch

    rough, error = layer._rough(torch.as_tensor(X[300:]), torch.float32)
    assert float(error.min()) > 1e-4  # the fast form cannot tell these rows apart
    assert_equivalent(model, nc.convert(model), X[300:])
