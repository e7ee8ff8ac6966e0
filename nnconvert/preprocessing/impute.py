"""SimpleImputer as a layer: missing values replaced by the fitted statistics, columns that
were empty at fit time dropped, and ``add_indicator``'s missing-value flags appended.
MissingIndicator alone is the same layer with no column kept: the flags only.

The network reads NaN in these columns (the input schema lets it through); a missing value
that is a number (``missing_values=-1``) is matched exactly. Imputing strings (categorical
columns before an encoder) is refused: the network's input is numbers.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.impute import MissingIndicator, SimpleImputer

from ..errors import ConversionError
from ..fitted import Fitted
from ..layers import Layer, LayerDescription, as_buffer
from ..layers.columns import ColumnSpec
from ..options import Options
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
    refused : sequence of int, default ()
        Columns in which a missing value is an error (MissingIndicator's ``error_on_new``:
        columns that had none at fit time). Checked when the network runs in Python; an
        exported program, which cannot raise on data, flags only the ``flagged`` columns.
    title : str, default "imputation"
    """

    def __init__(self, fill, kept, flagged, n_in: int, missing: float, *, refused=(),
                 title: str = "imputation"):
        super().__init__()
        self.register_buffer("refused", torch.as_tensor(np.asarray(refused, dtype=np.int64)))
        self.title = title
        self.register_buffer("fill", as_buffer(fill))
        self.register_buffer("kept", torch.as_tensor(np.asarray(kept, dtype=np.int64)))
        self.register_buffer("flagged", torch.as_tensor(np.asarray(flagged, dtype=np.int64)))
        self.n_in = int(n_in)
        self.missing = float(missing)

    def _is_missing(self, x: torch.Tensor) -> torch.Tensor:
        return torch.isnan(x) if self.missing != self.missing else x == self.missing

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.refused.numel() and not torch.compiler.is_exporting():
            new = self._is_missing(x.index_select(1, self.refused)).any(dim=0)
            if bool(new.any()):
                raise ValueError(
                    f"The features {self.refused[new].tolist()} have missing values in "
                    "transform but have no missing values in fit (MissingIndicator("
                    "error_on_new=True)); refit with error_on_new=False to ignore them, or "
                    "with features='all' to flag every column.")
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
        n_flags = self.flagged.numel()
        flags = f"a 0/1 flag for each of {n_flags} columns: is {{x}}_j {what}"
        if not self.kept.numel():  # a missing indicator: flags only
            formula, activation = "{y} = " + flags, f"[= {what}]"
        else:
            formula = f"{{y}}_j = fill_j if {{x}}_j is {what} else {{x}}_j"
            formula += f"; then {flags}" if n_flags else ""
            activation = "fill"
        n_out = self.kept.numel() + n_flags
        return LayerDescription(
            title=self.title,
            n_in=self.n_in,
            n_out=n_out,
            activation=activation,
            activation_kind="identity",
            formula=formula,
            connectivity="elementwise" if n_out == self.n_in and not n_flags else "dense",
            parameters={"fill": self.fill.cpu().numpy()} if self.kept.numel() else {},
        )


@converts_transformer(SimpleImputer)
def _simple_imputer(imputer: SimpleImputer, options: Options) -> list:
    """Fill units that read NaN and put the fitted statistic in its place; ``add_indicator``
    appends the missing flags.

    Strategies mean, median, most_frequent and constant; columns empty at fit are dropped, as
    scikit-learn does.

    Refused: string data (fill categories with the encoders' own missing-value handling instead).
    """
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
    fitted = Fitted(imputer)
    n = fitted.n_features
    # NaN: a column empty at fit, which scikit-learn drops; infinity is never a fill
    statistics = fitted.array("statistics_", shape=(n,), finite=False, value=statistics)
    if np.isinf(statistics).any():
        raise fitted.error("statistics_", "holds infinite values")
    kept = np.flatnonzero(~np.isnan(statistics))
    flagged = (_flagged(Fitted(fitted.get("indicator_"), name="SimpleImputer.indicator_"), n)
               if imputer.add_indicator else [])
    return [ImputeMissing(statistics[kept], kept, flagged, n, float(missing))]


def _flagged(fitted: Fitted, n_features: int) -> np.ndarray:
    """``features_``: the indices of the columns a missing indicator flags."""
    return fitted.array("features_", ndim=1, dtype=np.int64, low=0, high=n_features - 1)


@converts_transformer(MissingIndicator)
def _missing_indicator(indicator: MissingIndicator, options: Options) -> list:
    # scikit-learn answers booleans; the network's flags are 0.0 and 1.0 in its own dtype
    # (equal to them under ==, and what a following layer reads)
    """Flag units: 1.0 where a value is missing, else 0.0 (scikit-learn answers booleans: equal value
    by value).

    ``features`` 'missing-only' or 'all'; NaN or a number as the missing value. ``error_on_new``
    raises scikit-learn's error, naming the columns, when run in Python.
    """
    missing = indicator.missing_values
    if not isinstance(missing, (int, float)):
        raise ConversionError(
            f"MissingIndicator(missing_values={missing!r}) flags strings or objects, which a "
            "network's numeric input cannot hold; use a numeric missing_values (NaN or a "
            "number).")
    n_in = Fitted(indicator).n_features
    flagged = _flagged(Fitted(indicator), n_in)
    refused = (np.setdiff1d(np.arange(n_in), flagged)
               if indicator.features == "missing-only" and indicator.error_on_new else [])
    return [ImputeMissing(np.zeros(0), [], flagged, n_in, float(missing), refused=refused,
                          title="missing indicator")]
