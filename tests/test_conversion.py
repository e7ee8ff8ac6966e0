"""Every zoo model converts exactly (float64 to rounding, float32 outside the tie band), and
the network behaves like a scikit-learn estimator and a torch module."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from equivalence import assert_equivalent
from zoo import BY_ID, data, fitted, ids, probe_points

import nnconvert as nc
from nnconvert.layers import ActivatedUnits, AffineScaler, KernelExpansion

ZOO = ids()


@pytest.mark.parametrize("case_id", ZOO)
def test_float64_conversion_is_exact(case_id):
    estimator, X_train, X_test = fitted(case_id)
    net = nc.convert(estimator)
    assert net.dtype == torch.float64
    for X in (X_test, probe_points(X_train)):
        assert_equivalent(estimator, net, X)


@pytest.mark.parametrize("case_id", ZOO)
def test_float32_agrees_outside_tie_band(case_id):
    if "float64-steps" in BY_ID[case_id].tags:
        pytest.skip("steps at bin edges compared in float64 by scikit-learn: float32 input "
                    "rounding moves rows across them, and a score jumps by a whole weight")
    estimator, X_train, X_test = fitted(case_id)
    net = nc.convert(estimator, dtype=torch.float32)
    assert net.dtype == torch.float32
    assert_equivalent(estimator, net, X_test)


@pytest.mark.parametrize("case_id", ids("pipeline"))
def test_fused_pipeline_is_exact_and_has_fewer_layers(case_id):
    estimator, X_train, X_test = fitted(case_id)
    plain, fused = nc.convert(estimator), nc.convert(estimator, fuse=True)
    assert_equivalent(estimator, fused, X_test)
    clipped = any(getattr(step, "clip", False) for _, step in estimator.steps[:-1])
    if clipped:  # a clipped scaler is not affine: it must stay a layer of its own
        assert len(fused.body) == len(plain.body)
    else:
        assert len(fused.body) < len(plain.body)


@pytest.mark.parametrize("case_id", [
    "mlp-logistic-breast_cancer-binary", "mlp-identity-wine", "mlp-tanh-sgd-breast_cancer-str",
    "elm-tanh-uniform-breast_cancer", "elm-relu-digits-noncontig", "elm-sin-wine",
    "rbfsampler-linearsvc-digits", "rbfsampler-logreg-breast_cancer",
])
def test_a_scaler_folds_into_the_activated_hidden_layer_that_reads_it(case_id):
    estimator, X_train, X_test = fitted(case_id)
    plain, fused = nc.convert(estimator), nc.convert(estimator, fuse=True)
    for X in (X_test, probe_points(X_train)):
        assert_equivalent(estimator, fused, X)
    assert isinstance(plain.body[0], AffineScaler)
    assert len(fused.body) == len(plain.body) - 1
    assert isinstance(fused.body[0], ActivatedUnits)
    assert "folded in" in fused.body[0].describe().title


@pytest.mark.parametrize("case_id", ["elm-rbf-breast_cancer-str", "nystroem-rbf-sgd-wine-str",
                                     "svc-rbf-breast_cancer-scaled"])
def test_a_scaler_in_front_of_kernel_units_stays_a_layer(case_id):
    estimator, _, X_test = fitted(case_id)
    fused = nc.convert(estimator, fuse=True)
    assert_equivalent(estimator, fused, X_test)
    assert isinstance(fused.body[0], AffineScaler)


@pytest.mark.parametrize("case_id", ids("binary"))
def test_binary_scores_are_one_dimensional(case_id):
    estimator, _, X_test = fitted(case_id)
    net = nc.convert(estimator)
    assert net.decision_function(X_test).shape == (len(X_test),)
    assert net(torch.as_tensor(X_test)).shape == (len(X_test),)


def test_methods_accept_lists_dataframes_and_tensors():
    pandas = pytest.importorskip("pandas")
    estimator, _, X_test = fitted("logreg-iris-str")
    net = nc.convert(estimator)
    expected = estimator.predict(X_test)
    assert (net.predict(X_test.tolist()) == expected).all()
    assert (net.predict(pandas.DataFrame(X_test)) == expected).all()
    assert (net.predict(torch.as_tensor(X_test)) == expected).all()


def test_feature_names_follow_scikit_learn():
    pandas = pytest.importorskip("pandas")
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    frame = load_iris(as_frame=True).frame
    X, y = frame.drop(columns="target"), frame["target"]
    estimator = LogisticRegression(max_iter=1000).fit(X, y)
    net = nc.convert(estimator)
    np.testing.assert_array_equal(net.feature_names_in_, estimator.feature_names_in_)
    assert (net.predict(X) == estimator.predict(X)).all()
    with pytest.raises(ValueError, match="feature names should match"):
        net.predict(X.rename(columns={X.columns[0]: "something else"}))
    with pytest.raises(ValueError, match="same order"):
        net.predict(X[X.columns[::-1]])
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        net.predict(X.to_numpy())
    mixed = pandas.DataFrame(X.to_numpy(), columns=[*X.columns[:3], 0])
    for model in (estimator, net):  # scikit-learn refuses names of mixed types; so do we
        with pytest.raises(TypeError, match="names"):
            model.predict(mixed)


def test_a_pipeline_led_by_passthrough_checks_the_names_its_first_real_step_saw():
    pytest.importorskip("pandas")
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = load_iris(return_X_y=True, as_frame=True)
    pipeline = make_pipeline("passthrough", StandardScaler(), LogisticRegression()).fit(X, y)
    net = nc.convert(pipeline)
    np.testing.assert_array_equal(net.feature_names_in_, X.columns)
    for model in (pipeline, net):
        with pytest.raises(ValueError, match="same order"):
            model.predict(X[X.columns[::-1]])


def test_reversed_views_predict_like_scikit_learn():
    # negative strides (X[::-1], np.flip, a dataframe's columns picked back into fit order)
    # are fine for scikit-learn; torch cannot wrap them, so they are copied first
    pandas = pytest.importorskip("pandas")
    estimator, _, X_test = fitted("svc-rbf-iris")
    net = nc.convert(estimator)
    reordered = pandas.DataFrame(X_test[:, ::-1].copy())[[3, 2, 1, 0]]
    for X in (X_test[::-1], X_test[:, ::-1], np.flip(X_test), reordered):
        np.testing.assert_allclose(net.decision_function(X), estimator.decision_function(X),
                                   rtol=0, atol=1e-12)
        np.testing.assert_array_equal(net.predict(X), estimator.predict(X))
    assert nc.verify(estimator, net, X_test[::-1]).passed
    bfloat16 = torch.as_tensor(X_test).bfloat16()
    np.testing.assert_array_equal(net.predict(bfloat16),
                                  estimator.predict(bfloat16.double().numpy()))


def test_coefficients_stored_sparse_are_read_densely():
    from scipy import sparse
    from sklearn.kernel_approximation import Nystroem
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MaxAbsScaler

    X_train, X_test, y_train, _ = data("iris", "str")
    sparsified = LogisticRegression(max_iter=1000).fit(X_train, y_train).sparsify()
    assert sparse.issparse(sparsified.coef_)
    assert_equivalent(sparsified, nc.convert(sparsified), X_test)
    # fitted on sparse rows, Nystroem keeps its components sparse
    scaler = MaxAbsScaler().fit(X_train)
    on_sparse = make_pipeline(Nystroem(n_components=20, random_state=0),
                              LogisticRegression(max_iter=1000))
    on_sparse.fit(sparse.csr_matrix(scaler.transform(X_train)), y_train)
    assert sparse.issparse(on_sparse[0].components_)
    assert_equivalent(on_sparse, nc.convert(on_sparse), scaler.transform(X_test))


def test_caller_arrays_are_never_modified():
    estimator, _, X_test = fitted("pipe-standard-logreg-breast_cancer")
    X = np.asfortranarray(X_test.copy())
    before = X.copy()
    for dtype in (torch.float64, torch.float32):
        net = nc.convert(estimator, dtype=dtype)
        net.decision_function(X)
        net.predict_proba(X)
        net.predict(X)
        t = torch.as_tensor(X)
        net(t)
        np.testing.assert_array_equal(t.numpy(), before)
    np.testing.assert_array_equal(X, before)
    assert estimator.named_steps["standardscaler"].mean_.flags.writeable


def test_changing_the_network_leaves_the_estimator_alone():
    estimator, _, _ = fitted("logreg-iris-str")
    coef = estimator.coef_.copy()
    net = nc.convert(estimator)
    with torch.no_grad():
        net.body[0].weight.add_(1.0)
    np.testing.assert_array_equal(estimator.coef_, coef)


def test_to_device_and_dtype_round_trip():
    estimator, _, X_test = fitted("logreg-iris-str")
    net = nc.convert(estimator).to("cpu")
    assert net.device.type == "cpu"
    assert_equivalent(estimator, net.to(torch.float32).to(torch.float64), X_test, rtol=1e-6)


@pytest.mark.gpu
@pytest.mark.parametrize("case_id", [
    "pipe-standard-logreg-breast_cancer", "mlp-tanh-digits", "svc-rbf-digits-ovo-proba",
    "svc-rbf-breast_cancer-proba", "elm-tanh-uniform-breast_cancer", "elm-rbf-blobs",
    "rbfsampler-linearsvc-digits",
])
def test_cuda_network_agrees(case_id):
    estimator, _, X_test = fitted(case_id)
    net = nc.convert(estimator).to("cuda")
    assert net.device.type == "cuda"
    for layer in net.modules():
        if isinstance(layer, KernelExpansion):
            layer.block_rows = 32  # several blocks on the device, the last one short
    assert_equivalent(estimator, net, X_test)
