"""Transformers as layers: pipeline steps, or networks of their own.

Importing this package registers their converters with :mod:`nnconvert.registry`.
"""

from . import decomposition, encoders, function, scalers  # noqa: F401
