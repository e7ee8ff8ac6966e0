"""Estimators made of estimators: pipelines, column transformers and feature unions, and the
multiclass meta-estimators.

Importing this package registers their converters with :mod:`nnconvert.registry`.
"""

from . import (  # noqa: F401
    calibration,
    columns,
    ensembles,
    multiclass,
    multioutput,
    pipeline,
    search,
    target,
    text,
    threshold,
)
