"""ELMClassifier and ELMRegressor as scikit-learn estimators, and ELMs (ours and
scikit-elm's) as networks."""

from __future__ import annotations

import importlib
import importlib.util
import os
import subprocess
import sys
import types

import numpy as np
import pytest
import torch
from equivalence import assert_equivalent
from hypothesis import example, given
from hypothesis import strategies as st
from sklearn.datasets import load_breast_cancer, load_iris, make_friedman1, make_regression
from sklearn.linear_model import Ridge, RidgeClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks
from zoo import fitted, probe_points
from zoo.elm import generated

import nnconvert as nc
from nnconvert.elm import ELM_ACTIVATIONS, ridge_readout
from nnconvert.layers import ActivatedUnits, KernelUnits

# -- the estimator --------------------------------------------------------------------------


@parametrize_with_checks([
    nc.ELMClassifier(n_hidden=20),
    nc.ELMClassifier(n_hidden=20, activation="rbf"),
    nc.ELMClassifier(n_hidden=15, activation="sin", weight_distribution="uniform", alpha=0.0),
    nc.ELMRegressor(n_hidden=20),
    nc.ELMRegressor(n_hidden=20, activation="rbf", alpha=1e-3),
    nc.ELMRegressor(n_hidden=15, activation="tanh", weight_distribution="uniform", alpha=0.0),
])
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), np.array(["setosa", "versicolor", "virginica"])[y]


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "sin", "identity", "rbf"])
def test_read_out_is_ridge_classifier_on_the_hidden_units(iris, activation):
    X, y = iris
    elm = nc.ELMClassifier(n_hidden=30, activation=activation, alpha=0.3, random_state=0)
    elm.fit(X, y)
    ridge = RidgeClassifier(alpha=0.3, solver="svd").fit(elm._hidden(X), y)
    # two solvers (Cholesky here, SVD there) of the same ridge problem: not a conversion,
    # so they agree to the problem's conditioning, not to 1e-9
    np.testing.assert_allclose(elm.coef_, ridge.coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(elm.intercept_, ridge.intercept_, rtol=1e-8, atol=1e-10)
    assert (elm.predict(X) == ridge.predict(elm._hidden(X))).all()


def test_singular_gram_matrix_falls_back_to_the_minimum_norm_solution():
    # identity units on 4 features: 12 units span only 4 directions, so with alpha = 0 the
    # Gram matrix is singular and Cholesky must give way to the least-squares solver
    X, y = load_iris(return_X_y=True)
    elm = nc.ELMClassifier(n_hidden=12, activation="identity", alpha=0.0, random_state=0)
    elm.fit(X, y)
    H = elm._hidden(X)
    H -= H.mean(axis=0)
    T = np.where(y[:, None] == np.arange(3), 1.0, -1.0)
    expected = np.linalg.lstsq(H, T - T.mean(axis=0), rcond=None)[0].T
    # a singular system: two least-squares solvers agree only to its conditioning
    np.testing.assert_allclose(elm.coef_, expected, rtol=1e-6, atol=1e-9)
    assert elm.score(X, y) > 0.8


def test_ridge_readout_matches_the_normal_equations():
    rng = np.random.default_rng(0)
    H, T = rng.normal(size=(50, 7)), rng.normal(size=(50, 2))
    coef, intercept = ridge_readout(H.copy(), T, alpha=2.0)
    Hc, Tc = H - H.mean(0), T - T.mean(0)
    beta = np.linalg.solve(Hc.T @ Hc + 2.0 * np.eye(7), Hc.T @ Tc)
    np.testing.assert_allclose(coef, beta.T, rtol=1e-10)
    np.testing.assert_allclose(intercept, T.mean(0) - H.mean(0) @ beta, rtol=1e-10)


def test_binary_scores_string_labels_and_sign_rule():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    labels = np.array(["benign", "malignant"])[1 - y]
    elm = nc.ELMClassifier(n_hidden=40, random_state=0).fit(X, labels)
    scores = elm.decision_function(X)
    assert scores.shape == (len(X),) and elm.coef_.shape == (1, 40)
    assert list(elm.classes_) == ["benign", "malignant"]
    np.testing.assert_array_equal(elm.predict(X), np.where(scores > 0, "malignant", "benign"))
    assert elm.score(X, labels) > 0.9
    proba = elm.predict_proba(X)  # [1 − σ(s), σ(s)]: above one half exactly where s > 0
    np.testing.assert_allclose(proba[:, 1], 1 / (1 + np.exp(-scores)), rtol=1e-12)
    np.testing.assert_array_equal(elm.classes_[proba.argmax(axis=1)], elm.predict(X))


def test_multiclass_probabilities_are_normalised_sigmoids(iris):
    X, y = iris
    elm = nc.ELMClassifier(n_hidden=30, random_state=1).fit(X, y)
    sigma = 1 / (1 + np.exp(-elm.decision_function(X)))
    np.testing.assert_allclose(elm.predict_proba(X), sigma / sigma.sum(1, keepdims=True),
                               rtol=1e-12)
    far = np.full((1, X.shape[1]), 1e6)  # a far row: finite probabilities that sum to 1
    assert np.isfinite(elm.predict_proba(far)).all()
    np.testing.assert_allclose(elm.predict_proba(far).sum(), 1.0)
    elm.coef_[:] = 0.0
    elm.intercept_[:] = -1e3  # every σ underflows to 0: a uniform row, not NaN
    np.testing.assert_array_equal(elm.predict_proba(X[:3]), np.full((3, 3), 1 / 3))


def test_rbf_units_sit_on_training_rows_and_weights_follow_the_distribution(iris):
    X, y = iris
    rbf = nc.ELMClassifier(n_hidden=25, activation="rbf", random_state=0).fit(X, y)
    assert all((X == c).all(axis=1).any() for c in rbf.centres_)
    assert rbf.gamma_ == pytest.approx(1 / (X.shape[1] * X.var()))
    uniform = nc.ELMClassifier(n_hidden=2000, weight_distribution="uniform", random_state=0)
    uniform.fit(X, y)
    bound = np.sqrt(3 / X.shape[1])
    assert np.abs(uniform.hidden_weights_).max() <= bound
    normal = nc.ELMClassifier(n_hidden=2000, random_state=0).fit(X, y)
    # same variance 1/n_features for both, different shapes
    assert normal.hidden_weights_.var() == pytest.approx(1 / X.shape[1], rel=0.05)
    assert uniform.hidden_weights_.var() == pytest.approx(1 / X.shape[1], rel=0.05)
    assert np.abs(normal.hidden_weights_).max() > bound


def test_refit_with_another_activation_drops_stale_attributes(iris):
    X, y = iris
    elm = nc.ELMClassifier(n_hidden=10, activation="rbf", random_state=0).fit(X, y)
    elm.set_params(activation="tanh").fit(X, y)
    assert not hasattr(elm, "centres_")
    assert isinstance(nc.convert(elm).body[0], ActivatedUnits)


@pytest.mark.parametrize("params, message", [
    ({"activation": "softplus"}, "activation must be one of"),
    ({"weight_distribution": "cauchy"}, "weight_distribution must be one of"),
    ({"n_hidden": 0}, "n_hidden must be a positive integer"),
    ({"alpha": -1.0}, "alpha must be a finite number >= 0"),
    ({"weight_scale": 0.0}, "weight_scale must be a finite number > 0"),
])
def test_bad_parameters_name_the_problem(iris, params, message):
    X, y = iris
    with pytest.raises(ValueError, match=message):
        nc.ELMClassifier(**params).fit(X, y)


def test_one_class_is_refused_clearly():
    with pytest.raises(ValueError, match="at least 2 classes"):
        nc.ELMClassifier().fit(np.ones((5, 2)), ["a"] * 5)


# -- the conversion -------------------------------------------------------------------------


def test_network_is_random_units_then_read_out_neurons():
    elm, X_train, X_test = fitted("elm-sigmoid-iris-str")
    net = nc.convert(elm)
    hidden, readout = net.body
    assert isinstance(hidden, ActivatedUnits) and hidden.activation == "sigmoid"
    np.testing.assert_array_equal(hidden.weight.detach().numpy(), elm.hidden_weights_.T)
    np.testing.assert_array_equal(readout.weight.detach().numpy(), elm.coef_)
    description = hidden.describe()
    assert (description.n_in, description.n_out, description.activation) == (4, 40, "σ")
    assert "σ(W·x + b)" in net.explain()
    np.testing.assert_allclose(net.predict_proba(X_test), elm.predict_proba(X_test), rtol=1e-12)


def test_rbf_elm_is_a_layer_of_gaussian_units():
    elm, _, X_test = fitted("elm-rbf-blobs")
    net = nc.convert(elm)
    assert isinstance(net.body[0], KernelUnits) and net.body[0].gamma == elm.gamma_
    assert "exp(−γ‖x − c_j‖²)" in net.explain()
    np.testing.assert_allclose(net.hidden(torch.as_tensor(X_test)).detach().numpy(),
                               elm.decision_function(X_test), rtol=1e-12, atol=1e-12)


def float64_tolerance(elm, X) -> float:
    """1e-9 of the score scale (a regressor's: its predictions'), unless the read-out itself
    cancels badly.

    The estimator (numpy) and the network (torch) compute each hidden unit with other
    roundings; a unit's error is at most a few ε times the size of what it sums (for a
    Gaussian unit exp(−γ d²): ε·γ·(‖x‖² + ‖c‖² + 2|⟨x, c⟩|) relative), and the read-out
    multiplies it by |β|. With ``alpha=0`` and nearly collinear units the least-squares
    read-out reaches |β| ~ 1e10 that cancel to scores ~ 1e2 (a hypothesis counterexample:
    rbf, 31 units, weight_scale 0.1), where no computation in another order reaches 1e-9.
    The tolerance is the larger of 1e-9 and that bound (probabilities: times the number of
    classes, their scale being at least 1/C): exact wherever exactness is possible.
    """
    hidden = np.abs(elm._hidden(X))
    beta = np.abs(np.atleast_2d(elm.coef_))
    if elm.activation == "rbf":
        centres = elm.centres_
        size = 1 + elm.gamma_ * ((X * X).sum(1)[:, None] + (centres * centres).sum(1)[None, :]
                                 + 2 * np.abs(X @ centres.T))
        per_unit, n = hidden * size, X.shape[1] + 4
    else:  # activations whose slope is at most 1: their error is the pre-activation's
        per_unit = 1 + np.abs(X) @ np.abs(elm.hidden_weights_) + np.abs(elm.hidden_bias_)
        n = X.shape[1] + 2
    terms = per_unit @ beta.T + hidden @ beta.T * beta.shape[1] / n  # units + the read-out sum
    bound = 2 * n * np.finfo(np.float64).eps * float(terms.max())
    if isinstance(elm, nc.ELMRegressor):  # no probabilities: the predictions' scale only
        return max(1e-9, bound / float(np.abs(elm.predict(X)).max()))
    scale = float(np.abs(elm.decision_function(X)).max())
    return max(1e-9, bound / scale, bound * len(elm.classes_))


@given(
    activation=st.sampled_from(sorted(ELM_ACTIVATIONS)),
    distribution=st.sampled_from(["normal", "uniform"]),
    n_hidden=st.integers(1, 80),
    n_classes=st.integers(2, 5),
    n_features=st.integers(3, 12),
    alpha=st.sampled_from([0.0, 1e-3, 1.0, 30.0]),
    weight_scale=st.floats(0.1, 3.0),
    seed=st.integers(0, 2**16),
)
@example(activation="identity", distribution="normal", n_hidden=80, n_classes=2,
         n_features=3, alpha=0.0, weight_scale=1.0, seed=0)  # singular Gram: lstsq path
@example(activation="rbf", distribution="normal", n_hidden=31, n_classes=3, n_features=3,
         alpha=0.0, weight_scale=0.1, seed=1)  # |β| ~ 1e12 that cancel: the bound applies
def test_any_elm_converts_exactly(activation, distribution, n_hidden, n_classes, n_features,
                                  alpha, weight_scale, seed):
    X, y = generated(seed, n_classes, n_features)
    elm = nc.ELMClassifier(n_hidden=n_hidden, activation=activation, alpha=alpha,
                           weight_distribution=distribution, weight_scale=weight_scale,
                           random_state=seed).fit(X, y)
    net = nc.convert(elm)
    rows = np.vstack([X, probe_points(X, 100, seed)])
    assert_equivalent(elm, net, rows, rtol=float64_tolerance(elm, rows))


def test_the_elm_tolerance_is_1e_9_for_well_conditioned_read_outs():
    for case_id in ("elm-sigmoid-iris-str", "elm-rbf-blobs", "elmreg-rbf-friedman"):
        elm, _, X_test = fitted(case_id)
        assert float64_tolerance(elm, X_test) == 1e-9


# -- the regressor ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def friedman():
    return make_friedman1(n_samples=300, noise=0.5, random_state=0)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "sin", "identity", "rbf"])
