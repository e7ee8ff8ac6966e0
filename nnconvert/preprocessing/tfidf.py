"""tf-idf weighting as layers: ``TfidfTransformer``, and the weighting inside ``TfidfVectorizer``.

scikit-learn's ``TfidfTransformer.transform`` is three maps of the count matrix, each a layer
here, in its order:

1. ``sublinear_tf``: each stored count ``tf`` becomes ``1 + log(tf)`` (zeros stay zero: they
   are not stored): :class:`SublinearTf`, log units;
2. ``use_idf``: column ``j`` times ``idf_[j]``: :class:`IdfWeights`, a diagonal layer;
3. ``norm``: each row divided by its l2 or l1 norm (a zero row stays zero):
   :class:`~nnconvert.preprocessing.elementwise.RowNormalizer`.

All three keep sparse rows sparse, so a vectorised corpus reaches the classifier's first
linear layer without being densified. Tokenising is not a network: the vectorizer that
makes the counts runs outside it (see :mod:`nnconvert.compose.text`).
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.feature_extraction.text import TfidfTransformer

from ..fitted import Fitted
from ..layers import Layer, LayerDescription, as_buffer
from ..layers.sparse import is_sparse_csr, map_stored
from ..options import Options
from ..registry import converts_transformer
from .elementwise import RowNormalizer

__all__ = ["SublinearTf", "IdfWeights", "tfidf_layers", "weighting_layers"]


class SublinearTf(Layer):
    """``y = 1 + log(x)`` where ``x ≠ 0``, else 0: scikit-learn's ``sublinear_tf``.

    scikit-learn takes the log of the stored entries of the count matrix only; a dense row's
    zeros are the entries a sparse one does not store, so they stay zero here too.
    """

    keeps_sparse = True

    def __init__(self, n_features: int):
        super().__init__()
        self.n_features = int(n_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if is_sparse_csr(x):
            return map_stored(x, lambda stored, columns, rows: torch.log(stored) + 1.0)
        # log(0) is -inf where x is 0; where() discards it (no NaN: -inf + 1 is -inf)
        return torch.where(x != 0, torch.log(x) + 1.0, torch.zeros_like(x))

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title="sublinear tf (log units)", n_in=self.n_features, n_out=self.n_features,
            activation="1 + log", activation_kind="log",
            formula="{y}_j = 1 + log({x}_j) where {x}_j ≠ 0, else 0", connectivity="elementwise")


class IdfWeights(Layer):
    """``y_j = idf_j · x_j``: the inverse document frequencies as a diagonal layer."""

    keeps_sparse = True

    def __init__(self, idf):
        super().__init__()
        self.register_buffer("idf", as_buffer(idf).reshape(-1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if is_sparse_csr(x):
            return map_stored(x, lambda stored, columns, rows: stored * self.idf[columns])
        return x * self.idf

    def describe(self) -> LayerDescription:
        n = self.idf.shape[0]
        return LayerDescription(
            title="idf weights", n_in=n, n_out=n, activation="affine", activation_kind="affine",
            formula="{y}_j = idf_j · {x}_j   (idf_j = 1 + log((1 + n) / (1 + df_j)) when "
                    "smoothed)", connectivity="elementwise")


def tfidf_layers(n_features: int, *, sublinear_tf: bool, idf, norm: str | None) -> list:
    """The layers of a tf-idf weighting, in scikit-learn's order.

    Parameters
    ----------
    n_features : int
        Columns of the count matrix (the vocabulary's size).
    sublinear_tf : bool
    idf : array-like of shape (n_features,) or None
        ``idf_`` where ``use_idf`` is true, else None.
    norm : {"l1", "l2"} or None
    """
    layers: list = []
    if sublinear_tf:
        layers.append(SublinearTf(n_features))
    if idf is not None:
        layers.append(IdfWeights(np.asarray(idf, dtype=np.float64)))
    if norm is not None:
        layers.append(RowNormalizer(n_features, norm))
    return layers


def weighting_layers(weighting, n_features: int) -> list:
    """The layers of a fitted ``TfidfTransformer``'s or ``TfidfVectorizer``'s weighting of
    ``n_features`` count columns, its ``idf_`` and options read through
    :class:`~nnconvert.fitted.Fitted` (one finite weight per column)."""
    fitted = Fitted(weighting)
    idf = (fitted.array("idf_", shape=(n_features,)) if fitted.get("use_idf") else None)
    return tfidf_layers(n_features, sublinear_tf=bool(fitted.get("sublinear_tf")), idf=idf,
                        norm=fitted.choice("norm", ["l1", "l2", None]))


@converts_transformer(TfidfTransformer)
def _tfidf_transformer(tfidf: TfidfTransformer, options: Options) -> list:
    """``1 + log(tf)`` units on the non-zero counts (``sublinear_tf``), the idf as a diagonal layer,
    then the row normalisation: all three keep sparse rows sparse.

    ``norm`` l1, l2 or None; ``use_idf``; ``smooth_idf``.
    """
    return weighting_layers(tfidf, Fitted(tfidf).n_features)
