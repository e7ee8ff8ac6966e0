"""The input schema: raw data of every kind mapped onto the network's tensor, bad data refused
with the column named and nothing the caller passed modified."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from equivalence import assert_equivalent
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

import nnconvert as nc
from nnconvert.layers.columns import ColumnSpec
from nnconvert.network.schema import InputSchema


@pytest.fixture(scope="module")
def iris_frame():
    data = load_iris(as_frame=True)
    X = data.data.copy()
    X.columns = ["sl", "sw", "pl", "pw"]
    return X, data.target.to_numpy()


@pytest.fixture(scope="module")
def categorical_model():
    """Species-like categories derived from iris (string, numeric and NaN categories)."""
    data = load_iris()
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({
        "size": np.where(data.data[:, 2] > 4.5, "long", np.where(data.data[:, 2] > 2, "mid",
                                                                   "short")),
        "width": np.digitize(data.data[:, 3], [0.5, 1.5]).astype(float),
    })
    frame.loc[rng.choice(150, 10, replace=False), "width"] = np.nan
    y = data.target
    model = make_pipeline(OneHotEncoder(), LogisticRegression(max_iter=2000)).fit(frame, y)
    return model, frame


def test_numeric_network_schema_and_forward_docstring(iris_frame):
    X, y = iris_frame
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X, y)
    net = nc.convert(model)
    assert [s.kind for s in net.input_schema.columns] == ["numeric"] * 4
    assert net.input_schema.describe()[0] == "x[:, 0] 'sl': numeric"
    assert "input_schema" in type(net).forward.__doc__
    json.dumps(net.input_schema.to_dict())


@pytest.mark.parametrize("form", ["frame", "numpy", "list", "torch"])
def test_categorical_network_takes_every_form(categorical_model, form):
    model, frame = categorical_model
    net = nc.convert(model)
    data = {"frame": frame, "numpy": frame.to_numpy(dtype=object),
            "list": frame.to_numpy(dtype=object).tolist(), "torch": None}[form]
    if form == "torch":  # a tensor holds numbers: only the numeric-category column
        encoder = OneHotEncoder().fit(frame[["width"]])
        single = nc.convert(encoder)
        x = torch.tensor(frame[["width"]].to_numpy())
        np.testing.assert_array_equal(single.transform(x),
                                      encoder.transform(frame[["width"]]).toarray())
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # fitted with names, given none
        got = net.predict_proba(data)
        expected = model.predict_proba(frame)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)


def test_categorical_schema_describes_and_serialises(categorical_model):
    model, frame = categorical_model
    net = nc.convert(model)
    schema = net.input_schema
    assert schema.columns[0] == ColumnSpec("categorical", ("long", "mid", "short"))
    assert schema.columns[1].allow_nan  # NaN was seen at fit time: it is a category
    lines = schema.describe()
    assert lines[0].startswith("x[:, 0] 'size': categorical, code of one of 3 categories")
    assert "nan" in lines[1]
    data = json.loads(json.dumps(schema.to_dict()))
    assert data["columns"][1]["categories"] == [0.0, 1.0, 2.0, None]
    assert_equivalent(model, net, frame)


def _refused(net, X, pattern):
    before = X.copy()
    with pytest.raises(ValueError, match=pattern):
        net.predict(X)
    if isinstance(X, pd.DataFrame):
        pd.testing.assert_frame_equal(X, before)
    else:
        np.testing.assert_array_equal(X, before)


def test_unknown_category_missing_column_reordered_columns(categorical_model):
    model, frame = categorical_model
    net = nc.convert(model)
    unknown = frame.copy()
    unknown.loc[3, "size"] = "huge"
    _refused(net, unknown, r"Found unknown categories \['huge'\] in column 0 \('size'\)")
    _refused(net, frame.drop(columns="width"), r"seen at fit time, yet now missing: \['width'\]")
    # scikit-learn's OneHotEncoder requires the fit order: so do we
    with pytest.raises(ValueError, match="same order"):
        model.predict(frame[["width", "size"]])
    _refused(net, frame[["width", "size"]], "same order")


def test_nan_refused_with_the_column_named(iris_frame, categorical_model):
    X, y = iris_frame
    net = nc.convert(make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y))
    bad = X.copy()
    bad.iloc[4, 2] = np.nan
    _refused(net, bad, r"NaN in column 2 \('pl'\).*SimpleImputer")
    _refused(net, bad.to_numpy(), r"NaN in column 2")
    # an encoder that never saw NaN treats it as an unknown category
    model = make_pipeline(OneHotEncoder(), LogisticRegression()).fit(
        categorical_model[1].dropna(), y[categorical_model[1]["width"].notna().to_numpy()])
    frame = categorical_model[1]
    _refused(nc.convert(model), frame, r"Found unknown categories \[nan\] in column 1")


def test_strings_where_numbers_belong(iris_frame):
    X, y = iris_frame
    net = nc.convert(LogisticRegression(max_iter=500).fit(X, y))
    bad = X.astype(object)
    bad.iloc[7, 1] = "wide"
    _refused(net, bad, r"column 1 \('sw'\) must hold numbers, got \['wide'\]")


def test_mixed_numeric_and_categorical_columns_with_nan_allowed():
    spec = (ColumnSpec(allow_nan=True), ColumnSpec("categorical", ("a", "b"),
                                                  allow_unknown=True))
    schema = InputSchema(spec, 2, ["x", "c"], model="test")
    frame = pd.DataFrame({"x": pd.array([1, None, 3], dtype="Int64"),
                          "c": pd.Series(["b", "zz", None], dtype="string")})
    out = schema.encode(frame, torch.float64)
    np.testing.assert_array_equal(out, [[1.0, 1.0], [np.nan, 2.0], [3.0, 2.0]])
    # selected by name (a ColumnTransformer's rule): any order, missing names refused
    by_name = InputSchema(spec, 2, ["x", "c"], model="test", by_name=True)
    np.testing.assert_array_equal(by_name.encode(frame[["c", "x"]], torch.float64), out)
    with pytest.raises(ValueError, match=r"missing: \['c'\]"):
        by_name.encode(frame[["x"]], torch.float64)


def test_ordinal_encoded_missing_value_passes_nan():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"c": rng.choice(["u", "v", "w", None], 100)}, dtype=object)
    encoder = OrdinalEncoder(encoded_missing_value=-1).fit(frame)
    net = nc.convert(encoder)
    np.testing.assert_array_equal(net.transform(frame), encoder.transform(frame))
