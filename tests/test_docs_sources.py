"""What the documentation site reads from the code is there: a page for every public name, a
docstring for every registered converter (the supported estimators page prints it), and a
gallery section for every folder of examples.

The site itself is built by ``make docs`` (warnings are errors) and checked in a browser by
``make docs-check``; these checks run in ``make test``, so a missing piece is named there
first, in seconds.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import nnconvert
from nnconvert import registry

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def test_every_public_name_has_a_page_in_the_api_reference():
    listed = set(re.findall(r"^   (\w+)$", (DOCS / "api" / "index.rst").read_text(), re.M))
    pages = {p.stem for p in (DOCS / "api").glob("*.rst")}  # modules documented whole
    missing = [name for name in nnconvert.__all__ if name not in listed | pages]
    assert not missing, f"add these to docs/api/index.rst: {missing}"


def _converters():
    import nnconvert.converter  # noqa: F401  every family registers itself on import
    registry.load_optional(every_installed=True)
    tables = (registry._estimator_converter, registry._transformer_converter)
    # the package's own converters: a test module may register a family of its own
    # (test_one_room), and whether it was imported first depends on which tests run
    functions = {f for table in tables for cls, f in table.registry.items()
                 if cls is not object and f.__module__.startswith("nnconvert.")}
    return sorted(functions, key=lambda f: (f.__module__, f.__name__))


@pytest.mark.parametrize("function", _converters(), ids=lambda f: f"{f.__module__}.{f.__name__}")
def test_every_converter_says_which_network_it_builds(function):
    doc = inspect.cleandoc(function.__doc__ or "")
    assert doc, (f"{function.__module__}.{function.__name__} has no docstring; its first "
                 "paragraph (the network the estimator becomes) is printed on the supported "
                 "estimators page, and a paragraph opening with 'Refused:' says what it refuses")
    assert len(doc.split("\n\n")[0].split()) <= 80, "keep the first paragraph short"


def test_every_folder_of_examples_is_a_gallery_section():
    from importlib.util import module_from_spec, spec_from_file_location

    spec = spec_from_file_location("docs_conf", DOCS / "conf.py")
    conf = module_from_spec(spec)
    spec.loader.exec_module(conf)
    ordered = {Path(p).name for p in conf.sphinx_gallery_conf["subsection_order"]}
    folders = {p.parent.name for p in (ROOT / "examples").glob("*/README.txt")}
    assert folders == ordered, "list every examples/ folder in conf.py's subsection_order"
    for folder in folders:
        assert list((ROOT / "examples" / folder).glob("plot_*.py")), f"{folder} runs nothing"
