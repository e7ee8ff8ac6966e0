"""The command line, driven as users drive it: ``python -m nnconvert ...`` on real files.

Every command runs in its own subprocess (importing torch costs about two seconds), so the
commands are started together, two at a time, by one module fixture; each test then checks
its command's exit status and output.
"""

from __future__ import annotations

import datetime
import json
import os
import pickle
import subprocess
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import joblib
import numpy as np
import pytest
import skops.io as sio
import torch
from sklearn.datasets import load_diabetes, load_iris
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.multiclass import _ConstantPredictor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from nnconvert.agreement import score_scale
from nnconvert.cli import main
from nnconvert.export import labels, read_metadata

SUBCOMMANDS = ("convert", "verify", "draw", "explain", "demo")


def _nnconvert(cwd: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONWARNINGS="ignore")
    return subprocess.run([sys.executable, "-m", "nnconvert", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """Real model and data files, good and bad, in one directory."""
    d = tmp_path_factory.mktemp("cli")
    iris = load_iris()
    y = np.asarray(iris.target_names)[iris.target]
    X_train, X_test, y_train, _ = train_test_split(iris.data, y, test_size=0.3,
                                                   random_state=0, stratify=y)
    logistic = LogisticRegression(max_iter=1000).fit(X_train, y_train)
    sio.dump(logistic, d / "logistic.skops")
    joblib.dump(logistic, d / "logistic.joblib")
    sio.dump(SVC().fit(X_train, y_train), d / "svc.skops")
    dated = LogisticRegression(max_iter=1000).fit(X_train, y_train)
    dated.fitted_on_ = datetime.date(2024, 1, 2)  # not among skops' trusted types
    sio.dump(dated, d / "dated.skops")
    sio.dump(LogisticRegression(), d / "unfitted.skops")
    # a scikit-learn estimator no converter takes (support keeps growing: a private helper
    # of its one-vs-rest, which a pickle can name and a subprocess import)
    joblib.dump(_ConstantPredictor().fit(X_train, y_train), d / "unsupported.joblib")
    (d / "empty.skops").write_bytes(b"")
    (d / "notes.skops").write_text("these are notes, not a model\n")
    (d / "corrupt.pkl").write_bytes(pickle.dumps(logistic)[:200])
    np.save(d / "X.npy", X_test)
    np.savetxt(d / "X.csv", X_test, delimiter=",")
    (d / "empty.csv").write_text("")
    header = ",".join(f"f{j}" for j in range(X_test.shape[1]))
    np.savetxt(d / "header.csv", X_test, delimiter=",", header=header, comments="")
    text_cell = X_test.astype(str)
    text_cell[2, 3] = "n/a"
    np.savetxt(d / "text.csv", text_cell, delimiter=",", fmt="%s")
    np.savetxt(d / "nan.csv", with_nan_rows(X_test), delimiter=",")
    np.save(d / "X3.npy", X_test[:, :3])
    np.save(d / "Xnan.npy", with_nan_rows(X_test))
    # a regressor and a transformer, the other two kinds of network
    X_d, y_d = load_diabetes(return_X_y=True)
    sio.dump(make_pipeline(StandardScaler(), Ridge()).fit(X_d, y_d), d / "ridge.skops")
    sio.dump(PCA(n_components=3, whiten=True).fit(X_d), d / "pca.skops")
    np.save(d / "Xd.npy", X_d[:50])
    (d / "gallery").mkdir()
    # a model file edited after fitting: its support vectors lost a column
    edited = SVC().fit(X_train, y_train)
    edited.support_vectors_ = edited.support_vectors_[:, :3]
    sio.dump(edited, d / "edited-svc.skops")
    return d


def with_nan_rows(X):
    """A copy of ``X`` with a NaN in its fifth row (index 4)."""
    with_nan = X.copy()
    with_nan[4, 1] = np.nan
    return with_nan


#: name -> command line; all run by the ``ran`` fixture
GOOD = {
    "explain-trusted-type": ["explain", "dated.skops", "--trust-type", "datetime.date", "--json"],
    "convert-onnx-from-trusted-pickle": ["convert", "logistic.joblib", "--trust", "-o",
                                         "logistic.onnx", "--json"],
    "convert-pt2-svc": ["convert", "svc.skops", "-o", "svc.pt2"],
    "verify-npy-json": ["verify", "logistic.skops", "--data", "X.npy", "--json"],
    "verify-csv-fails": ["verify", "logistic.skops", "--data", "X.csv", "--dtype", "float32",
                         "--rtol", "1e-12"],
    "draw-svg": ["draw", "svc.skops", "-o", "svc.svg"],
    "draw-examples": ["draw", "--examples", "gallery", "--only", "logistic_regression_binary",
                      "--json"],
    "convert-regressor": ["convert", "ridge.skops", "-o", "ridge.onnx"],
    "verify-regressor": ["verify", "ridge.skops", "--data", "Xd.npy", "--json"],
    "explain-transformer": ["explain", "pca.skops", "--json"],
    "verify-transformer": ["verify", "pca.skops", "--data", "Xd.npy"],
    "draw-transformer": ["draw", "pca.skops", "-o", "pca.svg"],
}

#: name -> (command line, what the one error line must say)
BAD = {
    "missing": (["explain", "absent.skops"], "no such model file: absent.skops"),
    "empty": (["explain", "empty.skops"], "empty.skops is empty"),
    "corrupt": (["explain", "corrupt.pkl", "--trust"], "not a readable pickle/joblib file"),
    "text-as-skops": (["explain", "notes.skops"], "not a skops file"),
    "pickle-without-trust": (["convert", "logistic.joblib", "-o", "refused.onnx"],
                             "arbitrary code"),
    "untrusted-skops-type": (["explain", "dated.skops"], "--trust-type datetime.date"),
    "unfitted": (["explain", "unfitted.skops"], "not fitted yet"),
    "unsupported": (["explain", "unsupported.joblib", "--trust"],
                    "_ConstantPredictor is not supported"),
    "wrong-feature-count": (["verify", "logistic.skops", "--data", "X3.npy"],
                            "X3.npy has 3 features per row, but the model expects 4"),
    "empty-csv": (["verify", "logistic.skops", "--data", "empty.csv"], "empty.csv has no rows"),
    "nan-data": (["verify", "logistic.skops", "--data", "Xnan.npy"],
                 "contains NaN or infinite values (first at row 4)"),
    # a .csv is counted in lines and columns from 1, as an editor shows it
    "nan-csv": (["verify", "logistic.skops", "--data", "nan.csv"],
                "contains NaN or infinite values (first at line 5)"),
    "header-csv": (["verify", "logistic.skops", "--data", "header.csv"],
                   "line 1, column 1 holds 'f0', not a number; it looks like a header row: "
                   "drop it"),
    "text-in-csv": (["verify", "logistic.skops", "--data", "text.csv"],
                    "line 3, column 4 holds 'n/a', not a number"),
    # the user's own files and folders: exit 2, never "unexpected" (exit 3)
    "edited-model": (["convert", "edited-svc.skops", "-o", "refused.onnx"],
                     "SVC.support_vectors_ has shape"),
    "draw-examples-missing-folder": (["draw", "--examples", "no-such-gallery"],
                                     "'no-such-gallery': it does not exist"),
    "draw-examples-into-a-file": (["draw", "--examples", "X.npy"], "'X.npy': it is a file"),
    "convert-into-unwritable-place": (["convert", "logistic.skops", "-o",
                                       "/proc/nnconvert-refused.pt2"],
                                      "cannot write /proc/nnconvert-refused.pt2"),
}


@pytest.fixture(scope="module")
def ran(workdir):
    """Every command of GOOD and BAD, run two at a time: name -> CompletedProcess."""
    commands = dict(GOOD, **{name: args for name, (args, _) in BAD.items()})
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(_nnconvert, workdir, *args)
                   for name, args in commands.items()}
        return {name: future.result() for name, future in futures.items()}


def _ok(result: subprocess.CompletedProcess, rc: int = 0) -> str:
    assert result.returncode == rc, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def test_help_lists_every_command_with_examples(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for command in SUBCOMMANDS:
        assert command in out
    assert "examples" in out and "nnconvert verify model.skops" in out and "--trust" in out


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_each_command_has_help_with_examples(command, capsys):
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: nnconvert {command}")
    assert "\nexamples:\n" in out and f"nnconvert {command}" in out.split("\nexamples:\n")[1]


def test_explain_with_a_trusted_type(ran):
    payload = json.loads(_ok(ran["explain-trusted-type"]))
    assert payload["classes"] == ["setosa", "versicolor", "virginica"]
    assert payload["n_features_in"] == 4
    assert "softmax" in payload["explanation"]


def test_convert_to_onnx_reproduces_the_model(ran, workdir):
    ort = pytest.importorskip("onnxruntime")
    payload = json.loads(_ok(ran["convert-onnx-from-trusted-pickle"]))
    assert payload["format"] == "onnx" and payload["output"] == "logistic.onnx"
    model = joblib.load(workdir / "logistic.joblib")
    X = np.load(workdir / "X.npy")
    session = ort.InferenceSession(str(workdir / "logistic.onnx"))
    scores, label_index = session.run(None, {"x": X})
    reference = model.decision_function(X)
    assert np.max(np.abs(scores - reference)) <= 1e-9 * score_scale(reference)
    meta = read_metadata(workdir / "logistic.onnx")
    np.testing.assert_array_equal(labels(meta, label_index), model.predict(X))


def test_convert_svc_to_pt2(ran, workdir):
    assert _ok(ran["convert-pt2-svc"]).startswith("wrote svc.pt2 (torch.export, float64): SVC")
    model = sio.load(workdir / "svc.skops")
    X = np.load(workdir / "X.npy")
    with torch.no_grad():
        scores, label_index = torch.export.load(workdir / "svc.pt2").module()(torch.as_tensor(X))
    reference = model.decision_function(X)
    assert np.max(np.abs(scores.numpy() - reference)) <= 1e-9 * score_scale(reference)
    np.testing.assert_array_equal(labels(read_metadata(workdir / "svc.pt2"), label_index),
                                  model.predict(X))


def test_verify_passes_with_json_report(ran):
    report = json.loads(_ok(ran["verify-npy-json"]))
    assert report["passed"] is True
    assert report["n_samples"] == 45


def test_verify_failure_exits_1(ran):
    # a float32 network held to a float64 tolerance: a real disagreement, read from a .csv
    out = _ok(ran["verify-csv-fails"], rc=1)
    assert out.startswith("FAILED") and "45 rows" in out


def test_draw_writes_svg(ran, workdir):
    assert "wrote svc.svg" in _ok(ran["draw-svg"])
    assert "<svg" in (workdir / "svc.svg").read_text()


def test_draw_examples(ran, workdir):
    payload = json.loads(_ok(ran["draw-examples"]))
    written = [workdir / p for p in payload["written"]]
    assert any(p.suffix == ".svg" and p.stem == "logistic_regression_binary" for p in written)
    assert all(p.is_file() for p in written)


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input_is_one_clear_error_line(ran, workdir, name):
    result = ran[name]
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.startswith("nnconvert: ")]
    assert len(errors) == 1 and errors[0].startswith("nnconvert: error: ")
    assert BAD[name][1] in errors[0]
    assert not (workdir / "refused.onnx").exists()


def test_usage_errors_exit_2(workdir, capsys, monkeypatch):
    with pytest.raises(SystemExit) as done:
        main(["convert", "logistic.skops"])  # no -o
    assert done.value.code == 2
    assert "the following arguments are required: -o/--output" in capsys.readouterr().err
    monkeypatch.chdir(workdir)
    assert main(["convert", "logistic.skops", "-o", "model.txt"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nnconvert: error: cannot tell the export format")
    assert "-o NAME.pt2" in err
    assert main(["draw", "logistic.skops"]) == 2
    assert "draw needs MODEL and -o" in capsys.readouterr().err
    for command, name in (("convert", "model.onnx"), ("draw", "model.svg")):
        assert main([command, "logistic.skops", "-o", f"no-such-folder/{name}"]) == 2
        assert "'no-such-folder' does not exist" in capsys.readouterr().err
        (workdir / f"folder-{name}").mkdir(exist_ok=True)
        assert main([command, "logistic.skops", "-o", f"folder-{name}"]) == 2
        assert "it is a folder" in capsys.readouterr().err
    for bad in (["verify", "logistic.skops", "--data", "X.npy", "--rtol", "-1"],
                ["verify", "logistic.skops", "--data", "X.npy", "--rtol", "nan"],
                ["draw", "logistic.skops", "-o", "d.svg", "--max-units", "1"]):
        with pytest.raises(SystemExit) as done:
            main(bad)
        assert done.value.code == 2
        assert "expected" in capsys.readouterr().err


def test_verify_on_a_dask_scheduler(workdir):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  protocol="tcp", dashboard_address=":0") as cluster:
        result = _nnconvert(workdir, "verify", "logistic.skops", "--data", "X.npy",
                            "--scheduler", cluster.scheduler_address, "--json")
    report = json.loads(_ok(result))
    assert report["passed"] is True and report["n_samples"] == 45
    assert report["backend"] == "dask"


def test_fuse_folds_the_scaler_for_every_command(tmp_path, capsys, monkeypatch):
    X, y = load_iris(return_X_y=True)
    sio.dump(make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X, y),
             tmp_path / "scaled.skops")
    monkeypatch.chdir(tmp_path)
    explained = {}
    for flags in ([], ["--fuse"]):
        assert main(["explain", "scaled.skops", "--json", *flags]) == 0
        explained[bool(flags)] = json.loads(capsys.readouterr().out)["explanation"]
    assert "standard scaler: 4 → 4" in explained[False] and "folded in" not in explained[False]
    assert "standard scaler folded in" in explained[True] and "(x − μ)" not in explained[True]


def test_a_model_fitted_with_feature_names_is_verified_with_one_note(tmp_path, capsys,
                                                                      monkeypatch):
    X, y = load_iris(return_X_y=True, as_frame=True)
    sio.dump(LogisticRegression(max_iter=1000).fit(X, y), tmp_path / "named.skops")
    np.save(tmp_path / "rows.npy", np.tile(X.to_numpy(), (20, 1)))
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        assert main(["verify", "named.skops", "--data", "rows.npy"]) == 0
    assert not [w for w in seen if "feature names" in str(w.message)]
    err = capsys.readouterr().err
    assert err.count("fitted with feature names") == 1


def test_regressors_and_transformers_run_from_the_command_line(ran, workdir):
    """The other two kinds of network convert, verify, explain and draw like classifiers."""
    wrote = _ok(ran["convert-regressor"])
    assert wrote.startswith("wrote ridge.onnx (onnx, float64): Pipeline(StandardScaler → Ridge)")
    assert "1 predicted value(s)" in wrote and "classes" not in wrote
    assert read_metadata(workdir / "ridge.onnx")["kind"] == "regressor"
    report = json.loads(_ok(ran["verify-regressor"]))
    assert report["passed"] is True and report["kind"] == "regressor"
    assert list(report["max_rel_diff"]) == ["predict"]
    explained = json.loads(_ok(ran["explain-transformer"]))
    assert explained["kind"] == "transformer" and "principal components" in explained["explanation"]
    assert explained["feature_names_out"] == ["pca0", "pca1", "pca2"]
    verified = _ok(ran["verify-transformer"])
    assert verified.startswith("PASSED") and "transform" in verified and "labels" not in verified
    _ok(ran["draw-transformer"])
    assert (workdir / "pca.svg").read_text().lstrip().startswith("<?xml")
