"""The lean path (network/lean.py): plain float arrays and tensors skip the Python checks
whose answers they already carry, and give the same answers as the full path; anything
else, including every input the full path refuses, takes the full path and its messages."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import nnconvert as nc
from nnconvert.network import base
from nnconvert.network.lean import lean_tensor

MODELS = {
    "logistic": lambda: make_pipeline(StandardScaler(), LogisticRegression()),
    "forest": lambda: RandomForestClassifier(20, random_state=0),
    "svc": lambda: SVC(probability=False),
    "knn": lambda: KNeighborsClassifier(5, weights="distance"),
}


@pytest.fixture(scope="module")
def wine():
    X, y = load_wine(return_X_y=True)
    return X, y


def _variants(X):
    """The same rows as every plain float input the lean path takes."""
    read_only = X.copy()
    read_only.flags.writeable = False
    wide = np.zeros((len(X), 2 * X.shape[1]))
    wide[:, ::2] = X
    return {
        "C order": X.copy(), "Fortran order": np.asfortranarray(X), "a strided view":
        wide[:, ::2], "float32": X.astype(np.float32), "read-only": read_only,
        "tensor": torch.as_tensor(X), "tensor requiring grad":
        torch.as_tensor(X).clone().requires_grad_(True), "float32 tensor":
        torch.as_tensor(X, dtype=torch.float32),
    }


def _full_path(net, X, monkeypatch) -> dict:
    """``net.outputs(X)`` through the full checks."""
    with monkeypatch.context() as patch:
        patch.setattr(base, "lean_tensor", lambda net, X, **_: None)
        return net.outputs(X)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("name", MODELS)
def test_plain_inputs_take_the_lean_path_and_answer_as_the_full_path(wine, name, dtype,
                                                                     monkeypatch):
    X, y = wine
    net = nc.convert(MODELS[name]().fit(X[::2], y[::2]), dtype=dtype)
    rows = X[1::2]
    for kind, variant in _variants(rows).items():
        before = variant.clone() if isinstance(variant, torch.Tensor) else variant.copy()
        assert lean_tensor(net, variant) is not None, kind
        got, full = net.outputs(variant), _full_path(net, variant, monkeypatch)
        for method, expected in full.items():
            assert got[method].dtype == expected.dtype, (kind, method)
            assert np.array_equal(got[method], expected), (kind, method)
        if isinstance(variant, torch.Tensor):
            assert torch.equal(variant, before)
        else:
            assert np.array_equal(variant, before)
        for i in (0, -1):  # one row, as served online
            row = variant[i:] if i == -1 else variant[:1]
            assert np.array_equal(net.predict(row), got["predict"][[i]])


@pytest.mark.parametrize("bad, words", [
    (lambda X: np.where(np.arange(X.size).reshape(X.shape) == 7, np.nan, X), "NaN"),
    (lambda X: np.where(np.arange(X.size).reshape(X.shape) == 7, np.inf, X), "infinity"),
    (lambda X: X[:, :3], "features"),
    (lambda X: X[:0], "0 sample"),
    (lambda X: X[0], "2D array|2-D"),
    (lambda X: X.astype(np.complex128), "omplex"),
    (lambda X: torch.as_tensor(X)[:, :3], "features"),
    (lambda X: torch.where(torch.as_tensor(X) > 100, torch.nan, torch.as_tensor(X)), "NaN"),
])
def test_what_the_full_path_refuses_is_refused_with_its_message(wine, bad, words):
    X, y = wine
    net = nc.convert(make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y))
    given = bad(X)
    assert lean_tensor(net, given) is None
    with pytest.raises(ValueError, match=words):
        net.predict(given)


def test_huge_finite_float32_rows_are_not_taken_for_infinity():
    # their float32 sum overflows, so the lean path hands them to the full check, which
    # finds every value finite
    X, y = load_iris(return_X_y=True)
    net = nc.convert(LogisticRegression(max_iter=2000).fit(X, y), dtype=torch.float32)
    big = np.full((4, 4), 3e38, np.float32)
    assert lean_tensor(net, big) is None
    assert net.predict(big).shape == (4,)


def test_networks_with_names_categories_or_another_precision_take_the_full_path():
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    named = nc.convert(LogisticRegression(max_iter=5000).fit(X, y))
    assert lean_tensor(named, X.to_numpy()) is None
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        named.predict(X.to_numpy()[:3])
    assert lean_tensor(named, X) is None  # a dataframe
    plain = nc.convert(LogisticRegression(max_iter=5000).fit(X.to_numpy(), y))
    plain.half()
    assert lean_tensor(plain, X.to_numpy()) is None
    with pytest.raises(TypeError, match="net.double"):
        plain.predict(X.to_numpy()[:3])


def test_a_numpy_subclass_or_frame_of_floats_takes_the_full_path():
    X, y = load_iris(return_X_y=True)
    net = nc.convert(LogisticRegression(max_iter=2000).fit(X, y))
    assert lean_tensor(net, np.asmatrix(X)) is None
    assert lean_tensor(net, pd.DataFrame(X)) is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.array_equal(net.predict(pd.DataFrame(X)), net.predict(X))


def test_a_regressors_std_answers_as_on_the_full_path(monkeypatch):
    from sklearn.datasets import load_diabetes
    from sklearn.gaussian_process import GaussianProcessRegressor

    X, y = load_diabetes(return_X_y=True)
    net = nc.convert(GaussianProcessRegressor(alpha=1e-2).fit(X[:200], y[:200]))
    rows = X[200:260]
    mean, std = net.predict(rows, return_std=True)
    with monkeypatch.context() as patch:
        patch.setattr(base, "lean_tensor", lambda net, X, **_: None)
        full_mean, full_std = net.predict(rows, return_std=True)
    assert np.array_equal(mean, full_mean) and np.array_equal(std, full_std)
    assert np.array_equal(net.predict(rows), full_mean)


def test_values_beyond_float32_for_a_float32_reader_are_refused_as_on_the_full_path():
    # a column read as float32 (as scikit-learn's trees cast X) refuses finite values that
    # overflow float32: the lean path leaves such rows to the full path, which names them
    import dataclasses

    from nnconvert.network.schema import InputSchema

    X, y = load_iris(return_X_y=True)
    net = nc.convert(RandomForestClassifier(5, random_state=0).fit(X, y))
    schema = net.input_schema
    net.input_schema = InputSchema(
        tuple(dataclasses.replace(spec, float32=True) for spec in schema.columns),
        schema.n_features, model=schema.model)
    big = X[:3].copy()
    big[1, 2] = 1e39
    assert lean_tensor(net, big) is None
    assert lean_tensor(net, torch.as_tensor(big)) is None
    with pytest.raises(ValueError, match="float32"):
        net.predict(big)
    assert lean_tensor(net, X[:3]) is not None
    assert lean_tensor(net, big.astype(np.float32)) is None  # inf already: not finite
