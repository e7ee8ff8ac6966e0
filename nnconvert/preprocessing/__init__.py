"""Transformers as layers: pipeline steps, or networks of their own.

Importing this package registers their converters with :mod:`nnconvert.registry`.
"""

from . import (  # noqa: F401
    cross_decomposition,
    decomposition,
    discretize,
    elementwise,
    encoder_inverse,
    encoders,
    function,
    impute,
    kernel_pca,
    knn_impute,
    labels,
    polynomial,
    power,
    projections,
    quantile,
    rbm,
    scalers,
    selection,
    spline,
    tfidf,
)
