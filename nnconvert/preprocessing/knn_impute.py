"""KNNImputer as a layer: distance units to the training rows, a k-smallest selection per
column among the rows that have it, and a (weighted) mean of their values.

For a row with missing values, scikit-learn measures the ``nan_euclidean`` distance to every
training row, ``√(F / present · Σ_present (x_j − y_j)²)`` over the coordinates both rows
have, computed as it computes it (the expansion ``x·x + y·y − 2 x·y`` with the missing
coordinates' squares taken back out), so the distances round as scikit-learn's do. For each
missing column it keeps the ``n_neighbors`` nearest training rows that have that column
(``uniform``: their mean; ``distance``: weighted by ``1/d``, a zero distance taking all the
weight) and the column's training mean where no distance exists. Columns empty at fit time
are dropped (or zeros with ``keep_empty_features``); ``add_indicator`` appends 0/1 flags.

The neighbours are chosen in float64 whatever the network's dtype (a float32 network casts
the imputed values). Ties: at an exact tie of the ``n_neighbors``-th distance scikit-learn's ``argpartition`` keeps
an arbitrary one of the tied rows; the network keeps the lowest training index. Only
``missing_values=np.nan`` and ``metric='nan_euclidean'`` are converted.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.impute import KNNImputer

from ..errors import UnsupportedEstimatorError
from ..fitted import Fitted
from ..layers import Layer, LayerDescription, as_buffer
from ..layers.columns import ColumnSpec
from ..options import Options
from ..registry import converts_transformer

__all__ = ["NearestImpute"]


class NearestImpute(Layer):
    """KNNImputer's ``transform`` (see the module docstring).

    Parameters
    ----------
    fit_X : array-like of shape (m, F)
        The training rows (NaN where missing).
    n_neighbors : int
    weights : {"uniform", "distance"}
    kept : sequence of int
        The output columns (the valid ones, or all with ``keep_empty_features``).
    empty : sequence of int
        Columns empty at fit time: zeros in the output where kept.
    flagged : sequence of int
        Columns whose missingness is appended as 0/1.
    """

    def __init__(self, fit_X, n_neighbors: int, weights: str, kept, empty, flagged):
        super().__init__()
        fit_X = np.array(fit_X, dtype=np.float64, copy=True)
        missing = np.isnan(fit_X)
        self.register_buffer("fit_zeroed", as_buffer(np.where(missing, 0.0, fit_X)))
        self.register_buffer("fit_missing", as_buffer(missing))
        self.register_buffer("fit_norms", as_buffer(np.einsum("ij,ij->i", *[np.where(
            missing, 0.0, fit_X)] * 2)))
        self.n_neighbors, self.weights = int(n_neighbors), weights
        self.kept, self.empty, self.flagged = list(kept), set(empty), list(flagged)
        # each column's training mean (where no distance exists), in scikit-learn's masked mean
        self.means = [float(np.ma.array(fit_X[:, c], mask=missing[:, c]).mean())
                      if c not in self.empty else 0.0 for c in range(fit_X.shape[1])]

    @property
    def n_in(self) -> int:
        return self.fit_zeroed.shape[1]

    def distances(self, x: torch.Tensor) -> torch.Tensor:
        """scikit-learn's ``nan_euclidean_distances(x, fit_X)``, in its order of operations."""
        missing = torch.isnan(x)
        zeroed = torch.where(missing, 0.0, x)
        Y = self.fit_zeroed.to(x.dtype)
        squared = -2 * (zeroed @ Y.T)
        squared = squared + (zeroed * zeroed).sum(dim=1, keepdim=True)
        squared = squared + self.fit_norms.to(x.dtype)
        squared = squared.clamp(min=0)
        fit_missing = self.fit_missing.to(x.dtype)
        squared = squared - (zeroed * zeroed) @ fit_missing.T
        squared = squared - missing.to(x.dtype) @ (Y * Y).T
        squared = squared.clamp(min=0)
        present = (~missing).to(x.dtype) @ (1 - fit_missing).T
        squared = torch.where(present == 0, float("nan"), squared)
        squared = squared / present.clamp(min=1) * self.n_in
        return torch.sqrt(squared)

    def _impute(self, distance: torch.Tensor, c: int, x: torch.Tensor) -> torch.Tensor:
        donors = torch.nonzero(self.fit_missing[:, c] == 0).reshape(-1)
        d = distance.index_select(1, donors)
        k = min(self.n_neighbors, donors.numel())
        # NaN distances last, then by distance, the lower training index first
        order = torch.argsort(torch.where(torch.isnan(d), float("inf"), d), dim=1,
                              stable=True)[:, :k]
        nearest = d.gather(1, order)
        values = self.fit_zeroed[:, c].to(x.dtype)[donors][order]
        if self.weights == "uniform":
            w = torch.where(torch.isnan(nearest), 0.0, torch.ones_like(nearest))
        else:
            inverse = 1.0 / nearest
            exact = torch.isinf(inverse)
            w = torch.where(exact.any(dim=1, keepdim=True), exact.to(x.dtype), inverse)
            w = torch.where(torch.isnan(w), 0.0, w)
        value = (values * w).sum(dim=1) / w.sum(dim=1)
        no_distance = torch.isnan(d).all(dim=1)
        return torch.where(no_distance, torch.full_like(value, self.means[c]), value)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # which neighbours a row has is a discrete choice, and the expansion form of the
        # distances cancels digits: choose them in float64 whatever the network's dtype
        dtype, x = x.dtype, x.to(torch.float64)
        missing = torch.isnan(x)
        distance = self.distances(x)
        columns = []
        for c in self.kept:
            if c in self.empty:
                columns.append(torch.zeros_like(x[:, c]))
                continue
            imputed = self._impute(distance, c, x)
            columns.append(torch.where(missing[:, c], imputed, x[:, c]))
        columns += [missing[:, c].to(x.dtype) for c in self.flagged]
        return torch.stack(columns, dim=1).to(dtype)

    def input_columns(self) -> tuple:
        return (ColumnSpec(allow_nan=True),) * self.n_in

    def describe(self) -> LayerDescription:
        weights = "mean" if self.weights == "uniform" else "1/d-weighted mean"
        return LayerDescription(
            title=f"k-NN imputation (k = {self.n_neighbors})", n_in=self.n_in,
            n_out=len(self.kept) + len(self.flagged), activation="weighted-vote",
            activation_kind="weighted-vote",
            formula=(f"{{y}}_j = {{x}}_j, or where it is missing the {weights} of column j "
                     "over the k training rows nearest in nan_euclidean distance that have it"),
            parameters={"n_neighbors": self.n_neighbors, "training rows":
                        self.fit_zeroed.shape[0]})


