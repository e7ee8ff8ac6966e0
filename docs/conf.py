"""Sphinx configuration of the nnconvert site (``make docs`` builds it into docs/_build/html).

The build needs no network: intersphinx reads the inventories committed in ``_inventories/``
(written by ``_tools/make_inventories.py`` from the installed packages), the theme ships its
own assets, and no page loads anything from another site.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

import nnconvert  # noqa: E402

project = "nnconvert"
author = "the nnconvert developers"
copyright = "the nnconvert developers"
release = version = nnconvert.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "nnconvert_docs",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "_tools", "_ext", "auto_examples/**/*.ipynb",
                    "auto_examples/**/*.py", "auto_examples/**/*.zip",
                    "auto_examples/**/*.md5", "auto_examples/**/*.json",
                    "sg_execution_times.rst"]
html_theme = "furo"
html_title = f"nnconvert {release}"
html_static_path = []
html_favicon = "_static/favicon.png"  # a neuron: three inputs, one unit
html_show_sourcelink = False
# a math renderer would load MathJax from the web: formulas are written as code instead
html_math_renderer = None

autosummary_generate = True
autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types
# members a class inherits from torch, scikit-learn or Python are documented there, not here
autodoc_default_options = {
    "inherited-members": "Module, BaseEstimator, _MetadataRequester, ClassifierMixin, "
                         "RegressorMixin, TransformerMixin, MultiOutputMixin",
    "exclude-members": "set_fit_request, set_predict_request, set_score_request, "
                       "set_transform_request",
}
add_module_names = False

# numpydoc: render, and check the public docstrings. Each check named here fails the build
# (warnings are errors) where a documented object breaks it.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks = {
    "GL03",  # double line break
    "GL05",  # tabs
    "GL06",  # unknown section
    "GL07",  # sections in the wrong order
    "GL09",  # deprecation warning placement
    "GL10",  # reST directive missing a colon
    "SS03",  # summary ends with a period
    "PR02",  # unknown parameter documented
    "PR03",  # parameters in the wrong order
    "PR06",  # 'integer'/'boolean'/'string' instead of int/bool/str
    "PR10",  # a colon needs a space before it
    "RT02",  # a returned value's type only
    "YD01",  # no Yields section
}

# not ours to fix: what Python, scikit-learn or hypothesis give these members
numpydoc_validation_exclude = {
    r"\.set_\w+_request$",  # scikit-learn's metadata routing, made per class
    r"\.(add_note|with_traceback)$",  # Python's exceptions
    r"Error\.(args|name|obj)$",
    r"^nnconvert\.testing\.(datasets|fitted_estimators)$",  # hypothesis hides their source
}

intersphinx_mapping = {
    name: (url, str(HERE / "_inventories" / f"{name}.inv"))
    for name, url in {
        "sklearn": "https://scikit-learn.org/stable/",
        "torch": "https://docs.pytorch.org/docs/stable/",
        "numpy": "https://numpy.org/doc/stable/",
        "scipy": "https://docs.scipy.org/doc/scipy/",
        "pandas": "https://pandas.pydata.org/docs/",
    }.items()
}
intersphinx_timeout = 1
# a reference nothing resolves is plain code, not an error: names of optional packages
nitpicky = False

sphinx_gallery_conf = {
    "examples_dirs": ["../examples"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    # (matched against file names) every other script is a module the gallery's pages run
    "ignore_pattern": r"^(?!plot_).*\.py$",
    "image_scrapers": ("matplotlib", "nnconvert_docs.diagram_scraper"),
    "subsection_order": [f"../examples/{name}" for name in (
        "seeds", "families", "unsupervised", "scale", "gallery", "benchmarks")],
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "show_memory": False,
    "min_reported_time": 1e9,
    "matplotlib_animations": False,
    "reference_url": {"nnconvert": None},
    "doc_module": ("nnconvert",),
    "backreferences_dir": None,
    "capture_repr": ("_repr_html_",),
    "plot_gallery": os.environ.get("NNCONVERT_DOCS_PLOTS", "True"),
}

# examples fit small models quickly; their convergence warnings are noise on the page
warnings.filterwarnings("ignore", category=UserWarning, message="Matplotlib is currently using agg")
os.environ.setdefault("MPLBACKEND", "agg")
