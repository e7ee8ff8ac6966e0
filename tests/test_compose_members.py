"""The one mechanism for sub-estimators (nnconvert.compose.members): members converted whole,
with the caller's options; the bugs of the three mechanisms it replaced; the fast paths held
to the general path."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.datasets import load_diabetes, load_digits, load_iris, load_wine
from sklearn.ensemble import (
    AdaBoostClassifier,
    AdaBoostRegressor,
    BaggingClassifier,
    BaggingRegressor,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
    StackingClassifier,
    StackingRegressor,
    VotingClassifier,
    VotingRegressor,
)
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.multiclass import OneVsOneClassifier, OneVsRestClassifier
from sklearn.multioutput import MultiOutputRegressor, RegressorChain
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import nnconvert as nc
from nnconvert import registry
from nnconvert.compose.adaboost import adaboost_of_members
from nnconvert.compose.bagging import bagging_of_members
from nnconvert.errors import UnsupportedEstimatorError
from nnconvert.families.trees.network import TreeNetwork
from nnconvert.families.trees.traversal import TreeLayer, TreeTraversal
from nnconvert.layers import AffineScaler
from nnconvert.network import ConvertedClassifier, ConvertedRegressor
from nnconvert.options import Options


def _two_positive_targets():
    X, y = load_diabetes(return_X_y=True)
    return X, np.c_[y, np.sqrt(y) + 50.0 * X[:, 2] + 20.0]


# -- the bugs named in issue 25: each fails on the code before it --------------------------

@pytest.mark.parametrize("wrapper", [MultiOutputRegressor, RegressorChain])
def test_a_members_link_is_kept(wrapper):
    """The members' exp link (a Poisson loss) was dropped: off by 1.2 to 1.7 of 1.9."""
    X, Y = _two_positive_targets()
    model = wrapper(HistGradientBoostingRegressor(loss="poisson", max_iter=20,
                                                  random_state=0)).fit(X, Y)
    reference = model.predict(X)
    np.testing.assert_allclose(nc.convert(model).predict(X), reference, rtol=1e-12)


@pytest.mark.parametrize("wrapper", [MultiOutputRegressor, RegressorChain])
def test_a_member_answers_with_its_own_head(wrapper):
    """Around AdaBoostRegressor the network answered (n, 10), the members' trees, or values
    off by 1.2 in a chain: the weighted median head was thrown away."""
    X, Y = _two_positive_targets()
    model = wrapper(AdaBoostRegressor(DecisionTreeRegressor(max_depth=3), n_estimators=10,
                                      random_state=0)).fit(X, Y)
    got = nc.convert(model).predict(X)
    assert got.shape == (len(X), 2)
    np.testing.assert_allclose(got, model.predict(X), rtol=1e-12)


def _ensembles():
    X, y = load_wine(return_X_y=True)
    Xr, yr = load_diabetes(return_X_y=True)
    forest = RandomForestClassifier(n_estimators=4, max_depth=3, random_state=0)
    scaled = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    forest_r = RandomForestRegressor(n_estimators=4, max_depth=3, random_state=0)
    scaled_r = make_pipeline(StandardScaler(), Ridge())
    return [
        (VotingClassifier([("rf", forest), ("lr", scaled)], voting="soft").fit(X, y), X),
        (VotingClassifier([("rf", forest), ("lr", scaled)], voting="hard").fit(X, y), X),
        (StackingClassifier([("rf", forest), ("lr", scaled)]).fit(X, y), X),
        (VotingRegressor([("rf", forest_r), ("ridge", scaled_r)]).fit(Xr, yr), Xr),
        (StackingRegressor([("rf", forest_r), ("ridge", scaled_r)]).fit(Xr, yr), Xr),
    ]


@pytest.mark.parametrize("case", range(5))
def test_voting_and_stacking_pass_tree_form_and_fuse_to_their_members(case):
    """VotingClassifier(...forest...) with tree_form='traversal' built step-unit trees, and
    fuse=True never reached voting or stacking members."""
    model, X = _ensembles()[case]
    for form, kind in (("traversal", TreeTraversal), ("network", TreeNetwork)):
        net = nc.convert(model, tree_form=form)
        trees = [m for m in net.modules() if isinstance(m, TreeLayer)]
        assert trees and all(type(t) is kind for t in trees)
        assert nc.verify(model, net, X).passed
    assert any(isinstance(m, AffineScaler) for m in nc.convert(model).modules())
    fused = nc.convert(model, fuse=True)
    assert not any(isinstance(m, AffineScaler) for m in fused.modules())
    assert nc.verify(model, fused, X).passed


