"""k-nearest neighbours as networks: distance units, a k-smallest selection and a vote.

A KNeighborsClassifier is a layer of distance units centred on the training rows (one per
row), a selection that keeps the k smallest, and a vote: each kept neighbour adds its weight
(1, or ``1/d`` with ``weights="distance"``) to its class, and ``predict_proba`` is the votes
divided by their sum (scikit-learn's order of operations). A KNeighborsRegressor averages the
kept neighbours' targets the same way. With ``weights="distance"`` a row at distance 0 from
some training rows takes the vote of those rows alone, as in scikit-learn.

**Ties.** Tied votes go to the first class (scikit-learn's argmax of the probabilities).
Neighbours at exactly equal distance are taken in the order of the training rows, lowest
index first. scikit-learn's own choice among neighbours at equal distance at the k-th place
depends on its search (kd-tree, ball tree or brute force, and the rounding of its distance
computation), so no network can promise it: ``verify`` counts a row whose k-th and
(k+1)-th neighbours are equally far as a near tie (:func:`_neighbour_jumps`), and says so.

**Speed.** Distances to every training row are computed by one matrix product per block of
query rows (``‖x‖² − 2x·c + ‖c‖²``, the fast form) to find a few more candidates than k;
their exact distances are then recomputed in the difference form, which decides the order.
Memory follows the block (about 64 MiB of distances), not the number of queries.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

from ..agreement import default_margin, score_scale
from ..errors import ConversionError, UnsupportedEstimatorError
from ..layers import Layer, LayerDescription, METRIC_FORMULAS, as_buffer, distances, metric_of
from ..network.heads import FrequencyHead, RegressionHead
from ..registry import Conversion, converts, margin_rule, score_jump_rule

__all__ = ["NeighbourVote"]

#: candidates fetched beyond k by the fast distances, re-ranked by the exact ones
_SPARE = 8
#: distances held per block of query rows
_BLOCK_ELEMENTS = 1 << 23


class NeighbourVote(Layer):
    """Distance units on the training rows, the k smallest kept, and their weighted vote.

    Parameters
    ----------
    points : array-like of shape (n_train, n_features)
        The training rows (``_fit_X``).
    targets : array-like of shape (n_train, n_outputs)
        What each neighbour contributes: one-hot class indicators (a classifier) or its
        targets (a regressor).
    k : int
    weights : {"uniform", "distance"}
    metric : str
        A key of :data:`~nnconvert.layers.METRIC_FORMULAS`.
    p : float
        Minkowski's exponent.
    normalise : bool
        Divide the votes by their sum (probabilities, a weighted mean) — always, in
        scikit-learn; kept as a name for what explain() says.
    """

    def __init__(self, points, targets, k: int, weights: str, metric: str, p: float,
                 *, classifier: bool):
        super().__init__()
        self.register_buffer("points", as_buffer(points))
        self.register_buffer("targets", as_buffer(targets))
        self.k, self.weights, self.metric, self.p = int(k), weights, metric, float(p)
        self.classifier = classifier
        # the fast form: squared norms of the training rows (or unit rows, for cosine)
        fast = self.points
        if metric == "cosine":
            norm = torch.linalg.vector_norm(fast, dim=1, keepdim=True)
            fast = fast / torch.where(norm == 0, torch.ones_like(norm), norm)
        self.register_buffer("fast_points", fast.clone())
        self.register_buffer("fast_norms", (fast * fast).sum(dim=1))

    def _candidates(self, x: torch.Tensor) -> torch.Tensor:
        """Indices of the k + spare training rows nearest by the fast form, lowest first."""
        n_train = self.points.shape[0]
        take = min(n_train, self.k + _SPARE)
        points = self.fast_points.to(x.dtype)
        if self.metric in ("euclidean", "sqeuclidean", "cosine"):
            q = x
            if self.metric == "cosine":
                norm = torch.linalg.vector_norm(x, dim=1, keepdim=True)
                q = x / torch.where(norm == 0, torch.ones_like(norm), norm)
            # ‖x − c‖² up to the row's own ‖x‖², which does not change the order
            rough = torch.addmm(self.fast_norms.to(x.dtype), q, points.T, alpha=-2.0)
        else:
            rough = torch.cdist(x, points, p=self.p if self.metric == "minkowski"
                                else {"manhattan": 1.0, "chebyshev": float("inf")}[self.metric])
        return torch.topk(rough, take, dim=1, largest=False, sorted=False).indices

    def _block(self, x: torch.Tensor) -> torch.Tensor:
        candidates = torch.sort(self._candidates(x), dim=1).values  # by index: ties go low
        exact = distances(x, self.points.to(x.dtype)[candidates], self.metric, self.p)
        order = torch.sort(exact, dim=1, stable=True).indices[:, :self.k]
        near = torch.gather(candidates, 1, order)
        d = torch.gather(exact, 1, order)
        if self.weights == "uniform":
            w = torch.ones_like(d)
        else:  # 1/d; a row at distance 0 from some neighbours takes their vote alone
            zero = d == 0
            w = torch.where(zero.any(dim=1, keepdim=True), zero.to(d.dtype), 1.0 / d)
        targets = self.targets.to(x.dtype)[near]  # (rows, k, outputs)
        votes = (w.unsqueeze(2) * targets).sum(dim=1)
        return votes / w.sum(dim=1, keepdim=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rows = max(1, _BLOCK_ELEMENTS // self.points.shape[0])
        if torch.compiler.is_exporting() or x.shape[0] <= rows:
            return self._block(x)
        return torch.cat([self._block(b) for b in torch.split(x, rows)], dim=0)

    def describe(self) -> LayerDescription:
        formula = METRIC_FORMULAS[self.metric]
        if self.metric == "minkowski":
            formula += f", p = {self.p:g}"
        weight = "1" if self.weights == "uniform" else "1/d_i (only the rows at d = 0, if any)"
        read = "class indicator" if self.classifier else "target"
        return LayerDescription(
            title=f"{self.k} nearest of {self.points.shape[0]} training rows",
            n_in=self.points.shape[1],
            n_out=self.targets.shape[1],
            activation=f"{self.k} smallest, vote",
            activation_kind="select",
            formula=(f"d_i = {formula.replace('c', 'c_i')}   (a distance unit per training "
                     f"row c_i)\n"
                     f"N = the {self.k} smallest d_i (equal distances: lowest training row "
                     f"first)\n"
                     f"{{y}} = Σ_(i∈N) w_i t_i / Σ_(i∈N) w_i,   w_i = {weight}, t_i = the "
                     f"row's {read}"),
            parameters={"training rows": self.points.cpu().numpy()},
        )


def _vote_layer(estimator, targets, classifier: bool) -> NeighbourVote:
    name = type(estimator).__name__
    if estimator.weights not in ("uniform", "distance"):
        raise ConversionError(
            f"{name}(weights={estimator.weights!r}): a weight function is Python code, not a "
            "network; use weights='uniform' or 'distance'.")
    if estimator.metric == "precomputed":
        raise ConversionError(
            f"{name}(metric='precomputed') reads distances, not features: there are no "
            "training rows to centre distance units on. Fit it on the features instead.")
    try:
        metric, p = metric_of(estimator.effective_metric_,
                              estimator.effective_metric_params_.get("p", estimator.p),
                              {k: v for k, v in estimator.effective_metric_params_.items()
                               if k != "p"})
    except ValueError as e:
        raise ConversionError(f"{name}: {e}") from None
    X = estimator._fit_X
    if hasattr(X, "toarray"):
        X = X.toarray()
    return NeighbourVote(X, targets, estimator.n_neighbors, estimator.weights, metric, p,
                         classifier=classifier)


@converts(KNeighborsClassifier)
def _knn_classifier(estimator, options):
    if estimator.outputs_2d_:
        raise UnsupportedEstimatorError(
            "KNeighborsClassifier fitted on several targets (a 2-D y) is not supported: "
            "nnconvert converts single-label classifiers. Fit one per target.")
    n_classes = len(estimator.classes_)
    indicators = np.eye(n_classes)[np.asarray(estimator._y).reshape(-1)]
    layer = _vote_layer(estimator, indicators, classifier=True)
    return Conversion(layers=[layer], head=FrequencyHead(
        n_classes, "a k-smallest selection has no gradient"))


@converts(KNeighborsRegressor)
def _knn_regressor(estimator, options):
    y = np.asarray(estimator._y, dtype=np.float64)
    single = y.ndim == 1
    layer = _vote_layer(estimator, y.reshape(len(y), -1), classifier=False)
    return Conversion(layers=[layer], head=RegressionHead(layer.targets.shape[1], single=single))


def _boundary_ties(estimator, X, rtol: float) -> np.ndarray:
    """Rows whose k-th and (k+1)-th neighbours are equally far, to rounding (and, with
    distance weights, rows at rounding distance from a training row)."""
    k = estimator.n_neighbors
    n_train = estimator.n_samples_fit_
    X = np.asarray(X, dtype=np.float64) if not hasattr(X, "toarray") else X
    d, _ = estimator.kneighbors(X, n_neighbors=min(k + 1, n_train))
    # scikit-learn's brute-force distances come from ‖x‖² − 2x·c + ‖c‖²: their rounding
    # is relative to the norms, not to the distance
    tol = max(rtol, 1e-7) * max(score_scale(d), 1.0)
    ties = np.zeros(d.shape[0], dtype=bool)
    if d.shape[1] > k:
        ties |= d[:, k] - d[:, k - 1] <= tol
    if estimator.weights == "distance":
        ties |= d[:, 0] <= tol
    return ties


@score_jump_rule.register(KNeighborsClassifier)
@score_jump_rule.register(KNeighborsRegressor)
def _neighbour_jumps(estimator, X, reference: dict, rtol: float) -> dict:
    """Which neighbours are kept jumps where two of them are equally far at the k-th place:
    the probabilities (a regressor's prediction) of those rows are near ties."""
    ties = _boundary_ties(estimator, X, rtol)
    method = "predict_proba" if isinstance(estimator, KNeighborsClassifier) else "predict"
    return {method: ties}


@margin_rule.register(KNeighborsClassifier)
def _neighbour_margin(estimator, X, reference: dict) -> np.ndarray:
    """The vote's margin, and none at all where the neighbours kept are a tie."""
    margin = default_margin(reference)
    return np.where(_boundary_ties(estimator, X, 1e-9), 0.0, margin)
