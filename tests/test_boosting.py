"""Boosted and bagged trees convert exactly: every loss, the initial prediction, NaN,
thresholds, feature subsets, weighted medians, refusals."""

import numpy as np
import pytest
import torch
from equivalence import assert_equivalent, exported_outputs
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.datasets import load_iris, make_friedman1
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import (
    AdaBoostClassifier,
    AdaBoostRegressor,
    BaggingClassifier,
    BaggingRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, LinearSVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import nnconvert as nc
from nnconvert.errors import ConversionError, UnsupportedEstimatorError


def _exact(estimator, X):
    net = nc.convert(estimator)
    assert_equivalent(estimator, net, X)
    return net


@pytest.mark.parametrize("loss", ["log_loss", "exponential"])
@pytest.mark.parametrize("init", [None, "zero", DummyClassifier(strategy="most_frequent")])
def test_gradient_boosting_classifier_binary(cancer, loss, init):
    X, y, held = cancer
    est = GradientBoostingClassifier(loss=loss, init=init, n_estimators=30, max_depth=2,
                                     random_state=0).fit(X, y)
    net = _exact(est, held)
    # predict_log_proba is log(predict_proba), as scikit-learn computes it
    expected = est.predict_log_proba(held)
    finite = np.isfinite(expected)
    assert np.array_equal(finite, np.isfinite(net.predict_log_proba(held)))
    assert np.allclose(net.predict_log_proba(held)[finite], expected[finite], rtol=1e-9,
                       atol=1e-12)


@pytest.mark.parametrize("init", [None, "zero"])
def test_gradient_boosting_classifier_multinomial(iris, init):
    X, y, held = iris
    est = GradientBoostingClassifier(init=init, n_estimators=20, subsample=0.7,
                                     random_state=0).fit(X, y)
    net = _exact(est, held)
    assert net.decision_function(held).shape == (len(held), 3)


def test_gradient_boosting_binary_zero_score_predicts_the_positive_class(cancer):
    # init='zero' and a learning rate of 0 make every score exactly 0: scikit-learn's
    # GradientBoostingClassifier predicts classes_[1] there (score >= 0), unlike most models
    X, y, held = cancer
    est = GradientBoostingClassifier(init="zero", learning_rate=0.0, n_estimators=3,
                                     random_state=0).fit(X, y)
    assert (est.decision_function(held) == 0).all()
    assert (nc.convert(est).predict(held) == est.predict(held)).all()
    assert (est.predict(held) == est.classes_[1]).all()


@pytest.mark.parametrize("loss", ["squared_error", "absolute_error", "huber", "quantile"])
@pytest.mark.parametrize("init", [None, "zero"])
def test_gradient_boosting_regressor_losses(diabetes, loss, init):
    X, y, held = diabetes
    est = GradientBoostingRegressor(loss=loss, init=init, alpha=0.7, n_estimators=40,
                                    random_state=0).fit(X, y)
    _exact(est, held)


def test_gradient_boosting_early_stopping(diabetes):
    X, y, held = diabetes
    est = GradientBoostingRegressor(n_estimators=500, n_iter_no_change=3,
                                    random_state=0).fit(X, y)
    assert est.n_estimators_ < 500
    net = _exact(est, held)
    layer = net.body[0]
    assert layer.n_trees == est.n_estimators_


def test_gradient_boosting_refuses_nan_like_scikit_learn(cancer):
    X, y, held = cancer
    est = GradientBoostingClassifier(n_estimators=5, random_state=0).fit(X, y)
    bad = held[:3].copy()
    bad[1, 4] = np.nan
    with pytest.raises(ValueError):
        est.predict(bad)
    with pytest.raises(ValueError, match="NaN"):
        nc.convert(est).predict(bad)


@pytest.mark.parametrize("dataset, loss", [("iris", "log_loss"), ("cancer", "log_loss"),
                                           ("cancer", "exponential")])
def test_gradient_boosting_classifier_with_a_tree_init(request, dataset, loss):
    X, y, held = request.getfixturevalue(dataset)
    for init in (DecisionTreeClassifier(max_depth=3, random_state=0),
                 RandomForestClassifier(10, max_depth=4, random_state=0)):
        est = GradientBoostingClassifier(loss=loss, init=init, n_estimators=15,
                                         random_state=0).fit(X, y)
        _exact(est, held)


def test_gradient_boosting_regressor_with_a_tree_init(diabetes):
    X, y, held = diabetes
    est = GradientBoostingRegressor(init=DecisionTreeRegressor(max_depth=4), loss="huber",
                                    n_estimators=20, random_state=0).fit(X, y)
    net = _exact(est, held)
    assert "init.predict" in net.explain()


def test_gradient_boosting_refuses_an_init_it_cannot_hold(cancer):
    X, y, _ = cancer
    est = GradientBoostingClassifier(init=DummyClassifier(strategy="stratified"),
                                     n_estimators=3, random_state=0).fit(X, y)
    with pytest.raises(ConversionError, match="init"):
        nc.convert(est)
    est = GradientBoostingClassifier(init=KNeighborsClassifier(), n_estimators=3,
                                     random_state=0).fit(X, y)
    with pytest.raises(ConversionError, match="float32"):
        nc.convert(est)
    # a linear init fitted on float32 X has float32 coefficients and computes in float32
    est = GradientBoostingRegressor(init=Ridge(), n_estimators=3).fit(X, X[:, 0])
    assert est.init_.coef_.dtype == np.float32
    with pytest.raises(ConversionError, match="float32"):
        nc.convert(est)


@pytest.mark.parametrize("loss", ["squared_error", "absolute_error", "poisson", "gamma",
                                  "quantile"])
def test_hist_gradient_boosting_regressor_losses(diabetes, loss):
    X, y, held = diabetes
    kwargs = {"quantile": 0.3} if loss == "quantile" else {}
    est = HistGradientBoostingRegressor(loss=loss, max_iter=40, random_state=0,
                                        **kwargs).fit(X, y)
    net = _exact(est, held)
    if loss in ("poisson", "gamma"):
        assert "exp(" in net.explain()


@pytest.mark.parametrize("dataset", ["iris", "cancer"])
def test_hist_gradient_boosting_classifier_with_nan(request, dataset):
    X, y, held = request.getfixturevalue(dataset)
    rng = np.random.default_rng(0)
    X, held = X.copy(), held.copy()
    X[rng.random(X.shape) < 0.15] = np.nan
    held[rng.random(held.shape) < 0.15] = np.nan
    est = HistGradientBoostingClassifier(max_iter=40, random_state=0).fit(X, y)
    assert any(p.nodes["missing_go_to_left"][~p.nodes["is_leaf"].astype(bool)].any()
               for it in est._predictors for p in it)
    _exact(est, held)


def test_hist_gradient_boosting_nan_only_at_predict(diabetes):
    # trained without NaN, a split still sends NaN somewhere (its missing_go_to_left)
    X, y, held = diabetes
    est = HistGradientBoostingRegressor(max_iter=30, random_state=0).fit(X, y)
    held = held.copy()
    held[::3, 2] = np.nan
    _exact(est, held)


def test_hist_gradient_boosting_compares_float64_thresholds():
    X, y = make_friedman1(n_samples=400, n_features=6, random_state=0)
    est = HistGradientBoostingRegressor(max_iter=20, random_state=0).fit(X, y)
    rows = []
    for iteration in est._predictors:
        nodes = iteration[0].nodes
        for node in nodes[~nodes["is_leaf"].astype(bool)][:3]:
            t = node["num_threshold"]
            # on the threshold, one float64 step either side, one float32 step either side
            for v in (t, np.nextafter(t, np.inf), np.nextafter(t, -np.inf),
                      float(np.nextafter(np.float32(t), np.float32(np.inf))),
                      float(np.nextafter(np.float32(t), np.float32(-np.inf)))):
                row = X[0].copy()
                row[node["feature_idx"]] = v
                rows.append(row)
    rows = np.array(rows)
    # a row routed to another leaf would differ by a leaf value, not by rounding
    assert np.allclose(nc.convert(est).predict(rows), est.predict(rows), rtol=1e-12, atol=0)


def test_hist_gradient_boosting_early_stopping_keeps_n_iter(cancer):
    X, y, held = cancer
    est = HistGradientBoostingClassifier(max_iter=300, early_stopping=True,
                                         n_iter_no_change=2, random_state=0).fit(X, y)
    assert est.n_iter_ < 300
    net = _exact(est, held)
    assert net.body[0].n_trees == est.n_iter_


def _with_a_category(X, y, seed=0):
    """``X`` with a categorical column (codes 0-5, some NaN) inserted at index 2, and a
    target that depends on it, so that the trees split on it."""
    rng = np.random.default_rng(seed)
    code = rng.integers(0, 6, len(X)).astype(float)
    y = np.where(np.isin(code, [1, 4]), (y + 1) % len(np.unique(y)), y)
    X = np.c_[X[:, :2], code, X[:, 2:]]
    X[rng.random(len(X)) < 0.1, 2] = np.nan
    return X, y


@pytest.mark.parametrize("make", [
    lambda: HistGradientBoostingClassifier(max_iter=30, categorical_features=[2],
                                           random_state=0),
    lambda: HistGradientBoostingRegressor(max_iter=30, categorical_features=[2],
                                          random_state=0),
])
def test_hist_gradient_boosting_categorical_splits(make):
    X, y = _with_a_category(*load_iris(return_X_y=True))
    est = make().fit(X[::2], y[::2])
    splits = [p.nodes for it in est._predictors for p in it]
    assert sum(int(n["is_categorical"].sum()) for n in splits) > 0
    held = X[1::2].copy()
    held[:6, 2] = 9.0  # a category never seen in fit: scikit-learn treats it as missing
    held[6:9, 0] = np.nan
    _exact(est, held)


def test_hist_gradient_boosting_categories_from_a_dataframe(iris):
    pandas = pytest.importorskip("pandas")
    X, y = _with_a_category(*load_iris(return_X_y=True))
    frame = pandas.DataFrame(np.delete(X, 2, axis=1), columns=list("abcd"))
    names = np.array(["red", "green", "blue", "cyan", "plum", "teal"])
    colour = np.where(np.isnan(X[:, 2]), None, names[np.nan_to_num(X[:, 2]).astype(int)])
    frame.insert(1, "colour", pandas.Categorical(colour))  # categorical from its dtype
    est = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(frame[::2], y[::2])
    assert est.is_categorical_.tolist() == [False, True, False, False, False]
    net = nc.convert(est)
    held = frame[1::2]
    assert (net.predict(held) == est.predict(held)).all()
    assert np.abs(net.predict_proba(held) - est.predict_proba(held)).max() <= 1e-12
    # columns by name, in any order, as scikit-learn takes them
    shuffled = held[["d", "colour", "a", "c", "b"]]
    assert (net.predict(shuffled) == est.predict(held)).all()
    # a batch whose category column holds missing values only
    missing = held.assign(colour=pandas.Categorical([None] * len(held), categories=names))
    assert (net.predict(missing) == est.predict(missing)).all()


def test_explain_reads_as_boosting(iris, diabetes):
    X, y, _ = iris
    est = GradientBoostingClassifier(n_estimators=5, random_state=0).fit(X, y)
    text = nc.convert(est).explain()
    assert "float32" in text and "softmax" in text and "+ b" in text
    X, y, _ = diabetes
    text = nc.convert(HistGradientBoostingRegressor(max_iter=5).fit(X, y)).explain()
    assert "float32" not in text and "NaN" in text


def test_float32_networks_of_boosted_trees(cancer):
    X, y, held = cancer
    est = HistGradientBoostingClassifier(max_iter=30, random_state=0).fit(X, y)
    net = nc.convert(est, dtype=torch.float32)
    # no row of this data lies within float32 rounding of a threshold
    assert (net.predict(held) == est.predict(held)).all()


@pytest.mark.parametrize("suffix", [".pt2", ".onnx"])
def test_boosted_trees_export(tmp_path, cancer, diabetes, suffix):
    X, y, held = cancer
    held = held.copy()
    held[::4, 3] = np.nan
    classifier = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(X, y)
    X, y, held_d = diabetes
    regressor = HistGradientBoostingRegressor(loss="poisson", max_iter=20).fit(X, y)
    X, y = _with_a_category(*load_iris(return_X_y=True))
    categorical = HistGradientBoostingClassifier(max_iter=20, categorical_features=[2],
                                                 random_state=0).fit(X[::2], y[::2])
    for est, rows, reference in ((classifier, held, classifier.decision_function),
                                 (regressor, held_d, regressor.predict),
                                 (categorical, X[1::2], categorical.decision_function)):
        path = nc.export(nc.convert(est), tmp_path / f"{type(est).__name__}{suffix}")
        scores = exported_outputs(path, rows)[0]
        expected = reference(rows)
        assert np.abs(scores - expected).max() <= 1e-9 * np.abs(expected).max()


def test_bagging_members_whose_sample_missed_a_class(iris):
    # a member sees its bootstrap sample as sample weights: a class it never drew has
    # frequency 0 in every leaf, and the average must count that member's 0
    X, y, held = iris
    est = BaggingClassifier(DecisionTreeClassifier(), n_estimators=30, max_samples=4,
                            max_features=2, random_state=0).fit(X, y)
    assert any((m.tree_.value[:, 0, :] == 0).all(axis=0).any() for m in est.estimators_)
    _exact(est, held)


def test_bagging_regressor_feature_subsets_with_repeats(diabetes):
    X, y, held = diabetes
    est = BaggingRegressor(DecisionTreeRegressor(max_depth=5), n_estimators=10,
                           max_features=6, bootstrap_features=True, max_samples=0.5,
                           random_state=0).fit(X, y)
    assert any(len(set(f)) < len(f) for f in est.estimators_features_)
    _exact(est, held)


@pytest.mark.parametrize("make", [
    # probabilities averaged; decision functions averaged too
    lambda: BaggingClassifier(LogisticRegression(max_iter=2000), n_estimators=5,
                              max_features=0.5, random_state=0),
    # no predict_proba: one-hot votes
    lambda: BaggingClassifier(LinearSVC(), n_estimators=5, max_features=3,
                              bootstrap_features=True, random_state=0),
    # a pipeline takes no sample_weight: its members are fitted on their samples' rows
    lambda: BaggingClassifier(make_pipeline(StandardScaler(), LogisticRegression()),
                              n_estimators=12, max_samples=0.5, random_state=0),
])
def test_bagging_of_other_members(iris, make):
    X, y, held = iris
    est = make().fit(X, y)
    _exact(est, held)


def test_bagging_members_that_saw_some_classes_only(iris):
    X, y, held = iris
    est = BaggingClassifier(make_pipeline(StandardScaler(), LogisticRegression()),
                            n_estimators=12, max_samples=5, random_state=0).fit(X, y)
    assert any(len(m.classes_) < 3 for m in est.estimators_)
    net = nc.convert(est)
    assert np.abs(net.predict_proba(held) - est.predict_proba(held)).max() <= 1e-12
    assert (net.predict(held) == est.predict(held)).all()
    with pytest.raises(ValueError):
        est.decision_function(held)
    with pytest.raises(ValueError, match="only some of the classes"):
        net.decision_function(held)


def test_bagging_of_binary_svms_and_of_linear_regressors(cancer, diabetes):
    X, y, held = cancer
    est = BaggingClassifier(make_pipeline(StandardScaler(), SVC()), n_estimators=4,
                            random_state=0).fit(X, y)
    assert nc.convert(est).decision_function(held).shape == (len(held),)
    _exact(est, held)
    X, y, held = diabetes
    _exact(BaggingRegressor(Ridge(), n_estimators=6, max_features=0.6,
                            random_state=0).fit(X, y), held)


class _ConstantRegressor(RegressorMixin, BaseEstimator):
    """A regressor of our own, which no converter knows (support keeps growing, so a
    scikit-learn class picked as 'unsupported' does not stay so)."""

    def fit(self, X, y, sample_weight=None):
        self.value_ = float(np.mean(y))
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        return np.full(len(X), self.value_)


class _MajorityClassifier(ClassifierMixin, BaseEstimator):
    """A classifier of our own, which no converter knows: the most frequent training label."""

    def fit(self, X, y, sample_weight=None):
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


def test_unsupported_members_are_refused_by_name(iris):
    X, y, _ = iris
    with pytest.raises(UnsupportedEstimatorError, match="_MajorityClassifier"):
        nc.convert(BaggingClassifier(_MajorityClassifier(), n_estimators=3).fit(X, y))
    with pytest.raises(UnsupportedEstimatorError, match="_ConstantRegressor"):
        nc.convert(AdaBoostRegressor(_ConstantRegressor(), n_estimators=3).fit(X, X[:, 0]))


@pytest.mark.parametrize("dataset", ["iris", "cancer"])
def test_adaboost_of_other_members(request, dataset):
    # SAMME votes counted from each member's predict, binary and multiclass
    X, y, held = request.getfixturevalue(dataset)
    est = AdaBoostClassifier(LogisticRegression(C=0.05, max_iter=5000),
                             n_estimators=6, random_state=0).fit(X, y)
    assert len(est.estimators_) > 1
    _exact(est, held)


def test_adaboost_regressor_of_linear_members(diabetes):
    X, y, held = diabetes
    est = AdaBoostRegressor(Ridge(), n_estimators=8, random_state=0).fit(X, y)
    assert len(est.estimators_) > 1
    _exact(est, held)


def test_adaboost_stopped_early_keeps_the_fitted_members(iris):
    # a perfect first tree ends the boosting; estimator_weights_ keeps its zero padding
    X, y, held = iris
    est = AdaBoostClassifier(DecisionTreeClassifier(), n_estimators=20,
                             random_state=0).fit(X, y)
    assert len(est.estimators_) < len(est.estimator_weights_)
    _exact(est, held)


def test_adaboost_refuses_nan_like_scikit_learn(cancer):
    X, y, held = cancer
    for est in (AdaBoostClassifier(n_estimators=5, random_state=0).fit(X, y),
                AdaBoostRegressor(n_estimators=5, random_state=0).fit(X, y)):
        bad = held[:2].copy()
        bad[0, 0] = np.nan
        with pytest.raises(ValueError):
            est.predict(bad)
        with pytest.raises(ValueError, match="NaN"):
            nc.convert(est).predict(bad)


def test_adaboost_regressor_weighted_median_with_tied_members(cancer):
    # a 0/1 target: pure leaves predict exactly 0 or 1, so members tie on most rows
    X, y, _ = cancer
    est = AdaBoostRegressor(DecisionTreeRegressor(max_depth=3), n_estimators=40,
                            random_state=0).fit(X, y.astype(float))
    members = np.array([m.predict(X) for m in est.estimators_]).T
    assert any(len(np.unique(row)) < members.shape[1] for row in members)
    rows = np.vstack([X, X * 1.01, X * 0.99])
    assert np.array_equal(nc.convert(est).predict(rows), est.predict(rows))


@pytest.mark.parametrize("suffix", [".pt2", ".onnx"])
def test_weighted_median_exports(tmp_path, diabetes, suffix):
    X, y, held = diabetes
    est = AdaBoostRegressor(n_estimators=15, random_state=0).fit(X, y)
    path = nc.export(nc.convert(est), tmp_path / f"median{suffix}")
    got = exported_outputs(path, held)[0]
    assert np.array_equal(got, est.predict(held))


def test_categorical_model_verifies_and_draws(tmp_path):
    X, y = _with_a_category(*load_iris(return_X_y=True))
    est = HistGradientBoostingClassifier(max_iter=30, categorical_features=[2],
                                         random_state=0).fit(X[::2], y[::2])
    assert any(p.nodes["is_categorical"].any() for it in est._predictors for p in it)
    net = nc.convert(est)
    report = nc.verify(est, net, X[1::2])
    assert report.passed and report.n_samples == len(X[1::2])
    assert "categorical split" in net.explain()
    nc.draw(net).save(tmp_path / "hgb.svg")
    assert (tmp_path / "hgb.svg").stat().st_size > 0