@converts_transformer(KNNImputer)
def _knn_imputer(imputer: KNNImputer, options: Options) -> list:
    """Distance units to the training rows (``nan_euclidean``, in scikit-learn's expansion
    form), the ``n_neighbors`` nearest that have each missing column, their mean (``uniform``)
    or ``1/d``-weighted mean (``distance``); the column's mean where no distance exists.

    At an exact tie of the k-th distance the lower training index is kept (scikit-learn's
    ``argpartition`` keeps an arbitrary one). Neighbours are chosen in float64 whatever the
    network's dtype.

    Refused: ``missing_values`` other than NaN, metrics other than ``nan_euclidean``, and
    callable weights.
    """
    fitted = Fitted(imputer)
    n = fitted.n_features
    missing_values = imputer.missing_values
    if not (isinstance(missing_values, float) and np.isnan(missing_values)):
        raise UnsupportedEstimatorError(
            f"KNNImputer(missing_values={missing_values!r}) is not supported: only NaN marks "
            "a missing value in the network's input; replace the marker with np.nan first.")
    if imputer.metric != "nan_euclidean":
        raise UnsupportedEstimatorError(
            f"KNNImputer(metric={imputer.metric!r}) is not supported: only 'nan_euclidean'.")
    if imputer.weights not in ("uniform", "distance"):
        raise UnsupportedEstimatorError(
            f"KNNImputer(weights={imputer.weights!r}) is not supported: a Python function is "
            "not a layer nnconvert can read; use 'uniform' or 'distance'.")
    fit_X = fitted.array("_fit_X", shape=(None, n), finite=False)
    if np.isinf(fit_X).any():
        raise fitted.error("_fit_X", "holds infinite values")
    k = fitted.integer("n_neighbors", low=1, value=imputer.n_neighbors)
    valid = fitted.array("_valid_mask", shape=(n,), dtype=bool)
    empty = np.flatnonzero(~valid)
    kept = range(n) if imputer.keep_empty_features else np.flatnonzero(valid)
    indicator = getattr(imputer, "indicator_", None)
    flagged = [] if indicator is None else list(
        Fitted(indicator, "KNNImputer.indicator_").array("features_", ndim=1, dtype=np.int64,
                                                         low=0, high=n - 1))
    return [NearestImpute(fit_X, k, imputer.weights, kept, empty, flagged)]
