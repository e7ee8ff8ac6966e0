"""The input schema: what each column of the tensor ``forward()`` takes holds, and how the
scikit-learn style methods map users' data (numpy, pandas, lists, torch, scipy.sparse) onto it.

Numeric columns become floats; categorical columns (read by an encoder layer) become the index
of each value in the fitted ``categories_``, or ``len(categories_)`` for a value never seen at
fit time where the encoder's ``handle_unknown`` accepts one. Data that does not fit the schema
(an unknown category, a missing column, strings where numbers belong, NaN that nothing
handles) is refused with one error naming the column; the caller's data is never modified.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse
import torch
from sklearn.utils.validation import check_array

from ..layers.columns import ColumnSpec
from .inputs import (
    _check_feature_names,
    _tensor_as_numpy,
    check_features,
    feature_names_of,
    refuse_unreadable,
)

__all__ = ["InputSchema"]

_NUMERIC = ColumnSpec()


class InputSchema:
    """What each input column holds, and the mapping of raw data onto ``forward()``'s tensor.

    Parameters
    ----------
    columns : tuple of ColumnSpec or None
        The first layer's :meth:`~nnconvert.layers.describe.Layer.input_columns`; None means
        every column is a number and NaN is refused.
    n_features : int
    feature_names : array-like of str or None
        Names seen at fit time.
    model : str
        The estimator, for messages.
    by_name : bool
        Whether a dataframe's columns are selected by name, in any order (scikit-learn's
        ``ColumnTransformer``); otherwise they must come in the fit order, as scikit-learn's
        ``predict`` requires of most estimators.
    one_dimensional : bool
        Whether a 1-D ``X`` is read as one column, as scikit-learn's ``IsotonicRegression``
        reads it (only for a single feature).
    """

    def __init__(self, columns, n_features: int, feature_names=None, *, model: str,
                 by_name: bool = False, one_dimensional: bool = False):
        self.n_features = int(n_features)
        self.one_dimensional = bool(one_dimensional) and self.n_features == 1
        columns = tuple(columns) if columns is not None else (_NUMERIC,) * self.n_features
        if len(columns) != self.n_features:
            raise ValueError(f"{len(columns)} column specs for {self.n_features} features")
        self.columns: tuple[ColumnSpec, ...] = columns
        self.feature_names = None if feature_names is None else [str(n) for n in feature_names]
        self.model = model
        self.by_name = bool(by_name)

    # -- what it says -----------------------------------------------------------------------
    def name(self, j: int) -> str:
        """Column ``j`` as messages name it."""
        if self.feature_names is None:
            return f"column {j}"
        return f"column {j} ({self.feature_names[j]!r})"

    def describe(self) -> list[str]:
        """One line per input column: its name and what it holds."""
        lines = []
        for j, spec in enumerate(self.columns):
            if spec.kind == "categorical":
                shown = ", ".join(repr(_plain(c)) for c in spec.categories[:6])
                more = ", …" if len(spec.categories) > 6 else ""
                what = (f"categorical, code of one of {len(spec.categories)} categories "
                        f"[{shown}{more}]")
                if spec.allow_unknown:
                    what += f"; unknown values → {len(spec.categories)}"
            elif spec.kind == "unused":
                what = "not read (dropped: any value)"
            else:
                what = ("numeric" + (", NaN allowed" if spec.allow_nan else "")
                        + (", ±inf allowed" if spec.allow_inf else "")
                        + (", read as float32" if spec.float32 else ""))
            label = f"x[:, {j}]"
            if self.feature_names is not None:
                label += f" {self.feature_names[j]!r}"
            lines.append(f"{label}: {what}")
        return lines

    def to_dict(self) -> dict:
        """The schema as JSON-ready data (for export metadata)."""
        return {
            "n_features": self.n_features,
            "by_name": self.by_name,
            "columns": [
                {"name": None if self.feature_names is None else self.feature_names[j],
                 "kind": spec.kind,
                 "categories": None if spec.categories is None
                 else [None if _is_nan(c) else _plain(c) for c in spec.categories],
                 "allow_nan": spec.allow_nan,
                 "allow_inf": spec.allow_inf,
                 "float32": spec.float32,
                 "allow_unknown": spec.allow_unknown}
                for j, spec in enumerate(self.columns)
            ],
        }

    @property
    def all_numeric(self) -> bool:
        return all(spec.kind == "numeric" for spec in self.columns)

    # -- mapping data -----------------------------------------------------------------------
    def encode(self, X, dtype: torch.dtype):
        """``X`` as the numbers ``forward()`` reads: a 2-D numpy array of ``dtype``, or a CSR
        matrix for sparse input (numeric columns only)."""
        np_dtype = np.float64 if dtype == torch.float64 else np.float32
        if isinstance(X, torch.Tensor):
            X = _tensor_as_numpy(X)
        refuse_unreadable(X, self.model)
        if self.one_dimensional and not hasattr(X, "columns") and np.ndim(X) == 1:
            X = np.asarray(X).reshape(-1, 1)  # a new array: the caller's keeps its shape
        if scipy.sparse.issparse(X):
            return self._sparse(X, np_dtype)
        if self.by_name:
            X = self._select_by_name(X)
        if self.all_numeric and not any(spec.allow_nan or spec.allow_inf or spec.float32
                                        for spec in self.columns):
            try:
                return check_features(X, n_features=self.n_features,
                                      feature_names=self.feature_names, dtype=dtype,
                                      model=self.model)
            except ValueError as error:
                if any(word in str(error) for word in ("NaN", "infinity", "numbers only")):
                    self._by_column(X, np_dtype)  # names the column at fault
                raise
        _check_feature_names(X, self.feature_names, self.model)
        return self._by_column(X, np_dtype)

    def _by_column(self, X, np_dtype) -> np.ndarray:
        columns = self._columns_of(X)
        out = np.empty((len(columns[0]), self.n_features), dtype=np_dtype)
        for j, (spec, values) in enumerate(zip(self.columns, columns)):
            if spec.kind == "unused":
                out[:, j] = 0.0  # nothing reads it, whatever it holds (a dropped column)
            elif spec.kind == "categorical":
                out[:, j] = self._codes(j, spec, values)
            else:
                out[:, j] = self._numbers(j, spec, values)
        return out

    def _sparse(self, X, np_dtype):
        if not self.all_numeric:
            raise ValueError(
                f"X is a sparse matrix, but {self.model} reads categorical columns; pass a "
                "dataframe or an array holding the raw values instead.")
        X = check_array(X, accept_sparse=("csr", "csc"), dtype=np_dtype, input_name="X",
                        estimator=self.model, ensure_all_finite=not any(
                            s.allow_nan for s in self.columns))
        if X.shape[1] != self.n_features:
            raise ValueError(
                f"X has {X.shape[1]} features, but {self.model} expects {self.n_features} "
                "features as input (the number it was fitted on).")
        return X.tocsr()  # sparse either way: a CSC matrix's rows are read as CSR

    def _select_by_name(self, X):
        given = feature_names_of(X)
        if given is None or self.feature_names is None:
            return X
        missing = [n for n in self.feature_names if n not in set(given)]
        if missing:
            raise ValueError(f"columns are missing: {missing[:10]}; {self.model} was fitted "
                             "with them (it selects its columns by name)")
        return X[self.feature_names]  # a new frame: the caller's keeps its columns

    def _columns_of(self, X) -> list:
        if hasattr(X, "iloc") and hasattr(X, "columns"):
            n = X.shape[1]
            columns = [X.iloc[:, j] for j in range(n)]
        else:
            array = np.asarray(X, dtype=object) if not isinstance(X, np.ndarray) else X
            if array.ndim != 2:
                raise ValueError(f"X must be 2-D (n_samples, {self.n_features}), got shape "
                                 f"{array.shape}; reshape a single row with X.reshape(1, -1)")
            n = array.shape[1]
            columns = [array[:, j] for j in range(n)]
        if n != self.n_features:
            raise ValueError(f"X has {n} features, but {self.model} expects "
                             f"{self.n_features} features as input (the number it was "
                             "fitted on).")
        if len(columns[0]) == 0:
            raise ValueError(f"X has 0 samples; {self.model} needs at least one row")
        return columns

    def _numbers(self, j: int, spec: ColumnSpec, values) -> np.ndarray:
        if np.iscomplexobj(values):
            raise ValueError(f"{self.name(j)} holds complex numbers, which {self.model} cannot "
                             "read: the networks, like scikit-learn, read real numbers only")
        try:
            numbers = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError):
            numbers = None
        if numbers is None:  # pd.NA or None among numbers are missing values; others, errors
            values = np.asarray(values, dtype=object)
            bad = [v for v in values if not _is_missing(v) and not _is_number(v)][:3]
            if not bad:
                numbers = np.where(pd.isna(values), np.nan, values).astype(np.float64)
        if numbers is None and any(isinstance(v, complex) for v in bad):
            raise ValueError(f"{self.name(j)} holds complex numbers, which {self.model} cannot "
                             "read: the networks, like scikit-learn, read real numbers only")
        if numbers is None:
            raise ValueError(f"{self.name(j)} must hold numbers, got {bad}; {self.model} reads "
                             "it as a number (encode it before fitting, or fix the data)"
                             ) from None
        infinite = np.isinf(numbers)
        if infinite.any() and not spec.allow_inf:
            raise ValueError(f"{self.name(j)} contains infinity; {self.model} reads finite "
                             "numbers only: replace or drop those values")
        if spec.float32 and _overflows_float32(numbers[~infinite]):
            raise ValueError(f"Input X contains infinity or a value too large for "
                             f"dtype('float32') in {self.name(j)}: {self.model} casts its "
                             "input to float32, as scikit-learn's trees do, and refuses values "
                             "that overflow it; rescale or clip them")
        if not spec.allow_nan and np.isnan(numbers).any():
            raise ValueError(f"Input X contains NaN in {self.name(j)}, but nothing in "
                             f"{self.model} handles missing values there: impute them first "
                             "(for instance with SimpleImputer in the pipeline)")
        return numbers

    def _codes(self, j: int, spec: ColumnSpec, values) -> np.ndarray:
        if spec.pandas_category:
            if not isinstance(values, pd.Series):  # an array holds the codes themselves
                return self._numbers(j, ColumnSpec(allow_nan=True, allow_inf=True), values)
            if not isinstance(values.dtype, pd.CategoricalDtype):
                raise ValueError(
                    f"{self.name(j)} is a {values.dtype} column, but {self.model} was fitted "
                    "on it as a pandas category column, and LightGBM refuses anything else "
                    "(\"train and valid dataset categorical_feature do not match\"): give "
                    "it as .astype('category') with the fitted categories, or pass an array "
                    "of their codes")
        if not isinstance(values, (pd.Series, np.ndarray)):
            values = np.asarray(values, dtype=object)
        # each distinct value is looked up once (a column has far fewer distinct values than
        # rows: 8x faster than a lookup per row on 200,000 strings); NaN, None and pd.NA are
        # one missing value (code -1 here), as in scikit-learn
        row_codes, distinct = pd.factorize(values)
        categories = list(spec.categories)
        nan_code = next((k for k, c in enumerate(categories) if _is_missing(c)), -1)
        known = [c for c in categories if not _is_missing(c)]
        distinct_codes = pd.Index(known, dtype=object).get_indexer(
            np.asarray(distinct, dtype=object))
        unknown = distinct_codes < 0
        if unknown.any():
            if not spec.allow_unknown:
                found = np.asarray(distinct, dtype=object)[unknown].tolist()
                raise ValueError(f"Found unknown categories {found[:10]} in {self.name(j)} "
                                 "during transform")
            distinct_codes[unknown] = len(categories)
        # (a column of missing values only has no distinct value to take from)
        codes = (distinct_codes.astype(np.int64).take(row_codes, mode="clip")
                 if len(distinct_codes) else np.zeros(len(row_codes), np.int64))
        codes[row_codes < 0] = nan_code
        unknown_missing = (row_codes < 0) & (nan_code < 0)
        if unknown_missing.any():  # a missing value where no category is missing
            if not spec.allow_unknown:
                raise ValueError(f"Found unknown categories [nan] in {self.name(j)} during "
                                 "transform")
            codes[unknown_missing] = len(categories)
        return codes


def _overflows_float32(numbers: np.ndarray) -> bool:
    """Whether a finite float64 rounds to infinity in float32 (scikit-learn's trees cast, then
    refuse what became infinite)."""
    with np.errstate(over="ignore"):
        return bool(np.isinf(numbers.astype(np.float32)).any())


def _is_number(value) -> bool:
    try:
        float(value)
        return True
    except (TypeError, ValueError):
        return False


def _plain(value):
    """A numpy scalar as the Python value it holds (for messages and JSON)."""
    return value.item() if isinstance(value, np.generic) else value


def _is_nan(value) -> bool:
    return isinstance(value, (float, np.floating)) and value != value  # JSON has no NaN


def _is_missing(value) -> bool:
    return value is None or value is pd.NA or _is_nan(value)