@pytest.mark.parametrize("targets", ["1-D", "column", "three"])
def test_regressor_read_out_is_ridge_on_the_hidden_units(friedman, activation, targets):
    X, y = friedman
    y = {"1-D": y, "column": y[:, None], "three": np.c_[y, -2 * y, np.sqrt(y - y.min())]}[targets]
    elm = nc.ELMRegressor(n_hidden=30, activation=activation, alpha=0.3, random_state=0)
    elm.fit(X, y)
    H = elm._hidden(X)
    ridge = Ridge(alpha=0.3, solver="svd").fit(H, y)
    # a 1-D y: a 1-D coef_ and a float intercept_; a 2-D y, a column too, keeps one row per
    # target and predicts (n, k) as LinearRegression and KernelRidge do (Ridge ravels a column)
    one = y.ndim == 1
    assert elm.coef_.shape == ((30,) if one else (y.shape[1], 30))
    assert isinstance(elm.intercept_, float) if one else elm.intercept_.shape == (y.shape[1],)
    assert elm.predict(X).shape == y.shape
    # two solvers (Cholesky here, SVD there) of one ridge problem: they agree to its
    # conditioning, not to 1e-9
    np.testing.assert_allclose(elm.coef_, ridge.coef_.reshape(elm.coef_.shape), rtol=1e-8,
                               atol=1e-10)
    np.testing.assert_allclose(elm.predict(X), ridge.predict(H).reshape(y.shape), rtol=1e-9,
                               atol=1e-9)
    assert elm.score(X, y) > 0.5


