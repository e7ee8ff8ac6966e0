"""The remaining transformers of issue 16, each as a step and on its own: exact on held-out
rows and on the rows where they are easiest to get wrong, refusals with their reasons, and
bad input refused before anything is modified."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from equivalence import assert_equivalent, exported_outputs
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.decomposition import KernelPCA
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, train_test_split
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline, make_union
from sklearn.preprocessing import (
    FunctionTransformer,
    QuantileTransformer,
    SplineTransformer,
    StandardScaler,
    TargetEncoder,
)
from sklearn.svm import LinearSVC

import nnconvert as nc


def assert_exact(got, expected, rtol=1e-9):
    """Same shape, and every value within ``rtol`` of the reference's scale."""
    expected = np.asarray(expected)
    assert got.shape == expected.shape
    scale = max(np.abs(expected).max(initial=0.0), np.finfo(np.float64).tiny)
    worst = np.abs(got - expected).max(initial=0.0) / scale
    assert worst <= rtol, f"relative difference {worst:.3g} > {rtol:g}"


def _split(load, seed=0):
    X, y = load(return_X_y=True)
    return train_test_split(X, y, test_size=0.3, random_state=seed)


# -- KernelPCA -------------------------------------------------------------------------------

@pytest.mark.parametrize("kernel, params", [
    ("rbf", {}), ("rbf", {"gamma": 0.3}), ("poly", {"degree": 3, "coef0": 0.5}),
    ("sigmoid", {"gamma": 0.01}), ("cosine", {}), ("linear", {}),
])
def test_kernel_pca_projects_held_out_rows_as_scikit_learn(kernel, params):
    X_train, X_test, _, _ = _split(load_wine)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    kpca = KernelPCA(5, kernel=kernel, **params).fit(X_train)
    net = nc.convert(kpca)
    for X in (X_test, X_train, X_test * 3.0):  # held out, the centres themselves, far out
        assert_exact(net.transform(X), kpca.transform(X))
    assert list(net.get_feature_names_out()) == list(kpca.get_feature_names_out())


@pytest.mark.parametrize("remove_zero_eig", [False, True])
def test_kernel_pca_zero_eigenvalues_project_to_zero_or_are_removed(remove_zero_eig):
    # a linear kernel on 13 features has rank ≤ 13: the other components' eigenvalues are 0
    X_train, X_test, _, _ = _split(load_wine)
    kpca = KernelPCA(40, kernel="linear", remove_zero_eig=remove_zero_eig).fit(X_train)
    zero = kpca.eigenvalues_ == 0
    assert zero.any() != remove_zero_eig
    got = nc.convert(kpca).transform(X_test)
    assert_exact(got, kpca.transform(X_test))
    assert np.all(got[:, zero] == 0)  # scikit-learn's null-space rule, not ±inf or NaN


def test_kernel_pca_before_a_classifier_is_one_network():
    X_train, X_test, y_train, _ = _split(load_breast_cancer)
    model = make_pipeline(StandardScaler(), KernelPCA(8, kernel="rbf", gamma=0.02),
                          LogisticRegression(max_iter=3000)).fit(X_train, y_train)
    net = nc.convert(model)
    assert_exact(net.decision_function(X_test), model.decision_function(X_test))
    np.testing.assert_array_equal(net.predict(X_test), model.predict(X_test))
    text = net.explain()
    for words in ("Gaussian (RBF) kernel units (training rows)", "kernel centring",
                  "kernel principal components"):
        assert words in text


def test_kernel_pca_with_a_callable_kernel_is_refused_with_the_reason():
    X, _ = load_iris(return_X_y=True)
    kpca = KernelPCA(2, kernel=np.dot).fit(X)
    with pytest.raises(nc.UnsupportedEstimatorError, match=r"KernelPCA\(kernel=.*cannot be "
                                                           r"converted.*Supported kernels"):
        nc.convert(kpca)


