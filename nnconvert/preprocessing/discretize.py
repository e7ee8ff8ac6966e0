"""KBinsDiscretizer as step units: a feature's bin is how many of its inner edges it reaches.

scikit-learn's ``np.searchsorted(edges[1:-1], x, side="right")`` counts the inner edges
``e ≤ x``; that is a sum of step units ``[x ≥ e_k]``, exact, one per inner edge. With
``encode='onehot'`` or ``'onehot-dense'`` each bin becomes its own 0/1 unit, in the order of
the fitted one-hot encoder (every bin of feature 0, then of feature 1, ...).
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.preprocessing import KBinsDiscretizer

from ..fitted import Fitted
from ..layers import Layer, LayerDescription, as_buffer
from ..options import Options
from ..registry import converts_transformer

__all__ = ["BinCounts"]


class BinCounts(Layer):
    """``y_j = Σ_k [x_j ≥ e_jk]`` over feature ``j``'s inner bin edges ``e_jk``.

    Parameters
    ----------
    inner_edges : sequence of array-like
        Per feature, the edges between its bins (``bin_edges_[j][1:-1]``).
    one_hot : bool, default False
        Answer one 0/1 unit per bin instead of the bin's index.
    """

    def __init__(self, inner_edges, one_hot: bool = False):
        super().__init__()
        bins = [len(e) + 1 for e in inner_edges]
        self.one_hot = bool(one_hot)
        self.register_buffer("unit_feature", torch.as_tensor(np.repeat(np.arange(len(bins)),
                                                                       bins)))
        self.register_buffer("unit_bin", torch.as_tensor(
            np.concatenate([np.arange(b) for b in bins]).astype(np.float64)))
        width = max(1, max(len(e) for e in inner_edges))
        table = np.full((len(inner_edges), width), np.inf)  # +inf: an edge no x reaches
        for j, edges in enumerate(inner_edges):
            table[j, :len(edges)] = edges
        self.register_buffer("edges", as_buffer(table))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        codes = (x.unsqueeze(2) >= self.edges.to(x.dtype)).sum(dim=2).to(x.dtype)
        if not self.one_hot:
            return codes
        return (codes[:, self.unit_feature] == self.unit_bin.to(x.dtype)).to(x.dtype)

    def describe(self) -> LayerDescription:
        n_out = self.unit_bin.shape[0] if self.one_hot else self.edges.shape[0]
        formula = "{y}_j = Σ_k [{x}_j ≥ e_jk]   (e: the inner bin edges of feature j)"
        if self.one_hot:
            formula = "b_j = Σ_k [{x}_j ≥ e_jk];  {y}_(j,b) = [b_j = b]   (one unit per bin)"
        return LayerDescription(
            title="bins (step units)", n_in=self.edges.shape[0], n_out=n_out,
            activation="step", activation_kind="identity",
            connectivity="dense" if self.one_hot else "elementwise", formula=formula,
            parameters={"bins": [int(np.isfinite(row).sum()) + 1
                                 for row in self.edges.cpu().numpy()]})


@converts_transformer(KBinsDiscretizer)
def _bins(discretizer: KBinsDiscretizer, options: Options) -> list:
    """Step units counting the inner bin edges each value reaches: the bin index (ordinal), or its
    one-hot encoding.

    Strategies uniform, quantile and kmeans. Float64 networks only are exact: scikit-learn
    compares to the edges in float64.
    """
    fitted = Fitted(discretizer)
    edges = fitted.get("bin_edges_")
    n = fitted.n_features
    if len(edges) != n:
        raise fitted.error("bin_edges_", f"has {len(edges)} arrays, but one per each of the "
                                         f"{n} features was expected")
    inner = []
    for j, row in enumerate(edges):
        row = fitted.array(f"bin_edges_[{j}]", ndim=1, value=row)
        if len(row) < 2 or (np.diff(row) < 0).any():
            raise fitted.error(f"bin_edges_[{j}]", "is not a sorted array of at least two "
                                                   "edges")
        inner.append(row[1:-1])
    return [BinCounts(inner, one_hot=discretizer.encode != "ordinal")]
