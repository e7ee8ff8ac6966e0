"""Loading fitted models from files without running code nobody asked to run.

A ``.skops`` file is read with :mod:`skops.io`, which rebuilds objects from a description
instead of unpickling them, and refuses types outside its trusted list unless the caller names
them. A pickle or joblib file can run arbitrary code the moment it is opened, so it is read only
when the caller says it trusts the file (``trust=True``, ``--trust`` on the command line).

A ``.skops`` file is a zip archive, and a small one can inflate to gigabytes: before skops
opens it, its central directory is read and the sizes its members would inflate to (and the
arrays their ``.npy`` headers declare) are added up; past a limit
(:data:`MAX_INFLATED_BYTES`, or the ``NNCONVERT_MAX_INFLATED_BYTES`` environment variable, or
``load_model(..., max_inflated_bytes=...)``) the file is refused unopened. A member that
inflates past the size the directory declares is not read beyond it: Python's ``zipfile``
stops at the declared size and the member then fails its CRC check.

Every failure is a :class:`ModelLoadError` with one message that says what is wrong and what to
do about it.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import Iterable

__all__ = ["load_model", "ModelLoadError", "SKOPS_SUFFIXES", "PICKLE_SUFFIXES",
           "MAX_INFLATED_BYTES"]

SKOPS_SUFFIXES = (".skops",)
PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib", ".jbl")

#: what a .skops archive's members may inflate to, all together, unless the caller allows
#: more: far beyond any fitted model we convert, far below what takes a machine down
MAX_INFLATED_BYTES = 2 << 30
#: the environment variable that sets another limit (bytes), for the command line too
INFLATED_BYTES_VARIABLE = "NNCONVERT_MAX_INFLATED_BYTES"
#: the most bytes of a member read to learn its array's size (an .npy header)
_NPY_HEADER_BYTES = 1 << 16

_ZIP_MAGIC = b"PK\x03\x04"
# protocol 2+ pickles start with PROTO (0x80); joblib's compressed files with a zlib/gzip header
_PICKLE_MAGIC = (b"\x80", b"\x78", b"\x1f\x8b")


class ModelLoadError(ValueError):
    """A model file is missing, unreadable, untrusted, or holds no usable classifier."""


def _kind(path: Path) -> str:
    """``"skops"`` or ``"pickle"``, from the suffix, else from the file's first bytes."""
    suffix = path.suffix.lower()
    if suffix in SKOPS_SUFFIXES:
        return "skops"
    if suffix in PICKLE_SUFFIXES:
        return "pickle"
    with open(path, "rb") as f:
        head = f.read(4)
    if head.startswith(_ZIP_MAGIC):
        return "skops"
    if head.startswith(_PICKLE_MAGIC):
        return "pickle"
    raise ModelLoadError(
        f"{path}: unknown model file type {suffix or '(no suffix)'!r}; expected a .skops file "
        f"(skops.io.dump) or, with --trust, a pickle/joblib file ({', '.join(PICKLE_SUFFIXES)})"
    )


def _inflated_limit(limit: int | None) -> int:
    """The limit asked for, else the environment's, else :data:`MAX_INFLATED_BYTES`."""
    if limit is None:
        text = os.environ.get(INFLATED_BYTES_VARIABLE)
        if text is None:
            return MAX_INFLATED_BYTES
        try:
            limit = int(text)
        except ValueError:
            raise ModelLoadError(f"{INFLATED_BYTES_VARIABLE}={text!r} is not a number of "
                                 "bytes; set it to an integer such as 4294967296") from None
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ModelLoadError(f"max_inflated_bytes={limit!r}: give a number of bytes >= 0")
    return limit