def test_regressor_bad_parameters_name_the_problem(friedman):
    X, y = friedman
    with pytest.raises(ValueError, match="activation must be one of"):
        nc.ELMRegressor(activation="softplus").fit(X, y)
    with pytest.raises(ValueError, match="could not convert string to float"):
        nc.ELMRegressor().fit(X, np.array(["a"] * len(X)))  # targets must be numbers


@given(
    activation=st.sampled_from(sorted(ELM_ACTIVATIONS)),
    n_hidden=st.integers(1, 80),
    n_targets=st.integers(1, 3),
    n_features=st.integers(2, 12),
    alpha=st.sampled_from([0.0, 1e-3, 1.0, 30.0]),
    weight_scale=st.floats(0.1, 3.0),
    seed=st.integers(0, 2**16),
)
@example(activation="identity", n_hidden=80, n_targets=1, n_features=3, alpha=0.0,
         weight_scale=1.0, seed=0)  # singular Gram: lstsq path
def test_any_elm_regressor_converts_exactly(activation, n_hidden, n_targets, n_features, alpha,
                                            weight_scale, seed):
    X, y = make_regression(n_samples=90, n_features=n_features, n_targets=n_targets,
                           noise=1.0, random_state=seed)
    elm = nc.ELMRegressor(n_hidden=n_hidden, activation=activation, alpha=alpha,
                          weight_scale=weight_scale, random_state=seed).fit(X, y)
    net = nc.convert(elm)
    rows = np.vstack([X, probe_points(X, 100, seed)])
    assert_equivalent(elm, net, rows, rtol=float64_tolerance(elm, rows))


