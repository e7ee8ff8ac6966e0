"""The Examples sections of the package's docstrings run as written (doctests).

Every module of ``nnconvert`` is collected, so a module added later is covered without a line
here; one whose optional package is not installed is skipped, naming the package (never
collected as a failure). The public API must carry Examples: a name listed in
:data:`MUST_SHOW` without one fails.
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import pkgutil

import pytest

import nnconvert

#: public objects whose docstrings must have an Examples section that runs
MUST_SHOW = ["convert", "supported_estimators", "supported_transformers", "verify",
             "VerificationReport", "draw", "Diagram", "to_networkx", "export", "load_model",
             "to_sklearn", "fine_tune", "ELMClassifier", "ELMRegressor", "ConvertedClassifier",
             "ConvertedRegressor", "ConvertedTransformer", "ConvertedClusterer",
             "ConvertedOutlierDetector", "ConvertedDensity", "ConvertedMultiOutputClassifier"]


def _module_names() -> list[str]:
    names = ["nnconvert"]
    for info in pkgutil.walk_packages(nnconvert.__path__, "nnconvert."):
        spec = importlib.util.find_spec(info.name)
        compiled = spec is None or not (spec.origin or "").endswith(".py")
        # __main__ runs the command line when imported
        if not compiled and not info.name.endswith("__main__"):
            names.append(info.name)
    return sorted(names)


def _import(name: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name and not error.name.startswith("nnconvert"):
            pytest.skip(f"{name} needs {error.name}, which is not installed")
        raise


@pytest.mark.parametrize("name", _module_names())
def test_the_examples_of_a_module_run(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that save files write them here
    module = _import(name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    for test in doctest.DocTestFinder().find(module, name):
        if test.examples:
            runner.run(test, out=report.append)
    results = runner.summarize(verbose=False)
    assert results.failed == 0, "".join(report)


@pytest.mark.parametrize("name", MUST_SHOW)
def test_the_public_api_shows_examples(name):
    docstring = getattr(nnconvert, name).__doc__ or ""
    examples = doctest.DocTestParser().get_examples(docstring)
    assert "Examples\n" in docstring and examples, f"nnconvert.{name} has no Examples section"
    skipped = [e.source for e in examples if e.options.get(doctest.SKIP)]
    assert not skipped, f"nnconvert.{name} skips examples: {skipped}"