def test_a_members_error_names_the_member():
    X, y = load_iris(return_X_y=True)

    class Unknown(LogisticRegression):
        pass

    registry._estimator_converter.register(Unknown, registry._estimator_converter.dispatch(
        object))  # a class of its own, with no converter
    model = VotingClassifier([("odd", Unknown(max_iter=500)), ("lr", LogisticRegression(
        max_iter=500))]).fit(X, y)
    with pytest.raises(UnsupportedEstimatorError, match="VotingClassifier member 'odd': "
                                                        "Unknown is not supported"):
        nc.convert(model)


# -- the fast paths, held to the general path ----------------------------------------------

def _outputs(net, X):
    return net.outputs(X, methods=net.head.methods)


def _same(fast, general, X, exact: bool):
    a, b = _outputs(fast, X), _outputs(general, X)
    # the general bagging head has no predict_log_proba (the fast path's frequencies have)
    assert set(b) <= set(a) and "predict" in b
    labels = isinstance(general, ConvertedClassifier)
    for method in b:
        if exact or method == "predict" and labels:
            np.testing.assert_array_equal(a[method], b[method], err_msg=method)
        else:
            # not to the bit: a (d, m) product and m (d, 1) products round differently in
            # BLAS, and a traversal sums its trees in its kernel's order, then scales, where
            # the general path sums its members in order, then divides (as scikit-learn)
            scale = np.abs(b[method]).max()
            np.testing.assert_allclose(a[method], b[method], rtol=0,
                                       atol=8 * np.finfo(np.float64).eps * scale)


@pytest.mark.parametrize("wrapper", [OneVsRestClassifier, OneVsOneClassifier,
                                     MultiOutputRegressor])
def test_merged_linear_members_equal_the_general_path(wrapper, monkeypatch):
    if wrapper is MultiOutputRegressor:
        X, Y = _two_positive_targets()
        model = wrapper(Ridge()).fit(X, Y)
    else:
        X, Y = load_digits(return_X_y=True)
        model = wrapper(LinearSVC(dual="auto") if wrapper is OneVsOneClassifier
                        else LogisticRegression(max_iter=3000)).fit(X, Y)
    fast = nc.convert(model)
    assert len(fast.body) == 2  # the merged linear layer, then each member's head
    monkeypatch.setattr(registry, "_BODY_MERGES", [])  # no merge registered: the general path
    general = nc.convert(model)
    assert len(general.body) == 1  # each member whole, side by side
    _same(fast, general, X, exact=False)


def _network(estimator, conversion):
    from nnconvert.converter import _network
    return _network(estimator, conversion).to(torch.float64)  # as convert() casts it


@pytest.mark.parametrize("make", [
    lambda: BaggingClassifier(DecisionTreeClassifier(max_depth=4), n_estimators=6,
                              max_features=0.6, random_state=0),
    lambda: BaggingRegressor(DecisionTreeRegressor(max_depth=4), n_estimators=6,
                             max_features=0.6, random_state=0),
    lambda: AdaBoostClassifier(DecisionTreeClassifier(max_depth=2), n_estimators=6,
                               random_state=0),
    lambda: AdaBoostRegressor(DecisionTreeRegressor(max_depth=3), n_estimators=6,
                              random_state=0),
], ids=["bagging", "bagging-regressor", "adaboost", "adaboost-regressor"])
@pytest.mark.parametrize("form", ["traversal", "network"])
def test_one_traversal_of_member_trees_equals_the_general_path(make, form):
    classifier = "Classifier" in type(make()).__name__
    X, y = load_wine(return_X_y=True) if classifier else load_diabetes(return_X_y=True)
    model = make().fit(X, y)
    options = Options(tree_form=form)
    fast = nc.convert(model, tree_form=form)
    assert len([m for m in fast.modules() if isinstance(m, TreeLayer)]) == 1
    general_path = bagging_of_members if "Bagging" in type(model).__name__ else \
        adaboost_of_members
    general = _network(model, general_path(model, options))
    assert len([m for m in general.modules() if isinstance(m, TreeLayer)]) == 6
    assert isinstance(general, ConvertedClassifier if classifier else ConvertedRegressor)
    rows = np.vstack([X, X + np.random.default_rng(0).normal(scale=X.std(0) / 3, size=X.shape)])
    _same(fast, general, rows, exact=False)
