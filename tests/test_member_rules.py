"""A member's agreement rule reaches its parent's verdict, for every wrapper and every kind of
member that has one: a cross product, not one case.

Binarised digits put many rows at equal distances from several training rows, where a k-NN's
vote (and so its probabilities) jumps between two roundings: the k-NN's own rule calls those
rows near ties, and so must every wrapper around it. SVC's one-vs-one votes jump where a pair
is within rounding of zero; XGBoost sums in float32. The rules excuse near ties, not errors:
most rows are still judged, and a nudged member still fails its wrapper.
"""

from __future__ import annotations

import warnings

import pytest
import torch
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_digits
from sklearn.ensemble import (
    BaggingClassifier,
    BaggingRegressor,
    StackingClassifier,
    StackingRegressor,
    VotingClassifier,
    VotingRegressor,
)
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.multiclass import OneVsOneClassifier, OneVsRestClassifier
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import nnconvert as nc


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    X = (X > 8).astype(float)  # binary pixels: many equal distances
    return X[:300], y[:300], X[300:400]


CLASSIFIER_MEMBERS = {
    "knn": lambda: KNeighborsClassifier(4),
    "svc-ovr": lambda: SVC(kernel="linear", C=0.01, decision_function_shape="ovr"),
}
CLASSIFIER_WRAPPERS = {
    "voting-soft": lambda m: VotingClassifier(
        [("m", m), ("lr", LogisticRegression(max_iter=500))], voting="soft")
    if not isinstance(m, SVC) else None,
    "voting-hard": lambda m: VotingClassifier(
        [("m", m), ("lr", LogisticRegression(max_iter=500)), ("m2", m)], voting="hard"),
    "stacking": lambda m: StackingClassifier([("m", m)], cv=2),
    "bagging": lambda m: BaggingClassifier(m, n_estimators=3, random_state=0),
    "one-vs-rest": lambda m: OneVsRestClassifier(m),
    "one-vs-one": lambda m: OneVsOneClassifier(m),
    "calibrated": lambda m: CalibratedClassifierCV(m, cv=2),
    "pipeline": lambda m: make_pipeline(StandardScaler(), BaggingClassifier(
        m, n_estimators=2, random_state=0)),
}
REGRESSOR_MEMBERS = {"knn": lambda: KNeighborsRegressor(4)}
REGRESSOR_WRAPPERS = {
    "voting": lambda m: VotingRegressor([("m", m), ("lr", LinearRegression())]),
    "stacking": lambda m: StackingRegressor([("m", m)], cv=2),
    "bagging": lambda m: BaggingRegressor(m, n_estimators=3, random_state=0),
    "transformed-target": lambda m: TransformedTargetRegressor(m,
                                                               transformer=StandardScaler()),
}


def _nudged(net) -> None:
    with torch.no_grad():
        for tensor in [*net.parameters(), *net.buffers()]:
            if tensor.is_floating_point() and tensor.numel() > 1:
                tensor.mul_(1 + 1e-6)


def _check(model, X_test):
    net = nc.convert(model)
    report = nc.verify(model, net, X_test)
    assert report.passed, str(report)
    # the rules excuse near ties only: most rows are still judged
    assert report.near_ties < 0.5 * len(X_test), str(report)


@pytest.mark.parametrize("member", sorted(CLASSIFIER_MEMBERS))
@pytest.mark.parametrize("wrapper", sorted(CLASSIFIER_WRAPPERS))
def test_a_classifier_members_rule_reaches_every_wrapper(digits, wrapper, member):
    X, y, X_test = digits
    model = CLASSIFIER_WRAPPERS[wrapper](CLASSIFIER_MEMBERS[member]())
    if model is None:
        pytest.skip("soft voting needs members with predict_proba")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    _check(model, X_test)


@pytest.mark.parametrize("member", sorted(REGRESSOR_MEMBERS))
@pytest.mark.parametrize("wrapper", sorted(REGRESSOR_WRAPPERS))
def test_a_regressor_members_rule_reaches_every_wrapper(digits, wrapper, member):
    X, y, X_test = digits
    model = REGRESSOR_WRAPPERS[wrapper](REGRESSOR_MEMBERS[member]()).fit(X, y.astype(float))
    _check(model, X_test)


def test_a_nudged_member_still_fails_beside_a_member_with_ties(digits):
    X, y, X_test = digits
    model = VotingClassifier([("knn", KNeighborsClassifier(4)),
                              ("lr", LogisticRegression(max_iter=500))],
                             voting="soft").fit(X, y)
    net = nc.convert(model)
    assert nc.verify(model, net, X_test).passed
    _nudged(net)  # the logistic member's weights: its probabilities move everywhere
    assert not nc.verify(model, net, X_test).passed


def test_a_members_precision_reaches_its_wrapper():
    xgboost = pytest.importorskip("xgboost")
    from nnconvert.registry import load_optional, reference_rtol

    load_optional()  # XGBoost's rules register once the library is imported
    X, y, _ = load_digits(return_X_y=True), None, None
    X, y = X[0][:300], X[1][:300].astype(float)
    member = xgboost.XGBRegressor(n_estimators=5, max_depth=2).fit(X, y)
    own = reference_rtol(member)
    assert own is not None and own > 1e-9
    for wrapper in (REGRESSOR_WRAPPERS["voting"], REGRESSOR_WRAPPERS["bagging"],
                    REGRESSOR_WRAPPERS["transformed-target"]):
        model = wrapper(xgboost.XGBRegressor(n_estimators=5, max_depth=2)).fit(X, y)
        assert reference_rtol(model) == own
        assert reference_rtol(make_pipeline(StandardScaler(), model)) == own
