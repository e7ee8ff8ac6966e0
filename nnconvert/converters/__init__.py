"""Converters, one module per family; importing this package registers them all."""

from . import compose, linear  # noqa: F401
