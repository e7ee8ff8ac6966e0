"""MLPClassifier as a network: its own layers, its output rule, its predict threshold."""

from __future__ import annotations

import warnings

import numpy as np
import torch
from equivalence import assert_equivalent
from hypothesis import given
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from zoo import fitted, probe_points
from zoo.elm import generated

import nnconvert as nc
from nnconvert.layers import ActivatedUnits, LinearUnits


def _fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


def test_layers_are_the_estimators_own():
    mlp, _, _ = fitted("mlp-relu-deep-lbfgs-blobs")
    net = nc.convert(mlp)
    *hidden, output = net.body
    assert [type(layer) for layer in hidden] == [ActivatedUnits] * 3
    assert isinstance(output, LinearUnits)
    for layer, coef, bias in zip(net.body, mlp.coefs_, mlp.intercepts_):
        np.testing.assert_array_equal(layer.weight.detach().numpy(), coef.T)
        np.testing.assert_array_equal(layer.bias.detach().numpy(), bias)
    assert [layer.describe().activation for layer in hidden] == ["ReLU"] * 3
    assert [layer.describe().n_out for layer in net.body] == [20, 10, 5, 4]


def test_forward_gives_probabilities_as_there_is_no_decision_function():
    mlp, _, X_test = fitted("mlp-relu-iris-str")
    net = nc.convert(mlp)
    np.testing.assert_allclose(net(torch.as_tensor(X_test)).detach().numpy(),
                               mlp.predict_proba(X_test),
                               rtol=0, atol=1e-15)


def test_output_rule_is_a_sigmoid_unit_or_a_softmax():
    binary, _, _ = fitted("mlp-logistic-breast_cancer-binary")
    net = nc.convert(binary)
    assert net.body[-1].weight.shape[0] == 1
    assert net.head.describe().activation == "σ"
    assert "p(classes_[1] | x) > 0.5" in net.explain()
    multi, _, _ = fitted("mlp-tanh-digits")
    net = nc.convert(multi)
    assert net.head.describe().activation == "softmax"
    assert "tanh(W·x + b)" in net.explain()


def test_binary_predict_needs_probability_strictly_above_one_half():
    # scikit-learn thresholds p(classes_[1]) > 0.5: a logit of exactly 0 predicts classes_[0]
    X, y = generated(0, 2, 4)
    mlp = _fit(MLPClassifier((5,), max_iter=50, random_state=0), X, np.array(["no", "yes"])[y])
    hidden = np.maximum(X @ mlp.coefs_[0] + mlp.intercepts_[0], 0)
    mlp.intercepts_[1] = -(hidden[:1] @ mlp.coefs_[1])[0]  # row 0 sits exactly on the boundary
    assert mlp.predict_proba(X[:1])[0, 1] == 0.5
    net = nc.convert(mlp)
    assert net.predict_proba(X[:1])[0, 1] == 0.5
    assert net.predict(X[:1])[0] == mlp.predict(X[:1])[0] == "no"
    assert_equivalent(mlp, net, X)


def test_multilabel_mlp_is_one_sigmoid_per_label():
    X, y = generated(0, 3, 4)
    Y = np.stack([y == 0, y == 1], axis=1).astype(int)
    mlp = _fit(MLPClassifier((4,), max_iter=20, random_state=0), X, Y)
    net = nc.convert(mlp)
    assert isinstance(net, nc.ConvertedMultiOutputClassifier)
    np.testing.assert_array_equal(net.predict(X), mlp.predict(X))
    assert net.predict(X).dtype == mlp.predict(X).dtype
    np.testing.assert_allclose(net.predict_proba(X), mlp.predict_proba(X), rtol=1e-12)


@given(
    activation=st.sampled_from(["identity", "logistic", "tanh", "relu"]),
    sizes=st.lists(st.integers(1, 12), min_size=1, max_size=3),
    solver=st.sampled_from(["adam", "lbfgs", "sgd"]),
    n_classes=st.integers(2, 5),
    n_features=st.integers(3, 10),
    seed=st.integers(0, 2**16),
)
def test_any_mlp_converts_exactly(activation, sizes, solver, n_classes, n_features, seed):
    X, y = generated(seed, n_classes, n_features)
    mlp = _fit(MLPClassifier(tuple(sizes), activation=activation, solver=solver, max_iter=30,
                             random_state=seed), X, y)
    net = nc.convert(mlp)
    assert_equivalent(mlp, net, np.vstack([X, probe_points(X, 100, seed)]))


