"""Estimators made of estimators: pipelines and the multiclass meta-estimators.

Importing this package registers their converters with :mod:`nnconvert.registry`.
"""

from . import multiclass, pipeline  # noqa: F401
