"""The composition graph: ColumnTransformer (every way of naming columns, every remainder),
FeatureUnion (weights, 'drop', 'passthrough') and nested pipelines, as layers that select
columns, run branches side by side and stack their outputs in scikit-learn's order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from equivalence import assert_equivalent
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.datasets import load_diabetes, load_wine
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    MaxAbsScaler,
    MinMaxScaler,
    OneHotEncoder,
    OrdinalEncoder,
    RobustScaler,
    StandardScaler,
)
from sklearn.svm import SVC

import nnconvert as nc
from nnconvert.layers import ColumnBranches


@pytest.fixture(scope="module")
def wine():
    X, y = load_wine(return_X_y=True, as_frame=True)
    X = X.copy()
    X["colour"] = np.where(X["hue"] > 1.0, "light", "dark")
    return X, y


NUMERIC = ["alcohol", "malic_acid", "ash", "magnesium", "proline", "hue"]

#: name -> a ColumnTransformer; columns named every way scikit-learn allows
COLUMN_TRANSFORMERS = {
    "names-drop": lambda: ColumnTransformer(
        [("scale", StandardScaler(), NUMERIC[:3]), ("range", MinMaxScaler(), NUMERIC[3:])]),
    "indices-passthrough": lambda: ColumnTransformer(
        [("scale", RobustScaler(), [0, 3, 5]), ("skip", "drop", [1])], remainder="passthrough"),
    "slice-remainder-transformer": lambda: ColumnTransformer(
        [("first", StandardScaler(), slice(0, 4))], remainder=MaxAbsScaler()),
    "mask-and-selector": lambda: ColumnTransformer(
        [("mask", MinMaxScaler(), np.arange(14) % 3 == 0),
         ("numbers", StandardScaler(), make_column_selector(pattern="^(total|flav)")),
         ("cat", OneHotEncoder(), ["colour"])]),
    "callable-nested-pipeline": lambda: ColumnTransformer(
        [("pipe", make_pipeline(StandardScaler(), "passthrough", PCA(n_components=2)),
          lambda X: [c for c in X.columns if c.startswith("a")]),
         ("empty", StandardScaler(), [])],
        remainder="drop", verbose_feature_names_out=False),
    "weighted": lambda: ColumnTransformer(
        [("a", StandardScaler(), NUMERIC), ("b", "passthrough", ["hue"])],
        transformer_weights={"a": 0.5, "b": 3.0}),
}


@pytest.mark.parametrize("name", sorted(COLUMN_TRANSFORMERS))
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_column_transformers_transform_exactly(wine, name, dtype):
    X, _ = wine
    X = X if name in ("mask-and-selector", "names-drop") else X.drop(columns="colour")
    ct = COLUMN_TRANSFORMERS[name]().fit(X)
    net = nc.convert(ct, dtype=dtype)
    assert isinstance(net.body[0], ColumnBranches)
    expected = ct.transform(X)
    expected = expected.toarray() if hasattr(expected, "toarray") else np.asarray(expected)
    got = net.transform(X)
    assert got.shape == expected.shape
    rtol = 1e-9 if dtype == torch.float64 else 1e-6
    assert np.abs(got - expected).max() <= rtol * np.abs(expected).max()
    assert list(net.get_feature_names_out()) == list(ct.get_feature_names_out())


@pytest.mark.parametrize("final", [LogisticRegression(max_iter=3000), SVC(probability=False)])
def test_a_column_transformer_pipeline_is_one_exact_network(wine, final):
    X, y = wine
    ct = ColumnTransformer([("num", StandardScaler(), make_column_selector(dtype_include=float)),
                            ("cat", OneHotEncoder(handle_unknown="ignore"), ["colour"])])
    model = make_pipeline(ct, final).fit(X, y)
    net = nc.convert(model)
    assert_equivalent(model, net, X)
    assert nc.verify(model, net, X).passed
    # selected by name, as scikit-learn's ColumnTransformer does: any column order works
    shuffled = X[X.columns[::-1]]
    np.testing.assert_array_equal(net.predict(shuffled), model.predict(shuffled))
    assert "column transformer" in net.explain()
    assert nc.draw(net).svg().lstrip().startswith("<")


def test_a_column_transformer_before_a_regressor_exports(tmp_path):
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    ct = ColumnTransformer([("bmi", StandardScaler(), ["bmi", "bp"])], remainder=MinMaxScaler())
    model = make_pipeline(ct, Ridge()).fit(X, y)
    for fuse in (False, True):
        net = nc.convert(model, fuse=fuse)
        assert_equivalent(model, net, X)
    program = torch.export.load(nc.export(nc.convert(model), tmp_path / "ct.pt2"))
    (got,) = program.module()(torch.as_tensor(X.to_numpy()))
    assert np.abs(got.detach().numpy() - model.predict(X)).max() <= 1e-9 * np.abs(y).max()


def test_feature_unions_weight_drop_and_pass_through():
    X, y = load_wine(return_X_y=True)
    union = FeatureUnion([("pca", PCA(n_components=3)), ("range", MinMaxScaler()),
                          ("gone", "drop"), ("same", "passthrough")],
                         transformer_weights={"pca": 2.0, "same": 0.5}).fit(X)
    net = nc.convert(union)
    np.testing.assert_allclose(net.transform(X), union.transform(X), rtol=0,
                               atol=1e-9 * np.abs(union.transform(X)).max())
    assert list(net.get_feature_names_out()) == list(union.get_feature_names_out())
    model = make_pipeline(StandardScaler(), union, SVC()).fit(X, y)
    assert_equivalent(model, nc.convert(model), X)


def test_nested_pipelines_with_passthrough_and_none_steps():
    X, y = load_wine(return_X_y=True)
    inner = Pipeline([("scale", StandardScaler()), ("nothing", None), ("pca", PCA(5))])
    model = Pipeline([("skip", "passthrough"), ("inner", inner), ("also", "passthrough"),
                      ("final", make_pipeline(MinMaxScaler(), LogisticRegression()))]).fit(X, y)
    assert_equivalent(model, nc.convert(model), X)
    transformers = make_pipeline(inner, make_pipeline(MaxAbsScaler())).fit(X)
    net = nc.convert(transformers)
    np.testing.assert_allclose(net.transform(X), transformers.transform(X), rtol=0, atol=1e-12)


def test_an_identity_function_transformer_passes_through_and_others_are_refused():
    X, y = load_wine(return_X_y=True)
    model = make_pipeline(FunctionTransformer(), StandardScaler(), LogisticRegression()).fit(X, y)
    assert_equivalent(model, nc.convert(model), X)
    with pytest.raises(nc.UnsupportedEstimatorError, match="arbitrary Python code"):
        nc.convert(make_pipeline(FunctionTransformer(np.log1p), LogisticRegression()).fit(X, y))


def test_a_missing_column_is_named(wine):
    X, y = wine
    ct = ColumnTransformer([("num", StandardScaler(), NUMERIC)])
    model = make_pipeline(ct, LogisticRegression(max_iter=3000)).fit(X, y)
    before = X.copy()
    with pytest.raises(ValueError, match="proline"):
        nc.convert(model).predict(X.drop(columns="proline"))
    pd.testing.assert_frame_equal(X, before)


def test_fuse_folds_a_linear_read_out_into_one_hot_and_scaled_branches(tmp_path):
    # wine with two of its columns cut into string bins: one-hot (with an infrequent
    # group and unknowns), ordinal, scaled and passed-through columns before a softmax
    X, y = load_wine(return_X_y=True, as_frame=True)
    X = X.assign(alcohol=pd.cut(X["alcohol"], 6).astype(str),
                 hue=pd.qcut(X["hue"], 4).astype(str))
    ct = ColumnTransformer([
        ("onehot", OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=5),
         ["alcohol"]),
        ("ordinal", OrdinalEncoder(), ["hue"]),
        ("scaled", StandardScaler(), ["malic_acid", "ash", "magnesium"])],
        remainder="passthrough")
    model = make_pipeline(ct, LogisticRegression(max_iter=5000)).fit(X, y)
    plain, fused = nc.convert(model), nc.convert(model, fuse=True)
    assert_equivalent(model, fused, X)
    unknown = X.assign(alcohol="never seen")
    np.testing.assert_allclose(fused.predict_proba(unknown), model.predict_proba(unknown),
                               rtol=1e-12, atol=1e-15)
    # each branch now ends in its share of the 3 classes' scores, not in its features
    assert plain.body[0].describe().n_out == len(ct.get_feature_names_out())
    branches = fused.body[0].branches
    assert [branch[-1].describe().n_out for branch in branches] == [3, 3, 3, 3]
    assert fused.body[1].weight.shape == (3, 12)
    assert "read-out folded in" in fused.explain()
    assert nc.draw(fused).svg().lstrip().startswith("<")
    program = torch.export.load(nc.export(fused, tmp_path / "fused.pt2")).module()
    codes = torch.as_tensor(fused.input_schema.encode(X, torch.float64))
    scores, _ = program(codes)
    np.testing.assert_allclose(scores.detach().numpy(), model.decision_function(X),
                               rtol=1e-12, atol=1e-12)