def test_kernel_pca_input_checks_and_the_callers_rows_untouched():
    X_train, X_test, _, _ = _split(load_wine)
    net = nc.convert(KernelPCA(3, kernel="rbf").fit(X_train))
    before = X_test.copy()
    with pytest.raises(ValueError, match="X has 12 features, but .* expects 13"):
        net.transform(X_test[:, :12])
    X_nan = X_test.copy()
    X_nan[2, 4] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        net.transform(X_nan)
    np.testing.assert_array_equal(X_test, before)


# -- SplineTransformer -----------------------------------------------------------------------

def _knot_rows(spline):
    """Rows whose every feature sits exactly on one of its knots (all knots, in order)."""
    knots = np.stack([spl.t for spl in spline.bsplines_], axis=1)
    return knots[spline.degree:knots.shape[0] - spline.degree]


@pytest.mark.parametrize("degree", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("knots", ["uniform", "quantile", "array"])
@pytest.mark.parametrize("extrapolation", ["constant", "linear", "continue", "periodic"])
@pytest.mark.parametrize("include_bias", [True, False])
def test_spline_basis_agrees_on_knots_between_them_and_beyond(degree, knots, extrapolation,
                                                              include_bias):
    X_train, X_test, _, _ = _split(load_wine)
    if knots == "array":  # uneven knots of the caller's choosing, one column per feature
        knots = np.quantile(X_train, [0.0, 0.1, 0.5, 0.55, 1.0], axis=0)
    spline = SplineTransformer(degree=degree, n_knots=5, knots=knots,
                               extrapolation=extrapolation,
                               include_bias=include_bias).fit(X_train)
    net = nc.convert(spline)
    rng = np.random.default_rng(0)
    low, high = X_train.min(axis=0), X_train.max(axis=0)
    far = rng.uniform(low - (high - low), high + (high - low), size=(200, X_train.shape[1]))
    on_knots = _knot_rows(spline)
    # just beside each knot, where the interval changes
    beside = np.vstack([np.nextafter(on_knots, -np.inf), np.nextafter(on_knots, np.inf)])
    if extrapolation == "constant" and degree == 0:
        # scikit-learn fails on values above the knots here (it assigns f_max[-0:], every
        # unit, to no unit); the network gives them what it gives values below: zeros
        above = far > high
        with pytest.raises(ValueError, match="could not be broadcast"):
            spline.transform(far)
        assert np.all(net.transform(far).reshape(len(far), X_train.shape[1], -1)[above] == 0)
    for X in (X_test, X_train, on_knots, beside, far):
        if extrapolation == "constant" and degree == 0:
            X = np.minimum(X, on_knots[-1])
        assert_exact(net.transform(X), spline.transform(X), rtol=1e-12)


def test_spline_error_extrapolation_raises_like_scikit_learn_and_exports_nan(tmp_path):
    X_train, X_test, _, _ = _split(load_wine)
    spline = SplineTransformer(n_knots=4, extrapolation="error").fit(X_train)
    net = nc.convert(spline)
    inside = X_test[(X_test >= X_train.min(0)).all(1) & (X_test <= X_train.max(0)).all(1)]
    assert_exact(net.transform(inside), spline.transform(inside))
    assert_exact(net.transform(_knot_rows(spline)), spline.transform(_knot_rows(spline)))
    beyond = inside.copy()
    beyond[3, 5] = X_train[:, 5].max() + 1.0
    before = beyond.copy()
    with pytest.raises(ValueError, match="beyond the limits of the knots"):
        spline.transform(beyond)
    with pytest.raises(ValueError, match=r"beyond the limits of the knots: feature 5 must lie "
                                         r"in \[.*\].*refit with another extrapolation"):
        net.transform(beyond)
    np.testing.assert_array_equal(beyond, before)
    # an exported program cannot raise on data: that feature's units are NaN, the rest exact
    path = nc.export(net, tmp_path / "spline.pt2")
    with torch.no_grad():
        (got,) = torch.export.load(path).module()(torch.as_tensor(beyond))
    got = got.numpy()
    n_splines = spline.bsplines_[0].c.shape[1]
    block = slice(5 * n_splines, 6 * n_splines)
    assert np.isnan(got[3, block]).all() and not np.isnan(np.delete(got[3], block)).any()
    keep = np.arange(len(beyond)) != 3
    assert_exact(got[keep], spline.transform(beyond[keep]))


def test_spline_missing_values_are_zeros_or_refused():
    X_train, X_test, _, _ = _split(load_wine)
    holes = X_test.copy()
    holes[np.random.default_rng(0).random(holes.shape) < 0.2] = np.nan
    zeros = SplineTransformer(n_knots=4, extrapolation="linear",
                              handle_missing="zeros").fit(X_train)
    assert_exact(nc.convert(zeros).transform(holes), zeros.transform(holes))
    refused = nc.convert(SplineTransformer(n_knots=4).fit(X_train))
    with pytest.raises(ValueError, match="NaN"):
        refused.transform(holes)


def test_spline_sparse_output_is_the_same_values_dense():
    X_train, X_test, _, _ = _split(load_wine)
    spline = SplineTransformer(n_knots=4, sparse_output=True,
                               extrapolation="continue").fit(X_train)
    got = nc.convert(spline).transform(X_test)
    assert isinstance(got, np.ndarray)
    assert_exact(got, spline.transform(X_test).toarray())


def test_spline_explains_its_units():
    X_train, _, _, _ = _split(load_wine)
    text = nc.convert(SplineTransformer(degree=2, extrapolation="periodic").fit(X_train)).explain()
    assert "B-spline basis units (degree 2)" in text and "periodic" in text


@pytest.mark.parametrize("suffix", [".pt2", ".onnx"])
def test_spline_exports(suffix, tmp_path):
    X_train, X_test, _, _ = _split(load_wine)
    spline = SplineTransformer(n_knots=5, degree=3, extrapolation="linear").fit(X_train)
    _assert_export_matches(spline, X_test, tmp_path / f"model{suffix}")


# -- QuantileTransformer ---------------------------------------------------------------------

@pytest.mark.parametrize("output_distribution", ["uniform", "normal"])
@pytest.mark.parametrize("n_quantiles", [5, 100, 1000])
def test_quantiles_agree_at_the_fitted_quantiles_beside_them_and_beyond(output_distribution,
                                                                        n_quantiles):
    # digits: pixels repeat, so many quantiles are equal (the two-way interpolation's case)
    X_train, X_test, _, _ = _split(load_digits)
    qt = QuantileTransformer(n_quantiles=n_quantiles, output_distribution=output_distribution,
                             subsample=None).fit(X_train)
    net = nc.convert(qt)
    q = qt.quantiles_
    assert (np.diff(q, axis=0) == 0).any()
    beside = np.vstack([np.nextafter(q, -np.inf), np.nextafter(q, np.inf),
                        q - 1e-7, q + 1e-7, q - 0.99e-7, q + 1.01e-7])  # the normal bounds
    far = np.vstack([X_train.min(0) - 5.0, X_train.max(0) + 5.0])
    for X in (X_test, X_train, q, beside, far):
        assert_exact(net.transform(X), qt.transform(X), rtol=1e-15)  # ndtri: one ulp at most
    at_ends = net.transform(np.vstack([q[0], q[-1]]))
    if output_distribution == "uniform":  # a constant feature's one quantile is both: 0
        np.testing.assert_array_equal(at_ends, [np.zeros(q.shape[1]), q[-1] != q[0]])
    else:  # clipped, never infinite
        assert np.isfinite(at_ends).all() and np.all(at_ends[0] < -5.19)


def test_the_exportable_ndtri_is_scipys_to_rounding():
    import scipy.special

    from nnconvert.preprocessing.quantile import ndtri

    rng = np.random.default_rng(0)
    p = np.concatenate([rng.random(20000), 10.0 ** -rng.uniform(0, 300, 20000),
                        1 - 10.0 ** -rng.uniform(0, 16, 20000),
                        [np.exp(-2), 1 - np.exp(-2), 1e-7, 1 - 1e-7, 5e-324]])
    got, expected = ndtri(torch.tensor(p)).numpy(), scipy.special.ndtri(p)
    np.testing.assert_allclose(got, expected, rtol=2e-15, atol=0)
    edges = ndtri(torch.tensor([0.0, 1.0, -0.5, 1.5, np.nan])).numpy()
    np.testing.assert_array_equal(edges, [-np.inf, np.inf, np.nan, np.nan, np.nan])


def test_quantile_missing_values_stay_missing_and_other_rows_are_untouched():
    X_train, X_test, _, _ = _split(load_wine)
    for distribution in ("uniform", "normal"):
        qt = QuantileTransformer(n_quantiles=50, output_distribution=distribution).fit(X_train)
        holes = X_test.copy()
        holes[np.random.default_rng(1).random(holes.shape) < 0.2] = np.nan
        before = holes.copy()
        got, expected = nc.convert(qt).transform(holes), qt.transform(holes)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
        assert_exact(np.nan_to_num(got), np.nan_to_num(expected))
        np.testing.assert_array_equal(holes, before)
        with pytest.raises(ValueError, match="X has 12 features, but .* expects 13"):
            nc.convert(qt).transform(X_test[:, 1:])


def test_quantile_explains_its_units():
    X_train, _, _, _ = _split(load_wine)
    text = nc.convert(QuantileTransformer(n_quantiles=20, output_distribution="normal")
                      .fit(X_train)).explain()
    assert "quantile units (normal)" in text and "ndtri" in text


@pytest.mark.parametrize("suffix, distribution", [
    (".pt2", "uniform"), (".pt2", "normal"), (".onnx", "uniform"), (".onnx", "normal")])
def test_quantile_exports(suffix, distribution, tmp_path):
    X_train, X_test, _, _ = _split(load_wine)
    qt = QuantileTransformer(n_quantiles=40, output_distribution=distribution).fit(X_train)
    _assert_export_matches(qt, X_test, tmp_path / f"model{suffix}")


# -- MissingIndicator -----------------------------------------------------------------------

def _holes(seed=0):
    """breast_cancer with 5% NaN; column 7 has none in the training rows, only later."""
    X, _ = load_breast_cancer(return_X_y=True)
    X = X.copy()
    X[np.random.default_rng(seed).random(X.shape) < 0.05] = np.nan
    X_train, X_test = X[:400].copy(), X[400:].copy()
    X_train[:, 7] = np.nan_to_num(X_train[:, 7], nan=1.0)
    assert np.isnan(X_test[:, 7]).any()
    return X_train, X_test


@pytest.mark.parametrize("features", ["missing-only", "all"])
def test_missing_indicator_flags_equal_scikit_learns_booleans(features):
    X_train, X_test = _holes()
    indicator = MissingIndicator(features=features, error_on_new=False).fit(X_train)
    net = nc.convert(indicator)
    for X in (X_train, X_test):
        expected, got = indicator.transform(X), net.transform(X)
        assert expected.dtype == bool and got.dtype == np.float64  # our choice: 0.0 / 1.0
        np.testing.assert_array_equal(got, expected)  # equal under ==, value by value
        np.testing.assert_array_equal(got.astype(bool), expected)
    assert list(net.get_feature_names_out()) == list(indicator.get_feature_names_out())
    assert net.transform(X_test).shape[1] == (30 if features == "all" else 29)
    assert "missing indicator" in net.explain() and "a 0/1 flag for each of" in net.explain()


def test_missing_indicator_error_on_new_raises_as_scikit_learn_and_modifies_nothing():
    X_train, X_test = _holes()
    indicator = MissingIndicator().fit(X_train)  # error_on_new=True, missing-only
    net = nc.convert(indicator)
    before = X_test.copy()
    with pytest.raises(ValueError, match=r"The features \[7\] have missing values in transform"):
        indicator.transform(X_test)
    with pytest.raises(ValueError, match=r"The features \[7\] have missing values in transform"
                                         r".*error_on_new=False"):
        net.transform(X_test)
    np.testing.assert_array_equal(np.isnan(X_test), np.isnan(before))
    fine = X_test[~np.isnan(X_test[:, 7])]
    np.testing.assert_array_equal(net.transform(fine), indicator.transform(fine))


def test_missing_indicator_of_a_number_refuses_nan_and_strings_are_refused():
    X, _ = load_digits(return_X_y=True)
    indicator = MissingIndicator(missing_values=0.0, features="all").fit(X)
    net = nc.convert(indicator)
    np.testing.assert_array_equal(net.transform(X), indicator.transform(X))
    X_nan = X[:5].copy()
    X_nan[0, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        net.transform(X_nan)
    words = np.array([["a", "b"], ["", "c"]], dtype=object)
    with pytest.raises(nc.ConversionError, match="strings or objects"):
        nc.convert(MissingIndicator(missing_values="").fit(words))


@pytest.mark.parametrize("suffix", [".pt2", ".onnx"])
def test_missing_indicator_exports_its_flags(suffix, tmp_path):
    # error_on_new=True: the check is Python's; the exported program flags features_ only
    X_train, X_test = _holes()
    indicator = MissingIndicator().fit(X_train)
    fine = X_test[~np.isnan(X_test[:, 7])]
    _assert_export_matches(indicator, fine, tmp_path / f"model{suffix}")


def test_missing_indicator_beside_its_imputer_in_a_pipeline():
    X_train, X_test = _holes()
    y = load_breast_cancer().target
    model = make_pipeline(
        make_union(
            SimpleImputer(), MissingIndicator(error_on_new=False)),
        StandardScaler(), LogisticRegression(max_iter=5000)).fit(X_train, y[:400])
    net = nc.convert(model)
    assert_exact(net.decision_function(X_test), model.decision_function(X_test))
    np.testing.assert_array_equal(net.predict(X_test), model.predict(X_test))


# -- TargetEncoder ---------------------------------------------------------------------------

def _categories(n=400, seed=0):
    """A frame of string and integer categories, None among them, and three targets."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"colour": rng.choice(["red", "green", "blue", None], n),
                          "size": rng.choice([1, 2, 3, 5, 8], n),
                          "shop": rng.choice([f"s{k}" for k in range(30)], n)})
    score = (frame["size"] + (frame["colour"] == "red") * 3 + rng.normal(0, 1, n)).to_numpy()
    targets = {"binary": np.where(score > 5, "yes", "no"),
               "multiclass": np.digitize(score, [3, 5, 7]),
               "continuous": score}
    return frame, targets


@pytest.mark.parametrize("target", ["binary", "multiclass", "continuous"])
def test_target_encoder_looks_up_the_fitted_encodings(target):
    frame, targets = _categories()
    encoder = TargetEncoder().fit(frame, targets[target])
    assert encoder.target_type_ == target
    net = nc.convert(encoder)
    new, _ = _categories(200, seed=1)
    new.loc[:4, "shop"] = "never seen"  # unknown: the target's mean
    new.loc[5:9, "size"] = 13
    before = new.copy()
    expected = encoder.transform(new)
    np.testing.assert_array_equal(net.transform(new), expected)  # a lookup: bit for bit
    width = 1 if target != "multiclass" else 4
    np.testing.assert_array_equal(net.transform(new.iloc[:5])[:, 2 * width:],
                                  np.tile(np.atleast_1d(encoder.target_mean_), (5, 1)))
    # fit_transform cross-fits, so the training rows' encodings differ: the network is transform
    cross_fitted = clone(encoder).fit_transform(frame, targets[target])
    assert not np.allclose(cross_fitted, net.transform(frame))
    assert list(net.get_feature_names_out()) == list(encoder.get_feature_names_out())
    pd.testing.assert_frame_equal(new, before)
    assert "target encoder" in net.explain()


def test_target_encoder_in_a_pipeline_and_its_input_errors():
    frame, targets = _categories()
    model = make_pipeline(TargetEncoder(cv=KFold(5, shuffle=True, random_state=0)),
                          LogisticRegression(max_iter=2000))
    model.fit(frame, targets["multiclass"])
    net = nc.convert(model)
    new, _ = _categories(150, seed=2)
    assert_exact(net.predict_proba(new), model.predict_proba(new))
    np.testing.assert_array_equal(net.predict(new), model.predict(new))
    with pytest.raises(ValueError, match="missing: \\['shop'\\]"):
        net.predict(new.drop(columns="shop"))


@pytest.mark.parametrize("suffix", [".pt2", ".onnx"])
def test_target_encoder_exports_reading_category_codes(suffix, tmp_path):
    X, y = load_digits(return_X_y=True)  # pixel values 0 … 16: the codes are the values
    encoder = TargetEncoder().fit(X[:1000], y[:1000])
    _assert_export_matches(encoder, X[1000:], tmp_path / f"model{suffix}")


# -- CalibratedClassifierCV(method='temperature') --------------------------------------------

@pytest.mark.parametrize("load", [load_breast_cancer, load_wine], ids=["binary", "multiclass"])
@pytest.mark.parametrize("answer", ["decision_function", "predict_proba"])
@pytest.mark.parametrize("ensemble", [True, False])
def test_temperature_scaling_agrees(load, answer, ensemble):
    X_train, X_test, y_train, _ = _split(load)
    labels = np.array(["no", "yes", "maybe"])[y_train]  # scikit-learn encodes string labels
    base = (make_pipeline(StandardScaler(), LinearSVC()) if answer == "decision_function"
            else make_pipeline(StandardScaler(), GaussianNB()))
    model = CalibratedClassifierCV(base, method="temperature", cv=3,
                                   ensemble=ensemble).fit(X_train, labels)
    net = nc.convert(model)
    assert not hasattr(net, "decision_function")
    expected = model.predict_proba(X_test)
    got = net.predict_proba(X_test)
    np.testing.assert_array_equal(net.predict(X_test), model.predict(X_test))
    if load is load_breast_cancer and answer == "predict_proba":
        # scikit-learn takes log(1 − p + 1e-12) of the positive class's probability p: where
        # p is within 1e-9 of 1 a one-ulp difference in p moves the logit by up to 1e-4,
        # so only rows away from that saturation can agree to 1e-9
        p = np.max([cc.estimator.predict_proba(X_test)[:, 1]
                    for cc in model.calibrated_classifiers_], axis=0)
        clear = p < 1 - 1e-9
        assert clear.sum() > 20
        assert_exact(got[clear], expected[clear])
        assert_exact(got, expected, rtol=1e-4)
    else:
        assert_exact(got, expected)
    text = net.explain()
    assert "temperature calibration" in text and "softmax(β · logits(s))" in text


@pytest.mark.parametrize("suffix", [".pt2", ".onnx"])
def test_temperature_scaling_exports(suffix, tmp_path):
    X_train, X_test, y_train, _ = _split(load_wine)
    model = CalibratedClassifierCV(make_pipeline(StandardScaler(), LinearSVC()),
                                   method="temperature", cv=3).fit(X_train, y_train)
    path = nc.export(nc.convert(model), tmp_path / f"model{suffix}")
    scores, label_index = exported_outputs(path, X_test)
    assert_exact(scores, model.predict_proba(X_test))
    np.testing.assert_array_equal(model.classes_[label_index], model.predict(X_test))


def test_an_unknown_calibration_method_is_refused_with_the_supported_ones():
    X_train, _, y_train, _ = _split(load_iris)
    model = CalibratedClassifierCV(GaussianNB(), cv=3).fit(X_train, y_train)
    model.method = "beta"  # as a future scikit-learn method would look
    with pytest.raises(nc.ConversionError, match="'sigmoid', 'isotonic' and 'temperature' are"):
        nc.convert(model)


# -- FunctionTransformer ---------------------------------------------------------------------

def test_identity_function_transformer_alone_is_the_identity_and_names_its_outputs():
    X, _ = load_wine(return_X_y=True)
    ft = FunctionTransformer(feature_names_out="one-to-one").fit(X)
    net = nc.convert(ft)
    np.testing.assert_array_equal(net.transform(X), ft.transform(X))
    assert list(net.get_feature_names_out()) == list(ft.get_feature_names_out())
    assert "transform(x) = x" in net.explain()


@pytest.mark.parametrize("func, name", [(np.log1p, "log1p"), (lambda x: 2 * x, "<lambda>")])
def test_any_other_function_is_refused_naming_it_and_the_reason(func, name):
    X, y = load_wine(return_X_y=True)
    for model in (FunctionTransformer(func).fit(X),
                  make_pipeline(FunctionTransformer(func), LogisticRegression(max_iter=3000))
                  .fit(X, y)):
        with pytest.raises(nc.UnsupportedEstimatorError,
                           match=rf"FunctionTransformer\(func='{name}'\) cannot be converted: "
                                 r"its function is arbitrary Python code.*Apply it before"):
            nc.convert(model)


# -- the command line ------------------------------------------------------------------------

def test_the_new_steps_verify_from_the_command_line(tmp_path, capsys):
    import skops.io as sio

    from nnconvert.cli import main

    X_train, X_test, y_train, _ = _split(load_wine)
    np.save(tmp_path / "X.npy", X_test)
    quantile = QuantileTransformer(n_quantiles=50, output_distribution="normal").fit(X_train)
    sio.dump(quantile, tmp_path / "quantile.skops")
    assert main(["verify", str(tmp_path / "quantile.skops"), "--data",
                 str(tmp_path / "X.npy")]) == 0
    # a spline's fitted BSpline objects are outside skops' trusted types: refused, named,
    # and accepted once the user names them
    spline = make_pipeline(SplineTransformer(extrapolation="linear"), StandardScaler(),
                           LogisticRegression(max_iter=3000)).fit(X_train, y_train)
    sio.dump(spline, tmp_path / "spline.skops")
    assert main(["verify", str(tmp_path / "spline.skops"), "--data",
                 str(tmp_path / "X.npy")]) == 2
    assert "scipy.interpolate._bsplines.BSpline" in capsys.readouterr().err
    trusted = [a for t in sio.get_untrusted_types(file=tmp_path / "spline.skops")
               for a in ("--trust-type", t)]
    assert main(["verify", str(tmp_path / "spline.skops"), "--data", str(tmp_path / "X.npy"),
                 *trusted]) == 0
    assert main(["convert", str(tmp_path / "spline.skops"), "-o", str(tmp_path / "s.pt2"),
                 *trusted]) == 0
    assert (tmp_path / "s.pt2").stat().st_size > 0


# -- on a GPU ----------------------------------------------------------------------------------

@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=pytest.mark.gpu)])
@pytest.mark.parametrize("case_id", [
    "kernel-pca-rbf-wine", "spline-periodic-wine", "spline-quantile-linear-no-bias-diabetes",
    "quantile-normal-breast_cancer", "pipe-impute-union-indicator-logreg-digits",
    "target-encoder-multiclass-digits", "pipe-spline-constant-logreg-iris",
    "calibrated-temperature-svc-iris-str",
])
def test_the_new_steps_agree_on_every_device(case_id, device):
    from zoo import fitted

    estimator, _, X_test = fitted(case_id)
    net = nc.convert(estimator).to(device)
    assert net.device.type == device
    assert_equivalent(estimator, net, X_test)


def test_supported_transformers_lists_the_new_steps():
    names = nc.supported_transformers()
    for name in ("KernelPCA", "SplineTransformer", "QuantileTransformer", "MissingIndicator",
                 "TargetEncoder"):
        assert name in names


@pytest.mark.parametrize("suffix", [".pt2", ".onnx"])
def test_kernel_pca_exports(suffix, tmp_path):
    X_train, X_test, _, _ = _split(load_wine)
    kpca = make_pipeline(StandardScaler(), KernelPCA(4, kernel="poly", degree=2)).fit(X_train)
    _assert_export_matches(kpca, X_test, tmp_path / f"model{suffix}")


def _assert_export_matches(transformer, X, path):
    if path.suffix == ".onnx":
        pytest.importorskip("onnxruntime")
    net = nc.convert(transformer)
    nc.export(net, path)
    expected = transformer.transform(X)
    X = net.as_tensor(X).numpy()  # an exported program reads categorical columns' codes
    (got,) = exported_outputs(path, X)
    assert_exact(got, expected)
