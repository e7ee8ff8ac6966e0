"""RBFSampler and Nystroem as hidden layers in front of a linear classifier."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from equivalence import assert_equivalent
from hypothesis import example, given
from hypothesis import strategies as st
from sklearn.kernel_approximation import Nystroem, RBFSampler
from sklearn.linear_model import LogisticRegression, RidgeClassifier, SGDClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from zoo import fitted, probe_points
from zoo.elm import generated

import nnconvert as nc
from nnconvert.layers import ActivatedUnits, KernelUnits, LinearUnits


def _hidden(net, X, n_layers):
    with torch.no_grad():
        return net.body[:n_layers](torch.as_tensor(X)).numpy()


def test_rbf_sampler_is_a_layer_of_scaled_cosine_units():
    pipe, _, X_test = fitted("rbfsampler-linearsvc-digits")
    net = nc.convert(pipe)
    scaler, fourier, svm = net.body
    assert isinstance(fourier, ActivatedUnits) and fourier.activation == "cos"
    assert fourier.scale == pytest.approx(np.sqrt(2 / 100))
    description = fourier.describe()
    assert description.activation == "cos" and description.n_out == 100
    assert "cos(W·h1 + b)" in net.explain()
    expected = pipe[:2].transform(X_test)
    np.testing.assert_allclose(_hidden(net, X_test, 2), expected, rtol=0, atol=1e-13)


def test_nystroem_is_kernel_units_then_its_normalisation():
    pipe, _, X_test = fitted("nystroem-rbf-sgd-wine-str")
    net = nc.convert(pipe)
    scaler, kernel, normalisation, readout = net.body
    assert isinstance(kernel, KernelUnits) and kernel.kernel == "rbf"
    nystroem = pipe[1]
    np.testing.assert_array_equal(kernel.centres.numpy(), nystroem.components_)
    assert kernel.gamma == 1 / X_test.shape[1]  # pairwise_kernels' default for gamma=None
    assert isinstance(normalisation, LinearUnits) and normalisation.bias is None
    np.testing.assert_allclose(_hidden(net, X_test, 3), pipe[:2].transform(X_test),
                               rtol=0, atol=1e-12)


@pytest.mark.parametrize("kernel, params, expected", [
    ("poly", {}, {"gamma": 0.25, "coef0": 1.0, "degree": 3}),
    ("polynomial", {"degree": 2, "coef0": 0.0}, {"gamma": 0.25, "coef0": 0.0, "degree": 2}),
    ("sigmoid", {"gamma": 0.1}, {"gamma": 0.1, "coef0": 1.0}),
])
def test_nystroem_kernel_defaults_follow_pairwise_kernels(kernel, params, expected):
    X, y = generated(0, 3, 4)
    pipe = make_pipeline(StandardScaler(), Nystroem(kernel=kernel, n_components=15,
                                                    random_state=0, **params),
                         LogisticRegression()).fit(X, y)
    units = nc.convert(pipe).body[1]
    for name, value in expected.items():
        assert getattr(units, name) == value
    assert_equivalent(pipe, nc.convert(pipe), probe_points(X))


def test_nystroem_kernel_params_dict_is_read():
    X, y = generated(1, 2, 5)
    pipe = make_pipeline(Nystroem(kernel="poly", kernel_params={"degree": 4, "coef0": 0.5},
                                  gamma=0.1, n_components=10, random_state=0),
                         RidgeClassifier()).fit(X, y)
    units = nc.convert(pipe).body[0]
    assert (units.degree, units.coef0, units.gamma) == (4, 0.5, 0.1)
    assert_equivalent(pipe, nc.convert(pipe), probe_points(X))


@pytest.mark.parametrize("nystroem, message", [
    (Nystroem(kernel="laplacian", n_components=5), "kernel='laplacian' is not supported"),
    (Nystroem(kernel=lambda a, b: float(a @ b), n_components=5), "supported kernels"),
    (Nystroem(kernel="poly", degree=1.5, coef0=10.0, gamma=0.01, n_components=5),
     "integer degree"),
])
def test_unsupported_nystroem_is_refused_clearly(nystroem, message):
    X, y = generated(0, 2, 3)
    pipe = make_pipeline(nystroem, LogisticRegression()).fit(X, y)
    with pytest.raises(nc.UnsupportedEstimatorError, match=message):
        nc.convert(pipe)


CLASSIFIERS = {
    "logreg": lambda: LogisticRegression(max_iter=200),
    "linearsvc": lambda: LinearSVC(),
    "ridge": lambda: RidgeClassifier(),
    "sgd-log": lambda: SGDClassifier(loss="log_loss", random_state=0),
}


@given(
    sampler=st.sampled_from(["rbf-sampler", "rbf", "poly", "sigmoid", "linear"]),
    n_components=st.integers(1, 40),
    gamma=st.floats(0.01, 2.0),
    classifier=st.sampled_from(sorted(CLASSIFIERS)),
    n_classes=st.integers(2, 4),
    n_features=st.integers(3, 8),
    seed=st.integers(0, 2**16),
)
@example(sampler="linear", n_components=32, gamma=1.0, classifier="logreg", n_classes=3,
         n_features=8, seed=7)
@example(sampler="poly", n_components=11, gamma=2.0, classifier="logreg", n_classes=2,
         n_features=3, seed=0)
def test_any_random_feature_pipeline_converts_exactly(sampler, n_components, gamma, classifier,
                                                      n_classes, n_features, seed):
    X, y = generated(seed, n_classes, n_features)
    if sampler == "rbf-sampler":
        features = RBFSampler(gamma=gamma, n_components=n_components, random_state=seed)
    else:
        # a linear kernel's matrix has rank n_features at most, a degree-2 polynomial's the
        # number of monomials of degree <= 2: components past it are scaled by 1/sqrt of
        # singular values scikit-learn clips at 1e-12, so both answers are rounding noise
        # amplified ~1e6 (found by hypothesis: linear, 32 components, 8 features, seed 7;
        # poly, 11 components, 3 features, seed 0)
        rank = {"linear": n_features, "poly": math.comb(n_features + 2, 2)}.get(sampler, len(X))
        features = Nystroem(kernel=sampler, gamma=gamma, degree=2,
                            n_components=min(n_components, len(X), rank), random_state=seed)
    pipe = make_pipeline(StandardScaler(), features, CLASSIFIERS[classifier]()).fit(X, y)
    assert_equivalent(pipe, nc.convert(pipe), np.vstack([X, probe_points(X, 100, seed)]))
