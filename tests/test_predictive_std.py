"""predict(X, return_std=True): Bayesian linear models and Gaussian processes (issue 17).

The standard deviation is a branch beside the network (``Conversion.variance``): the mean is
the network's output as before, the branch computes the predictive variance from the same
input, and the network clips it at 0 and takes its root as scikit-learn does.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse
import torch
from sklearn.datasets import load_diabetes, make_friedman1
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process import kernels as gp
from sklearn.linear_model import ARDRegression, BayesianRidge, RANSACRegressor, Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from zoo import fitted, probe_points

import nnconvert as nc

RTOL = 1e-9
EPS = np.finfo(np.float64).eps


@pytest.fixture(scope="module")
def diabetes():
    return load_diabetes(return_X_y=True)


def mean_and_std_agree(model, net, T, rtol=RTOL):
    """Both answers, scikit-learn's shapes, within ``rtol`` of their scales."""
    mean, std = model.predict(T, return_std=True)
    got_mean, got_std = net.predict(T, return_std=True)
    assert got_mean.shape == mean.shape and got_std.shape == std.shape
    assert np.abs(got_mean - mean).max() <= rtol * np.abs(mean).max()
    assert np.abs(got_std - std).max() <= rtol * std.max()
    return std, got_std


# -- Bayesian linear models --------------------------------------------------------------------

@pytest.mark.parametrize("make", [
    BayesianRidge,
    lambda: BayesianRidge(fit_intercept=False, alpha_init=1.0, lambda_init=1e-3),
    ARDRegression,
    lambda: make_pipeline(StandardScaler(), ARDRegression(threshold_lambda=100.0)),
], ids=["bayesianridge", "bayesianridge-nointercept", "ard", "pipe-scaled-ard-pruned"])
@pytest.mark.parametrize("fuse", [False, True])
def test_bayesian_linear_std_is_a_quadratic_form_unit(diabetes, make, fuse):
    X, y = diabetes
    model = make().fit(X, y)
    net = nc.convert(model, fuse=fuse)
    T = np.vstack([X, probe_points(X, 300)])
    std, got = mean_and_std_agree(model, net, T)
    # per row too: 1/α keeps the variance far from zero, nothing cancels
    assert (np.abs(got - std) <= RTOL * std).all()
    assert "return_std=True" in net.explain() and "(u·Σ)·u + 1/α" in net.explain()


def test_ard_variance_reads_only_the_features_it_kept(diabetes):
    X, y = diabetes
    X = StandardScaler().fit_transform(X)
    model = ARDRegression(threshold_lambda=100.0).fit(X, y)
    kept = model.lambda_ < model.threshold_lambda
    assert 0 < kept.sum() < X.shape[1]  # some features pruned: sigma_ is smaller than X
    assert model.sigma_.shape == (kept.sum(), kept.sum())
    net = nc.convert(model)
    assert f"the {kept.sum()} features ARD kept" in net.explain()
    mean_and_std_agree(model, net, probe_points(X, 300))


def test_sparse_input_gives_the_same_std(diabetes):
    X, y = diabetes
    model = BayesianRidge().fit(X, y)
    net = nc.convert(model)
    sparse = scipy.sparse.csr_matrix(np.where(np.abs(X) < 0.02, 0.0, X))
    expected = model.predict(sparse.toarray(), return_std=True)
    for got, want in zip(net.predict(sparse, return_std=True), expected):
        np.testing.assert_allclose(got, want, rtol=RTOL)


# -- Gaussian processes ------------------------------------------------------------------------

GPR_CASES = ["gpr-rbf-white-friedman", "gpr-matern-dot-diabetes", "gpr-rq-diabetes-two-targets"]


@pytest.mark.parametrize("case_id", GPR_CASES)
def test_gaussian_process_std_per_row_within_1e_9(case_id):
    # each of these has a noise term (a WhiteKernel or alpha >= 1e-2), so the variance is at
    # least 1e-5 of k(x, x) even on the training rows, where k(x, x) − ‖L⁻¹k‖² cancels most
    estimator, X_train, X_test = fitted(case_id)
    net = nc.convert(estimator)
    for T in (X_train, X_test, probe_points(X_train)):
        std, got = mean_and_std_agree(estimator, net, T)
        assert (np.abs(got - std) <= RTOL * std).all()
    if case_id.endswith("two-targets"):
        assert got.shape == (len(T), 2)


