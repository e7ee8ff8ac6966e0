"""PolynomialFeatures as product units: each output is a product of input columns.

``powers_[j, i]`` is how often input ``i`` enters output ``j``; an output is the product of
its factors (1 for the bias column), computed by one gather and one product over a padded
table of factor indices.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.preprocessing import PolynomialFeatures

from ..fitted import Fitted
from ..layers import Layer, LayerDescription
from ..options import Options
from ..registry import converts_transformer

__all__ = ["ProductUnits"]


class ProductUnits(Layer):
    """``y_j = Π_k x[factors_jk]``, where the index ``n_in`` stands for the constant 1.

    Parameters
    ----------
    powers : array-like of int, shape (n_out, n_in)
        Each output's exponent of each input (``PolynomialFeatures.powers_``).
    unit_names : sequence of str, optional
    """

    def __init__(self, powers, unit_names=None):
        super().__init__()
        powers = np.asarray(powers, dtype=np.int64)
        n_out, n_in = powers.shape
        degree = max(1, int(powers.sum(axis=1).max()))
        factors = np.full((n_out, degree), n_in, dtype=np.int64)  # n_in: the constant 1
        for j, row in enumerate(powers):
            chosen = np.repeat(np.arange(n_in), row)
            factors[j, :len(chosen)] = chosen
        self.register_buffer("factors", torch.as_tensor(factors))
        self.n_in = n_in
        self.unit_names = None if unit_names is None else tuple(unit_names)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        padded = torch.cat([x, torch.ones_like(x[:, :1])], dim=1)
        return padded[:, self.factors].prod(dim=2)

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title=f"product units (degree ≤ {self.factors.shape[1]})",
            n_in=self.n_in,
            n_out=self.factors.shape[0],
            activation="product",
            activation_kind="identity",
            formula="{y}_j = Π_i {x}_i^(p_ji)   (p = powers_; p = 0 everywhere: the bias 1)",
            unit_names=self.unit_names,
        )


@converts_transformer(PolynomialFeatures)
def _polynomial(poly: PolynomialFeatures, options: Options) -> list:
    """Product units: each output is a product of input columns.

    Degree ranges, ``interaction_only``, ``include_bias``.
    """
    fitted = Fitted(poly)
    powers = fitted.array("powers_", shape=(None, fitted.n_features), dtype=np.int64, low=0)
    return [ProductUnits(powers, [str(n) for n in poly.get_feature_names_out()])]
