"""The linear family: the neurons the seeds describe, with their exact parameters."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from zoo import fitted

import nnconvert as nc


def test_linear_svc_bias_is_the_sign_flipped_hyperplane_offset():
    estimator, _, _ = fitted("linearsvc-breast_cancer")
    net = nc.convert(estimator)
    (units,) = net.body
    w0 = -estimator.intercept_[0]  # the hyperplane is w·x − w0 = 0
    assert units.bias.item() == pytest.approx(-w0, rel=0, abs=0)
    description = units.describe()
    assert "−w0" in description.bias_note
    assert "b = −w0" in net.explain()


def test_binary_logistic_regression_is_one_sigmoid_neuron():
    estimator, _, X_test = fitted("logreg-breast_cancer")
    net = nc.convert(estimator)
    (units,) = net.body
    assert units.weight.shape == (1, X_test.shape[1])
    assert net.head.describe().activation == "σ"
    x = torch.as_tensor(X_test)
    p = torch.sigmoid(x @ units.weight.T + units.bias)[:, 0].detach().numpy()
    np.testing.assert_allclose(net.predict_proba(X_test)[:, 1], p, rtol=0, atol=1e-15)
    assert "σ(s)" in net.explain()


def test_multiclass_logistic_regression_is_a_softmax_layer():
    estimator, _, _ = fitted("logreg-iris-str")
    net = nc.convert(estimator)
    assert net.body[0].weight.shape == (3, 4)
    assert net.head.describe().activation == "softmax"
    assert "softmax" in net.explain()


def test_ties_go_to_the_first_class_like_numpy():
    estimator, _, _ = fitted("ridge-digits-str")
    tied = copy.deepcopy(estimator)  # classes 3 and 7 score identically, and highest at 0
    tied.coef_[7] = tied.coef_[3]
    tied.intercept_[[3, 7]] = tied.intercept_.max() + 1.0
    net = nc.convert(tied)
    X = np.zeros((1, 64))
    scores = net.decision_function(X)
    assert scores[0, 3] == scores[0, 7] == scores[0].max()
    np.testing.assert_array_equal(net.predict(X), tied.predict(X))
    assert net.predict(X)[0] == tied.classes_[3] == "3"
