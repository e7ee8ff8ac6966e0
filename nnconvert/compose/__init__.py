"""Estimators made of estimators: pipelines, column transformers and feature unions,
one-vs-rest and one-vs-one, voting and stacking, bagging and AdaBoost, calibration,
multi-output regressors and classifiers, chains, RANSAC, searches, thresholds, transformed
targets, and the text front end of a pipeline; imbalanced-learn's pipelines and balanced
ensembles.

Every one of them holds its members through one mechanism (:mod:`.members`): a member
converted whole with the caller's options, answering columns that a parent head reads.
Importing this package registers their converters with :mod:`nnconvert.registry`.
"""

from . import (  # noqa: F401
    adaboost,
    bagging,
    calibration,
    columns,
    ensembles,
    imblearn,
    members,
    multiclass,
    multilabel,
    multioutput,
    pipeline,
    ransac,
    rules,
    search,
    target,
    text,
    threshold,
)
