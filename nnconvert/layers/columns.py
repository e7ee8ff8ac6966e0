"""What a layer needs each of its input columns to hold (the input schema's parts)."""

from __future__ import annotations

from dataclasses import dataclass, replace

__all__ = ["ColumnSpec"]


@dataclass(frozen=True)
class ColumnSpec:
    """What one input column holds.

    ``kind`` is "numeric" (a float), "categorical" (the tensor holds the index of the value
    in ``categories``; the input schema maps raw values to these codes) or "unused" (no
    layer reads it: a column a ColumnTransformer drops may hold anything; the tensor holds 0).
    ``allow_nan`` says whether the layer reading the column handles NaN (missing values),
    ``allow_inf`` whether it routes ±inf as its estimator does (HistGradientBoosting, XGBoost
    and LightGBM compare infinities with their thresholds; everything else refuses them),
    ``float32`` whether its estimator casts the column to float32 and so refuses finite
    values that overflow it (scikit-learn's classic trees: 1e308 is an error there).
    """

    kind: str = "numeric"
    categories: tuple | None = None
    allow_nan: bool = False
    allow_inf: bool = False
    float32: bool = False
    #: categorical only: whether a value outside ``categories`` is accepted (its code is then
    #: ``len(categories)``, the layer's "unknown" row) instead of refused
    allow_unknown: bool = False
    #: categorical only, LightGBM's rule for a column fitted as a pandas category: a
    #: DataFrame must give it as a category column (anything else is refused, as LightGBM
    #: refuses it), and an array gives the codes themselves (LightGBM reads them as they are)
    pandas_category: bool = False

    def shared_with(self, other: "ColumnSpec") -> "ColumnSpec":
        """What a column read by two layers may hold: what both accept. Two numeric readers
        allow NaN or ±inf only if both do, and a float32 reader's range binds both; otherwise
        the later reader's spec stands (as it did before readers were combined)."""
        if self.kind != "numeric" or other.kind != "numeric":
            return other
        return replace(self, allow_nan=self.allow_nan and other.allow_nan,
                       allow_inf=self.allow_inf and other.allow_inf,
                       float32=self.float32 or other.float32)
