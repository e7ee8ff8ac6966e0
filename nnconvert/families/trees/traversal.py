"""The fast form of a tree ensemble: level-by-level traversal with gathers over node arrays.

All trees are padded into one flat node table; every row walks every tree at once, one level
per step, a fixed number of steps (the deepest tree's depth), so the graph has no
data-dependent branch and ``torch.export`` traces it. Leaves point to themselves.
"""

from __future__ import annotations

import numpy as np
import torch

from ...layers.columns import ColumnSpec
from ...layers import Layer, LayerDescription, as_buffer


def float32_threshold(threshold: np.ndarray) -> np.ndarray:
    """The largest float32 ``s <= t``: ``float32(x) <= t`` exactly when ``float32(x) <= s``.

    scikit-learn's classic trees compare the float32 cast of x with a float64 threshold;
    rounding the threshold down once lets the comparison run in float32 for any network dtype.
    """
    t = np.asarray(threshold, dtype=np.float64)
    s = t.astype(np.float32)
    above = s.astype(np.float64) > t
    s[above] = np.nextafter(s[above], np.float32(-np.inf))
    return s


class TreeTraversal(Layer):
    """Every row walks every tree; the output is the sum of the leaf values, times ``scale``.

    Parameters
    ----------
    trees : list of dict
        Per tree: ``feature``, ``threshold`` (float32, already rounded down), ``left``,
        ``right``, ``missing_left`` (bool), ``value`` (n_nodes, k), ``depth``.
    scale : float
        Multiplies the sum (1 / n_trees for a forest's average).
    """

    def __init__(self, trees: list[dict], n_features: int, scale: float = 1.0):
        super().__init__()
        sizes = [len(t["feature"]) for t in trees]
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        feature, threshold, left, right, missing, value = [], [], [], [], [], []
        for t, off in zip(trees, offsets):
            leaf = t["left"] < 0
            own = np.arange(len(leaf)) + off
            feature.append(np.where(leaf, 0, t["feature"]))
            threshold.append(t["threshold"])
            left.append(np.where(leaf, own, t["left"] + off))
            right.append(np.where(leaf, own, t["right"] + off))
            missing.append(t["missing_left"])
            value.append(t["value"])
        self.n_trees = len(trees)
        self.n_features = n_features
        self.depth = int(max(t["depth"] for t in trees))
        self.n_nodes = int(sum(sizes))
        self.scale = float(scale)
        self.register_buffer("roots", torch.as_tensor(offsets))
        self.register_buffer("feature", torch.as_tensor(np.concatenate(feature).astype(np.int64)))
        self.register_buffer("threshold",
                             torch.as_tensor(np.concatenate(threshold).astype(np.float32)))
        self.register_buffer("left", torch.as_tensor(np.concatenate(left).astype(np.int64)))
        self.register_buffer("right", torch.as_tensor(np.concatenate(right).astype(np.int64)))
        self.register_buffer("missing_left", torch.as_tensor(np.concatenate(missing).astype(bool)))
        self.register_buffer("value", as_buffer(np.concatenate(value)))

    def forward(self, x):
        x32 = x.to(torch.float32)
        node = self.roots.unsqueeze(0).expand(x.shape[0], -1)
        for _ in range(self.depth):
            xf = torch.gather(x32, 1, self.feature[node])
            go_left = (xf <= self.threshold[node]) | (torch.isnan(xf) & self.missing_left[node])
            node = torch.where(go_left, self.left[node], self.right[node])
        leaf_values = self.value.to(x.dtype)[node]  # (n, trees, k)
        return leaf_values.sum(dim=1) * self.scale

    def input_columns(self) -> tuple:
        """Every feature may hold NaN: a split sends it to its missing-value side."""
        return (ColumnSpec(allow_nan=True),) * self.n_features

    def describe(self):
        return LayerDescription(
            title=f"tree traversal ({self.n_trees} trees, depth ≤ {self.depth})",
            n_in=self.n_features, n_out=self.value.shape[1], activation="walk",
            formula=("each tree: from the root go left while float32({x}_f) ≤ t "
                     "(NaN: the split's missing-value side), to a leaf; "
                     f"output = {self.scale:g} × Σ_trees leaf value"))
