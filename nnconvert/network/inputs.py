"""Checking what users feed a converted network, with scikit-learn's rules and clear words.

Everything a user passes to ``decision_function``, ``predict_proba`` or ``predict`` goes through
:func:`check_features` before it reaches torch, so that a mistake ends in a message that names
the problem and the fix, never in a traceback from inside torch.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import Sequence

import numpy as np
import torch
from sklearn.utils.validation import check_array

__all__ = ["check_features", "feature_names_of", "refuse_unreadable"]


def feature_names_of(X) -> np.ndarray | None:
    """Column names of a dataframe-like ``X`` when they are all strings, else None.

    Raises
    ------
    TypeError
        If some names are strings and others are not, as scikit-learn does: such a frame
        would otherwise be read by position while its string names are never checked.
    """
    columns = getattr(X, "columns", None)
    if columns is None:
        return None
    names = np.asarray(list(columns), dtype=object)
    kinds = sorted({type(n).__name__ for n in names})
    if len(kinds) > 1 and "str" in kinds:
        raise TypeError(
            f"X's column names mix types {kinds}: feature names are only checked when all "
            "of them are strings. Convert them all to strings (X.columns = "
            "X.columns.astype(str)) or all to another type."
        )
    if len(names) == 0 or kinds != ["str"]:
        return None
    return names


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def user_stacklevel() -> int:
    """The ``stacklevel`` that makes a warning point at the first caller outside nnconvert
    (however many of its own calls lie between: predict, outputs, the schema...)."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    return level


#: numpy dtype kinds no network reads, with why (scikit-learn refuses them too)
_UNREADABLE = {
    "c": ("complex numbers", "the networks, like scikit-learn, read real numbers only; pass "
                             "X.real if the imaginary parts are meant to be dropped"),
    "M": ("dates and times (datetime64)", "scikit-learn refuses them rather than read them as "
                                          "nanoseconds; turn them into numbers first (a "
                                          "timestamp, the day of the year, ...)"),
    "m": ("durations (timedelta64)", "scikit-learn refuses them; turn them into numbers "
                                     "first (for instance seconds: X / np.timedelta64(1, 's'))"),
}


def refuse_unreadable(X, model: str) -> None:
    """Refuse input scikit-learn refuses, before any column is read: ``np.matrix`` (a
    TypeError with scikit-learn's words), complex numbers, dates and durations (a ValueError
    naming the column, where the data has columns)."""
    if isinstance(X, np.matrix):
        raise TypeError("np.matrix is not supported. Please convert to a numpy array with "
                        "np.asarray. For more information see: "
                        "https://numpy.org/doc/stable/reference/generated/numpy.matrix.html")
    if hasattr(X, "columns") and hasattr(X, "dtypes"):
        kinds = [(name, getattr(d, "kind", "O")) for name, d in zip(X.columns, X.dtypes)]
    elif isinstance(getattr(X, "dtype", None), np.dtype):
        kinds = [(None, X.dtype.kind)]
    else:
        kinds = []
    for name, kind in kinds:
        if kind in _UNREADABLE:
            what, why = _UNREADABLE[kind]
            where = "X" if name is None else f"column {name!r} of X"
            raise ValueError(f"{where} holds {what}, which {model} cannot read: {why}.")


def _check_feature_names(X, expected: Sequence[str] | None, model: str) -> None:
    """scikit-learn's rule: same names in the same order; a mismatch in presence only warns."""
    given = feature_names_of(X)
    if given is None and expected is None:
        return
    if given is None:
        warnings.warn(
            f"X does not have valid feature names, but {model} was fitted with feature names",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        return
    if expected is None:
        warnings.warn(
            f"X has feature names, but {model} was fitted without feature names",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        return
    expected = np.asarray(expected, dtype=object)
    if len(given) == len(expected) and np.array_equal(given, expected):
        return
    unexpected = [n for n in given if n not in set(expected)]
    missing = [n for n in expected if n not in set(given)]
    message = "The feature names should match those that were passed during fit.\n"
    if unexpected:
        message += f"Feature names unseen at fit time: {unexpected[:10]}\n"
    if missing:
        message += f"Feature names seen at fit time, yet now missing: {missing[:10]}\n"
    if not unexpected and not missing:
        message += "Feature names must be in the same order as they were in fit.\n"
    raise ValueError(message.rstrip())


def check_features(
    X,
    *,
    n_features: int,
    feature_names: Sequence[str] | None,
    dtype: torch.dtype,
    model: str,
) -> np.ndarray:
    """Validate ``X`` for a network and return it as a 2-D numpy array of ``dtype``.

    Accepts numpy arrays, lists, pandas dataframes and torch tensors. The caller's data is
    never modified: a copy is made whenever a conversion is needed, and the returned array
    is only ever read.

    Raises
    ------
    ValueError
        For 1-D or empty input, NaN or infinity, non-numeric values, a wrong number of
        features (both numbers are given) or feature names other than at fit time.
    """
    if isinstance(X, torch.Tensor):
        X = _tensor_as_numpy(X)
    refuse_unreadable(X, model)
    _check_feature_names(X, feature_names, model)
    np_dtype = np.float64 if dtype == torch.float64 else np.float32
    try:
        X = check_array(X, dtype=np_dtype, ensure_2d=True, ensure_min_samples=1,
                        input_name="X", estimator=model)
    except ValueError as error:
        if "Complex data not supported" in str(error):  # complex values in a list or objects
            raise ValueError(f"X holds complex numbers, which {model} cannot read: "
                             f"{_UNREADABLE['c'][1]}.") from None
        if "could not convert" in str(error) or "Unable to convert" in str(error):
            raise ValueError(
                f"X must hold numbers only: {error}. Encode categorical columns first "
                "(for instance with OneHotEncoder) before converting the model."
            ) from None
        raise
    except TypeError as error:
        if "complex" in str(error):  # complex values in a list
            raise ValueError(f"X holds complex numbers, which {model} cannot read: "
                             f"{_UNREADABLE['c'][1]}.") from None
        raise ValueError(f"X must be a 2-D array of numbers: {error}") from None
    if X.shape[1] != n_features:
        raise ValueError(
            f"X has {X.shape[1]} features, but {model} expects {n_features} features "
            "as input (the number it was fitted on)."
        )
    if any(stride < 0 for stride in X.strides):
        X = X.copy()  # a reversed view (X[::-1], np.flip): torch cannot wrap negative strides
    return X


def _tensor_as_numpy(X: torch.Tensor) -> np.ndarray:
    """A tensor's values as numpy, for validation; bfloat16 (numpy has none) via float32."""
    if X.device.type == "meta":
        raise ValueError(
            "X is a tensor on the meta device: it has a shape but no values to predict on. "
            "Pass a tensor that holds data (on the CPU or a GPU)."
        )
    X = X.detach().cpu()
    if X.dtype == torch.bfloat16:
        X = X.float()  # exact: every bfloat16 is a float32
    return X.numpy()
