"""The errors nnconvert raises on purpose.

Every one of them names the problem and the fix, so that a user never has to read a
traceback from inside torch or numpy to learn what went wrong.
"""

from __future__ import annotations

from sklearn.exceptions import NotFittedError

__all__ = [
    "ConversionError",
    "UnsupportedEstimatorError",
    "NotFittedError",
    "DependencyError",
    "InvalidModelError",
    "multilabel_refused",
]


class ConversionError(ValueError):
    """A fitted estimator cannot be turned into an exact network (an option we cannot match)."""


class UnsupportedEstimatorError(ConversionError, TypeError):
    """The estimator (or one of its steps) has no converter.

    It subclasses both ``ValueError`` and ``TypeError``: callers who catch either keep working.
    """


class InvalidModelError(ConversionError):
    """A fitted attribute breaks an invariant scikit-learn relies on: a corrupt or edited model.

    Raised at conversion (never at predict time) by the checks of :mod:`nnconvert.fitted`;
    the message names the estimator, the attribute, what was found and what was expected.
    """


class DependencyError(RuntimeError):
    """An optional package is missing, or installed in a version that cannot do the job.

    A problem of the environment, not of the model or the data: the message names the
    package, the version found and the version needed, and the command that installs it.
    The command line exits with its own status (4) for it.
    """


def multilabel_refused(name: str) -> UnsupportedEstimatorError:
    """The error for a classifier fitted on multilabel (indicator matrix) targets."""
    return UnsupportedEstimatorError(
        f"{name} fitted on multilabel targets (a 2-D y) is not supported: nnconvert converts "
        "single-label classifiers. Fit on a 1-D y, or convert one model per label."
    )
