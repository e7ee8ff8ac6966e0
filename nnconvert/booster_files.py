"""Model files of the boosting libraries, loaded without running code: XGBoost's JSON and
UBJSON (``Booster.save_model("m.json")`` / ``"m.ubj"``) and LightGBM's text
(``Booster.save_model("m.txt")``).

Both are data formats that the library's own parser reads into a ``Booster`` (no pickle, no
code of the file's author runs), so :func:`nnconvert.load_model` and the command line
(``nnconvert convert m.json -o m.pt2``) read them without ``--trust``, and
:func:`nnconvert.convert` converts the ``Booster`` they give.

A LightGBM model's text is checked before LightGBM reads it: LightGBM trusts it, and an
edited file can end the process inside LightGBM (a ``tree_sizes`` line that no longer
matches its trees aborts the parse; a split on a feature beyond the model's width makes
LightGBM write outside its buffers as soon as it saves or dumps the model). Each is refused
here with a :class:`~nnconvert.loading.ModelLoadError`, as is a tree whose structure
:func:`~nnconvert.families.trees.lightgbm_text.check_model_text` refuses. XGBoost checks
what it loads itself; the converter checks the rest (:mod:`nnconvert.fitted`).
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

__all__ = ["BOOSTER_SUFFIXES", "load_booster"]

#: a model file's suffix -> the library whose Booster reads it
BOOSTER_SUFFIXES = {".json": "xgboost", ".ubj": "xgboost", ".txt": "lightgbm"}


def load_booster(path: Path, library: str):
    """The ``Booster`` a model file of ``library`` holds.

    Raises
    ------
    ModelLoadError
        The library is not installed, or the file is not a model it reads, or (LightGBM) its
        trees are corrupt.
    """
    from .errors import InvalidModelError
    from .loading import ModelLoadError

    try:
        module = importlib.import_module(library)
    except ImportError:
        raise ModelLoadError(
            f"{path} is a {library} model file ({path.suffix}); install {library} to load "
            f"it: pip install 'nnconvert[{library}]'") from None
    try:
        if library == "lightgbm":
            return module.Booster(model_str=_checked_lightgbm_text(path))
        return module.Booster(model_file=str(path))
    except InvalidModelError as error:
        raise ModelLoadError(f"{path}: {error}") from None
    except ModelLoadError:
        raise
    except Exception as error:  # the library's own refusal (XGBoostError, LightGBMError)
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error)
        raise ModelLoadError(f"{path} is not a {library} model file that {library} can read "
                             f"({first})") from None


def _checked_lightgbm_text(path: Path) -> str:
    from .families.trees.lightgbm_text import check_model_text
    from .loading import ModelLoadError

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ModelLoadError(f"{path} is not text: a LightGBM model file (.txt) is the text "
                             "Booster.save_model writes") from None
    width = re.search(r"^max_feature_idx=(\d+)$", text, flags=re.M)
    if not text.startswith("tree\n") or width is None:
        raise ModelLoadError(f"{path} is not a LightGBM model file: it does not start with "
                             "LightGBM's 'tree' header and its max_feature_idx line")
    _check_tree_sizes(path, text)
    check_model_text(text, int(width.group(1)) + 1, "lightgbm.Booster")
    return text


def _check_tree_sizes(path: Path, text: str) -> None:
    """LightGBM finds each tree at the offsets its ``tree_sizes`` line gives (bytes of each
    ``Tree=`` block); if they miss a tree, its parse aborts the process."""
    from .loading import ModelLoadError

    sizes = re.search(r"^tree_sizes=(.*)$", text, flags=re.M)
    if sizes is None:
        return  # LightGBM then reads the trees one after the other
    data = text.encode("utf-8")
    starts = [m.start() for m in re.finditer(rb"^Tree=", data, flags=re.M)]
    end = data.find(b"end of trees")
    found = [b - a for a, b in zip(starts, starts[1:] + [end])] if end >= 0 else None
    try:
        declared = [int(s) for s in sizes.group(1).split()]
    except ValueError:
        declared = None
    if found is None or declared != found:
        raise ModelLoadError(
            f"{path}: its tree_sizes line does not match the trees in it (the file was edited "
            "or cut short); LightGBM would abort reading it. Delete the tree_sizes line to "
            "have the trees read one by one, or load the file its author saved")
