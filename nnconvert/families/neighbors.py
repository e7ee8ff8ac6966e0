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

import warnings

import numpy as np
import torch
from sklearn.neighbors import (
    KNeighborsClassifier,
    KNeighborsRegressor,
    RadiusNeighborsClassifier,
    RadiusNeighborsRegressor,
)

from ..agreement import default_margin, score_scale
from ..errors import ConversionError
from ..fitted import Fitted
from ..layers import METRIC_FORMULAS, Layer, LayerDescription, as_buffer, distances
from ..layers import nearest_kernel
from ..layers.rows import in_row_blocks
from ..network.heads import FrequencyHead, RegressionHead
from ..registry import Conversion, converts, margin_rule, score_jump_rule
from .neighbour_metrics import neighbour_metric

__all__ = ["NeighbourVote", "RadiusVote", "RadiusHead"]

#: candidates fetched beyond k by the fast distances, re-ranked by the exact ones
_SPARE = 8
#: distances held per block of query rows
_BLOCK_ELEMENTS = 1 << 23
#: candidates' features held per block of query rows in the exact re-rank (8 MiB)
_RERANK_ELEMENTS = 1 << 20
#: torch.cdist's p for the metrics it computes from differences
_CDIST_P = {"manhattan": 1.0, "chebyshev": float("inf")}


def _version(tensor: torch.Tensor):
    """A tensor's version counter; inference tensors keep none (nor change outside it)."""
    return None if tensor.is_inference() else tensor._version


def _cast(parameter: torch.Tensor | None, dtype: torch.dtype) -> torch.Tensor | None:
    return None if parameter is None else parameter.to(dtype)


def _unit(x: torch.Tensor) -> torch.Tensor:
    """Rows scaled to unit length; a zero row stays zero (scikit-learn's normalize)."""
    norm = torch.linalg.vector_norm(x, dim=1, keepdim=True)
    return x / torch.where(norm == 0, torch.ones_like(norm), norm)


def _weights(d: torch.Tensor, weights: str, kept: torch.Tensor | None = None) -> torch.Tensor:
    """scikit-learn's neighbour weights: 1, or ``1/d`` where a row at distance 0 from some
    neighbours gives those the whole vote (weight 1) and the others none. ``kept`` masks the
    neighbours that count (a radius); the others weigh 0."""
    if weights == "uniform":
        w = torch.ones_like(d)
    else:
        zero = d == 0 if kept is None else (d == 0) & kept
        w = torch.where(zero.any(dim=1, keepdim=True), zero.to(d.dtype), 1.0 / d)
    return w if kept is None else torch.where(kept, w, torch.zeros_like(w))


