"""Which converted classifiers and regressors answer ``score`` as scikit-learn does.

A classifier's ``score`` is usually its mean accuracy and a regressor's its R²
(``ClassifierMixin.score``, ``RegressorMixin.score``), which the network computes from its own
``predict``. Some estimators score otherwise (a generalised linear model's D², the fraction of
deviance explained; a search with a ``scoring`` of its own): :func:`score_refusal` names
them, and their networks refuse ``score`` with that reason rather than answer another number.
"""

from __future__ import annotations

from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.model_selection._search import BaseSearchCV
from sklearn.multioutput import MultiOutputClassifier
from sklearn.pipeline import Pipeline

__all__ = ["score_refusal"]

#: a MultiOutputClassifier's score is the subset accuracy: the mean of rows whose every
#: target is right (ClassifierMixin's, on multilabel targets, is the same)
_PLAIN = (ClassifierMixin.score, RegressorMixin.score, MultiOutputClassifier.score)


def score_refusal(estimator) -> str | None:
    """None where ``estimator.score`` is the mean accuracy or R² of its ``predict`` (through
    pipelines and refitted searches), else why the network does not answer it.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression, PoissonRegressor
    >>> score_refusal(LogisticRegression()) is None
    True
    >>> score_refusal(PoissonRegressor())[:40]
    'PoissonRegressor.score is not the mean a'
    """
    if isinstance(estimator, Pipeline):
        return score_refusal(estimator.steps[-1][1])
    if isinstance(estimator, BaseSearchCV):
        if estimator.scoring is not None:
            return (f"{type(estimator).__name__} scores with its own scoring="
                    f"{estimator.scoring!r}: call the estimator's score")
        return score_refusal(getattr(estimator, "best_estimator_", None))
    if getattr(type(estimator), "score", None) in _PLAIN:
        return None
    return (f"{type(estimator).__name__}.score is not the mean accuracy or R² of its predict "
            "(nnconvert answers only those): call the estimator's own score")
