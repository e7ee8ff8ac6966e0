"""Transformers as layers: pipeline steps, or networks of their own.

Importing this package registers their converters with :mod:`nnconvert.registry`.
"""

from . import (  # noqa: F401
    decomposition,
    discretize,
    elementwise,
    encoder_inverse,
    encoders,
    function,
    impute,
    kernel_pca,
    polynomial,
    power,
    quantile,
    scalers,
    selection,
    spline,
    tfidf,
)