def _described(layer, title: str, selection: str, chosen: str, empty: str = ""
               ) -> LayerDescription:
    """A neighbours' layer as one equation, drawn as its three steps: distance units (one
    per training row), the selection, and the vote."""
    formula = METRIC_FORMULAS[layer.metric]
    if layer.metric in ("minkowski", "wminkowski"):
        formula += f", p = {layer.p:g}"
    weight = "1" if layer.weights == "uniform" else "1/d_i (only the rows at d = 0, if any)"
    read = "class indicator" if layer.classifier else "target"
    n_train, n_in = layer.points.shape
    n_out = layer.targets.shape[1]
    steps = (
        LayerDescription(title="distance units", n_in=n_in, n_out=n_train,
                         activation="distance", activation_kind="distance",
                         formula=f"{{y}}_i = {formula}"),
        LayerDescription(title=selection, n_in=n_train, n_out=n_train, activation=selection,
                         activation_kind="select", connectivity="elementwise",
                         formula=f"{{y}}_i = {{x}}_i if i is among {chosen}, else dropped"),
        LayerDescription(title="vote", n_in=n_train, n_out=n_out, activation="vote",
                         activation_kind="weighted-vote",
                         formula=f"{{y}} = Σ_i w_i t_i / Σ_i w_i,   w_i = {weight}"),
    )
    return LayerDescription(
        title=title,
        n_in=n_in,
        n_out=n_out,
        activation=f"{selection}, vote",
        activation_kind="select",
        formula=(f"d_i = {formula.replace('c', 'c_i')}   (a distance unit per training row "
                 f"c_i)\n"
                 f"N = {chosen}\n"
                 f"{{y}} = Σ_(i∈N) w_i t_i / Σ_(i∈N) w_i,   w_i = {weight}, t_i = the row's "
                 f"{read}{empty}"),
        connectivity="branches",
        parameters={"training rows": layer.points.cpu().numpy()},
        branches=(steps,),
    )


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
    classifier : bool
        Whether the targets are class indicators (for what explain() says).
    parameter : array-like, optional
        The metric's own parameter: V of "seuclidean", VI of "mahalanobis", w of
        "wminkowski".
    """

    def __init__(self, points, targets, k: int, weights: str, metric: str, p: float,
                 *, classifier: bool, parameter=None):
        super().__init__()
        self.register_buffer("points", as_buffer(points))
        self.register_buffer("targets", as_buffer(targets))
        self.k, self.weights, self.metric, self.p = int(k), weights, metric, float(p)
        self.classifier = classifier
        self.register_buffer("parameter", None if parameter is None else as_buffer(parameter))
        # the fast form ‖x‖² + ‖c‖² − 2x·c (of unit rows, for cosine)
        fast = self.points
        if metric == "cosine":
            fast = _unit(fast)
        self.register_buffer("fast_points", fast.clone())
        self.register_buffer("fast_norms", (fast * fast).sum(dim=1))
        #: whether the float32 candidates come from the compiled search where it runs
        #: (False: torch's topk everywhere, as after an install without a compiler)
        self.compiled = True

    @property
    def _gemm_form(self) -> bool:
        return self.metric in ("euclidean", "sqeuclidean", "cosine")

    @property
    def _cdist_form(self) -> bool:
        """Whether torch's cdist computes the metric (else every distance is exact)."""
        return self.metric in ("manhattan", "chebyshev", "minkowski")

    def _fast_in(self, dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
        """The fast form's points and norms in ``dtype``. A float32 copy is cached beside the
        buffers rather than kept as one (``net.to(torch.float64)`` would cast it back); it
        is made again when the buffers move or change."""
        if torch.compiler.is_exporting():  # a traced tensor has no data to cache
            return self.fast_points.to(dtype), self.fast_norms.to(dtype)
        return self._cached(dtype, lambda: (self.fast_points.to(dtype),
                                            self.fast_norms.to(dtype)))

    def _cached(self, what, make):
        """``make()``, kept until the fast form's buffers move or change."""
        key = (self.fast_points.device, self.fast_points.data_ptr(),
               _version(self.fast_points), self.fast_norms.data_ptr(),
               _version(self.fast_norms))
        cache = getattr(self, "_fast_cache", None)
        if cache is None or cache[0] != key:
            cache = (key, {})
            self._fast_cache = cache
        if what not in cache[1]:
            cache[1][what] = make()
        return cache[1][what]

    def _rough(self, x: torch.Tensor, dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
        """Fast squared distances to every training row (a matrix product, in ``dtype``) and
        a bound on their rounding error, per row."""
        q = _unit(x) if self.metric == "cosine" else x
        q = q.to(dtype)
        points, norms = self._fast_in(dtype)
        q_norms = (q * q).sum(dim=1, keepdim=True)
        rough = torch.addmm(norms, q, points.T, alpha=-2.0).add_(q_norms)
        # a dot product of d terms is off by at most about d·eps·(‖x‖² + ‖c‖²)
        error = (q.shape[1] + 4) * torch.finfo(dtype).eps * (q_norms + norms.max())
        return rough, error.to(x.dtype).squeeze(1)

    def _nearest(self, x: torch.Tensor, candidates: torch.Tensor
                 ) -> tuple[torch.Tensor, torch.Tensor]:
        """The k nearest among ``candidates`` (distinct training rows) by exact distance,
        equal distances lowest training row first: ``(their indices, their exact
        distances)``, both (rows, k), nearest first.

        Ranks come from comparing every pair of candidates (no sort, which ONNX cannot
        translate stably): a candidate's rank is the number of candidates nearer than it,
        or as near and of a lower training row. The kept ones are put in rank order, so
        that the vote adds them in an order that does not depend on how they were found
        (the compiled search and torch's ``topk`` list candidates in different orders).
        Euclidean distances are ranked squared (as scikit-learn ranks them), and the square
        root taken of the kept ones only: the compiled kernel ranks the same squares.
        """
        rows = torch.index_select(self.points.to(x.dtype), 0, candidates.reshape(-1))
        # explicit width: a 0-row batch has no size to infer a -1 from
        exact = distances(x, rows.view(*candidates.shape, self.points.shape[1]),
                          self._ranked_metric, self.p, _cast(self.parameter, x.dtype))
        mine, theirs = exact.unsqueeze(2), exact.unsqueeze(1)
        before = (theirs < mine) | ((theirs == mine)
                                    & (candidates.unsqueeze(1) < candidates.unsqueeze(2)))
        # rank r < k goes to place r; the others to a spare place k, dropped
        place = before.sum(dim=2).clamp(max=self.k)
        shape = (candidates.shape[0], self.k + 1)
        indices = torch.zeros(shape, dtype=candidates.dtype, device=candidates.device)
        nearest = torch.zeros(shape, dtype=exact.dtype, device=exact.device)
        indices = indices.scatter(1, place, candidates)[:, :self.k]
        return indices, self._from_ranked(nearest.scatter(1, place, exact)[:, :self.k])

    @property
    def _ranked_metric(self) -> str:
        """The metric neighbours are ranked by: the squared euclidean for the euclidean
        (monotone, exact in more cases, and what the compiled kernel computes)."""
        return "sqeuclidean" if self.metric == "euclidean" else self.metric

    def _from_ranked(self, d: torch.Tensor) -> torch.Tensor:
        """Distances in the metric from those of :attr:`_ranked_metric`."""
        return torch.sqrt(d) if self.metric == "euclidean" else d

    def _squared(self, d: torch.Tensor) -> torch.Tensor:
        """An exact distance in the units of :meth:`_rough`."""
        return {"euclidean": d * d, "sqeuclidean": d, "cosine": 2.0 * d}[self.metric]

    def _candidates(self, x: torch.Tensor, dtype: torch.dtype, take: int
                    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The ``take`` training rows of smallest fast distance (in ``dtype``), the largest
        of their fast squared distances and the bound on its rounding error, per row.

        The compiled search (:mod:`~nnconvert.layers.nearest_kernel`) finds them where it
        can (float32, on the CPU, outside tracing); torch's ``topk`` elsewhere. A row the
        compiled search could not fill (products beyond float32's range) gets a largest
        distance of -inf, so that it is redone in float64."""
        if self.compiled and dtype == torch.float32 and nearest_kernel.runs_on(x):
            q = (_unit(x) if self.metric == "cosine" else x).to(dtype)
            points, norms = self._fast_in(dtype)
            panels, padded = self._cached("panels", lambda: nearest_kernel.packed(points, norms))
            values, indices = nearest_kernel.smallest(q, panels, padded, take)
            q_norms = (q * q).sum(dim=1)
            error = (q.shape[1] + 4) * torch.finfo(dtype).eps * (q_norms + norms.max())
            unfilled = indices[:, -1] < 0
            largest = values[:, -1].to(x.dtype) + q_norms.to(x.dtype)
            return (indices.clamp(min=0), largest.masked_fill(unfilled, float("-inf")),
                    error.to(x.dtype))
        rough, error = self._rough(x, dtype)
        top = torch.topk(rough, take, dim=1, largest=False)
        return top.indices, top.values.amax(dim=1).to(x.dtype), error

    def _neighbours(self, x: torch.Tensor, dtype: torch.dtype, checked: bool,
                    candidates: tuple | None = None):
        """The k nearest training rows (as :meth:`_nearest` returns them): candidates from
        the fast form in ``dtype`` (or ``candidates``, as :meth:`_candidates` returns them,
        found already), ranked by exact distances. With ``checked``, rows whose
        candidates may miss a nearer training row (the fast form's rounding exceeds the
        margin) are redone in float64, then with every exact distance. The answer is then
        the k nearest by exact distance whichever candidates were found first."""
        take = self._take
        if not self._gemm_form:  # cdist computes these metrics from differences
            points = self.points.to(x.dtype)
            rough = (distances(x, points, self.metric, self.p, _cast(self.parameter, x.dtype))
                     if torch.compiler.is_exporting() or not self._cdist_form  # ONNX: no cdist
                     else torch.cdist(x, points, p=_CDIST_P.get(self.metric, self.p)))
            return self._nearest(x, torch.topk(rough, take, dim=1, largest=False).indices)
        candidates, largest, error = candidates or self._candidates(x, dtype, take)
        found = self._nearest(x, candidates)
        if not checked or take == self.points.shape[0]:
            return found
        # any row outside the candidates is at least (largest candidate − error) away; a
        # bound that is not a number (an overflow) is unsure too
        sure = largest - 2 * error > self._squared(found[1][:, -1])
        if not sure.all():
            rows = torch.nonzero(~sure).flatten()
            if dtype == torch.float32:
                redo = self._neighbours(x[rows], torch.float64, checked=True)
            else:  # every exact distance (the last resort, for a few rows); ties go low
                exact = distances(x[rows], self.points.to(x.dtype), self._ranked_metric,
                                  self.p, _cast(self.parameter, x.dtype))
                order = torch.sort(exact, dim=1, stable=True).indices[:, :take]
                redo = self._nearest(x[rows], order)
            found = tuple(part.clone() for part in found)
            for part, new in zip(found, redo):
                part[rows] = new
        return found

    @property
    def _take(self) -> int:
        """Candidates found by the fast form, re-ranked by exact distances."""
        return min(self.points.shape[0], self.k + _SPARE)

    def _vote(self, x: torch.Tensor, found: tuple) -> torch.Tensor:
        nearest, d = found
        targets = self.targets.to(x.dtype)[nearest]  # (rows, k, outputs)
        if self.weights == "uniform":  # w = 1: the same sums, in fewer operations
            return targets.sum(dim=1) / float(self.k)
        w = _weights(d, self.weights)
        votes = (w.unsqueeze(2) * targets).sum(dim=1)
        return votes / w.sum(dim=1, keepdim=True)

    def _block(self, x: torch.Tensor) -> torch.Tensor:
        if torch.compiler.is_exporting():  # no data-dependent branch: float64 candidates
            return self._vote(x, self._neighbours(x, torch.float64, checked=False))
        return self._vote(x, self._neighbours(x, torch.float32, checked=True))

    def _kernel_tables(self) -> tuple[torch.Tensor, torch.Tensor, float]:
        """The compiled kernel's panels, padded norms and largest norm (one cache look-up a
        call: a one-row prediction pays for each)."""
        points, norms = self._fast_in(torch.float32)
        panels, padded = self._cached("panels", lambda: nearest_kernel.packed(points, norms))
        return panels, padded, float(norms.max())

    def _fused(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """:meth:`_neighbours` (float32 candidates, checked) in one pass of the compiled
        kernel, which re-ranks them too, with the bits of :meth:`_nearest`; the rows it is
        unsure of are redone as :meth:`_neighbours` redoes them."""
        panels, padded, spread = self._cached("kernel", self._kernel_tables)
        indices, squared, unsure = nearest_kernel.nearest(
            x, panels, padded, self.points, self._take, self.k, spread)
        exact = self._from_ranked(squared)
        if bool(unsure.any()):
            rows = torch.nonzero(unsure).flatten()
            redo = self._neighbours(x[rows], torch.float64, checked=True)
            indices[rows], exact[rows] = redo
        return indices, exact

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if (self.metric in ("euclidean", "sqeuclidean") and self.compiled and x.shape[0] > 0
                and x.dtype == self.points.dtype == torch.float64
                and nearest_kernel.runs_on(x)):
            return self._vote(x, self._fused(x))
        if (self._gemm_form and self.compiled and x.shape[0] > 0
                and nearest_kernel.runs_on(x)):
            # the compiled search keeps `take` candidates a row, not a block of distances:
            # one call for the whole batch (its threads and torch's then alternate once,
            # not once a block), then the exact re-rank a block at a time
            found = self._candidates(x, torch.float32, self._take)
            rows = max(1, _RERANK_ELEMENTS // (self._take * x.shape[1]))
            return torch.cat([
                self._vote(x[i:i + rows], self._neighbours(
                    x[i:i + rows], torch.float32, checked=True,
                    candidates=tuple(part[i:i + rows] for part in found)))
                for i in range(0, x.shape[0], rows)], dim=0)
        # a metric without a fast form holds every difference: (rows, m, d)
        width = self.points.shape[0] * (1 if self._gemm_form or self._cdist_form
                                        else self.points.shape[1])
        return in_row_blocks(self._block, x, max(1, _BLOCK_ELEMENTS // width))

    def describe(self) -> LayerDescription:
        return _described(self, f"{self.k} nearest of {self.points.shape[0]} training rows",
                          f"{self.k} smallest",
                          f"the {self.k} smallest d_i (equal distances: lowest training row "
                          "first)")


def _vote_layer(estimator, targets, classifier: bool) -> NeighbourVote:
    metric, p, parameter = _metric(estimator)
    rows = _training_rows(estimator)
    # scikit-learn refuses n_neighbors < 1 and more neighbours than training rows
    k = Fitted(estimator).integer("n_neighbors", low=1, high=len(rows))
    return NeighbourVote(rows, targets, k, _weighting(estimator), metric, p,
                         classifier=classifier, parameter=parameter)


def _weighting(estimator) -> str:
    # a NearestNeighbors (a label propagation's nn_fit) has no weights: each neighbour counts 1
    return getattr(estimator, "weights", "uniform")


def _class_indicators(estimator) -> np.ndarray:
    """One row per training row: the indicator of its class (``_y`` indexes ``classes_``)."""
    fitted = Fitted(estimator)
    n_classes = len(fitted.classes())
    n_rows = fitted.integer("n_samples_fit_", low=1)
    codes = fitted.array("_y", shape=(n_rows,), dtype=np.int64, low=0, high=n_classes - 1)
    return np.eye(n_classes)[codes]


def _regression_targets(estimator) -> np.ndarray:
    """The training targets ``_y``: (n_samples_fit_,) or (n_samples_fit_, n_targets)."""
    fitted = Fitted(estimator)
    n_rows = fitted.integer("n_samples_fit_", low=1)
    return fitted.array("_y", shape=(n_rows,) if np.ndim(fitted.get("_y")) == 1
                        else (n_rows, None))


@converts(KNeighborsClassifier)
def _knn_classifier(estimator, options):
    """Distance units on the training rows, the k smallest, then a vote (uniform or weighted by
    inverse distance).

    Every metric scikit-learn's brute force accepts on numbers: euclidean, sqeuclidean,
    manhattan, chebyshev, minkowski (any p, with weights w or without), cosine, seuclidean (V),
    mahalanobis (VI), braycurtis, canberra, correlation, hamming and haversine, each in the
    difference form. A row at distance 0 takes those rows' vote alone. Tied votes go to the
    first class; equal distances to the lowest training row, as brute force does (a kd-tree or
    ball tree may choose otherwise, and ``verify`` counts such rows as near ties). Fitted on a
    2-D y: one vote of every target's class indicators, one frequency head per target.

    Refused: ``metric='precomputed'`` (it reads distances, not features: there are no
    training rows to centre units on), ``nan_euclidean`` and the boolean metrics (dice,
    jaccard, ...: every value read as ``x != 0``), a callable metric and a weight function
    (Python code, not a network).
    """
    if estimator.outputs_2d_:  # a 2-D y: one head per target
        from .neighbors_multioutput import multi_output_knn
        return multi_output_knn(estimator)
    indicators = _class_indicators(estimator)
    layer = _vote_layer(estimator, indicators, classifier=True)
    return Conversion(layers=[layer], head=FrequencyHead(
        indicators.shape[1], "a k-smallest selection has no gradient"))


@converts(KNeighborsRegressor)
def _knn_regressor(estimator, options):
    """Distance units on the training rows, the k smallest, then their (weighted) mean target; one
    target or several.

    The same metrics and tie rules as :class:`~sklearn.neighbors.KNeighborsClassifier`.
    """
    y = _regression_targets(estimator)
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
    if _weighting(estimator) == "distance":
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


# -- radius neighbours ---------------------------------------------------------------------------


class RadiusVote(Layer):
    """Distance units on the training rows, those within the radius kept, and their vote.

    ``d ≤ r`` is decided on exact distances (the difference form), one block of query rows at
    a time. A row with no training row within the radius gets no vote: the outlier label's
    one-hot where the estimator has one among its classes, else NaN (scikit-learn raises;
    the network's methods say so, see :class:`RadiusHead`). A regressor's such rows are NaN,
    as scikit-learn predicts them.

    Parameters
    ----------
    points, targets, weights, metric, p, classifier
        As for :class:`NeighbourVote`.
    radius : float
    outlier : array-like of shape (n_outputs,) or None
        The vote of a row with no neighbour (the outlier label's one-hot); None: NaN.
    """

    def __init__(self, points, targets, radius: float, weights: str, metric: str, p: float,
                 *, classifier: bool, outlier=None, parameter=None):
        super().__init__()
        self.register_buffer("points", as_buffer(points))
        self.register_buffer("targets", as_buffer(targets))
        self.radius, self.weights, self.metric, self.p = float(radius), weights, metric, float(p)
        self.classifier = classifier
        self.register_buffer("parameter", None if parameter is None else as_buffer(parameter))
        self.register_buffer("outlier", None if outlier is None else as_buffer(outlier))

    def _block(self, x: torch.Tensor) -> torch.Tensor:
        d = distances(x, self.points.to(x.dtype), self.metric, self.p,
                      _cast(self.parameter, x.dtype))
        kept = d <= self.radius
        w = _weights(d, self.weights, kept)
        votes = w @ self.targets.to(x.dtype)
        total = w.sum(dim=1, keepdim=True)
        if not self.classifier:
            return votes / total  # no neighbour: 0/0, NaN, as scikit-learn predicts
        lonely = total == 0
        fallback = (torch.full_like(votes, float("nan")) if self.outlier is None
                    else self.outlier.to(x.dtype).expand_as(votes))
        votes = torch.where(lonely, fallback, votes)
        return votes / torch.where(lonely, torch.ones_like(total), total)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        width = self.points.shape[0] * self.points.shape[1]
        rows = max(1, _BLOCK_ELEMENTS // width)
        return in_row_blocks(self._block, x, rows)

    def describe(self) -> LayerDescription:
        none = ("NaN (scikit-learn raises)" if self.outlier is None and self.classifier
                else "the outlier label" if self.classifier else "NaN")
        return _described(self, f"training rows within r = {self.radius:g}", "d ≤ r",
                          f"the rows with d_i ≤ {self.radius:g}",
                          f"; none within r: {none}")


class RadiusHead(FrequencyHead):
    """The frequency head, and scikit-learn's refusal of a row with no neighbour within the
    radius where the estimator has no outlier label."""

    def check_output(self, z: torch.Tensor) -> None:
        lonely = torch.isnan(z).any(dim=1)
        if lonely.any():
            rows = torch.nonzero(lonely).flatten().cpu().numpy()
            raise ValueError(
                f"No neighbors found for test samples {rows[:20]}, you can try using larger "
                "radius, giving a label for outliers, or considering removing them from your "
                "dataset.")


def _metric(estimator) -> tuple[str, float, np.ndarray | None]:
    """The estimator's effective metric as distance units compute it (name, Minkowski's p,
    the metric's parameter: see :func:`~.neighbour_metrics.neighbour_metric`), or a
    ConversionError."""
    name = type(estimator).__name__
    if _weighting(estimator) not in ("uniform", "distance"):
        raise ConversionError(
            f"{name}(weights={estimator.weights!r}): a weight function is Python code, not a "
            "network; use weights='uniform' or 'distance'.")
    if estimator.metric == "precomputed":
        raise ConversionError(
            f"{name}(metric='precomputed') reads distances, not features: there are no "
            "training rows to centre distance units on. Fit it on the features instead.")
    return neighbour_metric(estimator)


def _training_rows(estimator) -> np.ndarray:
    """``_fit_X``: (n_samples_fit_, n_features_in_), finite (dense or sparse)."""
    fitted = Fitted(estimator)
    n_rows = fitted.integer("n_samples_fit_", low=1)
    return fitted.array("_fit_X", shape=(n_rows, fitted.n_features))


def _radius(estimator) -> float:
    # scikit-learn's own validation: a radius is a finite number >= 0
    return Fitted(estimator).number("radius", low=0)


@converts(RadiusNeighborsClassifier)
def _radius_classifier(estimator, options):
    """Distance units on the training rows, those within the radius, then a vote.

    Outlier labels are honoured; a row with no neighbour within the radius gets scikit-learn's
    error where it has no outlier label. Fitted on a 2-D y: one frequency head per target.
    """
    if estimator.outputs_2d_:  # a 2-D y: one head per target
        from .neighbors_multioutput import multi_output_radius
        return multi_output_radius(estimator)
    fitted = Fitted(estimator)
    classes = fitted.classes()
    outlier = None
    if fitted.get("outlier_label_") is not None:  # one label per target: a list of one
        label = fitted.per_output("outlier_label_", 1)[0]
        where = np.flatnonzero(classes == label)
        if where.size != 1:
            raise ConversionError(
                f"RadiusNeighborsClassifier(outlier_label={label!r}) predicts a label that is "
                "not one of its classes_, which a network answering indices into classes_ "
                "cannot return. Use an outlier label among the classes, or 'most_frequent'.")
        outlier = np.eye(len(classes))[where[0]]
    metric, p, parameter = _metric(estimator)
    layer = RadiusVote(_training_rows(estimator), _class_indicators(estimator),
                       _radius(estimator), estimator.weights, metric, p, classifier=True,
                       outlier=outlier, parameter=parameter)
    return Conversion(layers=[layer], head=RadiusHead(
        len(classes), "a within-radius selection has no gradient"))


@converts(RadiusNeighborsRegressor)
def _radius_regressor(estimator, options):
    """Distance units on the training rows, the mean target of those within the radius.

    A row with no neighbour within the radius answers NaN with scikit-learn's warning.
    """
    y = _regression_targets(estimator)
    metric, p, parameter = _metric(estimator)
    layer = RadiusVote(_training_rows(estimator), y.reshape(len(y), -1), _radius(estimator),
                       estimator.weights, metric, p, classifier=False, parameter=parameter)
    return Conversion(layers=[layer], head=RadiusNeighborsRegressorHead(
        layer.targets.shape[1], single=y.ndim == 1))


class RadiusNeighborsRegressorHead(RegressionHead):
    """The regression head, with scikit-learn's warning for rows with no neighbour (NaN)."""

    def check_output(self, z: torch.Tensor) -> None:
        if torch.isnan(z).any():
            warnings.warn("One or more samples have no neighbors within specified radius; "
                          "predicting NaN.", UserWarning, stacklevel=4)


def _radius_boundary(estimator, X, rtol: float) -> np.ndarray:
    """Rows with a training row at the radius, to rounding (kept or not is then a tie), and,
    with distance weights, rows at rounding distance from a training row."""
    X = np.asarray(X, dtype=np.float64) if not hasattr(X, "toarray") else X
    r = estimator.radius
    tol = max(rtol, 1e-7) * max(r, 1.0)
    d, _ = estimator.radius_neighbors(X, radius=r + 2 * tol)
    return np.array([bool(np.any(np.abs(row - r) <= tol)) or (
        estimator.weights == "distance" and bool(np.any(row <= tol))) for row in d])


@score_jump_rule.register(RadiusNeighborsClassifier)
@score_jump_rule.register(RadiusNeighborsRegressor)
def _radius_jumps(estimator, X, reference: dict, rtol: float) -> dict:
    """Whether a training row at the radius counts jumps with rounding: such rows are ties."""
    ties = _radius_boundary(estimator, X, rtol)
    method = "predict_proba" if isinstance(estimator, RadiusNeighborsClassifier) else "predict"
    return {method: ties}


@margin_rule.register(RadiusNeighborsClassifier)
def _radius_margin(estimator, X, reference: dict) -> np.ndarray:
    return np.where(_radius_boundary(estimator, X, 1e-9), 0.0, default_margin(reference))
