"""Estimators made of estimators: pipelines, column transformers and feature unions,
one-vs-rest, one-vs-one and output codes, voting and stacking, bagging and AdaBoost,
calibration, multi-output regressors and classifiers, chains, RANSAC, searches, self-training,
thresholds, transformed targets, and the text front end of a pipeline; imbalanced-learn's
pipelines and balanced ensembles.

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
    output_code,
    pipeline,
    ransac,
    rules,
    search,
    self_training,
    target,
    text,
    threshold,
)
