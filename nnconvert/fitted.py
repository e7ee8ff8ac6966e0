"""Reading fitted attributes as hostile input: one vocabulary of checks for every converter.

A model file can say anything (``skops`` loads without running code, but the arrays it returns
are whatever the file's author wrote), so a converter reads every fitted attribute it uses
through :class:`Fitted` before it reaches a layer. Each check fails with one
:class:`~nnconvert.errors.InvalidModelError` that names the estimator, the attribute, what was
found, what was expected and the fix, instead of a torch or numpy traceback at predict time,
a crash in compiled code or a silently wrong network.

Examples
--------
>>> import numpy as np
>>> from sklearn.linear_model import LogisticRegression
>>> model = LogisticRegression().fit(np.array([[0.0, 1.0], [1.0, 0.0]]), [0, 1])
>>> fitted = Fitted(model)
>>> fitted.array("coef_", shape=(1, fitted.n_features)).shape
(1, 2)
>>> model.coef_ = np.zeros((1, 3))
>>> Fitted(model).array("coef_", shape=(1, 2))
Traceback (most recent call last):
...
nnconvert.errors.InvalidModelError: LogisticRegression.coef_ has shape (1, 3), but (1, 2) was expected. ...
"""

from __future__ import annotations

import numbers
from typing import Any, Iterable, Sequence

import numpy as np
import scipy.sparse

from .errors import InvalidModelError

__all__ = ["Fitted", "corrupt"]

_FIX = ("The model file is corrupt or was edited after fitting: refit the estimator, or load "
        "the file its author saved.")


def corrupt(owner: str, attribute: str, problem: str) -> InvalidModelError:
    """The error for a fitted attribute that breaks an invariant scikit-learn relies on."""
    return InvalidModelError(f"{owner}.{attribute} {problem}. {_FIX}")


