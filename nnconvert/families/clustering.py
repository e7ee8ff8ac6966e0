"""Clusterers as distance units and an argmin: KMeans, MiniBatchKMeans, BisectingKMeans, Birch,
MeanShift and AffinityPropagation.

Each one's ``predict`` is the nearest stored centre: squared distance units (one per centre)
and an argmin, the first index winning a tie as in scikit-learn; ``transform`` (where it
exists) is the square root of the same units. Birch reads the label of its nearest
*subcluster* (its global clustering's label, or the subcluster's own index without one).
BisectingKMeans predicts down its tree: at every split the nearer of the two children
(the left one at a tie), so its network compares each pair of sibling units and a leaf wins
when every split on its path went its way.

A k-means model's labels are int32, as scikit-learn returns them; MeanShift's and
AffinityPropagation's int64; Birch's the dtype of ``subcluster_labels_``.

On the CPU, ``predict`` of the flat nearest-centre models skips the rows × centres matrix:
:meth:`NearestCentreHead.fused_predict` runs the compiled k-nearest kernel with k = 1 (a
fused argmin over exact float64 distances, the first centre winning a tie, as scikit-learn's
strict ``<``). ``transform``, ``score``, export, a GPU and gradients take the torch layers.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.cluster import (
    AffinityPropagation,
    BisectingKMeans,
    Birch,
    KMeans,
    MeanShift,
    MiniBatchKMeans,
)

from ..errors import ConversionError
from ..fitted import Fitted
from ..layers import LayerDescription, SquaredDistanceUnits, distances, nearest_kernel
from ..layers.dense import as_buffer
from ..layers.rows import in_row_blocks
from ..network.clusterer import ClusterHead
from ..registry import Conversion, converts, margin_rule

__all__ = ["NearestCentreHead", "BisectingHead"]

#: candidates the compiled argmin keeps a row: two, so that it can tell a row whose nearest
#: centre is sure (the second is farther by more than float32's rounding) from one that is
#: not (redone exactly); more would cost every row for the few near ties
_TAKE = 2
#: (rows × centres × features) held at once where unsure rows get every exact distance
_EXACT_ELEMENTS = 1 << 20


class NearestCentreHead(ClusterHead):
    """The body's output is the squared distance to each centre; ``predict`` is the label of
    the nearest (``unit_labels[argmin]``, first index at a tie), ``transform`` the distances.

    Parameters
    ----------
    unit_labels : array-like of int
        Per unit, the index into ``classes_`` that it predicts.
    transform : bool
        Whether the estimator has ``transform``.
    inertia : bool, default False
        Whether its ``score`` is k-means' ``−inertia``.
    """

    def __init__(self, unit_labels, *, transform: bool, inertia: bool = False):
        super().__init__()
        self.register_buffer("unit_labels", torch.as_tensor(np.asarray(unit_labels,
                                                                       dtype=np.int64)))
        self.has_transform = bool(transform)
        self.has_inertia = bool(inertia)
        #: whether ``predict`` runs the compiled argmin where it can (False: torch's path,
        #: as after an install without a compiler)
        self.compiled = True

    def fused_predict(self, body: torch.nn.Sequential, x: torch.Tensor
                      ) -> torch.Tensor | None:
        """The nearest centre of each row from the compiled k-nearest kernel with k = 1
        (:func:`~nnconvert.layers.nearest_kernel.nearest`): float32 candidates and their
        exact float64 squared distances ``‖x − c‖²`` in one pass, the first centre winning a
        tie, as scikit-learn's argmin; rows the kernel is unsure of (float32 rounding could
        hide a nearer centre) get every exact distance in the same form. Where the kernel
        cannot run (not built, a GPU, a trace, a body that is not one layer of distance
        units, an empty batch), None: the body's path."""
        units = body[0] if len(body) == 1 else None
        if not (self.compiled and isinstance(units, SquaredDistanceUnits) and x.shape[0] > 0
                and units.points.device.type == "cpu" and nearest_kernel.runs_on(x)):
            return None
        points, panels, norms, spread = _kernel_tables(units)
        queries = x.to(torch.float64)
        take = min(points.shape[0], _TAKE)
        indices, _, unsure = nearest_kernel.nearest(
            queries, panels, norms, points, take, 1, spread,
            fast=x if x.dtype == torch.float32 else None)  # float32 rows: no second cast
        nearest = indices[:, 0]
        if bool(unsure.any()):
            rows = torch.nonzero(unsure).flatten()
            nearest[rows] = in_row_blocks(
                lambda q: distances(q, points, "sqeuclidean").argmin(dim=1), queries[rows],
                max(1, _EXACT_ELEMENTS // points.numel()))
        return self.unit_labels[nearest]

    def nearest_squared(self, z: torch.Tensor) -> torch.Tensor:
        if not self.has_inertia:
            raise AttributeError("this clusterer has no inertia")
        return z.amin(dim=1)

    @property
    def scores_method(self) -> str | None:
        return "transform" if self.has_transform else None

    def scores(self, z: torch.Tensor) -> torch.Tensor:
        return torch.sqrt(z)

    def transform(self, z: torch.Tensor) -> torch.Tensor:
        return torch.sqrt(z)

    def predict_index(self, z: torch.Tensor) -> torch.Tensor:
        return self.unit_labels[z.argmin(dim=1)]  # torch and numpy: the first minimum wins

    def describe(self) -> LayerDescription:
        n = int(self.unit_labels.shape[0])
        same = bool(torch.equal(self.unit_labels, torch.arange(n)))
        label = "k" if same else "label_of[k]"
        lines = [f"predict(x) = {label},  k = argmin_k {{x}}_k   (the nearest centre; the "
                 "first index wins a tie)"]
        if self.has_transform:
            lines.append("transform(x) = √{x}   (the distance to every centre)")
        return LayerDescription(
            title="output", n_in=n, n_out=n, activation="argmin", activation_kind="argmin",
            formula="\n".join(lines), connectivity="elementwise")


def _kernel_tables(units: SquaredDistanceUnits) -> tuple:
    """The centres as the compiled kernel reads them: float64 points, float32 panels and
    norms (:func:`~nnconvert.layers.nearest_kernel.packed`) and the largest norm; kept on the
    layer until its centres move or change (``net.float()``, ``net.to(...)``)."""
    points = units.points
    key = (points.data_ptr(), points.dtype, None if points.is_inference() else points._version)
    cached = getattr(units, "_kernel_cache", None)
    if cached is None or cached[0] != key:
        exact = points.to(torch.float64)
        squared = (exact * exact).sum(dim=1)
        panels, norms = nearest_kernel.packed(exact, squared)
        cached = (key, (exact, panels, norms, float(norms[:len(exact)].max())))
        units._kernel_cache = cached
    return cached[1]


def _centres(estimator, attribute: str = "cluster_centers_") -> np.ndarray:
    fitted = Fitted(estimator)
    return fitted.array(attribute, shape=(None, fitted.n_features))


def _refuse_no_centres(estimator, centres: np.ndarray) -> None:
    if centres.shape[0] == 0:
        raise ConversionError(
            f"{type(estimator).__name__} has no cluster centres (it did not converge), so its "
            "predict labels every row −1 with a warning: there is no clustering to convert. "
            "Refit with more iterations (max_iter) or another damping.")


def _nearest_centre(centres: np.ndarray, labels, classes, *, transform: bool,
                    title: str, inertia: bool = False) -> Conversion:
    units = SquaredDistanceUnits(centres, title=title,
                                 unit_names=[f"c{k}" for k in range(len(centres))])
    head = NearestCentreHead(labels, transform=transform, inertia=inertia)
    return Conversion(layers=[units], head=head, classes=classes)


@converts(KMeans, MiniBatchKMeans)
def _kmeans(estimator, options):
    """One squared distance unit per cluster centre and an argmin (first index at a tie):
    ``predict`` (int32 labels), ``transform`` (the distances) and ``score`` (−inertia)."""
    """Squared-distance units, one per cluster centre, then an argmin (the first index wins a tie);
    ``transform`` is the square root of the same units. Labels are int32, as scikit-learn's.
    """
    centres = _centres(estimator)
    k = centres.shape[0]
    if k == 0:
        raise Fitted(estimator).error("cluster_centers_", "holds no centre")
    return _nearest_centre(centres, np.arange(k), np.arange(k, dtype=np.int32), transform=True,
                           title="squared distance units, one per cluster centre", inertia=True)


@converts(MeanShift, AffinityPropagation)
def _nearest_exemplar(estimator, options):
    """One squared distance unit per mode (MeanShift) or exemplar (AffinityPropagation) and
    an argmin: ``predict`` (int64 labels), as scikit-learn's ``pairwise_distances_argmin``.

    Refused: AffinityPropagation with ``affinity='precomputed'`` (no predict for new rows),
    or fitted without converging (no centres: its predict labels every row −1)."""
    """Squared-distance units on the cluster centres (MeanShift) or exemplars (AffinityPropagation),
    then an argmin; labels int64, as scikit-learn's.
    """
    if isinstance(estimator, AffinityPropagation) and estimator.affinity == "precomputed":
        raise ConversionError(
            "AffinityPropagation(affinity='precomputed') has no predict for new rows (its "
            "exemplars are indices, not points): refit with affinity='euclidean'.")
    centres = _centres(estimator)
    _refuse_no_centres(estimator, centres)
    k = centres.shape[0]
    return _nearest_centre(centres, np.arange(k), np.arange(k, dtype=np.int64), transform=False,
                           title="squared distance units, one per "
                                 + ("mode" if isinstance(estimator, MeanShift) else "exemplar"))


@converts(Birch)
def _birch(estimator, options):
    """One squared distance unit per subcluster and an argmin, read through
    ``subcluster_labels_`` (the global clustering's labels, or the subclusters' own indices
    without one): ``predict`` and ``transform`` (the distances to the subclusters)."""
    """Squared-distance units on the subcluster centres, then the label of the nearest subcluster:
    its global clustering's label, or the subcluster's own index without one.
    """
    fitted = Fitted(estimator)
    centres = _centres(estimator, "subcluster_centers_")
    raw = np.asarray(fitted.get("subcluster_labels_"))
    if raw.dtype.kind not in "iu":
        raise fitted.error("subcluster_labels_", f"has dtype {raw.dtype}, not integer labels")
    labels = fitted.array("subcluster_labels_", shape=(centres.shape[0],), dtype=np.int64)
    classes, index = np.unique(labels, return_inverse=True)
    return _nearest_centre(centres, index, classes.astype(raw.dtype), transform=True,
                           title="squared distance units, one per subcluster")


# -- BisectingKMeans: a hierarchy of two-way choices ----------------------------------------

class BisectingHead(ClusterHead):
    """BisectingKMeans' hierarchical ``predict``: the body gives squared distances to every
    node's centre but the root's (pairs of siblings side by side); at each split the nearer
    child wins (the left one at a tie), and the leaf whose every split went its way is the
    label. ``transform`` is the distance to every leaf's centre, in label order.

    Parameters
    ----------
    left, right : array-like of int
        Per split, the units of its left and right child.
    paths : array-like of shape (n_leaves, n_splits)
        +1 where a leaf's path goes left at a split, −1 where it goes right, 0 off its path.
    leaf_units : array-like of int
        Per label, the unit of its leaf.
    """

    has_transform = True
    has_inertia = True  # its score is k-means' −inertia, over the leaves' centres
    scores_method = "transform"

    def __init__(self, left, right, paths, leaf_units):
        super().__init__()
        for name, values in (("left", left), ("right", right), ("leaf_units", leaf_units)):
            self.register_buffer(name, torch.as_tensor(np.asarray(values, dtype=np.int64)))
        paths = np.asarray(paths, dtype=np.float64)
        self.register_buffer("goes_left", as_buffer(paths > 0))
        self.register_buffer("goes_right", as_buffer(paths < 0))
        self.register_buffer("length", as_buffer((paths != 0).sum(axis=1)))

    def scores(self, z: torch.Tensor) -> torch.Tensor:
        return self.transform(z)

    def transform(self, z: torch.Tensor) -> torch.Tensor:
        return torch.sqrt(z[:, self.leaf_units])

    def nearest_squared(self, z: torch.Tensor) -> torch.Tensor:
        return z[:, self.leaf_units].amin(dim=1)  # scikit-learn's score: the flat nearest

    def predict_index(self, z: torch.Tensor) -> torch.Tensor:
        left = (z[:, self.left] <= z[:, self.right]).to(z.dtype)  # a tie goes left
        # splits on the leaf's path that went its way: small integers, exact in floats
        agree = left @ self.goes_left.to(z.dtype).T + (1 - left) @ self.goes_right.to(z.dtype).T
        return (agree == self.length.to(z.dtype)).to(torch.int64).argmax(dim=1)

    def describe(self) -> LayerDescription:
        n = int(self.left.shape[0])
        return LayerDescription(
            title="output", n_in=2 * n, n_out=int(self.leaf_units.shape[0]),
            activation="argmin per split", activation_kind="argmin",
            formula=("at each of the {n} splits the nearer child wins (the left one at a tie): "
                     "go_left_s = [{{x}}_left(s) ≤ {{x}}_right(s)]\n"
                     "predict(x) = the leaf whose every split went its way\n"
                     "transform(x) = √{{x}} at the leaves").format(n=n),
            connectivity="dense")


def _bisecting_tree(estimator, n_features: int) -> tuple[list, list, np.ndarray, np.ndarray]:
    """The units' centres and the splits of ``_bisecting_tree``, walked without recursion and
    with a bound (a corrupt file's tree may loop)."""
    fitted = Fitted(estimator)
    root = fitted.get("_bisecting_tree")
    n_clusters = len(_centres(estimator))
    mean = fitted.array("_X_mean", shape=(n_features,)) if hasattr(estimator, "_X_mean") else 0.0
    centres, splits, leaves = [], [], {}
    stack, seen = [(root, None)], 0
    while stack:
        node, unit = stack.pop()
        seen += 1
        if seen > 2 * n_clusters:
            raise fitted.error("_bisecting_tree", f"has more than {2 * n_clusters - 1} nodes "
                                                  f"for {n_clusters} clusters")
        if node.left is None:
            label = fitted.integer("_bisecting_tree (a leaf's label)", 0, n_clusters - 1,
                                   value=node.label)
            if label in leaves or unit is None:
                raise fitted.error("_bisecting_tree", f"has leaf label {label} twice")
            leaves[label] = unit
            continue
        children = []
        for child in (node.left, node.right):
            centre = fitted.array("_bisecting_tree (a node's center)", shape=(n_features,),
                                  value=child.center)
            children.append(len(centres))
            centres.append(centre + mean)  # as scikit-learn adds _X_mean back
        splits.append((unit, children[0], children[1]))
        stack += [(node.right, children[1]), (node.left, children[0])]
    if sorted(leaves) != list(range(n_clusters)):
        raise fitted.error("_bisecting_tree", f"has leaves {sorted(leaves)}, not one per "
                                              f"cluster 0 … {n_clusters - 1}")
    return centres, splits, leaves


@converts(BisectingKMeans)
def _bisecting_kmeans(estimator, options):
    """Squared distance units to every node of the bisection tree; each split's nearer child
    wins (the left one at a tie) and the leaf whose every split went its way is the label,
    as scikit-learn's hierarchical ``predict``; ``transform`` and ``score`` over the leaves."""
    """Distance units on every centre of the bisecting tree, a comparison of each pair of siblings
    (the left one at a tie), and the leaf whose every split on its path went its way.
    """
    n_features = Fitted(estimator).n_features
    centres, splits, leaves = _bisecting_tree(estimator, n_features)
    if not splits:  # one cluster: every row is in it
        return _nearest_centre(_centres(estimator), [0], np.arange(1, dtype=np.int32),
                               transform=True, title="squared distance units, one per cluster",
                               inertia=True)
    split_of_unit = {child: s for s, (_, a, b) in enumerate(splits) for child in (a, b)}
    paths = np.zeros((len(leaves), len(splits)))
    for label, unit in leaves.items():
        while unit is not None:  # up to the root, one split per level
            s = split_of_unit[unit]
            paths[label, s] = 1.0 if splits[s][1] == unit else -1.0
            unit = splits[s][0]
    units = SquaredDistanceUnits(np.array(centres), title="squared distance units, one per "
                                 "node of the bisection tree (siblings side by side)")
    head = BisectingHead([a for _, a, _ in splits], [b for _, _, b in splits], paths,
                         [leaves[k] for k in range(len(leaves))])
    return Conversion(layers=[units], head=head,
                      classes=np.arange(len(leaves), dtype=np.int32))


# -- margins --------------------------------------------------------------------------------

def _squared_distances(X, centres: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    return ((X[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)


@margin_rule.register(MeanShift)
@margin_rule.register(AffinityPropagation)
def _relative_margin(estimator, X, reference: dict) -> np.ndarray:
    """No score method measures these: the gap of the two smallest distances relative to the
    larger of them (:data:`nnconvert.agreement.RELATIVE_MARGIN`)."""
    d = np.sqrt(_squared_distances(X, np.asarray(estimator.cluster_centers_)))
    if d.shape[1] < 2:
        return np.full(d.shape[0], np.inf)
    two = np.sort(d, axis=1)[:, :2]
    return (two[:, 1] - two[:, 0]) / np.maximum(two[:, 1], np.finfo(np.float64).tiny)


@margin_rule.register(BisectingKMeans)
def _bisecting_margin(estimator, X, reference: dict) -> np.ndarray:
    """The smallest gap between sibling distances along the row's own path, in distances."""
    centres, splits, leaves = _bisecting_tree(estimator, estimator.n_features_in_)
    if not splits:
        return np.full(len(X), np.inf)
    d = np.sqrt(_squared_distances(X, np.array(centres)))
    margins = np.full(d.shape[0], np.inf)
    unit_of_row = np.full(d.shape[0], -1)  # every row starts at the root (no unit: −1)
    by_parent = {(-1 if p is None else p): s for s, (p, _, _) in enumerate(splits)}
    for _ in range(len(splits) + 1):  # at most one split per level
        active = np.flatnonzero([u in by_parent for u in unit_of_row])
        if active.size == 0:
            break
        for i in active:
            _, a, b = splits[by_parent[unit_of_row[i]]]
            margins[i] = min(margins[i], abs(d[i, a] - d[i, b]))
            unit_of_row[i] = a if d[i, a] <= d[i, b] else b
    return margins