def test_regressor_network_is_random_units_then_read_out_neurons(tmp_path):
    pipeline, X_train, X_test = fitted("elmreg-tanh-uniform-diabetes-two-targets")
    elm = pipeline[-1]
    net = nc.convert(pipeline)
    scaler, hidden, readout = net.body
    assert isinstance(hidden, ActivatedUnits) and hidden.activation == "tanh"
    np.testing.assert_array_equal(hidden.weight.detach().numpy(), elm.hidden_weights_.T)
    np.testing.assert_array_equal(readout.weight.detach().numpy(), elm.coef_)
    text = net.explain()
    assert "tanh(W·h1 + b)" in text and "read-out neurons: 40 → 2" in text
    assert "predict(x) = ŷ   (shape (n, 2))" in text
    assert "y1" in nc.draw(net).svg()
    assert nc.verify(pipeline, net, X_test).passed
    assert not net.has_std  # an ELM has no predictive distribution


def test_regressor_from_the_command_line(tmp_path, monkeypatch):
    sio = pytest.importorskip("skops.io")
    from nnconvert.cli import main

    pipeline, _, X_test = fitted("elmreg-sigmoid-diabetes-scaled")
    monkeypatch.chdir(tmp_path)
    sio.dump(pipeline, "elm.skops")
    np.save("X.npy", X_test)
    trust = ["--trust-type", "nnconvert.elm.ELMRegressor"]
    assert main(["verify", "elm.skops", "--data", "X.npy", *trust]) == 0
    assert main(["convert", "elm.skops", "-o", "elm.pt2", *trust]) == 0
    (got,) = torch.export.load("elm.pt2").module()(torch.as_tensor(X_test))
    expected = pipeline.predict(X_test)
    assert np.abs(got.detach().numpy() - expected).max() <= 1e-9 * np.abs(expected).max()


