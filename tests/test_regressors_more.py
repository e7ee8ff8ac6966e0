"""Regressors of every family (issue 17): the edge cases the zoo does not reach.

Isotonic regression's knots, ties and out-of-bounds rules; kernel ridge's kernels and their
refusals; support vector regressors; MLP regressors' output shapes; generalised linear
models' links; meta-regressors. The zoo (tests/zoo/regression.py) already runs every one of
these families through exactness, verify, explain and draw.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from equivalence import assert_equivalent, exported_outputs
from hypothesis import example, given
from hypothesis import strategies as st
from sklearn.datasets import load_diabetes, make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.isotonic import IsotonicRegression
from sklearn.kernel_ridge import KernelRidge
from sklearn.linear_model import LinearRegression, TweedieRegressor
from sklearn.neural_network import MLPRegressor
from sklearn.svm import SVR
from zoo import fitted, ids, probe_points

import nnconvert as nc
from nnconvert.families.isotonic import RampUnits
from nnconvert.layers import KernelExpansion

RTOL = 1e-9


@pytest.fixture(scope="module")
def diabetes():
    return load_diabetes(return_X_y=True)


def assert_same(got, expected, rtol=RTOL):
    """Same shape, NaN at the same places, and the rest within ``rtol`` of the scale."""
    expected = np.asarray(expected)
    assert got.shape == expected.shape
    nan = np.isnan(expected)
    np.testing.assert_array_equal(np.isnan(got), nan)
    scale = np.abs(expected[~nan]).max()
    assert np.abs(got[~nan] - expected[~nan]).max() <= rtol * scale


# -- isotonic regression -----------------------------------------------------------------------

def _grid_and_knots(model, n=3001):
    """Points across and beyond the knots, the knots themselves, and points a hair beside."""
    knots = model.X_thresholds_
    span = knots[-1] - knots[0]
    grid = np.linspace(knots[0] - 0.2 * span, knots[-1] + 0.2 * span, n)
    beside = np.concatenate([np.nextafter(knots, -np.inf), np.nextafter(knots, np.inf)])
    return np.concatenate([grid, knots, beside]).reshape(-1, 1)


@pytest.mark.parametrize("increasing", [True, False, "auto"])
@pytest.mark.parametrize("out_of_bounds", ["clip", "nan"])
def test_isotonic_interpolates_exactly_at_and_between_the_knots(diabetes, increasing,
                                                                out_of_bounds):
    X, y = diabetes
    column = 2 if increasing is not False else 6  # bmi rises with the target, s3 falls
    model = IsotonicRegression(increasing=increasing, out_of_bounds=out_of_bounds)
    model.fit(X[:, [column]], y)
    net = nc.convert(model)
    T = _grid_and_knots(model)
    assert_same(net.predict(T), model.predict(T))
    if out_of_bounds == "nan":  # NaN exactly outside [x_0, x_K], as scipy's interp1d
        outside = (T[:, 0] < model.X_thresholds_[0]) | (T[:, 0] > model.X_thresholds_[-1])
        assert outside.any()
        np.testing.assert_array_equal(np.isnan(net.predict(T)), outside)


def test_isotonic_with_tied_inputs_averages_them_as_scikit_learn(diabetes):
    X, y = diabetes
    rounded = np.round(X[:, [2]] * 40) / 40  # many rows share each x: scikit-learn averages
    model = IsotonicRegression(out_of_bounds="clip").fit(rounded, y)
    assert len(model.X_thresholds_) <= len(np.unique(rounded)) < len(rounded) // 10
    net = nc.convert(model)
    T = _grid_and_knots(model)
    assert_same(net.predict(T), model.predict(T))


def test_isotonic_stays_exact_with_knots_a_few_ulps_apart():
    # scikit-learn merges inputs only within 1e-15, so knots can be nearly equal and the slope
    # between them enormous: a sum of plain ReLUs would cancel all its digits here
    x = np.array([0.0, 1.0, 1.0 + 4e-15, 2.0, 3.0, 3.0 + 1e-12, 4.0])
    y = np.array([0.0, 1.0, 5.0, 6.0, 6.5, 10.0, 11.0])
    model = IsotonicRegression(out_of_bounds="clip").fit(x.reshape(-1, 1), y)
    assert np.diff(model.X_thresholds_).min() < 1e-14
    net = nc.convert(model)
    T = np.concatenate([np.linspace(-1, 5, 601), x, x + 1e-15, x - 1e-15]).reshape(-1, 1)
    assert_same(net.predict(T), model.predict(T))


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 60), levels=st.integers(2, 12),
       increasing=st.booleans())
# found by hypothesis: x_0 + (x_K − x_0) rounded past the last knot, making it "outside"
@example(seed=55, n=12, levels=12, increasing=True)
def test_isotonic_property_random_data_with_ties(seed, n, levels, increasing):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, levels, size=n).astype(float) * rng.uniform(0.01, 100)
    y = rng.normal(size=n) * rng.uniform(0.1, 1e3)
    weights = rng.uniform(0.1, 2.0, size=n)
    model = IsotonicRegression(increasing=increasing, out_of_bounds="nan")
    model.fit(x.reshape(-1, 1), y, sample_weight=weights)
    net = nc.convert(model)
    T = _grid_and_knots(model, n=101) if len(model.X_thresholds_) > 1 else x.reshape(-1, 1)
    expected = model.predict(T)
    got = net.predict(T)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    ok = ~np.isnan(expected)
    scale = max(np.abs(expected[ok]).max(), 1e-300)
    assert np.abs(got[ok] - expected[ok]).max() <= RTOL * scale


def test_isotonic_with_one_knot_is_a_constant_everywhere():
    model = IsotonicRegression(out_of_bounds="nan").fit([[2.0], [2.0]], [1.0, 4.0])
    net = nc.convert(model)
    T = np.array([[-10.0], [2.0], [10.0]])
    np.testing.assert_array_equal(net.predict(T), model.predict(T))  # 2.5, no NaN outside
    assert np.array_equal(net.predict(T), [2.5, 2.5, 2.5])


def test_isotonic_raise_is_refused_with_the_fix(diabetes):
    X, y = diabetes
    model = IsotonicRegression(out_of_bounds="raise").fit(X[:, [2]], y)
    with pytest.raises(nc.ConversionError,
                       match=r"out_of_bounds='raise'.*set_params\(out_of_bounds='clip'\)"):
        nc.convert(model)
    # the fix the message gives: clipping happens before scipy could raise
    model.set_params(out_of_bounds="clip")
    T = _grid_and_knots(model)
    assert_same(nc.convert(model).predict(T), model.predict(T))


def test_isotonic_float32_stays_within_its_precision(diabetes):
    X, y = diabetes
    model = IsotonicRegression(out_of_bounds="clip").fit(X[:, [2]], y)
    net = nc.convert(model, dtype=torch.float32)
    T = _grid_and_knots(model)
    assert_same(net.predict(T), model.predict(T), rtol=1e-4)


def test_isotonic_network_reads_one_column_and_explains_the_ramps(diabetes):
    X, y = diabetes
    model = IsotonicRegression(increasing=False, out_of_bounds="nan").fit(X[:, [6]], y)
    net = nc.convert(model)
    assert isinstance(net.body[0], RampUnits)
    assert net.n_features_in_ == 1
    text = net.explain()
    assert "clamp(" in text and "NaN outside" in text and "decreasing" in text
    with pytest.raises(ValueError, match="X has 2 features"):
        net.predict(X[:, :2])
    nc.draw(net).svg()


# -- kernel ridge ----------------------------------------------------------------------------

@pytest.mark.filterwarnings("ignore:Singular matrix")  # additive_chi2 is not positive definite
@pytest.mark.parametrize("kernel, params", [
    ("rbf", {}), ("laplacian", {}),  # gamma=None: 1 / n_features
    ("cosine", {}), ("chi2", None), ("additive_chi2", None),
])
def test_kernel_ridge_converts_its_exact_kernels_and_refuses_the_rest(diabetes, kernel, params):
    X, y = diabetes
    # chi2 needs x >= 0, and an explicit gamma: scikit-learn 1.9 fails with gamma=None there
    gamma = 1.0 if params is None else None
    model = KernelRidge(kernel=kernel, alpha=5.0, gamma=gamma).fit(np.abs(X), y)
    if params is None:
        with pytest.raises(nc.ConversionError,
                           match=rf"kernel='{kernel}'\) is not supported.*'rbf'.*Refit"):
            nc.convert(model)
        return
    net = nc.convert(model)
    assert net.body[0].units.gamma == pytest.approx(1 / X.shape[1])
    T = np.vstack([probe_points(np.abs(X)), np.zeros((1, X.shape[1]))])  # a zero row: cosine
    assert_equivalent(model, net, T)


def test_kernel_ridge_refuses_callable_precomputed_and_fractional_degrees(diabetes):
    X, y = diabetes
    callable_kernel = KernelRidge(kernel=lambda a, b: float(a @ b)).fit(X[:40], y[:40])
    with pytest.raises(nc.ConversionError, match="kernel=a callable cannot be converted"):
        nc.convert(callable_kernel)
    precomputed = KernelRidge(kernel="precomputed").fit(X @ X.T, y)
    with pytest.raises(nc.ConversionError, match="kernel='precomputed' cannot be converted"):
        nc.convert(precomputed)
    fractional = KernelRidge(kernel="poly", degree=2.5).fit(X, y)
    with pytest.raises(nc.ConversionError, match="whole-number degrees"):
        nc.convert(fractional)
    whole = KernelRidge(kernel="poly", degree=2.0, coef0=0.5).fit(X, y)  # a float, but whole
    assert_equivalent(whole, nc.convert(whole), X)


def test_kernel_ridge_keeps_a_column_target_two_dimensional(diabetes):
    X, y = diabetes
    model = KernelRidge(kernel="rbf", gamma=2.0).fit(X, y.reshape(-1, 1))
    net = nc.convert(model)
    assert model.predict(X).shape == net.predict(X).shape == (len(X), 1)
    assert_equivalent(model, net, X)


# -- support vector regression ---------------------------------------------------------------

def test_svr_is_kernel_units_and_one_neuron_with_bias_intercept(diabetes):
    X, y = diabetes
    model = SVR(kernel="rbf", C=30.0, gamma="scale").fit(X, y)
    net = nc.convert(model)
    (expansion,) = net.body
    assert isinstance(expansion, KernelExpansion)
    assert expansion.units.centres.shape == model.support_vectors_.shape
    assert expansion.units.gamma == model._gamma  # 'scale' resolved from the data
    assert expansion.readout.bias.item() == model.intercept_[0]
    assert "intercept_ = −ρ" in net.explain()
    assert_equivalent(model, net, probe_points(X))


def test_svr_with_a_precomputed_kernel_is_refused(diabetes):
    X, y = diabetes
    model = SVR(kernel="precomputed").fit(X @ X.T, y)
    with pytest.raises(nc.ConversionError, match="kernel='precomputed' cannot be converted"):
        nc.convert(model)


# -- MLP regressors and GLMs -------------------------------------------------------------------

@pytest.mark.filterwarnings("ignore::sklearn.exceptions.DataConversionWarning")
def test_mlp_regressor_ravels_one_output_like_scikit_learn():
    X, y = make_friedman1(n_samples=300, random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MLPRegressor(hidden_layer_sizes=(8, 8), max_iter=50, random_state=0)
        model.fit(X, y.reshape(-1, 1))  # a column y: predict still gives shape (n,)
    net = nc.convert(model)
    assert net.predict(X).shape == (len(X),)
    assert [layer.describe().title for layer in net.body] == [
        "hidden layer 1", "hidden layer 2", "output units (identity)"]
    assert_equivalent(model, net, probe_points(X))


@pytest.mark.parametrize("power, link, activation", [
    (0.0, "log", "exp"), (1.5, "identity", "none"), (0.0, "auto", "none"),
    (2.0, "auto", "exp"),
])
def test_tweedie_link_decides_the_output_activation(power, link, activation):
    X, y = make_friedman1(n_samples=300, random_state=2)
    model = TweedieRegressor(power=power, link=link, alpha=0.1, max_iter=1000).fit(X, y)
    net = nc.convert(model)
    assert net.body[-1].describe().activation == activation
    assert_equivalent(model, net, probe_points(X))


# -- meta-regressors ---------------------------------------------------------------------------

def test_ransac_converts_the_estimator_it_refitted_on_inliers():
    estimator, X_train, X_test = fitted("ransac-svr-friedman")
    net = nc.convert(estimator)
    assert isinstance(net.body[0], KernelExpansion)
    assert net.body[0].units.centres.shape == estimator.estimator_.support_vectors_.shape
    assert_equivalent(estimator, net, X_test)
    with pytest.raises(nc.NotFittedError):
        nc.convert(type(estimator)(LinearRegression()))


def test_a_chain_feeds_each_member_the_predictions_before_it():
    estimator, _, X_test = fitted("chain-reversed-scaled-svr-diabetes-two-targets")
    net = nc.convert(estimator)
    *links, select = net.body
    assert [link.describe().n_out for link in links] == [11, 12]  # x, then ŷ appended
    assert select.columns.tolist() == [11, 10]  # order_ = [1, 0], put back in target order
    assert_equivalent(estimator, net, X_test)


def test_meta_regressors_refuse_members_that_are_not_single_target_regressors(diabetes):
    from sklearn.multioutput import MultiOutputRegressor
    from sklearn.tree import DecisionTreeRegressor

    X, y = diabetes
    model = MultiOutputRegressor(KernelRidge()).fit(X, np.c_[y, y])
    model.estimators_[0] = KernelRidge().fit(X, np.c_[y, y])  # a two-target member
    with pytest.raises(nc.UnsupportedEstimatorError, match="member 0 is not a single-target"):
        nc.convert(model)
    trees = MultiOutputRegressor(DecisionTreeRegressor(max_depth=2)).fit(X, np.c_[y, y])
    try:
        assert_equivalent(trees, nc.convert(trees), X)  # supported where trees are
    except nc.UnsupportedEstimatorError as error:
        assert "DecisionTreeRegressor" in str(error)


# -- the whole pipeline for every regressor of the zoo: verify, explain, draw, export --------

NEW_FAMILIES = ("svr", "nusvr", "kernelridge", "mlpreg", "huber", "quantile", "bayesianridge",
                "ard", "lars", "lassolars", "omp", "theilsen", "passive", "multitask", "ransac",
                "pls", "poisson", "gamma", "tweedie", "isotonic", "multioutput", "chain",
                "elmreg")
NEW_CASES = [c for c in ids(kind="regressor") if c.startswith(NEW_FAMILIES)]


def test_every_new_family_has_zoo_cases():
    for family in NEW_FAMILIES:
        assert any(c.startswith(family) for c in NEW_CASES), family


@pytest.mark.parametrize("case_id", NEW_CASES)
def test_new_regressors_verify_explain_and_draw(case_id):
    estimator, X_train, X_test = fitted(case_id)
    net = nc.convert(estimator)
    report = nc.verify(estimator, net, np.vstack([X_test, probe_points(X_train)]))
    assert report.passed and report.n_disagreements == 0
    text = net.explain()
    assert "predict(x) = ŷ" in text
    assert "{x}" not in text and "{y}" not in text  # every placeholder filled in
    diagram = nc.draw(net)
    assert "input" in diagram.svg()


EXPORTED = ["svr-rbf-diabetes", "kernelridge-laplacian-diabetes",
            "kernelridge-linear-diabetes-two-targets", "mlpreg-relu-diabetes-scaled",
            "isotonic-decreasing-s3-diabetes-clip", "poisson-diabetes", "pls-diabetes",
            "chain-reversed-scaled-svr-diabetes-two-targets",
            "multioutput-svr-diabetes-two-targets", "elmreg-rbf-friedman",
            "elmreg-tanh-uniform-diabetes-two-targets"]


@pytest.mark.parametrize("case_id", EXPORTED)
@pytest.mark.parametrize("suffix", [".pt2", ".onnx"])
def test_new_regressors_export_their_predictions(case_id, suffix, tmp_path):
    estimator, X_train, X_test = fitted(case_id)
    if suffix == ".onnx":
        pytest.importorskip("onnxruntime")
    path = nc.export(nc.convert(estimator), tmp_path / f"model{suffix}")
    X = np.vstack([X_test, probe_points(X_train, n=37)])
    expected = estimator.predict(X)
    (got,) = exported_outputs(path, X)
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() <= RTOL * np.abs(expected).max()


def test_isotonic_nan_rows_survive_export(diabetes, tmp_path):
    X, y = diabetes
    model = IsotonicRegression(out_of_bounds="nan").fit(X[:, [2]], y)
    path = nc.export(nc.convert(model), tmp_path / "isotonic.pt2")
    T = _grid_and_knots(model, n=201)
    (got,) = torch.export.load(path).module()(torch.as_tensor(T))
    assert_same(got.detach().numpy(), model.predict(T))


def test_a_gaussian_process_kernel_outside_the_list_is_refused_with_the_list():
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ExpSineSquared, Matern, WhiteKernel

    X, y = load_diabetes(return_X_y=True)
    periodic = GaussianProcessRegressor(ExpSineSquared() + WhiteKernel(), alpha=1.0,
                                        optimizer=None).fit(X[:100, :1], y[:100])
    with pytest.raises(nc.ConversionError, match="ExpSineSquared kernel.*RationalQuadratic"):
        nc.convert(periodic)
    bessel = GaussianProcessRegressor(Matern(nu=0.7), optimizer=None).fit(X[:100], y[:100])
    with pytest.raises(nc.ConversionError, match="nu = 0.5, 1.5, 2.5 and inf"):
        nc.convert(bessel)


@pytest.mark.parametrize("loss", ["squared", "absolute", "huber"])
def test_fine_tune_trains_a_regressor_with_regression_losses(loss):
    from sklearn.linear_model import Ridge

    from nnconvert import losses

    X, y = load_diabetes(return_X_y=True)
    net = nc.convert(Ridge(alpha=10.0).fit(X, y))
    before = net.predict(X)
    trained = nc.fine_tune(net, X, y, loss=loss, epochs=30, lr=0.05)
    np.testing.assert_array_equal(net.predict(X), before)  # the original is untouched
    objective = losses.REGRESSION_LOSSES[loss]
    as_tensor = torch.as_tensor
    assert (objective(as_tensor(trained.predict(X)), y)
            < objective(as_tensor(before), y))
    with pytest.raises(ValueError, match="unknown loss 'hinge' for a regressor"):
        nc.fine_tune(net, X, y, loss="hinge")


def test_to_sklearn_rebuilds_a_linear_regressor_with_the_same_predictions():
    from sklearn.linear_model import Lasso, LinearRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = load_diabetes(return_X_y=True)
    for model, target in ((make_pipeline(StandardScaler(), Lasso(alpha=0.1)), y),
                          (Ridge(), np.c_[y, 2 * y])):
        model.fit(X, target)
        rebuilt = nc.to_sklearn(nc.convert(model))
        assert isinstance(rebuilt, LinearRegression)
        expected = model.predict(X)
        assert rebuilt.predict(X).shape == expected.shape
        np.testing.assert_allclose(rebuilt.predict(X), expected, rtol=0,
                                   atol=1e-12 * np.abs(expected).max())
    with pytest.raises(nc.ConversionError, match="single linear layer"):
        from sklearn.svm import SVR

        nc.to_sklearn(nc.convert(SVR().fit(X, y)))
