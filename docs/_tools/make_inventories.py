"""Write the intersphinx inventories of scikit-learn, PyTorch, NumPy, SciPy and pandas.

The documentation builds with no network, so intersphinx cannot download these projects'
``objects.inv``. This script writes small ones instead, from the public names of the
installed packages and the URL scheme each project's site uses, into ``docs/_inventories/``
(committed; ``conf.py`` points intersphinx at them). Regenerate after a version bump:

    .venv/bin/python docs/_tools/make_inventories.py

Only classes, functions and modules are listed (and the prediction methods of scikit-learn's
estimators): enough to link every name our docstrings and pages mention. A name missing from
an inventory renders as plain code, never as a broken link.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import warnings
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parents[1] / "_inventories"
METHODS = ("fit", "predict", "predict_proba", "predict_log_proba", "decision_function",
           "transform", "fit_transform", "score", "get_feature_names_out")


def write(project: str, version: str, entries: dict[str, tuple[str, str]], name: str) -> None:
    """``entries``: full name -> (domain:role, uri relative to the site's root)."""
    lines = [f"{full} {role} 1 {uri} -" for full, (role, uri) in sorted(entries.items())]
    header = ("# Sphinx inventory version 2\n"
              f"# Project: {project}\n# Version: {version}\n"
              "# The remainder of this file is compressed using zlib.\n").encode()
    (HERE / f"{name}.inv").write_bytes(header + zlib.compress(("\n".join(lines) + "\n").encode()))
    print(f"{name}.inv: {len(lines)} names")


def public(module) -> list[tuple[str, object]]:
    names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
    out = []
    for attr in names:
        try:
            out.append((attr, getattr(module, attr)))
        except Exception:  # a lazy name whose optional dependency is absent
            continue
    return out


def sklearn_inventory() -> None:
    import sklearn
    entries = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for info in pkgutil.iter_modules(sklearn.__path__):
            if info.name.startswith("_") or info.name in {"tests", "externals", "conftest"}:
                continue
            modname = f"sklearn.{info.name}"
            try:
                module = importlib.import_module(modname)
            except Exception:
                continue
            entries[modname] = ("py:module", f"api/{modname}.html")
            for attr, obj in public(module):
                if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                    continue
                full = f"{modname}.{attr}"
                page = f"modules/generated/{full}.html"
                role = "py:class" if inspect.isclass(obj) else "py:function"
                entries[full] = (role, f"{page}#{full}")
                if inspect.isclass(obj):
                    for method in METHODS:
                        if method in vars(obj) or hasattr(obj, method):
                            entries[f"{full}.{method}"] = ("py:method", f"{page}#{full}.{method}")
    write("scikit-learn", sklearn.__version__, entries, "sklearn")


def numpy_inventory() -> None:
    import numpy as np
    entries = {"numpy": ("py:module", "reference/index.html")}
    for attr, obj in public(np):
        full = f"numpy.{attr}"
        if inspect.isclass(obj) and issubclass(obj, np.generic):
            entries[full] = ("py:class", f"reference/arrays.scalars.html#{full}")
        elif inspect.isclass(obj):
            entries[full] = ("py:class", f"reference/generated/{full}.html#{full}")
        elif callable(obj):
            entries[full] = ("py:function", f"reference/generated/{full}.html#{full}")
    entries["numpy.random.Generator"] = ("py:class",
                                         "reference/random/generator.html#numpy.random.Generator")
    write("NumPy", np.__version__, entries, "numpy")


def torch_inventory() -> None:
    import torch
    entries = {"torch": ("py:module", "torch.html")}
    for modname in ("torch", "torch.nn", "torch.nn.functional", "torch.export", "torch.onnx"):
        module = importlib.import_module(modname)
        for attr, obj in public(module):
            if attr.startswith("_") or not (inspect.isclass(obj) or callable(obj)):
                continue
            full = f"{modname}.{attr}"
            if modname == "torch.export":
                entries[full] = ("py:class" if inspect.isclass(obj) else "py:function",
                                 f"export.html#{full}")
            elif modname == "torch.onnx":
                entries[full] = ("py:function", f"onnx.html#{full}")
            elif modname == "torch.nn.functional":
                entries[full] = ("py:function", f"generated/{full}.html#{full}")
            else:
                role = "py:class" if inspect.isclass(obj) else "py:function"
                entries[full] = (role, f"generated/{full}.html#{full}")
    entries["torch.Tensor"] = ("py:class", "tensors.html#torch.Tensor")
    for attr in ("dtype", "device"):
        entries[f"torch.{attr}"] = ("py:class", f"tensor_attributes.html#torch.{attr}")
    entries["torch.nn.Module"] = ("py:class", "generated/torch.nn.Module.html#torch.nn.Module")
    write("PyTorch", torch.__version__.split("+")[0], entries, "torch")


def scipy_inventory() -> None:
    import scipy
    import scipy.sparse
    entries = {}
    for attr, obj in public(scipy.sparse):
        if inspect.isclass(obj) or inspect.isfunction(obj):
            full = f"scipy.sparse.{attr}"
            role = "py:class" if inspect.isclass(obj) else "py:function"
            entries[full] = (role, f"reference/generated/{full}.html#{full}")
    write("SciPy", scipy.__version__, entries, "scipy")


def pandas_inventory() -> None:
    import pandas as pd
    entries = {}
    for attr, obj in public(pd):
        if inspect.isclass(obj) or inspect.isfunction(obj):
            full = f"pandas.{attr}"
            role = "py:class" if inspect.isclass(obj) else "py:function"
            entries[full] = (role, f"reference/api/{full}.html#{full}")
    write("pandas", pd.__version__, entries, "pandas")


if __name__ == "__main__":
    HERE.mkdir(exist_ok=True)
    for make in (sklearn_inventory, numpy_inventory, torch_inventory, scipy_inventory,
                 pandas_inventory):
        make()
