"""inverse_transform: every converted transformer that has one answers it exactly, through an
inverse network that explains, draws and exports; those without one have none."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from equivalence import exported_outputs
from sklearn.datasets import load_iris, load_wine
from sklearn.decomposition import PCA
from sklearn.feature_selection import SelectKBest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (
    MinMaxScaler,
    Normalizer,
    OneHotEncoder,
    OrdinalEncoder,
    QuantileTransformer,
    StandardScaler,
)
from zoo import fitted, ids

import nnconvert as nc
from nnconvert.errors import UnsupportedEstimatorError

TRANSFORMERS = ids(kind="transformer")
RTOL = {torch.float64: 1e-9, torch.float32: 1e-4}


def _dense(Z):
    return Z.toarray() if hasattr(Z, "toarray") else np.asarray(Z)


def _assert_close(got, expected, rtol):
    assert got.shape == expected.shape and got.dtype == expected.dtype
    scale = max(np.abs(expected).max(initial=0.0), 1e-300)
    assert np.abs(got - expected).max(initial=0.0) / scale <= rtol


def _output_rows(net, estimator, X):
    """Rows of the output space: the transformed held-out rows, and points around them."""
    Z = _dense(estimator.transform(X))
    rng = np.random.default_rng(0)
    spread = Z.std(axis=0) + 1.0
    return np.vstack([Z, Z[:20] + rng.normal(size=Z[:20].shape) * spread])


@pytest.mark.parametrize("case_id", TRANSFORMERS)
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_every_zoo_transformer_inverts_as_scikit_learn(case_id, dtype):
    estimator, _, X_test = fitted(case_id)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a step warning about its own data, not our point
        net = nc.convert(estimator, dtype=dtype)
    has = hasattr(estimator, "inverse_transform")
    assert hasattr(net, "inverse_transform") == has
    if not has:
        with pytest.raises(AttributeError, match="inverse_transform"):
            net.inverse_transform(X_test)
        return
    if net.inverse_network is None:  # scikit-learn has one that nnconvert does not convert
        assert net.inverse_refused
        with pytest.raises(UnsupportedEstimatorError, match="inverse_transform"):
            net.inverse_transform(_dense(estimator.transform(X_test)))
        return
    Z = _output_rows(net, estimator, X_test)
    kept = Z.copy()
    expected = estimator.inverse_transform(Z)
    got = net.inverse_transform(Z)
    np.testing.assert_array_equal(Z, kept)  # the caller's array is left alone
    _assert_close(got, np.asarray(expected, dtype=got.dtype), RTOL[dtype])


def test_pipeline_inverse_is_the_steps_inverses_in_reverse_order():
    X, y = load_wine(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), PCA(n_components=6, whiten=True)).fit(X)
    net = nc.convert(pipe)
    titles = [layer.describe().title for layer in net.inverse_network.body]
    assert titles == ["back to the features", "standard scaler, inverse"]
    Z = pipe.transform(X) * 1.5
    _assert_close(net.inverse_transform(Z), pipe.inverse_transform(Z), 1e-9)


def test_pipeline_with_a_step_that_has_no_inverse_has_none():
    X, _ = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), Normalizer()).fit(X)
    net = nc.convert(pipe)
    assert not hasattr(pipe, "inverse_transform") and not hasattr(net, "inverse_transform")
    with pytest.raises(AttributeError, match="no inverse_transform"):
        net.inverse_transform(X)


def test_an_inverse_nnconvert_does_not_convert_is_refused_with_the_step():
    X, _ = load_iris(return_X_y=True)
    pipe = make_pipeline(QuantileTransformer(n_quantiles=20), StandardScaler()).fit(X)
    net = nc.convert(pipe)
    np.testing.assert_allclose(net.transform(X), pipe.transform(X), rtol=1e-9, atol=1e-12)
    assert hasattr(net, "inverse_transform")
    with pytest.raises(UnsupportedEstimatorError, match="quantiletransformer.*Quantile"):
        net.inverse_transform(pipe.transform(X))


def test_selector_inverse_puts_columns_back_bit_for_bit():
    X, y = load_wine(return_X_y=True)
    selector = SelectKBest(k=4).fit(X, y)
    net = nc.convert(selector)
    Z = selector.transform(X[:5])
    Z[0] = [1e308, -1e-308, -0.0, 5e-324]  # copied, not multiplied: every bit kept
    got = net.inverse_transform(Z)
    np.testing.assert_array_equal(got, selector.inverse_transform(Z))
    assert np.signbit(got[0]).sum() == np.signbit(selector.inverse_transform(Z)[0]).sum()


CATEGORIES = np.array([["a", "x"], ["b", "y"], ["c", "x"], ["a", "z"], ["b", "z"]],
                      dtype=object)


@pytest.mark.parametrize("encoder", [
    OneHotEncoder(drop="first"),
    OneHotEncoder(handle_unknown="ignore"),
    OneHotEncoder(drop=["b", "z"], sparse_output=False),
    OneHotEncoder(handle_unknown="ignore", drop="first"),
    OrdinalEncoder(),
    OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-5),
], ids=repr)
def test_encoders_invert_to_the_categories(encoder):
    encoder.fit(CATEGORIES)
    net = nc.convert(encoder)
    Z = _dense(encoder.transform(CATEGORIES))
    if isinstance(encoder, OneHotEncoder):
        # all-zero blocks (dropped or unknown) and blocks that are not one-hot at all
        extra = np.vstack([np.zeros(Z.shape[1]), np.linspace(0.1, 0.9, Z.shape[1]),
                           np.r_[1.0, -1.0, np.zeros(Z.shape[1] - 2)]])
    elif encoder.handle_unknown == "use_encoded_value":
        extra = np.array([[-5.0, 1.0], [2.9, -5.0], [-1.0, 0.0]])
    else:  # codes are truncated, and negative ones count from the end, as numpy indexes
        extra = np.array([[2.9, 1.0], [-1.0, 0.0], [-3.0, 2.2]])
    Z = np.vstack([Z, extra])
    expected, got = encoder.inverse_transform(Z), net.inverse_transform(Z)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


def test_ordinal_codes_that_name_no_category_are_refused():
    encoder = OrdinalEncoder().fit(CATEGORIES)
    net = nc.convert(encoder)
    with pytest.raises(IndexError):
        encoder.inverse_transform(np.array([[3.0, 0.0]]))
    with pytest.raises(ValueError, match="feature 0: codes from 3 to 3 name no category"):
        net.inverse_transform(np.array([[3.0, 0.0]]))


def test_one_hot_all_zero_rows_are_refused_as_scikit_learn_refuses():
    encoder = OneHotEncoder().fit(CATEGORIES)
    net = nc.convert(encoder)
    Z = np.zeros((2, _dense(encoder.transform(CATEGORIES)).shape[1]))
    with pytest.raises(ValueError, match="can not be inverted") as ours:
        net.inverse_transform(Z)
    with pytest.raises(ValueError) as theirs:
        encoder.inverse_transform(Z)
    assert str(ours.value) == str(theirs.value)


def test_infrequent_categories_refuse_the_inverse_only():
    X = np.array([["a"]] * 6 + [["b"]] * 5 + [["c"]], dtype=object)
    encoder = OneHotEncoder(min_frequency=2, handle_unknown="infrequent_if_exist").fit(X)
    net = nc.convert(encoder)
    np.testing.assert_array_equal(net.transform(X), _dense(encoder.transform(X)))
    with pytest.raises(UnsupportedEstimatorError, match="infrequent"):
        net.inverse_transform(_dense(encoder.transform(X)))


def test_encoder_first_in_a_pipeline_inverts_through_the_later_steps():
    X = np.column_stack([CATEGORIES, np.arange(5.0)])
    pipe = make_pipeline(OrdinalEncoder(), MinMaxScaler()).fit(X)
    net = nc.convert(pipe)
    Z = pipe.transform(X)
    np.testing.assert_array_equal(net.inverse_transform(Z), pipe.inverse_transform(Z))


def test_the_inverse_network_explains_draws_and_exports(tmp_path):
    X, _ = load_wine(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), PCA(n_components=3)).fit(X)
    inverse = nc.convert(pipe).inverse_network
    assert isinstance(inverse, nc.ConvertedTransformer)
    text = inverse.explain()
    assert "back to the features" in text and "standard scaler, inverse" in text
    svg = nc.draw(inverse).svg()
    assert "back to the features" in svg
    Z = pipe.transform(X[:7])
    path = tmp_path / "inverse.pt2"
    nc.export(inverse, path)
    (exported,) = exported_outputs(path, Z)
    _assert_close(exported, pipe.inverse_transform(Z), 1e-9)
