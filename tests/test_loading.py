"""load_model: skops files safely, pickles only when trusted, one clear error for every bad file."""

from __future__ import annotations

import datetime
import importlib.util
import pickle
import zipfile

import joblib
import numpy as np
import pytest
import skops.io as sio
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from nnconvert import load_model
from nnconvert.loading import ModelLoadError


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return X, np.asarray(["setosa", "versicolor", "virginica"])[y]


@pytest.fixture(scope="module")
def fitted(iris):
    return LogisticRegression(max_iter=500).fit(*iris)


def _same_model(loaded, original, X):
    assert type(loaded) is type(original)
    np.testing.assert_array_equal(loaded.predict(X), original.predict(X))
    np.testing.assert_array_equal(loaded.decision_function(X), original.decision_function(X))


def test_skops_file_loads_without_trust(tmp_path, fitted, iris):
    path = tmp_path / "model.skops"
    sio.dump(fitted, path)
    _same_model(load_model(path), fitted, iris[0])


def test_skops_untrusted_types_refused_then_named(tmp_path, fitted, iris):
    model = LogisticRegression(max_iter=500).fit(*iris)
    model.fitted_on_ = datetime.date(2024, 1, 2)  # a type skops does not trust by default
    path = tmp_path / "dated.skops"
    sio.dump(model, path)
    with pytest.raises(ModelLoadError) as refused:
        load_model(path)
    message = str(refused.value)
    assert "datetime.date" in message and "--trust-type datetime.date" in message
    assert "--trust" in message
    with pytest.raises(ModelLoadError):
        load_model(path, trusted_types=["datetime.time"])  # naming another type is not enough
    _same_model(load_model(path, trusted_types=["datetime.date"]), model, iris[0])
    _same_model(load_model(path, trusted_types="datetime.date"), model, iris[0])  # one name
    assert load_model(path, trust=True).fitted_on_ == datetime.date(2024, 1, 2)


@pytest.mark.parametrize("suffix", [".joblib", ".pkl", ".pickle"])
def test_pickles_need_trust(tmp_path, fitted, iris, suffix):
    path = tmp_path / f"model{suffix}"
    if suffix == ".joblib":
        joblib.dump(fitted, path)
    else:
        path.write_bytes(pickle.dumps(fitted))
    with pytest.raises(ModelLoadError, match="arbitrary code") as refused:
        load_model(path)
    assert "--trust" in str(refused.value)
    _same_model(load_model(path, trust=True), fitted, iris[0])


def test_kind_recognised_from_content_when_suffix_is_unknown(tmp_path, fitted, iris):
    skops_file, pickle_file = tmp_path / "model.bin", tmp_path / "model.dat"
    sio.dump(fitted, skops_file)
    joblib.dump(fitted, pickle_file)
    _same_model(load_model(skops_file), fitted, iris[0])
    with pytest.raises(ModelLoadError, match="arbitrary code"):
        load_model(pickle_file)
    text = tmp_path / "model.csv"
    text.write_text("hello\n")
    with pytest.raises(ModelLoadError, match="unknown model file type"):
        load_model(text)
    if importlib.util.find_spec("lightgbm"):  # .txt is LightGBM's model text
        text = text.rename(tmp_path / "model.txt")
        with pytest.raises(ModelLoadError, match="is not a LightGBM model file"):
            load_model(text)


def _write_bad(tmp_path, kind: str):
    if kind == "missing":
        return tmp_path / "absent.skops", "no such model file"
    if kind == "directory":
        (tmp_path / "folder.skops").mkdir()
        return tmp_path / "folder.skops", "is not a file"
    if kind == "empty":
        (tmp_path / "empty.skops").write_bytes(b"")
        return tmp_path / "empty.skops", "is empty"
    if kind == "text-as-skops":
        (tmp_path / "text.skops").write_text("this is a note, not a model\n")
        return tmp_path / "text.skops", "not a zip archive"
    if kind == "zip-not-skops":
        with zipfile.ZipFile(tmp_path / "other.skops", "w") as z:
            z.writestr("readme.txt", "a zip file, but not one skops wrote")
        return tmp_path / "other.skops", "not a valid skops file"
    if kind in ("zip-foreign-schema", "zip-list-schema"):
        schema = '{"a": 1}' if kind == "zip-foreign-schema" else "[1, 2]"
        with zipfile.ZipFile(tmp_path / f"{kind}.skops", "w") as z:
            z.writestr("schema.json", schema)
        return tmp_path / f"{kind}.skops", "not a valid skops file"
    if kind == "corrupt-pickle":
        (tmp_path / "corrupt.pkl").write_bytes(b"\x80\x04\x95garbage that is not a pickle")
        return tmp_path / "corrupt.pkl", "not a readable pickle"
    if kind == "truncated-joblib":
        joblib.dump(LogisticRegression().fit([[0.0], [1.0]], [0, 1]), tmp_path / "whole.joblib")
        data = (tmp_path / "whole.joblib").read_bytes()
        (tmp_path / "cut.joblib").write_bytes(data[: len(data) // 2])
        return tmp_path / "cut.joblib", "not a readable pickle"
    if kind == "pickle-of-dict":
        (tmp_path / "dict.pkl").write_bytes(pickle.dumps({"coef": [1.0, 2.0]}))
        return tmp_path / "dict.pkl", "builtins.dict, not a scikit-learn estimator"
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind",
    ["missing", "directory", "empty", "text-as-skops", "zip-not-skops", "zip-foreign-schema",
     "zip-list-schema", "corrupt-pickle", "truncated-joblib", "pickle-of-dict"],
)
def test_bad_files_give_one_clear_error(tmp_path, kind):
    path, expected = _write_bad(tmp_path, kind)
    with pytest.raises(ModelLoadError) as error:
        load_model(path, trust=True)
    message = str(error.value)
    assert expected in message
    assert str(path.name) in message
    # no chained traceback from inside skops, joblib or zipfile
    assert error.value.__context__ is None or error.value.__suppress_context__
