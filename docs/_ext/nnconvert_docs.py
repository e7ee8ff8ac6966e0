"""Sphinx extension of the nnconvert site: pages generated from the code, so they cannot drift.

- ``.. supported-estimators::`` reads the registry (``nnconvert.registry``): every class a
  converter is registered for, grouped by the module (the family's room) that converts it,
  with the methods its network answers and the converter's docstring (first paragraph: the
  network it becomes; later paragraphs: details; a paragraph opening with ``Refused:``: what
  is refused and why).
- ``.. command-line-help::`` prints the ``--help`` of the command line and of each command,
  from the parser in ``nnconvert.cli.parser``.
- :func:`diagram_scraper` shows, below a gallery example's code block, every
  :class:`nnconvert.Diagram` the block made (the value of its last line included).
"""

from __future__ import annotations

import inspect
import os
import textwrap
from collections import defaultdict

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

CLASSIFIER_METHODS = ("decision_function", "predict_proba", "predict_log_proba", "predict")


# -- the supported estimators -------------------------------------------------------------------

def public_path(cls: type) -> str:
    """``sklearn.linear_model.LogisticRegression``, not the private module that defines it."""
    if getattr(cls, "library_class", None):  # an adapter: the library's class it reads
        return cls.library_class
    parts = cls.__module__.split(".")
    public = [p for p in parts if not p.startswith("_")]
    if public and public[0] in {"xgboost", "lightgbm", "skelm"}:
        public = public[:1]
    if public[:2] == ["nnconvert", "elm"]:
        public = ["nnconvert"]
    return ".".join(public + [cls.__name__])


#: the methods a network of each kind of estimator may answer, in the order they are listed
KIND_METHODS = {
    "classifier": CLASSIFIER_METHODS,
    "regressor": ("predict",),
    "transformer": ("transform",),
    "clusterer": ("predict", "transform"),
    "outlier detector": ("decision_function", "score_samples", "predict"),
    "density": ("predict_proba", "predict", "score_samples"),
}


def kind(cls: type, transformer: bool) -> str:
    from sklearn.base import (ClassifierMixin, ClusterMixin, DensityMixin, OutlierMixin,
                              RegressorMixin)
    if transformer:
        return "transformer"
    for mixin, name in ((OutlierMixin, "outlier detector"), (ClusterMixin, "clusterer"),
                        (ClassifierMixin, "classifier"), (RegressorMixin, "regressor"),
                        (DensityMixin, "density")):
        if issubclass(cls, mixin):
            return name
    if hasattr(cls, "predict_proba"):  # a boosting library's classifier, scikit-elm's ELM
        return "classifier"
    if hasattr(cls, "score_samples") and not hasattr(cls, "predict"):
        return "density"
    return "regressor" if hasattr(cls, "predict") else "transformer"


def answers(cls: type, transformer: bool) -> list[str]:
    """The scikit-learn methods a converted network of this class may answer: those of its
    kind that the class has (where the fitted model answers them too: an SVC without
    ``probability=True`` has no ``predict_proba``, and neither has its network)."""
    return [m for m in KIND_METHODS[kind(cls, transformer)] if hasattr(cls, m)]


def rooms() -> list[tuple[object, list[tuple[object, list[tuple[type, bool]]]]]]:
    """``[(module, [(converter function, [(class, is_transformer), ...]), ...]), ...]`` in the
    order of the package's layout."""
    import nnconvert.converter  # noqa: F401  imports every family, which registers itself
    from nnconvert import registry

    registry.load_optional(every_installed=True)
    by_function: dict = defaultdict(list)
    for transformer, table in ((False, registry._estimator_converter),
                               (True, registry._transformer_converter)):
        for cls, function in table.registry.items():
            if cls is not object:
                by_function[function].append((cls, transformer))
    by_module: dict = defaultdict(list)
    for function, classes in by_function.items():
        by_module[inspect.getmodule(function)].append((function, classes))
    order = ("nnconvert.families", "nnconvert.preprocessing", "nnconvert.compose")
    key = (lambda m: (next((i for i, p in enumerate(order) if m.__name__.startswith(p)), 9),
                      m.__name__))
    return [(module, by_module[module]) for module in sorted(by_module, key=key)]


