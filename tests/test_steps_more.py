"""The remaining transformers of issue 16, each as a step and on its own: exact on held-out
rows and on the rows where they are easiest to get wrong, refusals with their reasons, and
bad input refused before anything is modified."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.decomposition import KernelPCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

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


@pytest.mark.parametrize("kernel", ["precomputed", np.dot])
def test_kernel_pca_without_a_kernel_unit_is_refused_with_the_reason(kernel):
    X, _ = load_iris(return_X_y=True)
    data = X @ X.T if kernel == "precomputed" else X
    kpca = KernelPCA(2, kernel=kernel).fit(data)
    with pytest.raises(nc.UnsupportedEstimatorError, match=r"KernelPCA\(kernel=.*cannot be "
                                                           r"converted.*Supported kernels"):
        nc.convert(kpca)
    if kernel == "precomputed":
        with pytest.raises(nc.UnsupportedEstimatorError, match="precomputed kernel is a matrix"):
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


def test_supported_transformers_lists_the_new_steps():
    names = nc.supported_transformers()
    for name in ("KernelPCA",):
        assert name in names


@pytest.mark.parametrize("suffix", [".pt2", ".onnx"])
def test_kernel_pca_exports(suffix, tmp_path):
    X_train, X_test, _, _ = _split(load_wine)
    kpca = make_pipeline(StandardScaler(), KernelPCA(4, kernel="poly", degree=2)).fit(X_train)
    _assert_export_matches(kpca, X_test, tmp_path / f"model{suffix}")


def _assert_export_matches(transformer, X, path):
    if path.suffix == ".onnx":
        ort = pytest.importorskip("onnxruntime")
    nc.export(nc.convert(transformer), path)
    if path.suffix == ".pt2":
        with torch.no_grad():
            (got,) = torch.export.load(path).module()(torch.as_tensor(X))
        got = got.numpy()
    else:
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        (got,) = session.run(None, {"x": X})
    assert_exact(got, transformer.transform(X))
