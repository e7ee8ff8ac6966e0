"""Data files for ``nnconvert verify --data``: a ``.npy`` (memory-mapped) or a ``.csv`` of numbers,
or, for a model that starts with a text vectorizer, a ``.txt`` file of documents (one a line).

Rows of a ``.npy`` are counted from 0 (array indices); lines and columns of a ``.csv`` from 1,
as an editor shows them.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from .errors import CommandError

__all__ = ["DATA_SUFFIXES", "ROWS_PER_READ", "load_data"]

DATA_SUFFIXES = (".npy", ".csv")
#: documents for a model that vectorises text: UTF-8, one document a line
TEXT_SUFFIX = ".txt"
#: rows read from a data file at a time (checking it, sending it to dask)
ROWS_PER_READ = 65536


def _read_csv(file: Path):
    """A .csv file of numbers; what numpy cannot read is said with 1-based lines and columns."""
    import re

    import numpy as np

    try:
        with warnings.catch_warnings():  # an empty file: said by the caller, in our words
            warnings.filterwarnings("ignore", message=".*input contained no data")
            return np.loadtxt(file, delimiter=",", ndmin=2, dtype=np.float64)
    except ValueError as e:
        # numpy counts rows from 0 here but columns from 1: say both from 1, as an editor does
        text = re.search(r"could not convert string (.*) to float64 at row (\d+), column (\d+)",
                         str(e))
        if text is None:
            raise
        value, line, column = text[1], int(text[2]) + 1, int(text[3])
        advice = ("; it looks like a header row: drop it, the file must hold numbers only"
                  if line == 1 else "")
        raise CommandError(
            f"{file}: line {line}, column {column} holds {value}, not a number{advice}"
        ) from None


def _read_documents(file: Path) -> list[str]:
    """The lines of a UTF-8 text file, each a document (line ends dropped)."""
    try:
        documents = file.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as e:
        raise CommandError(f"{file} is not UTF-8 text ({e}); save it as UTF-8") from None
    if not documents:
        raise CommandError(f"{file} has no lines: write one document a line")
    return documents


def _read_text_column(file: Path, column: str) -> list[str]:
    """The documents in one column of a .csv file whose first row names its columns (any
    quoting the csv module reads: documents may hold commas and line breaks)."""
    import csv

    try:
        with open(file, newline="", encoding="utf-8") as handle:
            rows = csv.reader(handle)
            header = next(rows, None)
            if header is None:
                raise CommandError(f"{file} is empty: its first row must name the columns")
            if column not in header:
                raise CommandError(f"{file} has no column {column!r}; its columns are "
                                   f"{header[:20]}")
            j = header.index(column)
            documents = []
            for line, row in enumerate(rows, start=2):
                if j >= len(row):
                    raise CommandError(f"{file}: row {line} has no {column!r} column "
                                       f"({len(row)} fields)")
                documents.append(row[j])
    except UnicodeDecodeError as e:
        raise CommandError(f"{file} is not UTF-8 text ({e}); save it as UTF-8") from None
    except csv.Error as e:
        raise CommandError(f"{file} is not a readable .csv file ({e})") from None
    if not documents:
        raise CommandError(f"{file} has a header but no rows")
    return documents


def load_data(path: str, n_features: int, *, documents: bool = False,
              text_column: str | None = None, allow_nan: bool = False,
              allow_inf: bool = False):
    """A 2-D finite float array with ``n_features`` columns from a .npy or .csv file (NaN
    too where ``allow_nan``: a model that routes missing values, ±inf where ``allow_inf``:
    trees that compare it, XGBoost, LightGBM and HistGradientBoosting; the input schema then
    checks each column), or, where ``documents`` (a model with a text vectorizer), a list of
    documents from a .txt file or from the ``text_column`` of a .csv file."""
    import numpy as np

    file = Path(path)
    if not file.is_file():
        raise CommandError(f"no such data file: {file}")
    suffix = file.suffix.lower()
    if text_column is not None:
        if not documents:
            raise CommandError("--text-column is for a model that starts with a text "
                               "vectorizer; this one reads numbers")
        if suffix != ".csv":
            raise CommandError(f"--text-column reads a .csv file, got {file.name}")
        return _read_text_column(file, text_column)
    if suffix == TEXT_SUFFIX:
        if not documents:
            raise CommandError(
                f"{file}: a .txt file holds documents, but the model does not start with a "
                "text vectorizer; give a .npy or .csv file of numbers")
        return _read_documents(file)
    if suffix not in DATA_SUFFIXES:
        raise CommandError(
            f"{file}: unknown data file type {suffix or '(no suffix)'!r}; give a .npy file "
            "(numpy.save) or a .csv file of numbers without a header"
            + (", or a .txt file of documents, one a line" if documents else "")
        )
    try:
        if suffix == ".npy":
            # memory-mapped: verification reads it in batches, never all at once
            X = np.load(file, mmap_mode="r", allow_pickle=False)
        else:
            X = _read_csv(file)
    except (ValueError, OSError, EOFError) as e:
        raise CommandError(f"{file} is not a readable {suffix} array ({e})") from None
    if X.ndim != 2:
        raise CommandError(
            f"{file} holds an array of shape {X.shape}; expected a 2-D array "
            f"(rows × {n_features} features)"
        )
    if X.dtype.kind not in "fiub":
        raise CommandError(f"{file} holds {X.dtype} values; expected numbers")
    if X.shape[0] == 0:
        raise CommandError(f"{file} has no rows")
    if X.shape[1] != n_features:
        raise CommandError(
            f"{file} has {X.shape[1]} features per row, but the model expects {n_features}"
        )
    if X.dtype.kind == "f" and not (allow_nan and allow_inf):
        for start in range(0, X.shape[0], ROWS_PER_READ):  # the file may be larger than RAM
            block = np.asarray(X[start:start + ROWS_PER_READ])
            invalid = (np.zeros(block.shape, bool) if allow_nan else np.isnan(block)) | \
                (np.zeros(block.shape, bool) if allow_inf else np.isinf(block))
            if invalid.any():
                bad = start + int(np.argwhere(invalid)[0, 0])
                # a .npy row is an array index (from 0); a .csv row is a line of the file (from 1)
                where = f"row {bad}" if suffix == ".npy" else f"line {bad + 1}"
                what = ("infinite values" if allow_nan else "NaN values" if allow_inf
                        else "NaN or infinite values")
                raise CommandError(
                    f"{file} contains {what} (first at {where}); "
                    "scikit-learn rejects them too: impute or drop those rows first"
                )
    return X
