"""Hostile boosting model files: edited XGBoost JSON dumps and LightGBM model texts (a
feature out of range, child cycles, NaN thresholds, a broken round index) end in one clear
error, from loading or from conversion, never a crash, a hang or a wrong network. Each file
is converted in a subprocess, so a regression that crashes does not take the suite down.
And the command line reads the libraries' own model files."""

import copy
import json
import re
import subprocess
import sys

import numpy as np
import pytest
import torch
from sklearn.datasets import load_breast_cancer, load_diabetes

xgb = pytest.importorskip("xgboost")
lgb = pytest.importorskip("lightgbm")

#: converts each file named on the command line; prints one line per file
_SCRIPT = """
import sys
import nnconvert as nc
for path in sys.argv[1:]:
    try:
        nc.convert(nc.load_model(path))
        print(path, "CONVERTED", flush=True)
    except Exception as error:
        print(path, type(error).__name__, str(error).replace("\\n", " "), flush=True)
"""


def _run(paths) -> dict:
    done = subprocess.run([sys.executable, "-c", _SCRIPT, *map(str, paths)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"crashed ({done.returncode}): {done.stderr[-2000:]}"
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines())
    assert len(lines) == len(paths), done.stdout
    return {path: lines[str(path)] for path in paths}


def _xgb_json():
    X, y = load_breast_cancer(return_X_y=True)
    model = xgb.XGBClassifier(n_estimators=3, max_depth=2, n_jobs=1, random_state=0).fit(X, y)
    return json.loads(bytes(model.get_booster().save_raw(raw_format="json")))


def _tree(d, i=0):
    return d["learner"]["gradient_booster"]["model"]["trees"][i]


XGB_EDITS = {
    "feature": (lambda d: _tree(d)["split_indices"].__setitem__(0, 10 ** 6),
                "InvalidModelError", "reads 1000000, but the model has 30 features"),
    "negative-feature": (lambda d: _tree(d)["split_indices"].__setitem__(0, -5),
                         "InvalidModelError", "the model has 30 features"),
    "cycle": (lambda d: _tree(d)["left_children"].__setitem__(1, 0),
              "InvalidModelError", "reached twice from the root"),
    "shared-child": (lambda d: _tree(d)["right_children"].__setitem__(
        0, _tree(d)["left_children"][0]), "InvalidModelError", "reached twice"),
    "nan-threshold": (lambda d: _tree(d)["split_conditions"].__setitem__(0, float("nan")),
                      "InvalidModelError", "threshold is NaN at node 0"),
    "child-out-of-range": (lambda d: _tree(d)["right_children"].__setitem__(0, 999),
                           "InvalidModelError", "points at node 999"),
    "iteration-indptr": (lambda d: d["learner"]["gradient_booster"]["model"].__setitem__(
        "iteration_indptr", [0, 5, 2, 3]), "InvalidModelError", "iteration_indptr"),
    "base-score": (lambda d: d["learner"]["learner_model_param"].__setitem__(
        "base_score", "[1.5E0]"), "InvalidModelError", "base_score"),
    "num-class": (lambda d: d["learner"]["learner_model_param"].__setitem__(
        "num_class", "-3"), "ModelLoadError|InvalidModelError", "num_class"),
    "missing-key": (lambda d: _tree(d).pop("split_conditions"),
                    "ModelLoadError|InvalidModelError", "model file"),
    "tree-info": (lambda d: d["learner"]["gradient_booster"]["model"]["tree_info"]
                  .__setitem__(0, 7), "InvalidModelError", "tree_info"),
}


def test_edited_xgboost_json_files_end_in_a_clear_error(tmp_path):
    base = _xgb_json()
    paths = {}
    for name, (edit, _, _) in XGB_EDITS.items():
        d = copy.deepcopy(base)
        edit(d)
        paths[name] = tmp_path / f"{name}.json"
        paths[name].write_text(json.dumps(d))  # NaN as XGBoost's JSON writes it
    answers = _run(list(paths.values()))
    for name, (_, errors, words) in XGB_EDITS.items():
        answer = answers[paths[name]]  # XGBoost refuses some itself when it loads them
        assert answer.split()[0] in errors.split("|") and words in answer, (name, answer)
        if answer.startswith("InvalidModelError"):
            assert "corrupt or was edited" in answer


def _lgb_text(tree_sizes: bool = False):
    X, y = load_diabetes(return_X_y=True)
    model = lgb.LGBMRegressor(n_estimators=3, num_leaves=4, n_jobs=1, verbose=-1,
                              random_state=0).fit(X, y)
    text = model.booster_.model_to_string()
    # the edits change the trees' lengths: without the line, LightGBM reads them in order
    return text if tree_sizes else re.sub(r"^tree_sizes=.*\n", "", text, flags=re.M)


def _lgb_edit(key, change):
    """Change the first tree's ``key=`` line with ``change(list of words)``."""
    def edit(text):
        line = re.search(rf"^{key}=(.*)$", text, flags=re.M)
        words = line.group(1).split()
        change(words)
        return text[:line.start(1)] + " ".join(words) + text[line.end(1):]
    return edit


LGB_EDITS = {
    "feature": (_lgb_edit("split_feature", lambda w: w.__setitem__(0, "1000000")),
                "reads 1000000, but the model has 10 features"),
    "cycle": (_lgb_edit("left_child", lambda w: w.__setitem__(1, "0")),
              "reached twice from the root"),
    "self-loop": (_lgb_edit("left_child", lambda w: w.__setitem__(0, "0")),
                  "reached twice from the root"),
    "child-out-of-range": (_lgb_edit("right_child", lambda w: w.__setitem__(0, "7")),
                           "reads 7, but the tree has 3 splits and 4 leaves"),
    "nan-threshold": (_lgb_edit("threshold", lambda w: w.__setitem__(0, "nan")),
                      "threshold is NaN"),
    "nan-leaf": (_lgb_edit("leaf_value", lambda w: w.__setitem__(0, "nan")),
                 "holds NaN or infinite values"),
    "short-array": (_lgb_edit("split_feature", lambda w: w.pop()),
                    "has shape (2,), but (3,) was expected"),
}


def test_edited_lightgbm_model_files_end_in_a_clear_error(tmp_path):
    base = _lgb_text()
    paths = {}
    for name, (edit, _) in LGB_EDITS.items():
        paths[name] = tmp_path / f"{name}.txt"
        paths[name].write_text(edit(base))
    # a tree_sizes line that no longer matches the trees: LightGBM would abort reading it
    paths["tree-sizes"] = tmp_path / "tree-sizes.txt"
    paths["tree-sizes"].write_text(LGB_EDITS["feature"][0](_lgb_text(tree_sizes=True)))
    answers = _run(list(paths.values()))
    for name, (_, words) in LGB_EDITS.items():
        answer = answers[paths[name]]
        assert answer.startswith("ModelLoadError") and words in answer, (name, answer)
    assert "tree_sizes line does not match" in answers[paths["tree-sizes"]]


def test_the_command_line_reads_the_libraries_model_files(tmp_path, monkeypatch, capsys):
    from nnconvert.cli import main

    monkeypatch.chdir(tmp_path)
    X, y = load_breast_cancer(return_X_y=True)
    X = X.copy()
    X[::11, 3] = np.nan
    xgb.XGBClassifier(n_estimators=10, max_depth=3, n_jobs=1).fit(X, y) \
        .get_booster().save_model("model.ubj")
    lgb.LGBMClassifier(n_estimators=10, n_jobs=1, verbose=-1).fit(X, y) \
        .booster_.save_model("model.txt")
    X[5, 2], X[6, 7] = np.inf, -np.inf  # both libraries compare ±inf like any value
    np.save("X.npy", X)
    for name, booster in (("model.ubj", xgb.Booster(model_file="model.ubj")),
                          ("model.txt", lgb.Booster(model_file="model.txt"))):
        # no --trust: the library's parser reads data and runs no code
        assert main(["verify", name, "--data", "X.npy"]) == 0
        assert "PASSED" in capsys.readouterr().out
        assert main(["convert", name, "-o", f"{name}.pt2"]) == 0
        capsys.readouterr()
        with torch.no_grad():
            out = torch.export.load(f"{name}.pt2").module()(torch.as_tensor(X))
        xgboost = name.endswith(".ubj")
        expected = booster.inplace_predict(X) if xgboost else booster.predict(X)
        raw = (booster.inplace_predict(X, predict_type="margin") if xgboost
               else booster.predict(X, raw_score=True))
        assert np.abs(out[0].numpy() - expected).max() < 1e-6  # predictions, raw scores
        assert np.abs(out[1].numpy() - raw).max() < 1e-5 * np.abs(raw).max()
    (tmp_path / "broken.json").write_text('{"learner": ')
    assert main(["convert", "broken.json", "-o", "x.pt2"]) == 2
    err = capsys.readouterr().err
    assert "broken.json is not a xgboost model file" in err and len(err.splitlines()) == 1