# -- scikit-elm -----------------------------------------------------------------------------


def _import_skelm():
    """scikit-elm's ``skelm.elm`` module (its ELMClassifier and ELMRegressor, registered),
    importing around its broken package ``__init__``.

    scikit-elm 0.21a0's ``__init__`` imports ``large_elm``, which imports dask.dataframe,
    which needs pyarrow; the estimator itself (``skelm.elm``) needs none of that. Where the
    package imports normally it is used as is; otherwise its real modules are loaded under a
    bare package object (no stand-in code: the estimator under test is scikit-elm's own).
    """
    if importlib.util.find_spec("skelm") is None:
        pytest.skip("scikit-elm is not installed (pip install nnconvert[elm])")
    try:
        import skelm
    except ImportError:
        for name in [m for m in sys.modules if m == "skelm" or m.startswith("skelm.")]:
            del sys.modules[name]
        package = types.ModuleType("skelm")
        package.__path__ = list(importlib.util.find_spec("skelm").submodule_search_locations)
        sys.modules["skelm"] = package
        skelm = package
        package.ELMClassifier = importlib.import_module("skelm.elm").ELMClassifier
        package.ELMRegressor = importlib.import_module("skelm.elm").ELMRegressor
    from nnconvert.families.elm import register_skelm, register_skelm_regressor

    register_skelm(skelm.elm.ELMClassifier)
    register_skelm_regressor(skelm.elm.ELMRegressor)
    return skelm.elm


# scikit-elm projects a few features onto more neurons on purpose; sklearn warns about it
skelm_warnings = pytest.mark.filterwarnings("ignore::sklearn.exceptions.DataDimensionalityWarning")


@pytest.fixture(scope="module")
def SkELM():
    return _import_skelm().ELMClassifier


@pytest.fixture(scope="module")
def SkELMRegressor():
    return _import_skelm().ELMRegressor


@skelm_warnings
@pytest.mark.parametrize("params", [
    {"n_neurons": 30},
    {"n_neurons": 25, "ufunc": "sigm", "include_original_features": True},
    {"n_neurons": (10, 8, 6), "ufunc": ("relu", "lin", "tanh"), "density": (None, 0.5, None)},
])
@pytest.mark.parametrize("dataset", ["iris", "breast_cancer"])
def test_scikit_elm_converts_exactly(SkELM, params, dataset):
    X, y = {"iris": load_iris, "breast_cancer": load_breast_cancer}[dataset](return_X_y=True)
    X = StandardScaler().fit_transform(X)
    labels = np.array(["a", "b", "c"])[y]
    model = SkELM(random_state=0, **params).fit(X, labels)
    net = nc.convert(model)
    assert not hasattr(net, "decision_function")
    for rows in (X, probe_points(X, 200)):
        assert_equivalent(model, net, rows)
    assert_equivalent(model, nc.convert(model, dtype=torch.float32), X)


