"""The environment around the package: import cost, optional packages and their versions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

from nnconvert import dependencies
from nnconvert.cli import main
from nnconvert.errors import DependencyError

ROOT = Path(__file__).resolve().parents[1]


def _modules_after(code: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", f"{code}\nimport sys; print(*sys.modules)"],
                          capture_output=True, text=True, check=True, cwd=ROOT)
    return set(done.stdout.split())


def test_help_and_import_load_neither_torch_nor_scikit_learn():
    # `nnconvert --help` took 2.2 s when the package imported everything up front
    for code in ("import nnconvert",
                 "from nnconvert.cli import build_parser; build_parser().format_help()"):
        loaded = _modules_after(code)
        assert not {"torch", "sklearn", "scipy"} & loaded, code


def test_public_names_load_on_first_use_and_stay_functions():
    # a submodule named like a public function would replace it once imported
    loaded = subprocess.run(
        [sys.executable, "-c",
         "import nnconvert as nc, nnconvert.diagram, nnconvert.verify.engine, "
         "nnconvert.export.onnx, nnconvert.converter\n"
         "print(*(type(getattr(nc, n)).__name__ for n in nc.__all__))\n"
         "print(sorted(set(nc.__all__) - set(dir(nc))))"],
        capture_output=True, text=True, check=True, cwd=ROOT).stdout.splitlines()
    kinds = dict(zip(__import__("nnconvert").__all__, loaded[0].split()))
    assert kinds["convert"] == kinds["verify"] == kinds["export"] == "function"
    assert kinds["losses"] == "module" and kinds["ConvertedClassifier"] == "type"
    assert loaded[1] == "[]"


def test_the_declared_floors_are_the_checked_ones():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = dict(requirement.split(">=")
                    for requirement in project["optional-dependencies"]["onnx"])
    assert declared == dependencies.ONNX_EXPORT


def test_a_too_old_package_is_named_with_the_version_needed():
    installed = __import__("importlib.metadata").metadata.version("numpy")
    with pytest.raises(DependencyError,
                       match=rf"numpy>=999.*numpy {installed} is installed.*nnconvert\[x\]"):
        dependencies.require({"numpy": "999"}, "a feature", "x")
    with pytest.raises(DependencyError, match="no-such-package-x is not installed"):
        dependencies.require({"no-such-package-x": "1.0"}, "a feature", "x")
    dependencies.require({"numpy": "1.0"}, "a feature", "x")  # met: nothing raised


@pytest.mark.parametrize("found, floor, met", [("0.7.2", "0.6", True), ("0.5.7", "0.6", False),
                                               ("1.19.0rc1", "1.19", True), ("1.9", "1.19",
                                                                             False)])
def test_versions_compare_by_release_numbers(found, floor, met):
    assert (dependencies._release(found) >= dependencies._release(floor)) is met


def test_onnx_export_with_too_old_packages_exits_4(tmp_path, monkeypatch, capsys):
    import skops.io as sio
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    X, y = load_iris(return_X_y=True)
    sio.dump(LogisticRegression(max_iter=500).fit(X, y), tmp_path / "model.skops")
    # as if the installed onnxscript were older than the one torch's ONNX translation needs
    monkeypatch.setitem(dependencies.ONNX_EXPORT, "onnxscript", "999")
    monkeypatch.chdir(tmp_path)
    assert main(["convert", "model.skops", "-o", "model.onnx"]) == 4
    error = capsys.readouterr().err
    assert "onnxscript>=999" in error and "pip install 'nnconvert[onnx]'" in error
    assert not (tmp_path / "model.onnx").exists()
