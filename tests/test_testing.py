"""nnconvert.testing: the strategies users import, and the search for disagreements."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from sklearn.datasets import load_digits
from sklearn.svm import SVC, LinearSVC
from zoo import fitted

import nnconvert as nc
from nnconvert import testing
from nnconvert.agreement import decision_margin, score_scale
from nnconvert.verify import compare


@pytest.fixture(scope="module")
def digits():
    return load_digits(return_X_y=True)


def shifted_bias(net, amount: float):
    """The network with ``amount`` added to the first entry of its last bias (the output
    neurons': for an SVC, one one-vs-one pair's)."""
    bias = [p for name, p in net.named_parameters() if name.endswith("bias")][-1]
    with torch.no_grad():
        bias[0] += amount
    return net


@pytest.mark.parametrize("make", [lambda: LinearSVC(C=0.01), lambda: SVC()],
                         ids=["LinearSVC", "SVC"])
def test_a_planted_bias_shift_is_found_and_a_correct_network_passes(digits, make):
    X, y = digits
    estimator = make().fit(X, y)
    assert testing.find_disagreement(estimator, nc.convert(estimator), X) is None
    broken = shifted_bias(nc.convert(estimator), 0.02)
    row = testing.find_disagreement(estimator, broken, X, max_examples=200)
    assert row is not None and row.shape == (X.shape[1],)
    assert not compare(estimator, broken, row[None]).passed  # it really disagrees there


def test_a_wrong_label_rule_is_found_even_where_scores_agree():
    estimator, X_train, _ = fitted("logreg-iris-str")
    net = nc.convert(estimator)
    net.classes_ = net.classes_[[0, 2, 1]]
    row = testing.find_disagreement(estimator, net, X_train)
    assert row is not None
    assert net.predict(row[None])[0] != estimator.predict(row[None])[0]


def test_float32_networks_are_searched_at_float32_precision():
    estimator, X_train, _ = fitted("logreg-digits-saga-balanced")
    assert testing.find_disagreement(estimator, nc.convert(estimator, dtype=torch.float32),
                                     X_train, max_examples=60) is None


def test_the_search_is_deterministic_for_a_seed(digits):
    X, y = digits
    estimator = LinearSVC(C=0.01).fit(X[:300], y[:300])
    broken = shifted_bias(nc.convert(estimator), 0.02)
    first = testing.find_disagreement(estimator, broken, X[:300], seed=3)
    np.testing.assert_array_equal(first, testing.find_disagreement(estimator, broken, X[:300],
                                                                   seed=3))


@given(st.data())
def test_inputs_stay_in_the_data_range(data):
    X = np.array([[0.0, 5.0, -1.0], [2.0, 5.0, 3.0], [1.0, 5.0, 0.5]])
    row = data.draw(testing.inputs(X))
    assert row.shape == (3,) and row.dtype == np.float64
    assert np.all(row >= X.min(axis=0)) and np.all(row <= X.max(axis=0))
    assert row[1] == 5.0
    wide = data.draw(testing.inputs(X, beyond=0.5))
    assert np.all(wide >= [-1.0, 5.0, -3.0]) and np.all(wide <= [3.0, 5.0, 5.0])


@given(st.data())
def test_boundary_points_sit_on_the_decision_boundary(data):
    estimator, X_train, _ = fitted("logreg-breast_cancer")
    point = data.draw(testing.boundary_points(estimator, X_train))
    scale = score_scale(estimator.decision_function(X_train))
    assert decision_margin(estimator.decision_function(point[None]))[0] <= 1e-9 * scale


def test_a_boundary_point_is_on_its_first_end_side():
    estimator, X_train, _ = fitted("linearsvc-iris-ovr-str")
    labels = estimator.predict(X_train)
    a = X_train[labels == labels[0]][0]
    b = X_train[labels != labels[0]][0]
    point = testing.boundary_point(estimator, a, b)
    assert estimator.predict(point[None])[0] == labels[0]
    step = (b - a) * 1e-9
    assert estimator.predict((point + step)[None])[0] != labels[0]
    with pytest.raises(ValueError, match="predicted alike"):
        testing.boundary_point(estimator, a, a)


@given(testing.datasets())
def test_datasets_are_classification_problems(dataset):
    X, y = dataset
    assert X.ndim == 2 and X.dtype == np.float64 and len(X) == len(y) <= 200
    assert len(np.unique(y)) >= 2


def test_every_family_with_a_converter_is_offered():
    offered = testing.estimator_factories()
    supported = set(nc.supported_estimators())
    assert "linear" in offered
    for family, names in (("svm", {"SVC", "NuSVC"}), ("elm", {"ELMClassifier"}),
                          ("mlp", {"MLPClassifier"}),
                          ("trees", {"RandomForestClassifier", "DecisionTreeClassifier"})):
        assert (family in offered) == bool(names & supported)
    with pytest.raises(ValueError, match="unknown families"):
        testing.estimator_factories(["forests"])


@given(testing.fitted_estimators(), st.data())
def test_fitted_estimators_convert_and_agree_on_drawn_inputs(fitted_estimator, data):
    estimator, X = fitted_estimator
    net = nc.convert(estimator)
    rows = np.array([data.draw(testing.inputs(X, beyond=0.1)) for _ in range(3)])
    report = nc.verify(estimator, net, np.vstack([X[:20], rows]))
    assert report.passed, str(report)