class Fitted:
    """Checked access to one estimator's fitted attributes.

    Parameters
    ----------
    estimator : object
        The fitted estimator (or a tree, booster dump, ... anything with attributes).
    name : str, optional
        How errors name it (default: its class name); meta-estimators pass the member's path,
        e.g. ``"VotingClassifier.estimators_[2] (SVC)"``.
    """

    def __init__(self, estimator: Any, name: str | None = None):
        self.estimator = estimator
        self.name = name or type(estimator).__name__

    def error(self, attribute: str, problem: str) -> InvalidModelError:
        """An :class:`InvalidModelError` naming this estimator and ``attribute``."""
        return corrupt(self.name, attribute, problem)

    def get(self, attribute: str) -> Any:
        """The raw attribute; a clear error where it is missing."""
        try:
            return getattr(self.estimator, attribute)
        except AttributeError:
            raise self.error(attribute, "is missing") from None

    @property
    def n_features(self) -> int:
        """``n_features_in_``, checked to be a positive integer."""
        return self.integer("n_features_in_", low=1)

    def integer(self, attribute: str, low: int | None = None, high: int | None = None,
                value: Any = None) -> int:
        """An integer attribute within ``[low, high]`` (either bound optional)."""
        raw = self.get(attribute) if value is None else value
        if isinstance(raw, (bool, np.bool_)) or not isinstance(raw, numbers.Integral):
            raise self.error(attribute, f"is {raw!r}, but an integer was expected")
        raw = int(raw)
        if (low is not None and raw < low) or (high is not None and raw > high):
            raise self.error(attribute, f"is {raw}, outside the allowed range "
                                        f"{_range(low, high)}")
        return raw

    def number(self, attribute: str, low: float | None = None, high: float | None = None,
               strict_low: bool = False, value: Any = None) -> float:
        """A finite real attribute within ``[low, high]`` (``(low, high]`` with ``strict_low``)."""
        raw = self.get(attribute) if value is None else value
        if isinstance(raw, (bool, np.bool_)) or not isinstance(raw, numbers.Real):
            raise self.error(attribute, f"is {raw!r}, but a real number was expected")
        raw = float(raw)
        too_low = low is not None and (raw <= low if strict_low else raw < low)
        if not np.isfinite(raw) or too_low or (high is not None and raw > high):
            bound = f"({low}, {_inf(high)}]" if strict_low else _range(low, high)
            raise self.error(attribute, f"is {raw!r}, but a finite number in {bound} was expected")
        return raw

    def choice(self, attribute: str, allowed: Iterable, value: Any = None) -> Any:
        """An attribute (or hyper-parameter) that must be one of ``allowed``."""
        raw = self.get(attribute) if value is None else value
        allowed = list(allowed)
        if not any(raw is option or (type(raw) is type(option) and raw == option)
                   for option in allowed):
            raise self.error(attribute, f"is {raw!r}, but one of {allowed!r} was expected")
        return raw

    def array(self, attribute: str, shape: Sequence[int | None] | None = None, *,
              ndim: int | None = None, finite: bool = True, dtype: Any = np.float64,
              low: float | None = None, high: float | None = None, strict_low: bool = False,
              nonzero: bool = False, log: bool = False, increasing: bool = False,
              value: Any = None) -> np.ndarray:
        """A numeric array attribute, checked and returned as a fresh array of ``dtype``.

        ``shape`` entries of ``None`` match any length; ``low`` / ``high`` bound every element
        (integer arrays: an index range), ``strict_low`` makes ``low`` exclusive (a variance,
        a bandwidth), ``nonzero`` refuses zeros (a divisor), ``log`` accepts −inf besides finite
        values (the log of a probability that is 0), ``increasing`` refuses a decrease along
        the last axis (knots, thresholds, bin edges). A sparse matrix (support vectors,
        a ``coef_`` after ``sparsify()``) is read densely. The estimator's own array is never
        modified.
        """
        raw = self.get(attribute) if value is None else value
        if scipy.sparse.issparse(raw):
            raw = raw.toarray()
        if np.iscomplexobj(raw):
            raise self.error(attribute, "holds complex numbers")
        try:
            array = np.array(raw, dtype=dtype, copy=True)
        except (TypeError, ValueError, OverflowError):
            raise self.error(attribute, f"cannot be read as an array of {np.dtype(dtype)}") \
                from None
        if np.issubdtype(array.dtype, np.integer):
            numeric = np.asarray(raw)
            if numeric.dtype.kind == "f" and not np.array_equal(numeric, array):
                raise self.error(attribute, "holds non-integer values where indices are expected")
        expected_ndim = len(shape) if shape is not None else ndim
        if expected_ndim is not None and array.ndim != expected_ndim:
            raise self.error(attribute, f"has {array.ndim} dimensions (shape {array.shape}), "
                                        f"but {expected_ndim} were expected")
        if shape is not None and any(want is not None and got != want
                                     for got, want in zip(array.shape, shape)):
            wanted = "(" + ", ".join("any" if w is None else str(w) for w in shape) + \
                (",)" if len(shape) == 1 else ")")
            raise self.error(attribute, f"has shape {array.shape}, but {wanted} was expected")
        if finite and array.dtype.kind == "f" and not np.isfinite(array).all():
            if not log or np.isnan(array).any() or (array == np.inf).any():
                raise self.error(attribute, "holds NaN or infinite values")
        if array.size and ((low is not None and array.min() < low)
                           or (high is not None and array.max() > high)):
            raise self.error(attribute, f"holds values from {array.min()} to {array.max()}, "
                                        f"outside the allowed range {_range(low, high)}")
        if strict_low and array.size and array.min() <= low:
            raise self.error(attribute, f"holds {array.min()}, but every value must be "
                                        f"greater than {low}")
        if nonzero and array.size and not array.all():
            raise self.error(attribute, "holds zeros, which scikit-learn never stores there "
                                        "(it divides by these values)")
        if increasing and array.size and (np.diff(array, axis=-1) < 0).any():
            raise self.error(attribute, "decreases somewhere, but scikit-learn keeps these "
                                        "values in increasing order")
        return array

    def indices(self, attribute: str, n: int, *, what: str, where: Any = None,
                item: str = "entry", value: Any = None) -> np.ndarray:
        """A 1-D array of indices into something of length ``n``, each in ``[0, n)``.

        ``where`` (a boolean mask) limits the check to the entries that are used (a tree's
        splits, not its leaves); ``what`` says what ``n`` counts and ``item`` what an entry
        is, for the error, which names the first entry out of range: "... node 7 reads
        1000000, but the model has 28 features (0 to 27) ...".
        """
        array = self.array(attribute, ndim=1, dtype=np.int64, value=value)
        bad = (array < 0) | (array >= n)
        if where is not None:
            if len(where) != len(array):
                raise self.error(attribute, f"has {len(array)} entries, but {len(where)} were "
                                            "expected")
            bad &= np.asarray(where, bool)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise self.error(attribute, f"at {item} {i} reads {array[i]}, but {what} "
                                        f"(0 to {n - 1})")
        return array

    def bias(self, attribute: str, n_units: int) -> np.ndarray:
        """A per-unit offset (an intercept, a target mean): a finite scalar (scikit-learn's 0.0
        where no intercept was fitted), broadcast to ``n_units``, or one finite value per unit;
        returned as a fresh (n_units,) array."""
        raw = self.get(attribute)
        if np.ndim(raw) == 0:
            return np.full(n_units, self.number(attribute, value=_scalar(raw)))
        return self.array(attribute, shape=(n_units,), value=raw)

    def classes(self, attribute: str = "classes_", value: Any = None) -> np.ndarray:
        """The class labels: a non-empty 1-D array of distinct labels, returned as a copy."""
        raw = self.get(attribute) if value is None else value
        labels = np.array(raw, copy=True)
        if labels.ndim != 1 or labels.size == 0:
            raise self.error(attribute, f"has shape {labels.shape}, but a non-empty 1-D array "
                                        "of labels was expected")
        if np.iscomplexobj(labels):
            raise self.error(attribute, "holds complex numbers")
        if labels.dtype.kind == "f" and not np.isfinite(labels).all():
            raise self.error(attribute, "holds NaN or infinite values")
        self.unique(attribute, labels)
        return labels

    def per_output(self, attribute: str, n_outputs: int, each: str = "target") -> list:
        """An attribute of a model of several targets: a list (or tuple) of ``n_outputs``
        entries, one per target (``classes_``, ``class_prior_``), returned as a list;
        ``each`` names what else there is one entry per (``"member"`` for a stacking's
        ``stack_method_``)."""
        raw = self.get(attribute)
        if not isinstance(raw, (list, tuple)) or len(raw) != n_outputs:
            raise self.error(attribute, f"is not a list of {n_outputs} entries, one per {each}")
        return list(raw)

    def classes_per_output(self, n_outputs: int, attribute: str = "classes_") -> list:
        """Each target's class labels (:meth:`classes` of each of :meth:`per_output`)."""
        return [self.classes(f"{attribute}[{j}]", value=raw)
                for j, raw in enumerate(self.per_output(attribute, n_outputs))]

    def same(self, attribute: str, found: Any, expected: Any, what: str) -> None:
        """Refuse an attribute whose ``what`` (its length, its sum, ...) contradicts another.

        ``what`` completes "``attribute`` has ``what`` ``found``, but ``expected`` ...", e.g.
        ``fitted.same("n_support_", n_support.sum(), len(vectors), "a total of")``.
        """
        if found != expected:
            raise self.error(attribute, f"has {what} {found}, but {expected} was expected")

    def unique(self, attribute: str, values: Any) -> None:
        """Refuse repeated entries (categories, classes), which make lookups ambiguous."""
        seen = list(values)
        if len(set(map(_hashable, seen))) != len(seen):
            raise self.error(attribute, "holds repeated entries")


def _scalar(value):
    # a 0-d array (np.array(0.5)) reads as its number
    return value.item() if isinstance(value, (np.ndarray, np.generic)) else value


def _hashable(value):
    return value.item() if isinstance(value, np.generic) else value


def _inf(bound):
    return "inf" if bound is None else bound


def _range(low, high) -> str:
    return f"[{'-inf' if low is None else low}, {_inf(high)}]"
