"""IsolationForest as path lengths: every isolation tree through the tree walk, each leaf
holding the path length of a row that ends there, then the anomaly score.

A leaf's value is scikit-learn's path length ``depth + c(n_leaf) − 1`` (``depth`` counts the
nodes on the path, ``c(n)`` is the average path length of an unsuccessful search in a binary
tree of ``n`` rows: the leaf's unbuilt subtree); the trees' sum ``Σ h`` becomes
``score_samples = −2^(−Σ h / (n_trees · c(max_samples_)))`` in a last unit, and the head
subtracts ``offset_`` (from ``contamination``). Trees fitted on a feature subset
(``max_features < 1``) read their columns of the full input; as in scikit-learn, the
splits compare ``float32(x)``, and NaN follows each split's fitted missing-value side.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.ensemble import IsolationForest

from ...fitted import Fitted
from ...layers import Layer, LayerDescription
from ...network.outlier import OUTLIER_LABELS, OutlierHead
from ...registry import Conversion, converts
from .bagging import _on_all_features
from .forms import tree_layer
from .sklearn import tree_arrays

__all__ = ["IsolationScore", "average_path_length"]


def average_path_length(n: np.ndarray) -> np.ndarray:
    """``c(n)``, scikit-learn's ``_average_path_length``: 0 for n ≤ 1, 1 for n = 2, else
    ``2 (log(n − 1) + γ) − 2 (n − 1) / n``."""
    n = np.asarray(n, dtype=np.float64)
    out = np.zeros(n.shape)
    out[n == 2] = 1.0
    big = n > 2
    out[big] = 2.0 * (np.log(n[big] - 1.0) + np.euler_gamma) - 2.0 * (n[big] - 1.0) / n[big]
    return out


class IsolationScore(Layer):
    """The anomaly score of the summed path lengths ``h``: ``−2^(−h / denominator)``
    (scikit-learn's ``score_samples``; ``−0.5`` where the denominator is 0, a forest fitted on
    one row)."""

    def __init__(self, denominator: float):
        super().__init__()
        self.denominator = float(denominator)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        if self.denominator == 0:
            return torch.full_like(h, -0.5)
        return -torch.pow(2.0, -(h / self.denominator))

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title="anomaly score", n_in=1, n_out=1, activation="−2^(−h/c)", activation_kind="exp",
            formula=f"{{y}} = −2^(−{{x}} / (n_trees · c(max_samples_)))   "
                    f"(n_trees · c(max_samples_) = {self.denominator:.6g})",
            connectivity="elementwise", unit_names=("score",))


@converts(IsolationForest)
def _isolation_forest(estimator, options):
    """Every isolation tree through the tree walk, each leaf holding its path length, then the
    anomaly score ``−2^(−Σ h / (n_trees · c(max_samples_)))`` and ``offset_``:
    ``score_samples``, ``decision_function``, ``predict`` (±1).

    Splits compare ``float32(x)``, as scikit-learn's.
    """
    fitted = Fitted(estimator)
    d = fitted.n_features
    trees = list(fitted.get("estimators_"))
    n = len(trees)
    features = list(fitted.get("estimators_features_"))
    depths = list(fitted.get("_decision_path_lengths"))
    averages = list(fitted.get("_average_path_length_per_tree"))
    if not n or not len(features) == len(depths) == len(averages) == n:
        raise fitted.error("estimators_", f"holds {n} trees but {len(features)} feature "
                                          f"subsets and {len(depths)} path-length tables")
    subset = fitted.integer("_max_features", 1, d) != d  # as scikit-learn decides
    arrays = []
    for i, tree in enumerate(trees):
        nodes = tree.tree_.node_count
        length = fitted.array("_decision_path_lengths", shape=(nodes,), value=depths[i])
        average = fitted.array("_average_path_length_per_tree", shape=(nodes,),
                               value=averages[i])
        name = f"IsolationForest.estimators_[{i}]"
        tree_dict = dict(tree_arrays(tree, False, name),
                         value=((length + average) - 1.0)[:, None])
        if subset:
            tree_dict = _on_all_features(tree_dict, features[i], d, name)
        arrays.append(tree_dict)
    samples = fitted.integer("max_samples_", low=1)
    denominator = n * float(average_path_length(np.array([samples]))[0])
    layers = [tree_layer(arrays, d, options, scale=1.0,
                         readout="Σ_trees h (path lengths)"), IsolationScore(denominator)]
    head = OutlierHead(fitted.number("offset_"), "score_samples")
    return Conversion(layers=layers, head=head, classes=np.array(OUTLIER_LABELS, dtype=int))
