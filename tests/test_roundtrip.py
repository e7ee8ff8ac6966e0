"""The way back to scikit-learn, and fine-tuning with the seeds' losses in between."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from torch import nn
from zoo import fitted

import nnconvert as nc
from nnconvert import losses

ROUND_TRIP_CASES = [
    "logreg-breast_cancer", "logreg-iris-str", "logreg-wine-noncontig-nointercept",
    "logreg-digits-saga-balanced", "logregcv-iris", "linearsvc-breast_cancer",
    "linearsvc-digits-crammer", "sgd-log-wine-str", "sgd-huber-digits", "perceptron-digits",
    "pipe-standard-logreg-breast_cancer", "pipe-minmax-range-logreg-digits",
]


def _assert_same_model(back, reference, X):
    scale = max(1.0, float(np.abs(reference.decision_function(X)).max()))
    np.testing.assert_allclose(
        back.decision_function(X), reference.decision_function(X), rtol=0, atol=1e-12 * scale
    )
    np.testing.assert_array_equal(back.predict(X), reference.predict(X))
    assert hasattr(back, "predict_proba") == hasattr(reference, "predict_proba")
    if hasattr(reference, "predict_proba"):
        np.testing.assert_allclose(back.predict_proba(X), reference.predict_proba(X), atol=1e-12)


@pytest.mark.parametrize("case_id", ROUND_TRIP_CASES)
def test_converted_linear_models_come_back_as_themselves(case_id):
    estimator, _, X_test = fitted(case_id)
    back = nc.to_sklearn(nc.convert(estimator))
    final = estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator
    assert type(back) is type(final)
    assert back.get_params() == final.get_params()
    _assert_same_model(back, estimator, X_test)


def test_a_plain_linear_layer_becomes_an_estimator():
    X, y = load_iris(return_X_y=True)
    torch.manual_seed(0)
    layer = nn.Linear(4, 3).double()
    back = nc.to_sklearn(layer, classes=["a", "b", "c"], kind="logistic")
    with torch.no_grad():
        scores = layer(torch.from_numpy(X))
    # numpy's and torch's matrix products may add in another order: rounding of the scale,
    # not of each score (a score near 0 has no relative precision to keep)
    np.testing.assert_allclose(back.decision_function(X), scores.numpy(), rtol=0,
                               atol=1e-14 * float(scores.abs().max()))
    np.testing.assert_allclose(back.predict_proba(X), scores.softmax(1).numpy(), atol=1e-15)
    np.testing.assert_array_equal(back.predict(X), np.array(["a", "b", "c"])[scores.argmax(1)])

    two = nn.Linear(4, 2).double()
    binary = nc.to_sklearn(two, classes=[0, 1], kind="logistic")
    with torch.no_grad():
        expected = two(torch.from_numpy(X)).softmax(1).numpy()
    np.testing.assert_allclose(binary.predict_proba(X), expected, atol=1e-14)

    one = nn.Linear(4, 1).double()
    svm = nc.to_sklearn(one, classes=[-1, 1], kind="svm")
    assert isinstance(svm, LinearSVC) and svm.decision_function(X).shape == (150,)
    with torch.no_grad():
        np.testing.assert_allclose(svm.decision_function(X),
                                   one(torch.from_numpy(X))[:, 0].numpy(), rtol=1e-15)


def test_models_without_a_way_back_say_what_to_do():
    X, y = load_breast_cancer(return_X_y=True)
    ridge = RidgeClassifier().fit(X, y)
    with pytest.raises(nc.ConversionError, match="kind='logistic' or kind='svm'"):
        nc.to_sklearn(nc.convert(ridge))
    as_svm = nc.to_sklearn(nc.convert(ridge), kind="svm")
    np.testing.assert_allclose(as_svm.decision_function(X), ridge.decision_function(X), rtol=1e-12)
    with pytest.raises(ValueError, match="classes=.*kind="):
        nc.to_sklearn(nn.Linear(3, 1))
    with pytest.raises(ValueError, match="need 3 output unit"):
        nc.to_sklearn(nn.Linear(3, 2), classes=[0, 1, 2], kind="svm")
    with pytest.raises(ValueError, match="kind must be one of"):
        nc.to_sklearn(nc.convert(ridge), kind="ridge")
    with pytest.raises(TypeError, match="ConvertedClassifier or a torch.nn.Linear"):
        nc.to_sklearn(ridge)
    ovr, _, _ = fitted("ovr-logreg-iris")
    with pytest.raises(nc.ConversionError, match="not a linear head|single linear layer"):
        nc.to_sklearn(nc.convert(ovr))


def test_convert_fine_tune_and_deploy_again():
    X, y = load_breast_cancer(return_X_y=True)
    model = make_pipeline(StandardScaler(), LinearSVC(C=0.001)).fit(X[:400], y[:400])
    untouched = clone(model).fit(X[:400], y[:400])
    net = nc.convert(model)
    before = net.decision_function(X[400:]).copy()
    tuned = nc.fine_tune(net, X[:400], y[:400], loss="hinge", epochs=5, lr=0.01)
    np.testing.assert_array_equal(net.decision_function(X[400:]), before)  # a copy was trained
    np.testing.assert_array_equal(model.decision_function(X), untouched.decision_function(X))
    assert not np.allclose(tuned.decision_function(X[400:]), before)
    train = torch.from_numpy(X[:400])
    targets = torch.from_numpy(y[:400])
    with torch.no_grad():
        assert losses.hinge(tuned(train), targets) < losses.hinge(net(train), targets)
    back = nc.to_sklearn(tuned)
    assert isinstance(back, LinearSVC)
    _assert_same_model(back, tuned, X[400:])


def test_fine_tune_with_l2svm_lowers_the_loss_and_checks_its_arguments():
    X, y = load_iris(return_X_y=True)
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    model = LogisticRegression(C=0.01, max_iter=1000).fit(X, labels)
    net = nc.convert(model)
    tuned = nc.fine_tune(net, X, labels, loss="l2svm", epochs=10, lr=0.001, weight_decay=1e-3)
    index = torch.from_numpy(y)
    with torch.no_grad():
        assert losses.l2svm(tuned(torch.from_numpy(X)), index) < losses.l2svm(
            net(torch.from_numpy(X)), index
        )
    with pytest.raises(ValueError, match="unknown loss"):
        nc.fine_tune(net, X, labels, loss="mse")
    with pytest.raises(ValueError, match="does not know.*'dog'"):
        nc.fine_tune(net, X[:2], ["setosa", "dog"])
    with pytest.raises(ValueError, match="rows but y has"):
        nc.fine_tune(net, X[:3], labels[:2])
    with pytest.raises(ValueError, match="1-D array of labels"):
        nc.fine_tune(net, X, None)
    for setting in ({"epochs": 0}, {"epochs": 1.5}, {"batch_size": 0}, {"batch_size": -3},
                    {"lr": float("nan")}, {"lr": 0}, {"weight_decay": -1.0}):
        with pytest.raises(ValueError, match=f"{next(iter(setting))} must be"):
            nc.fine_tune(net, X, labels, **setting)


def test_fine_tune_reads_labels_in_the_networks_own_class_order():
    # a network rebuilt from an nn.Linear keeps the class order it was given, unsorted
    X, y = load_iris(return_X_y=True)
    torch.manual_seed(0)
    rebuilt = nc.to_sklearn(nn.Linear(4, 3).double(), classes=[2, 0, 1], kind="logistic")
    tuned = nc.fine_tune(nc.convert(rebuilt), X, y, loss="softmax_cross_entropy", epochs=30,
                         lr=0.01)
    assert (tuned.predict(X) == y).mean() > 0.9
    with pytest.raises(ValueError, match="distinct"):
        nc.to_sklearn(nn.Linear(4, 3).double(), classes=[0, 0, 2], kind="logistic")


def test_fine_tune_picks_the_loss_from_the_output_and_trains_mlps_on_logits():
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.svm import SVC

    X, y = load_iris(return_X_y=True)
    net = nc.convert(LogisticRegression(max_iter=1000).fit(X, y))
    tuned = nc.fine_tune(net, X, y, epochs=2, lr=1e-3)  # multiclass_hinge by default
    assert tuned.decision_function(X).shape == (150, 3)
    mlp = MLPClassifier(hidden_layer_sizes=(8,), max_iter=50, random_state=0)
    mlp_net = nc.convert(mlp.fit(X, y))
    tuned = nc.fine_tune(mlp_net, X, y, loss="softmax_cross_entropy", epochs=20, lr=1e-3)
    index = torch.from_numpy(y)
    with torch.no_grad():
        before = losses.softmax_cross_entropy(mlp_net.hidden(torch.from_numpy(X)), index)
        after = losses.softmax_cross_entropy(tuned.hidden(torch.from_numpy(X)), index)
    assert after < before
    np.testing.assert_allclose(tuned.predict_proba(X).sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="votes, which have no gradient"):
        nc.fine_tune(nc.convert(SVC().fit(X, y)), X, y)
    members = OneVsRestClassifier(MLPClassifier(hidden_layer_sizes=(4,), max_iter=50,
                                                random_state=0)).fit(X, y)
    with pytest.raises(ValueError, match="probabilities only"):
        nc.fine_tune(nc.convert(members), X, y)
