"""SimpleImputer as a layer: missing values replaced by the fitted statistics, columns that
were empty at fit time dropped, and ``add_indicator``'s missing-value flags appended.

The network reads NaN in these columns (the input schema lets it through); a missing value
that is a number (``missing_values=-1``) is matched exactly. Imputing strings (categorical
columns before an encoder) is refused: the network's input is numbers.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.impute import SimpleImputer

from ..errors import ConversionError
from ..layers import Layer, LayerDescription, as_buffer
from ..layers.columns import ColumnSpec
from ..registry import converts_transformer

__all__ = ["ImputeMissing"]


class ImputeMissing(Layer):
    """``y_j = fill_j`` where ``x_j`` is missing, else ``x_j``, over the kept columns; then
    one 0/1 flag per indicated column.

    Parameters
    ----------
    fill : array-like of shape (n_kept,)
        The value each kept column's missing entries get (``statistics_``).
    kept : sequence of int
        The input columns kept (those whose statistic exists).
    flagged : sequence of int
        The input columns whose missingness is appended as 0/1 (``indicator_.features_``).
    n_in : int
    missing : float
        What counts as missing: NaN, or a number.
    """

    def __init__(self, fill, kept, flagged, n_in: int, missing: float):
        super().__init__()
        self.register_buffer("fill", as_buffer(fill))
        self.register_buffer("kept", torch.as_tensor(np.asarray(kept, dtype=np.int64)))
        self.register_buffer("flagged", torch.as_tensor(np.asarray(flagged, dtype=np.int64)))
        self.n_in = int(n_in)
        self.missing = float(missing)

    def _is_missing(self, x: torch.Tensor) -> torch.Tensor:
        return torch.isnan(x) if self.missing != self.missing else x == self.missing

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        kept = x.index_select(1, self.kept)
        out = torch.where(self._is_missing(kept), self.fill.to(x.dtype), kept)
        if self.flagged.numel() == 0:
            return out
        flags = self._is_missing(x.index_select(1, self.flagged)).to(x.dtype)
        return torch.cat([out, flags], dim=1)

    def input_columns(self) -> tuple:
        # NaN is what this layer replaces; where a number marks missing values, NaN is an
        # ordinary value to scikit-learn only if allowed there, so refuse it
        nan_missing = self.missing != self.missing
        return tuple(ColumnSpec(allow_nan=nan_missing) for _ in range(self.n_in))

    def describe(self) -> LayerDescription:
        what = "NaN" if self.missing != self.missing else f"{self.missing:g}"
        flags = (f"; then a 0/1 flag for each of {self.flagged.numel()} columns: is "
                 f"{{x}}_j missing" if self.flagged.numel() else "")
        n_out = self.kept.numel() + self.flagged.numel()
        return LayerDescription(
            title="imputation",
            n_in=self.n_in,
            n_out=n_out,
            activation="fill",
            activation_kind="identity",
            formula=f"{{y}}_j = fill_j if {{x}}_j is {what} else {{x}}_j{flags}",
            connectivity="elementwise" if n_out == self.n_in and not self.flagged.numel()
            else "dense",
            parameters={"fill": self.fill.cpu().numpy()},
        )


@converts_transformer(SimpleImputer)
def _simple_imputer(imputer: SimpleImputer, options: dict) -> list:
    missing = imputer.missing_values
    try:  # a constant fill keeps an object array of numbers
        statistics = np.asarray(imputer.statistics_).astype(np.float64)
    except (TypeError, ValueError):
        statistics = None
    if statistics is None or not isinstance(missing, (int, float)):
        raise ConversionError(
            f"SimpleImputer(missing_values={missing!r}) fitted on non-numeric data imputes "
            "strings or objects, which a network's numeric input cannot hold; impute "
            "categorical columns after encoding them, or use OrdinalEncoder/OneHotEncoder's "
            "own handling of missing values.")
    kept = np.flatnonzero(~np.isnan(statistics))  # scikit-learn drops columns empty at fit
    flagged = (imputer.indicator_.features_ if imputer.add_indicator else [])
    return [ImputeMissing(statistics[kept], kept, flagged, imputer.n_features_in_,
                          float(missing))]