def paragraphs(docstring: str | None) -> list[str]:
    text = inspect.cleandoc(docstring or "")
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def supported_rst() -> list[str]:
    lines: list[str] = []
    for module, converters in rooms():
        doc = paragraphs(module.__doc__)
        # the family's name: the docstring's first sentence, up to its colon or parenthesis
        title = " ".join(doc[0].split()).split(". ")[0] if doc else module.__name__
        title = title.split(": ")[0].split(" (")[0].rstrip(".")
        lines += [title, "-" * len(title), "", f"Converted in :mod:`{module.__name__}`.", ""]
        for function, classes in converters:
            classes = sorted(classes, key=lambda c: c[0].__name__)
            names = ", ".join(f":class:`~{public_path(cls)}`" for cls, _ in classes)
            methods = list(dict.fromkeys(m for cls, t in classes for m in answers(cls, t)))
            kind = ("a pipeline step or a transformer on its own" if classes[0][1]
                    else "an estimator")
            lines += [f".. rubric:: {', '.join(cls.__name__ for cls, _ in classes)}", "",
                      f"{names}, converted as {kind}; its network answers "
                      + ", ".join(f"``{m}``" for m in methods) + ".", ""]
            body = paragraphs(function.__doc__)
            if not body:
                raise ValueError(f"{module.__name__}.{function.__name__} has no docstring: "
                                 "the supported estimators page reads it")
            for paragraph in body:
                if paragraph.startswith("Refused:"):
                    paragraph = "**Refused:**" + paragraph[len("Refused:"):]
                lines += paragraph.splitlines() + [""]
    return lines


class SupportedEstimators(SphinxDirective):
    """``.. supported-estimators::``: the registry, room by room."""

    def run(self) -> list[nodes.Node]:
        import nnconvert as nc
        counts = (f"nnconvert {nc.__version__} converts {len(nc.supported_estimators())} "
                  f"estimator classes and {len(nc.supported_transformers())} transformer "
                  "classes (``nc.supported_estimators()``, ``nc.supported_transformers()``).")
        container = nodes.section()
        nested_parse_with_titles(self.state, StringList([counts, ""] + supported_rst()),
                                 container)
        return container.children


# -- the command line ---------------------------------------------------------------------------

class CommandLineHelp(SphinxDirective):
    """``.. command-line-help::``: ``nnconvert --help`` and each command's ``--help``."""

    def run(self) -> list[nodes.Node]:
        import argparse
        from nnconvert.cli.parser import build_parser

        os.environ["COLUMNS"] = "96"  # argparse wraps at the terminal's width
        parser = build_parser()
        lines = ["``nnconvert --help``", "", ".. code-block:: text", ""]
        lines += textwrap.indent(parser.format_help(), "   ").splitlines() + [""]
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    lines += [f"nnconvert {name}", "-" * (10 + len(name)), "",
                              ".. code-block:: text", ""]
                    lines += textwrap.indent(sub.format_help(), "   ").splitlines() + [""]
        container = nodes.section()
        nested_parse_with_titles(self.state, StringList(lines), container)
        return container.children


# -- the gallery's diagrams ---------------------------------------------------------------------

_shown: dict[str, list] = defaultdict(list)


def diagram_scraper(block, block_vars, gallery_conf) -> str:
    """sphinx-gallery image scraper: the diagrams a code block made, as PNG images."""
    from sphinx_gallery.scrapers import figure_rst

    from nnconvert import Diagram

    shown = _shown[block_vars["src_file"]]
    paths = []
    def within(value, depth=2):  # a Diagram, or one held in a list or dict (two levels)
        if isinstance(value, Diagram):
            yield value
        elif depth and isinstance(value, (list, tuple, dict)):
            for item in (value.values() if isinstance(value, dict) else value):
                yield from within(item, depth - 1)

    candidates = [d for value in block_vars["example_globals"].values() for d in within(value)]
    for value in candidates:
        if isinstance(value, Diagram) and not any(value is seen for seen in shown):
            shown.append(value)
            path = next(block_vars["image_path_iterator"])
            with open(path, "wb") as file:
                file.write(value.png(dpi=96))
            paths.append(path)
    return figure_rst(paths, gallery_conf["src_dir"])


def skip_plain_values(app, what, name, obj, skip, options):
    """Leave out class attributes that are plain values (``output_symbol = "z"``): autodoc
    would show the docstring of ``str`` or ``bool`` for them."""
    if what in ("class", "exception") and isinstance(obj, (str, bool, int, float, tuple, dict)):
        return True
    return None


def setup(app) -> dict:
    app.connect("autodoc-skip-member", skip_plain_values)
    app.add_directive("supported-estimators", SupportedEstimators)
    app.add_directive("command-line-help", CommandLineHelp)
    return {"parallel_read_safe": True, "version": "1"}