def _array_bytes(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """The bytes the array of an ``.npy`` member declares (its header alone is read)."""
    import numpy as np
    from numpy.lib import format as npy

    try:
        with archive.open(info) as member:
            header = io.BytesIO(member.read(_NPY_HEADER_BYTES))
        version = npy.read_magic(header)
        read = npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0
        shape, _, dtype = read(header)
    except Exception:  # not an array we can size: skops reads it (or refuses it) later
        return 0
    return int(np.prod(shape, dtype=object)) * dtype.itemsize


def _check_archive(path: Path, limit: int) -> None:
    """Refuse an archive whose members would inflate past ``limit`` bytes, before any of
    them is inflated (see the module docstring)."""
    total = 0
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            size = info.file_size
            if info.filename.endswith(".npy"):
                size = max(size, _array_bytes(archive, info))
            total += size
            if total > limit:
                raise ModelLoadError(
                    f"refusing to open {path}: its members would inflate to at least "
                    f"{total:,} bytes ({total / 2**20:,.1f} MiB; the file itself is "
                    f"{path.stat().st_size:,} bytes), over the limit of {limit:,} bytes. If "
                    "you trust the file and have the memory, raise the limit: "
                    f"load_model(..., max_inflated_bytes=N) or the environment variable "
                    f"{INFLATED_BYTES_VARIABLE}=N")


def _load_skops(path: Path, trust: bool, trusted_types: Iterable[str], limit: int):
    import skops.io as sio

    if isinstance(trusted_types, str):  # one type name, not its characters
        trusted_types = [trusted_types]

    try:
        _check_archive(path, limit)
        untrusted = sio.get_untrusted_types(file=path)
    except ModelLoadError:
        raise
    except zipfile.BadZipFile as e:
        raise ModelLoadError(
            f"{path} is not a skops file: not a zip archive, or a corrupt one ({e}); save "
            "models with skops.io.dump(model, path)"
        ) from None
    except Exception as e:  # a schema skops cannot read: KeyError, TypeError, AttributeError...
        raise ModelLoadError(
            f"{path} is not a valid skops file ({type(e).__name__}: {e}); it may be corrupt or "
            "written by something other than skops.io.dump"
        ) from None
    allowed = set(trusted_types)
    refused = [t for t in untrusted if t not in allowed]
    if refused and not trust:
        flags = " ".join(f"--trust-type {t}" for t in refused)
        raise ModelLoadError(
            f"refusing to load {path}: it contains types that skops does not trust by default: "
            f"{', '.join(refused)}. Loading them may run their code; if you trust the file's "
            f"source, rerun with {flags} (or --trust to accept every type in it)"
        )
    try:
        return sio.load(path, trusted=list(untrusted))
    except Exception as e:  # skops re-raises whatever a corrupt member makes its loaders raise
        raise ModelLoadError(
            f"{path}: skops could not rebuild the model ({type(e).__name__}: {e})"
        ) from None


def _load_pickle(path: Path, trust: bool):
    if not trust:
        raise ModelLoadError(
            f"refusing to unpickle {path}: opening a pickle or joblib file can execute arbitrary "
            "code hidden in it. Rerun with --trust (load_model(path, trust=True)) only if you "
            "trust its source, or save the model with skops.io.dump and load the .skops file"
        )
    import joblib

    try:
        # joblib.load reads joblib files and plain pickles alike
        return joblib.load(path)
    except (ImportError, AttributeError) as e:
        raise ModelLoadError(
            f"{path} refers to code that is not importable here ({type(e).__name__}: {e}); "
            "install the package that defines the model's classes"
        ) from None
    except Exception as e:  # a corrupt pickle can fail in many ways (EOFError, struct.error, ...)
        raise ModelLoadError(
            f"{path} is not a readable pickle/joblib file ({type(e).__name__}: {e}); "
            "it may be corrupt or truncated"
        ) from None


def _check_estimator(model, path: Path) -> None:
    from sklearn.base import BaseEstimator

    from .registry import has_converter, load_optional

    load_optional()  # the file's classes imported their library: register its converters
    # a density (KernelDensity) answers score_samples only; another library's model with a
    # converter (CatBoost's are no BaseEstimator) is an estimator too
    answers = ("predict", "transform", "score_samples")
    estimator = isinstance(model, BaseEstimator) or has_converter(model)
    if not estimator or not any(hasattr(model, m) for m in answers):
        raise ModelLoadError(
            f"{path} holds a {type(model).__module__}.{type(model).__name__}, not a "
            "scikit-learn estimator; save the fitted estimator itself"
        )


def load_model(
    path: str | os.PathLike, *, trust: bool = False, trusted_types: Iterable[str] = (),
    max_inflated_bytes: int | None = None,
):
    """Load a fitted scikit-learn model from a file, refusing anything unsafe by default.

    Parameters
    ----------
    path : str or path-like
        A ``.skops`` file (written by ``skops.io.dump``), or a pickle/joblib file
        (``.pkl``, ``.pickle``, ``.joblib``, ``.jbl``). Files with another suffix are
        recognised by their first bytes.
    trust : bool, default False
        Trust the file completely: unpickle pickle/joblib files and accept every type in a
        skops file. Only for files from a source you trust; unpickling can run any code.
    trusted_types : iterable of str, default ()
        Type names (as ``skops.io.get_untrusted_types`` lists them) to accept from a skops
        file in addition to skops' defaults.
    max_inflated_bytes : int, optional
        The most bytes a ``.skops`` archive's members may inflate to, all together (their
        arrays as their headers declare them); a larger archive is refused before it is
        opened. Default: the ``NNCONVERT_MAX_INFLATED_BYTES`` environment variable, else
        :data:`MAX_INFLATED_BYTES` (2 GiB).

    Returns
    -------
    estimator
        The object in the file, checked to be a scikit-learn estimator with ``predict``.
        Whether it is fitted and supported is checked by :func:`nnconvert.convert`.

    Raises
    ------
    ModelLoadError
        The file is missing, empty, unreadable, of an unknown kind, holds untrusted content,
        or holds something other than a scikit-learn estimator, or a ``.skops`` archive
        would inflate past the limit. The message names the fix.

    Examples
    --------
    >>> import skops.io
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from nnconvert import load_model
    >>> X, y = load_iris(return_X_y=True)
    >>> skops.io.dump(LogisticRegression(max_iter=1000).fit(X, y), "model.skops")
    >>> type(load_model("model.skops")).__name__
    'LogisticRegression'
    """
    path = Path(path)
    if not path.exists():
        raise ModelLoadError(f"no such model file: {path}")
    if not path.is_file():
        raise ModelLoadError(f"{path} is not a file; give the path of a saved model")
    if path.stat().st_size == 0:
        raise ModelLoadError(f"{path} is empty; it holds no model")
    kind = _kind(path)
    if kind == "skops":
        model = _load_skops(path, trust, trusted_types, _inflated_limit(max_inflated_bytes))
    else:
        model = _load_pickle(path, trust)
    _check_estimator(model, path)
    return model