@skelm_warnings
def test_scikit_elm_binary_predict_thresholds_raw_read_out_at_one_half(SkELM):
    # its targets are 0/1, so predict is read-out > 0.5 while predict_proba is σ(read-out):
    # rows with 0 < read-out <= 0.5 have p(classes_[1]) > 0.5 yet predict classes_[0]
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    model = SkELM(n_neurons=20, random_state=0).fit(X, y)
    probes = probe_points(X, 2000, seed=1)
    p = model.predict_proba(probes)[:, 1]
    odd = (p > 0.5) & (model.predict(probes) == 0)
    assert odd.any()
    net = nc.convert(model)
    np.testing.assert_array_equal(net.predict(probes), model.predict(probes))
    assert "> 0.5" in net.explain()


@skelm_warnings
def test_scikit_elm_distance_neurons_are_refused_clearly(SkELM):
    X, y = load_iris(return_X_y=True)
    model = SkELM(n_neurons=(5, 5), pairwise_metric=(None, "euclidean"), random_state=0)
    with pytest.raises(nc.UnsupportedEstimatorError, match="pairwise_metric='euclidean'"):
        nc.convert(model.fit(X, y))
    with pytest.raises(nc.UnsupportedEstimatorError, match="custom callable"):
        nc.convert(SkELM(n_neurons=5, ufunc=np.sin, random_state=0).fit(X, y))
    multilabel = np.stack([y == 0, y == 2], axis=1).astype(int)
    with pytest.raises(nc.UnsupportedEstimatorError, match="multilabel"):
        nc.convert(SkELM(n_neurons=5, random_state=0).fit(X, multilabel))




@skelm_warnings
@pytest.mark.parametrize("params", [
    {"n_neurons": 30},
    {"n_neurons": 25, "ufunc": "sigm", "include_original_features": True},
    {"n_neurons": (10, 8, 6), "ufunc": ("relu", "lin", "tanh"), "density": (None, 0.5, None)},
])
@pytest.mark.parametrize("targets", ["1-D", "column", "two"])
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.DataConversionWarning")  # a column y
def test_scikit_elm_regressor_converts_exactly(SkELMRegressor, params, targets):
    X, y = make_friedman1(n_samples=300, noise=0.5, random_state=0)
    y = {"1-D": y, "column": y[:, None], "two": np.c_[y, X[:, 0] * y]}[targets]
    model = SkELMRegressor(random_state=0, **params).fit(X, y)
    net = nc.convert(model)
    assert net.predict(X).shape == model.predict(X).shape == y.shape
    for rows in (X, probe_points(X, 200)):
        assert_equivalent(model, net, rows)
    assert_equivalent(model, nc.convert(model, dtype=torch.float32), X)
    text = net.explain()
    assert "read-out neurons" in text and "predict(x) = ŷ" in text


@skelm_warnings
def test_scikit_elm_regressor_distance_neurons_are_refused_clearly(SkELMRegressor):
    X, y = make_friedman1(n_samples=100, random_state=0)
    model = SkELMRegressor(n_neurons=(5, 5), pairwise_metric=(None, "cityblock"),
                           random_state=0).fit(X, y)
    with pytest.raises(nc.UnsupportedEstimatorError, match="pairwise_metric='cityblock'"):
        nc.convert(model)


def test_import_leaves_scikit_elm_and_hypothesis_alone_until_needed():
    # scikit-elm pulls in dask and pandas (half a second), hypothesis a fifth: a plain
    # import must not pay for them; a scikit-elm model still converts once skelm is imported
    pytest.importorskip("skelm")
    script = (
        "import sys, nnconvert as nc\n"
        "assert 'skelm' not in sys.modules and 'hypothesis' not in sys.modules\n"
        "from sklearn.datasets import load_iris\n"
        "from skelm import ELMClassifier\n"
        "X, y = load_iris(return_X_y=True)\n"
        "model = ELMClassifier(n_neurons=20, random_state=0).fit(X, y)\n"
        "assert (nc.convert(model).predict(X) == model.predict(X)).all()\n"
        "assert nc.verify(model, nc.convert(model), X).passed\n"
        "assert nc.testing.find_disagreement is not None\n"
        "from skelm import ELMRegressor\n"
        "regressor = ELMRegressor(n_neurons=20, random_state=0).fit(X, X[:, 0])\n"
        "assert nc.verify(regressor, nc.convert(regressor), X).passed\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, PYTHONWARNINGS="ignore"))
    assert done.returncode == 0, done.stderr
