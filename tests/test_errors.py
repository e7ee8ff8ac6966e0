"""Bad input ends in a clear error that names the problem and the fix, never deep in torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.datasets import make_multilabel_classification
from sklearn.decomposition import NMF
from sklearn.linear_model import LogisticRegression, RidgeClassifier, RidgeClassifierCV
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.base import BaseEstimator, ClassifierMixin
from zoo import data, fitted

import nnconvert as nc


@pytest.fixture(scope="module")
def iris_net():
    estimator, _, X_test = fitted("logreg-iris-str")
    return nc.convert(estimator), X_test


def test_unfitted_estimator():
    with pytest.raises(nc.NotFittedError, match=r"LogisticRegression .*not fitted.*fit\(X, y\)"):
        nc.convert(LogisticRegression())


def test_unfitted_pipeline_step():
    X, _, y, _ = data("iris")
    pipeline = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X, y)
    pipeline.steps[0] = ("standardscaler", StandardScaler())  # a step swapped for an unfitted one
    with pytest.raises(nc.NotFittedError, match="StandardScaler"):
        nc.convert(pipeline)


class Majority(ClassifierMixin, BaseEstimator):
    """A real (if plain) scikit-learn classifier that no converter will ever know: the most
    frequent training label, whatever the input."""

    def fit(self, X, y):
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        self.n_features_in_ = np.shape(X)[1]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


def test_unsupported_estimator_lists_the_supported_ones():
    X, _, y, _ = data("iris")
    with pytest.raises(nc.UnsupportedEstimatorError) as raised:
        nc.convert(Majority().fit(X, y))
    message = str(raised.value)
    assert "Majority is not supported" in message
    for name in ("LogisticRegression", "LinearSVC", "Pipeline", "OneVsRestClassifier"):
        assert name in message
    assert isinstance(raised.value, TypeError) and isinstance(raised.value, ValueError)


def test_unsupported_pipeline_step_is_named():
    X, _, y, _ = data("iris")
    pipeline = make_pipeline(NMF(2, max_iter=500), LogisticRegression()).fit(X, y)
    expected = r"step 'nmf'.*NMF.*StandardScaler"
    with pytest.raises(nc.UnsupportedEstimatorError, match=expected):
        nc.convert(pipeline)


def test_unsupported_member_of_a_meta_estimator():
    X, _, y, _ = data("iris")
    with pytest.raises(nc.UnsupportedEstimatorError, match="Majority"):
        nc.convert(OneVsRestClassifier(Majority()).fit(X, y))


@pytest.mark.parametrize("model", [OneVsRestClassifier(LogisticRegression()),
                                   RidgeClassifier(), RidgeClassifierCV()],
                         ids=["one-vs-rest", "ridge", "ridge-cv"])
def test_multilabel_models_are_refused(model):
    X, Y = make_multilabel_classification(n_samples=60, n_classes=3, random_state=0)
    model.fit(X, Y)
    with pytest.raises(nc.UnsupportedEstimatorError, match="multilabel"):
        nc.convert(model)


@pytest.mark.parametrize("thing", ["a string", np.zeros((3, 3)), torch.nn.Linear(3, 2), None])
def test_not_an_estimator(thing):
    expected = "needs a fitted scikit-learn estimator"
    with pytest.raises(nc.UnsupportedEstimatorError, match=expected):
        nc.convert(thing)


def test_a_class_instead_of_an_instance():
    with pytest.raises(TypeError, match="class LogisticRegression"):
        nc.convert(LogisticRegression)


@pytest.mark.parametrize("dtype", [torch.int64, torch.float16, torch.bool, "float64"])
def test_dtype_must_be_float32_or_float64(dtype):
    estimator, _, _ = fitted("logreg-iris-str")
    with pytest.raises(TypeError, match="dtype must be torch.float64"):
        nc.convert(estimator, dtype=dtype)


@pytest.mark.parametrize(
    "X, message",
    [
        (np.zeros((2, 3)), r"X has 3 features, but LogisticRegression expects 4 features"),
        (np.zeros((0, 4)), r"0 sample\(s\)"),
        (np.zeros(4), "Expected 2D array"),
        (np.full((2, 4), np.nan), "NaN"),
        (np.full((2, 4), np.inf), "infinity"),
        ([["a", "b", "c", "d"]], "must hold numbers"),
        (np.zeros((2, 4, 1)), "dim 3"),
    ],
    ids=["feature-count", "empty", "one-dimensional", "nan", "inf", "strings", "3d"],
)
def test_bad_input_at_prediction_time(iris_net, X, message):
    net, _ = iris_net
    for method in (net.decision_function, net.predict_proba, net.predict):
        with pytest.raises(ValueError, match=message):
            method(X)


def test_forward_checks_its_tensor(iris_net):
    net, X_test = iris_net
    with pytest.raises(ValueError, match=r"4 features per row, got shape \(2, 3\)"):
        net(torch.zeros(2, 3, dtype=torch.float64))
    with pytest.raises(TypeError, match="floating-point tensor"):
        net(torch.zeros(2, 4, dtype=torch.int64))
    with pytest.raises(TypeError, match="takes a torch.Tensor"):
        net(X_test)
    # another floating dtype is cast, not refused
    scores = net(torch.as_tensor(X_test, dtype=torch.float32))
    assert scores.dtype == torch.float64


@pytest.mark.parametrize("case_id, method, advice", [
    ("linearsvc-iris-ovr-str", "predict_proba", "decision_function.*CalibratedClassifierCV"),
    ("svc-rbf-iris", "predict_proba", "CalibratedClassifierCV"),  # probability=False
    ("mlp-relu-iris-str", "decision_function", "use predict_proba"),
])
def test_a_method_is_absent_where_scikit_learns_is(case_id, method, advice):
    estimator, _, X_test = fitted(case_id)
    net = nc.convert(estimator)
    assert not hasattr(estimator, method)
    assert not hasattr(net, method)
    # raised by nnconvert, naming what to use instead, not torch's bare "has no attribute"
    with pytest.raises(AttributeError, match=f"has no {method}: .*{advice}"):
        getattr(net, method)(X_test)


def test_a_network_cast_to_half_precision_says_how_to_undo_it():
    estimator, _, X_test = fitted("logreg-iris-str")
    net = nc.convert(estimator).half()
    with pytest.raises(TypeError, match=r"torch.float16.*net.double\(\) or net.float\(\)"):
        net.predict(X_test)
    with pytest.raises(TypeError, match="net.double"):
        net(torch.zeros(2, 4))
    assert (net.double().predict(X_test) == estimator.predict(X_test)).all()


def test_supported_names_are_listed_once():
    names = nc.supported_estimators()  # nnconvert's and scikit-elm's ELMClassifier: one name
    assert len(names) == len(set(names)) and "ELMClassifier" in names
