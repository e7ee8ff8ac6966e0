"""Row and element rules as layers: Normalizer (each row divided by its norm) and
Binarizer (a step unit per feature)."""

from __future__ import annotations

import torch
from sklearn.preprocessing import Binarizer, Normalizer

from ..fitted import Fitted
from ..layers import BinarizeUnits, Layer, LayerDescription
from ..layers.sparse import is_sparse_csr, map_stored, row_sums
from ..options import Options
from ..registry import converts_transformer

__all__ = ["RowNormalizer"]

_NORMS = {"l1": "Σ_j |{x}_j|", "l2": "(Σ_j {x}_j²)^½", "max": "max_j |{x}_j|"}


class RowNormalizer(Layer):
    """``y = x / ‖x‖`` per row, in norm l1, l2 or max; a zero row stays zero, as in
    scikit-learn's ``normalize``. Sparse rows stay sparse (after a text vectorizer)."""

    keeps_sparse = True

    def __init__(self, n_features: int, norm: str):
        super().__init__()
        self.n_features, self.norm = int(n_features), norm

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if is_sparse_csr(x):
            return map_stored(x, lambda stored, columns, rows:
                              self._normalised_stored(stored, rows, x.shape[0]))
        if self.norm == "l1":
            size = x.abs().sum(dim=1, keepdim=True)
        elif self.norm == "l2":
            size = torch.sqrt((x * x).sum(dim=1, keepdim=True))  # as scikit-learn's row_norms
        else:
            size = x.abs().amax(dim=1, keepdim=True)
        return x / torch.where(size == 0, torch.ones_like(size), size)

    def _normalised_stored(self, stored, rows, n_rows: int) -> torch.Tensor:
        # scikit-learn's inplace_csr_row_normalize_l1/l2 and max_abs over the stored values
        if self.norm == "l1":
            size = row_sums(stored.abs(), rows, n_rows)
        elif self.norm == "l2":
            size = torch.sqrt(row_sums(stored * stored, rows, n_rows))
        else:
            size = torch.zeros(n_rows, dtype=stored.dtype, device=stored.device).scatter_reduce_(
                0, rows, stored.abs(), "amax", include_self=True)
        size = torch.where(size == 0, torch.ones_like(size), size)
        return stored / size[rows]

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title=f"{self.norm} normalisation", n_in=self.n_features, n_out=self.n_features,
            activation=f"÷ {self.norm} norm", activation_kind="identity",
            formula=f"{{y}} = {{x}} / {_NORMS[self.norm]}   (a zero row stays 0)",
            connectivity="elementwise")


@converts_transformer(Normalizer)
def _normalizer(normalizer: Normalizer, options: Options) -> list:
    """A row normalisation: each row divided by its l1, l2 or max norm.
    """
    fitted = Fitted(normalizer)
    return [RowNormalizer(fitted.n_features, fitted.choice("norm", ["l1", "l2", "max"]))]


@converts_transformer(Binarizer)
def _binarizer(binarizer: Binarizer, options: Options) -> list:
    """Step units: 1 where the value exceeds the threshold, else 0.
    """
    fitted = Fitted(binarizer)
    return [BinarizeUnits(fitted.n_features, fitted.number("threshold"))]
