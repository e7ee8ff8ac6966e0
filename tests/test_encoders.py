"""OneHotEncoder and OrdinalEncoder as lookup layers: the network is the encoder, on raw data."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from equivalence import assert_equivalent
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

import nnconvert as nc


def _frame(n: int = 400) -> tuple[pd.DataFrame, np.ndarray]:
    """Categorical columns derived from breast cancer features (every dtype pandas has)."""
    data = load_breast_cancer()
    X, y = data.data[:n], data.target[:n]
    radius = pd.qcut(X[:, 0], 5, labels=["xs", "s", "m", "l", "xl"]).astype(str)
    texture = np.digitize(X[:, 1], [15, 18, 21, 25]).astype(np.int64)  # numeric categories
    smooth = np.round(X[:, 4] * 100).astype(float)  # float categories, some rare
    smooth[::37] = np.nan  # NaN seen at fit time: a category
    frame = pd.DataFrame({
        "radius": pd.Categorical(radius),
        "texture": texture,
        "smooth": smooth,
        "area": pd.Series(np.where(X[:, 3] > 600, "big", "small"), dtype="string"),
        "worst": np.asarray(np.where(X[:, 20] > 16, "high", "low"), dtype=object),
        "mean_big": X[:, 2] > 90,
    })
    return frame, y


ONE_HOT = [
    dict(),
    dict(drop="first"),
    dict(drop="if_binary", handle_unknown="ignore"),
    dict(handle_unknown="ignore", sparse_output=False),
    dict(min_frequency=10, handle_unknown="infrequent_if_exist"),
    dict(max_categories=4, handle_unknown="infrequent_if_exist", drop="first"),
    dict(min_frequency=10, handle_unknown="ignore"),
    dict(drop=["m", 2, 8.0, "small", "low", False]),
]


@pytest.mark.parametrize("params", ONE_HOT, ids=str)
def test_one_hot_encoder_pipeline(params):
    X, y = _frame()
    model = make_pipeline(OneHotEncoder(**params), LogisticRegression(max_iter=2000)).fit(X, y)
    net = nc.convert(model)
    assert_equivalent(model, net, X)
    encoder = OneHotEncoder(**params).fit(X)
    expected = encoder.transform(X)
    expected = expected.toarray() if hasattr(expected, "toarray") else expected
    np.testing.assert_array_equal(nc.convert(encoder).transform(X), expected)


def test_one_hot_float32_output():
    # a float32 encoder output makes scikit-learn's next step compute in float32: only the
    # encoder itself is compared (exactly: its outputs are zeros and ones)
    X, y = _frame()
    encoder = OneHotEncoder(dtype=np.float32, sparse_output=False).fit(X)
    np.testing.assert_array_equal(nc.convert(encoder).transform(X), encoder.transform(X))


@pytest.mark.parametrize("params", [
    dict(handle_unknown="ignore"),
    dict(min_frequency=10, handle_unknown="infrequent_if_exist"),
    dict(drop="first", handle_unknown="ignore"),
], ids=str)
def test_one_hot_unknown_categories(params):
    X, y = _frame()
    encoder = OneHotEncoder(**params).fit(X)
    new = X.copy()
    new["worst"] = new["worst"].astype(object)
    new.loc[:5, "worst"] = "unseen"
    new.loc[:3, "texture"] = 99
    new.loc[6:8, "area"] = pd.NA
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # scikit-learn's note on unknown values
        expected = encoder.transform(new)
    np.testing.assert_array_equal(nc.convert(encoder).transform(new), expected.toarray())


def test_one_hot_unknown_category_refused_like_sklearn():
    X, y = _frame()
    model = make_pipeline(OneHotEncoder(), LogisticRegression(max_iter=2000)).fit(X, y)
    new = X.copy()
    new["worst"] = new["worst"].astype(object)
    new.loc[2, "worst"] = "unseen"
    before = new.copy()
    with pytest.raises(ValueError, match="Found unknown categories"):
        model.predict(new)
    with pytest.raises(ValueError, match=r"Found unknown categories \['unseen'\] in column 4 "
                                         r"\('worst'\)"):
        nc.convert(model).predict(new)
    pd.testing.assert_frame_equal(new, before)


@pytest.mark.parametrize("params", [
    dict(),
    dict(handle_unknown="use_encoded_value", unknown_value=-1),
    dict(handle_unknown="use_encoded_value", unknown_value=np.nan, encoded_missing_value=-2),
    dict(min_frequency=10, handle_unknown="use_encoded_value", unknown_value=-3),
    dict(max_categories=3),
], ids=str)
def test_ordinal_encoder(params):
    X, y = _frame()
    encoder = OrdinalEncoder(**params).fit(X)
    net = nc.convert(encoder)
    np.testing.assert_array_equal(net.transform(X), encoder.transform(X))
    if params.get("handle_unknown") == "use_encoded_value":
        new = X.copy()
        new.loc[:4, "texture"] = 77
        new.loc[:2, "radius"] = np.nan  # never seen: an unknown value
        np.testing.assert_array_equal(net.transform(new), encoder.transform(new))


def test_ordinal_encoder_pipeline_classifier():
    X, y = _frame()
    X = X.drop(columns="smooth")  # no missing values: the logistic regression reads codes
    model = make_pipeline(OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1),
                          LogisticRegression(max_iter=5000)).fit(X, y)
    assert_equivalent(model, nc.convert(model), X)


def test_encoder_layer_exports():
    import torch
    X, y = _frame()
    model = make_pipeline(OneHotEncoder(handle_unknown="ignore"),
                          LogisticRegression(max_iter=2000)).fit(X, y)
    net = nc.convert(model)
    x = net.as_tensor(X)
    program = torch.export.export(net, (x,))
    torch.testing.assert_close(program.module()(x), net(x), rtol=0, atol=0)


def test_encoder_after_another_step_is_refused():
    from sklearn.preprocessing import StandardScaler
    X, y = _frame()
    numbers = X[["texture"]].astype(float)
    model = make_pipeline(StandardScaler(), OneHotEncoder(), LogisticRegression()).fit(numbers, y)
    with pytest.raises(nc.UnsupportedEstimatorError, match="only the first step"):
        nc.convert(model)


def test_numeric_categories_accept_ints_and_floats():
    X, y = _frame()
    encoder = OneHotEncoder().fit(X[["texture"]])  # int64 categories
    as_float = X[["texture"]].astype(float)
    np.testing.assert_array_equal(nc.convert(encoder).transform(as_float),
                                  encoder.transform(as_float).toarray())


def test_codes_outside_the_categories_read_as_unknown():
    import torch
    X, y = _frame()
    encoder = OneHotEncoder(handle_unknown="ignore").fit(X[["texture"]])
    net = nc.convert(encoder)
    n = len(encoder.categories_[0])
    x = torch.tensor([[-1.0], [float(n)], [n + 7.0], [float("nan")], [0.0]], dtype=torch.float64)
    expected = np.zeros((5, n))
    expected[4, 0] = 1.0
    np.testing.assert_array_equal(net(x).numpy(), expected)