def test_gaussian_process_shapes_follow_the_target(diabetes):
    X, y = diabetes
    X, y = StandardScaler().fit_transform(X)[:150], y[:150]
    for target, normalize in ((y, False), (y[:, None], True), (np.c_[y, -y, 2 * y], False)):
        model = GaussianProcessRegressor(gp.RBF(3.0), alpha=0.1, normalize_y=normalize,
                                         optimizer=None).fit(X, target)
        net = nc.convert(model)
        expected = model.predict(X[:20], return_std=True)
        got = net.predict(X[:20], return_std=True)
        assert [g.shape for g in got] == [e.shape for e in expected]
        np.testing.assert_allclose(got[1], expected[1], rtol=RTOL)


def test_every_kernel_diagonal_is_scikit_learns_white_noise_included():
    X, y = make_friedman1(n_samples=120, random_state=0)
    kernel = (gp.ConstantKernel(2.0) * gp.RBF(np.linspace(0.5, 2, 10))
              + gp.Matern(1.3, nu=0.5) * gp.RationalQuadratic(0.7, 2.0)
              + gp.DotProduct(0.3) ** 2 + gp.WhiteKernel(0.25))
    model = GaussianProcessRegressor(kernel, optimizer=None, normalize_y=True).fit(X, y)
    net = nc.convert(model)
    T = probe_points(X, 100)
    diag = net.variance.kernel.diag(torch.as_tensor(T)).numpy()
    np.testing.assert_allclose(diag, model.kernel_.diag(T), rtol=1e-13)
    # the training rows are no new rows: k(x, x) has the noise, k(X_train, x) has none
    std, got = mean_and_std_agree(model, net, np.vstack([X, T]))
    assert (np.abs(got - std) <= RTOL * std).all()


def test_an_interpolating_gaussian_process_cancels_at_its_training_rows(diabetes):
    """alpha=1e-10 and no noise kernel: on a training row σ² is ~1e-10 of k(x, x), so every
    computation of k(x, x) − ‖L⁻¹k‖², scikit-learn's included, keeps only its last digits.
    Off the training rows the std agrees to 1e-9; on them, to the cancellation's bound
    n·ε·k(x, x)·std_y² / σ (the rounding of the ‖L⁻¹k‖² sum, seen through the root)."""
    X, y = diabetes
    X, y = StandardScaler().fit_transform(X)[:200], y[:200]
    model = GaussianProcessRegressor(gp.RBF(3.0), optimizer=None).fit(X, y)
    net = nc.convert(model)
    std, got = mean_and_std_agree(model, net, probe_points(X))
    assert (np.abs(got - std) <= RTOL * std).all()
    std, got = model.predict(X, return_std=True)[1], net.predict(X, return_std=True)[1]
    error = np.abs(got - std)
    assert error.max() > RTOL * std.max()  # the cancellation is real: 1e-9 does not hold
    bound = len(X) * EPS * model.kernel_.diag(X) / std
    assert (error <= bound).all()


