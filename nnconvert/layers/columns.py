"""What a layer needs each of its input columns to hold (the input schema's parts)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ColumnSpec"]


@dataclass(frozen=True)
class ColumnSpec:
    """What one input column holds.

    ``kind`` is "numeric" (a float), "categorical" (the tensor holds the index of the value
    in ``categories``; the input schema maps raw values to these codes) or "unused" (no
    layer reads it: a column a ColumnTransformer drops may hold anything; the tensor holds 0).
    ``allow_nan`` says whether the layer reading the column handles NaN (missing values).
    """

    kind: str = "numeric"
    categories: tuple | None = None
    allow_nan: bool = False
    #: categorical only: whether a value outside ``categories`` is accepted (its code is then
    #: ``len(categories)``, the layer's "unknown" row) instead of refused
    allow_unknown: bool = False
