"""The "one room" claim: a family defined only here, in the test suite (its estimator, its
layer, its head, its converter and its agreement rule), converts, verifies, explains and draws
without a line of nnconvert changed."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_wine
from sklearn.utils.validation import check_is_fitted, validate_data

import nnconvert as nc
from nnconvert.agreement import decision_margin
from nnconvert.layers import Layer, LayerDescription, as_buffer
from nnconvert.network.heads import ClassifierHead, first_argmax
from nnconvert.registry import Conversion, converts, margin_rule


class NearestMean(ClassifierMixin, BaseEstimator):
    """A real (if small) scikit-learn classifier: the class whose mean is nearest wins.

    Its ``decision_function`` is the squared distance to each class mean, so ``predict`` is
    an argmin of the scores: not the argmax the default agreement rule assumes.
    """

    def fit(self, X, y):
        X, y = validate_data(self, X, y)
        self.classes_, index = np.unique(y, return_inverse=True)
        self.means_ = np.stack([X[index == k].mean(axis=0) for k in range(len(self.classes_))])
        return self

    def decision_function(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return ((X[:, None, :] - self.means_[None, :, :]) ** 2).sum(axis=2)

    def predict(self, X):
        return self.classes_[np.argmin(self.decision_function(X), axis=1)]


class SquaredDistanceUnits(Layer):
    """One unit per centre: ``y_j = ‖x − c_j‖²``, summed in the estimator's order."""

    def __init__(self, centres):
        super().__init__()
        self.register_buffer("centres", as_buffer(centres))

    def forward(self, x):
        return ((x[:, None, :] - self.centres[None, :, :]) ** 2).sum(dim=2)

    def describe(self):
        return LayerDescription(title="squared-distance units", n_in=self.centres.shape[1],
                                n_out=self.centres.shape[0], activation="‖x − c‖²",
                                formula="{y}_j = ‖{x} − c_j‖²")


class NearestHead(ClassifierHead):
    """The scores are distances; the nearest class wins (the first on a tie)."""

    def __init__(self, n_classes):
        super().__init__()
        self.n_classes = n_classes

    def decision(self, z):
        return z

    def predict_index(self, z):
        return first_argmax(-z)

    def describe(self):
        return LayerDescription(title="nearest", n_in=self.n_classes, n_out=self.n_classes,
                                activation="argmin", formula="predict(x) = classes_[argmin {x}]",
                                connectivity="elementwise")


@converts(NearestMean)
def _nearest_mean(estimator, options):
    return Conversion(layers=[SquaredDistanceUnits(estimator.means_)],
                      head=NearestHead(len(estimator.classes_)))


@margin_rule.register(NearestMean)
def _nearest_margin(estimator, X, reference):
    return decision_margin(-reference["decision_function"])  # gap of the two nearest


def test_a_family_defined_outside_the_package_converts_verifies_and_draws(tmp_path):
    X, y = load_wine(return_X_y=True)
    model = NearestMean().fit(X, y)
    net = nc.convert(model)
    assert "NearestMean" in nc.supported_estimators()
    assert np.array_equal(net.predict(X), model.predict(X))
    report = nc.verify(model, net, X)
    assert report.passed and report.n_disagreements == 0
    assert "squared-distance units" in net.explain()
    diagram = nc.draw(net)
    assert "squared-distance units" in diagram.source
    svg = diagram.save(tmp_path / "nearest.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "squared&#45;distance units" in svg


def test_its_rule_judges_its_labels():
    """A network that picks the farthest class disagrees, and the family's margin (not the
    default argmax gap, which would be of the wrong scores) says how confidently."""
    X, y = load_wine(return_X_y=True)
    model = NearestMean().fit(X, y)
    net = nc.convert(model)
    net.head.predict_index = lambda z: first_argmax(z)  # farthest wins: a wrong network
    report = nc.verify(model, net, X)
    assert not report.passed and report.n_disagreements > 100
    margins = [row.margin for row in report.worst_rows if row.why == "label"]
    expected = np.sort(np.partition(model.decision_function(X), 1, axis=1)[:, :2], axis=1)
    assert max(margins) == np.max(expected[:, 1] - expected[:, 0])
    with torch.no_grad():
        assert net(torch.as_tensor(X)).shape == (len(X), 3)
