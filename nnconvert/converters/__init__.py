"""Converters, one module per family; importing this package registers them all."""

from . import compose, elm, linear, mlp, random_features, svm  # noqa: F401
