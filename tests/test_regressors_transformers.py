"""Regressor and transformer networks: every zoo model of these kinds converts exactly, and the
networks behave like scikit-learn estimators and torch modules."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from equivalence import reference_rtol
from sklearn.datasets import load_diabetes
from sklearn.decomposition import PCA
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from zoo import BY_ID, fitted, ids, probe_points

import nnconvert as nc

REGRESSORS = ids(kind="regressor")
TRANSFORMERS = ids(kind="transformer")
#: the promise, written here rather than read from the code under test
RTOL = {torch.float64: 1e-9, torch.float32: 1e-4}


def assert_close_to_scale(got, expected, rtol):
    """Same shape and dtype kind, and every value within ``rtol`` of the reference's scale."""
    expected = np.asarray(expected)
    assert got.shape == expected.shape
    assert got.dtype.kind == "f"
    missing = np.isnan(expected)  # no answer (a radius with no neighbour): NaN on both sides
    np.testing.assert_array_equal(np.isnan(got), missing)
    got, expected = got[~missing], expected[~missing]
    scale = max(np.abs(expected).max(initial=0.0), np.finfo(np.float64).tiny)
    worst = np.abs(got - expected).max(initial=0.0) / scale
    assert worst <= rtol, f"relative difference {worst:.3g} > {rtol:g}"


def _answer(net, method, X):
    return getattr(net, method)(X)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("case_id, method",
                         [(c, "predict") for c in REGRESSORS]
                         + [(c, "transform") for c in TRANSFORMERS])
def test_regressors_and_transformers_convert_exactly(case_id, method, dtype):
    if dtype == torch.float32 and "ill-conditioned" in BY_ID[case_id].tags:
        pytest.skip("its weights cancel (a Gaussian process's α): float32 cannot reach 1e-4")
    estimator, X_train, X_test = fitted(case_id)
    net = nc.convert(estimator, dtype=dtype)
    # and the std of predict(X, return_std=True) where the estimator gives one
    assert net.methods == (method, *(("predict_std",) if getattr(net, "has_std", False) else ()))
    assert not hasattr(net, "predict_proba") and not hasattr(net, "decision_function")
    for X in (X_test, probe_points(X_train)):
        assert_close_to_scale(_answer(net, method, X), _answer(estimator, method, X),
                              reference_rtol(estimator, RTOL[dtype]))


@pytest.mark.parametrize("case_id", REGRESSORS)
def test_regressor_network_kind_and_shapes(case_id):
    estimator, _, X_test = fitted(case_id)
    net = nc.convert(estimator)
    assert isinstance(net, nc.ConvertedRegressor)
    expected = estimator.predict(X_test)
    assert net.n_outputs_ == (1 if expected.ndim == 1 else expected.shape[1])
    scores = net(torch.as_tensor(X_test))  # torch side: the same predictions
    np.testing.assert_allclose(scores.detach().numpy(), expected, rtol=0,
                               atol=reference_rtol(estimator, 1e-9) * np.abs(expected).max())
    assert np.array_equal(net.outputs(X_test)["predict"], net.predict(X_test))


@pytest.mark.parametrize("case_id", ids("pipeline", kind="regressor")
                         + ids("pipeline", kind="transformer"))
def test_fused_pipelines_stay_exact(case_id):
    estimator, _, X_test = fitted(case_id)
    method = "predict" if hasattr(estimator, "predict") else "transform"
    plain, fused = nc.convert(estimator), nc.convert(estimator, fuse=True)
    assert len(fused.body) <= len(plain.body)
    assert_close_to_scale(_answer(fused, method, X_test), _answer(estimator, method, X_test),
                          1e-9)


@pytest.mark.parametrize("case_id", TRANSFORMERS)
def test_transformer_names_its_outputs_as_scikit_learn(case_id):
    estimator, _, X_test = fitted(case_id)
    net = nc.convert(estimator)
    assert isinstance(net, nc.ConvertedTransformer)
    assert list(net.get_feature_names_out()) == list(estimator.get_feature_names_out())
    assert net.transform(X_test).shape[1] == len(net.get_feature_names_out())


def test_whitened_pca_before_ridge_is_one_network():
    X, y = load_diabetes(return_X_y=True)
    model = make_pipeline(StandardScaler(), PCA(n_components=6, whiten=True), Ridge()).fit(X, y)
    net = nc.convert(model)
    titles = [layer.describe().title for layer in net.body]
    assert titles == ["standard scaler", "principal components", "whitening",
                      "linear regression neurons"]
    assert_close_to_scale(net.predict(X), model.predict(X), 1e-9)
    assert "predict(x)" in net.explain()


def test_regressor_input_checks_are_scikit_learns():
    estimator, _, X_test = fitted("ridge-diabetes")
    net = nc.convert(estimator)
    before = X_test.copy()
    with pytest.raises(ValueError, match="X has 9 features, but .* expects 10"):
        net.predict(X_test[:, :9])
    X_nan = X_test.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        net.predict(X_nan)
    with pytest.raises(AttributeError, match="has no transform"):
        net.output_tensors(torch.as_tensor(X_test), ["transform"])
    assert np.array_equal(X_test, before)
