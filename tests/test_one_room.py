"""The "one room" claim: a family defined only here, in the test suite (its estimator, its
layer, its head, its converter and its agreement rule), converts, verifies, explains and draws
without a line of nnconvert changed; and so does a meta-estimator defined only here (one
converter on nnconvert.compose.members)."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.datasets import load_diabetes, load_wine
from sklearn.ensemble import AdaBoostRegressor, HistGradientBoostingRegressor
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor
from sklearn.utils.validation import check_is_fitted, validate_data

import nnconvert as nc
from nnconvert.agreement import decision_margin
from nnconvert.compose.members import Columns, Member, convert_member, side_by_side
from nnconvert.families.trees.traversal import TreeLayer, TreeTraversal
from nnconvert.layers import AffineScaler, Layer, LayerDescription, as_buffer
from nnconvert.network.heads import ClassifierHead, RegressionHead, first_argmax
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


# -- a meta-estimator defined only here: one function on nnconvert.compose.members ---------

class MedianOfMembers(RegressorMixin, BaseEstimator):
    """A real (if small) meta-regressor: each member fitted on all the data, the median of
    their predictions predicted."""

    def __init__(self, estimators=()):
        self.estimators = estimators

    def fit(self, X, y):
        X, y = validate_data(self, X, y)
        self.estimators_ = [clone(e).fit(X, y) for e in self.estimators]
        return self

    def predict(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return np.median(np.stack([e.predict(X) for e in self.estimators_], axis=1), axis=1)


class MedianHead(RegressionHead):
    """Reads each member's prediction from its columns and takes their median."""

    def __init__(self, columns: Columns):
        super().__init__(1, single=True)
        self.columns = columns

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.stack(self.columns.each(z, "predict"), dim=1).median(dim=1).values

    def describe(self) -> LayerDescription:
        return LayerDescription(title="median of the members", n_in=self.columns.width,
                                n_out=1, activation="median",
                                formula="predict(x) = median of the members' predictions",
                                connectivity="dense")


@converts(MedianOfMembers)
def _median_of_members(model, options):
    conversions = [convert_member(e, options, f"MedianOfMembers member {k}")
                   for k, e in enumerate(model.estimators_)]
    members = [Member(f"member {k}", c, ["predict"], n_in=model.n_features_in_)
               for k, c in enumerate(conversions)]
    layers = side_by_side(members, conversions, model.n_features_in_, title="members")
    return Conversion(layers=layers, head=MedianHead(Columns.of(members)))


def test_a_meta_estimator_defined_outside_the_package(tmp_path):
    """Three members of three families (a link, a weighted median, a tree), the options
    passed on: converts, verifies, explains and draws without a line of nnconvert changed."""
    X, y = load_diabetes(return_X_y=True)
    model = MedianOfMembers([
        HistGradientBoostingRegressor(loss="poisson", max_iter=10, random_state=0),
        AdaBoostRegressor(DecisionTreeRegressor(max_depth=2), n_estimators=5, random_state=0),
        make_pipeline(StandardScaler(), Ridge())]).fit(X, y)
    net = nc.convert(model, tree_form="traversal", fuse=True)
    np.testing.assert_allclose(net.predict(X), model.predict(X), rtol=1e-12)
    assert nc.verify(model, net, X).passed
    layers = [m for m in net.modules() if isinstance(m, TreeLayer)]
    assert layers and all(isinstance(m, TreeTraversal) for m in layers)
    assert not any(isinstance(m, AffineScaler) for m in net.modules())  # fused into Ridge
    assert "median of the members' predictions" in net.explain()
    assert "median of the members" in nc.draw(net).source
