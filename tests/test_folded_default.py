"""The fast form by default (network/folded.py): ``convert(model)`` keeps one layer per step
(what draw(), explain(), export and training read) and runs, for inference, their folded form
where folding is exact to rounding. Proven across every zoo model with a scaler: the default
network describes exactly what the unfused one does and answers as scikit-learn to rounding."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
import torch
from equivalence import assert_equivalent
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from zoo import CASES, TEXT, fitted, probe_points

import nnconvert as nc
from nnconvert.layers import AffineScaler

#: every zoo model (any kind) with a scaler somewhere in it
SCALED = [case.id for case in CASES
          if case.dataset not in TEXT and "Scaler" in repr(case.make())]


def _descriptions(net) -> list:
    return [(d.title, d.n_in, d.n_out, d.activation, d.formula) for d in net.describe()]


@pytest.mark.parametrize("case_id", SCALED)
def test_the_default_describes_its_steps_and_answers_to_rounding(case_id):
    estimator, X_train, X_test = fitted(case_id)
    default, steps = nc.convert(estimator), nc.convert(estimator, fuse=False)
    assert default.runs_folded and not steps.runs_folded
    assert _descriptions(default) == _descriptions(steps)
    assert default.explain() == steps.explain()
    assert list(default.state_dict()) == list(steps.state_dict())
    for X in (X_test[:100], probe_points(X_train, n=50)):
        assert_equivalent(estimator, default, X)


@pytest.fixture(scope="module")
def scaled_logistic():
    X, y = load_breast_cancer(return_X_y=True)
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)).fit(X, y), X


def test_a_scaled_linear_model_runs_one_layer_and_draws_two(scaled_logistic):
    model, X = scaled_logistic
    net = nc.convert(model)
    assert len(net.body) == 2 and isinstance(net.body[0], AffineScaler)
    assert len(net._folded.layers(net.body)) == 1
    assert "standard scaler" in net.explain() and "folded in" not in net.explain()
    assert "folded in" in nc.convert(model, fuse=True).explain()


def test_offsets_far_from_zero_are_not_folded_by_default(scaled_logistic):
    """Features offset by 1e8 next to a spread of 1: folding would cancel digits (about 6e-9
    of the score scale), so the default runs the steps as they are, exact to rounding."""
    model, X = scaled_logistic
    shifted = X + 1e8
    far = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)).fit(
        shifted, model.predict(X))
    net = nc.convert(far)
    assert net._folded.layers(net.body) is None
    assert_equivalent(far, net, shifted, rtol=1e-9)
    single = nc.convert(far, dtype=torch.float32)  # float32 has fewer digits still
    assert single._folded.layers(single.body) is None


def test_the_fold_follows_the_parameters(scaled_logistic):
    """An in-place change (an optimizer step), a cast and a loaded state all reach the folded
    form: it is rebuilt from the steps, never left stale."""
    model, X = scaled_logistic
    net, steps = nc.convert(model), nc.convert(model, fuse=False)
    before = net.decision_function(X)
    with torch.no_grad():
        for n in (net, steps):
            n.body[1].weight.mul_(-2.0)
            n.body[0].offset.add_(0.5)
    np.testing.assert_allclose(net.decision_function(X), steps.decision_function(X),
                               rtol=1e-12, atol=1e-12 * np.abs(before).max())
    net.load_state_dict(nc.convert(model).state_dict())
    np.testing.assert_allclose(net.decision_function(X), before, rtol=1e-12,
                               atol=1e-12 * np.abs(before).max())
    net.float()
    assert net.decision_function(X).dtype == np.float32
    assert_equivalent(model, net, X)
    for clone in (copy.deepcopy(net), pickle.loads(pickle.dumps(net))):
        np.testing.assert_array_equal(clone.predict(X), model.predict(X))


def test_gradients_flow_through_the_steps_the_network_describes(scaled_logistic):
    model, X = scaled_logistic
    net = nc.convert(model)
    x = torch.as_tensor(X[:8])
    net(x).sum().backward()
    assert net.body[1].weight.grad is not None and net.body[1].weight.grad.abs().sum() > 0
    with torch.no_grad():
        np.testing.assert_allclose(net(x).numpy(), model.decision_function(X[:8]), rtol=1e-9)


def test_an_mlp_behind_a_scaler_runs_the_folded_hidden_layer():
    X, y = load_breast_cancer(return_X_y=True)
    model = make_pipeline(StandardScaler(), MLPClassifier((16,), max_iter=300,
                                                          random_state=0)).fit(X, y)
    net = nc.convert(model)
    assert len(net._folded.layers(net.body)) == len(net.body) - 1
    assert_equivalent(model, net, X)