def test_negative_variances_are_clipped_with_scikit_learns_warning():
    # a long-length-scale GP without noise: near its training rows σ² is rounding noise
    X, y = make_friedman1(n_samples=200, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the optimiser's convergence warnings
        model = GaussianProcessRegressor(gp.ConstantKernel() * gp.RBF(np.ones(10)),
                                         normalize_y=True, random_state=0).fit(X, y)
    net = nc.convert(model)
    # whether σ² rounds below 0 at a training row depends on the order of the additions (the
    # row block, the BLAS): shift the branch down by far less than its scale so that it does
    fitted_variance = net.variance

    class RoundedBelowZero(torch.nn.Module):
        def forward(self, x):
            return fitted_variance(x) - 1e-12

    net.variance = RoundedBelowZero()
    with pytest.warns(UserWarning, match="Predicted variances smaller than 0"):
        _, std = net.predict(X, return_std=True)
    assert (std >= 0).all() and (std == 0).any()
    net.variance = fitted_variance
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _, std = net.predict(X, return_std=True)
    below = bool((fitted_variance(torch.as_tensor(X)) < 0).any())
    assert (std >= 0).all() and any("variances smaller" in str(w.message) for w in caught) == below


def test_the_variance_branch_is_beside_the_network_and_exports_the_mean(tmp_path):
    estimator, X_train, X_test = fitted("gpr-matern-dot-diabetes")
    net = nc.convert(estimator)
    assert net.has_std and net.variance is not None
    assert all(layer is not net.variance for layer in net.body)
    text = net.explain()
    assert "predict(X, return_std=True) also returns σ" in text
    assert "‖L⁻¹ k(X_train, h)‖²" in text and "(h: what the pipeline's steps make of x" in text
    path = nc.export(net, tmp_path / "gpr.pt2")
    (got,) = torch.export.load(path).module()(torch.as_tensor(X_test))
    expected = estimator.predict(X_test)
    assert np.abs(got.detach().numpy() - expected).max() <= RTOL * np.abs(expected).max()


def test_float32_std_is_close_not_exact():
    estimator, X_train, X_test = fitted("gpr-matern-dot-diabetes")
    net = nc.convert(estimator, dtype=torch.float32)
    mean, std = estimator.predict(X_test, return_std=True)
    got_mean, got_std = net.predict(X_test, return_std=True)
    assert got_std.dtype == np.float32
    assert np.abs(got_std - std).max() <= 1e-4 * std.max()


def test_verify_checks_the_std_when_asked_by_name(diabetes):
    X, y = diabetes
    model = make_pipeline(StandardScaler(), ARDRegression()).fit(X, y)
    net = nc.convert(model)
    assert net.methods == ("predict", "predict_std")
    default = nc.verify(model, net, X)
    assert default.passed and set(default.max_abs_diff) == {"predict"}  # unchanged default
    report = nc.verify(model, net, X, methods=["predict", "predict_std"])
    assert report.passed and set(report.max_abs_diff) == {"predict", "predict_std"}
    # outputs() answers it too, by name, from one pass
    answers = net.outputs(X[:5], ("predict_std",))
    np.testing.assert_allclose(answers["predict_std"], model.predict(X[:5], return_std=True)[1],
                               rtol=RTOL)
    # an interpolating GP's std on its training rows is rounding noise: verify says so
    X_s = StandardScaler().fit_transform(X)[:200]
    gpr = GaussianProcessRegressor(gp.RBF(3.0), optimizer=None).fit(X_s, y[:200])
    failed = nc.verify(gpr, nc.convert(gpr), X_s, methods=["predict", "predict_std"])
    assert not failed.passed and failed.max_abs_diff["predict_std"] > 0
    with pytest.raises(ValueError, match="gives no predict_std"):
        nc.verify(Ridge().fit(X, y), nc.convert(Ridge().fit(X, y)), X,
                  methods=["predict", "predict_std"])


def test_a_fine_tuned_copy_drops_the_posteriors_std(diabetes):
    X, y = diabetes
    model = make_pipeline(StandardScaler(), BayesianRidge()).fit(X, y)
    net = nc.convert(model)
    trained = nc.fine_tune(net, X, y, epochs=2, lr=0.01)
    assert net.has_std and not trained.has_std  # the original keeps its own
    with pytest.raises(TypeError, match="fine-tuned away from the fitted posterior"):
        trained.predict(X, return_std=True)
    mean_and_std_agree(model, net, X)


# -- refusals ------------------------------------------------------------------------------------

def test_return_cov_and_std_without_a_variance_are_refused_clearly(diabetes):
    X, y = diabetes
    gpr = nc.convert(GaussianProcessRegressor(alpha=1.0, optimizer=None).fit(X[:50], y[:50]))
    with pytest.raises(NotImplementedError, match="return_cov=True is not supported.*"
                                                  "return_std=True"):
        gpr.predict(X, return_cov=True)
    ridge = nc.convert(Ridge().fit(X, y))
    assert not ridge.has_std
    with pytest.raises(TypeError, match="gives no standard deviation.*converted BayesianRidge"):
        ridge.predict(X, return_std=True)
    # the ordinary prediction is untouched by the keyword's default
    np.testing.assert_array_equal(ridge.predict(X), ridge.predict(X, return_std=False))
    # wrappers whose predict takes no return_std give none either
    search = GridSearchCV(BayesianRidge(), {"alpha_1": [1e-6, 1e-3]}, cv=3).fit(X, y)
    assert not nc.convert(search).has_std
    ransac = RANSACRegressor(BayesianRidge(), min_samples=0.5, random_state=0).fit(X, y)
    assert not nc.convert(ransac).has_std
