"""Category codes as a boosting library reads them, in front of a traversal layer.

The traversal layer truncates a non-negative code toward zero and sends a negative one to
the missing-value side; where a library reads negative values otherwise (LightGBM: a value
in (-1, 0) is category 0; XGBoost: every negative value is an invalid category, sent where
a category outside the split's set goes), this layer rewrites them first.
"""

from __future__ import annotations

import numpy as np
import torch

from ...layers import Layer, LayerDescription
from ...layers.columns import ColumnSpec

#: the codes a split's set may hold: the traversal's rows cover codes 0-255, and code 255
#: also receives every larger value (and, for XGBoost, every invalid one), so no set holds it
MAX_CODE = 254


def categorical_columns(trees: list[dict], n_features: int) -> np.ndarray:
    """Which columns a categorical split of ``trees`` (TreeTraversal's dicts) reads."""
    categorical = np.zeros(n_features, dtype=bool)
    for t in trees:
        if "categorical" in t:
            categorical[np.asarray(t["feature"])[np.asarray(t["categorical"], bool)]] = True
    return categorical


class CategoryCodes(Layer):
    """Categorical columns' values in ``(low, high)`` become ``code``; the rest pass as they
    are, NaN included.

    Parameters
    ----------
    categorical : array-like of bool, shape (n_features,)
        Which columns a categorical split reads.
    library : str
        Whose rule this is, for ``explain()``.
    low : float
        The open lower end of the values rewritten (``-inf``: every negative value).
    code : float
        What they become.
    high : float, default 0.0
        The open upper end (XGBoost: the largest value whose float32 is still negative).
    categories : dict or None
        Columns whose values are category labels (a DataFrame's category columns) -> their
        categories: the input schema writes each value's position in that list, and an
        unknown or missing value one past the end (in no split's set).
    allow_inf : bool, default False
        Whether the columns take ±inf (XGBoost and LightGBM predict on it). With
        ``low=-inf``, -inf itself is rewritten too (XGBoost: an invalid category).
    """

    def __init__(self, categorical, library: str, *, low: float, code: float,
                 high: float = 0.0, categories: dict | None = None, allow_inf: bool = False):
        super().__init__()
        self.n = len(categorical)
        self.library = library
        self.low = float(low)
        self.code = float(code)
        self.high = float(high)
        self.allow_inf = bool(allow_inf)
        self.categories = {int(j): tuple(c) for j, c in (categories or {}).items()}
        self.register_buffer("categorical", torch.as_tensor(np.asarray(categorical, bool)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # low = -inf takes -inf itself: every negative value, however large
        above = x >= self.low if self.low == float("-inf") else x > self.low
        rewrite = self.categorical & above & (x < self.high)
        return torch.where(rewrite, torch.full_like(x, self.code), x)

    def input_columns(self) -> tuple:
        # LightGBM's DataFrame category columns: category dtype only, or an array of codes
        return tuple(ColumnSpec(kind="categorical", categories=self.categories[j],
                                allow_nan=True, allow_unknown=True,
                                pandas_category=self.library == "LightGBM")
                     if j in self.categories else
                     ColumnSpec(allow_nan=True, allow_inf=self.allow_inf)
                     for j in range(self.n))

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title=f"category codes as {self.library} reads them", n_in=self.n, n_out=self.n,
            activation="none", activation_kind="identity", connectivity="elementwise",
            formula=(f"{{y}} = {self.code:g} where a categorical {{x}} lies in "
                     f"{'[' if self.low == float('-inf') else '('}{self.low:g}, "
                     f"{min(self.high, 0.0):g}), else {{x}}   (NaN allowed)"))
