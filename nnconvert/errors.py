"""The errors nnconvert raises on purpose.

Every one of them names the problem and the fix, so that a user never has to read a
traceback from inside torch or numpy to learn what went wrong.
"""

from __future__ import annotations

from sklearn.exceptions import NotFittedError

__all__ = ["ConversionError", "UnsupportedEstimatorError", "NotFittedError"]


class ConversionError(ValueError):
    """A fitted estimator cannot be turned into an exact network (an option we cannot match)."""


class UnsupportedEstimatorError(ConversionError, TypeError):
    """The estimator (or one of its steps) has no converter.

    It subclasses both ``ValueError`` and ``TypeError``: callers who catch either keep working.
    """
