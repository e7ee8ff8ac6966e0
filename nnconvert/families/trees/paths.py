"""``apply`` and ``decision_path`` of trees and forests: the nodes a row passes, named as the
fitted trees name them.

Both forms of a tree layer give the table nodes each row passes
(:meth:`~.traversal.TreeLayer.path_nodes`): the traversal records the node of every level
of its walk; the network form reads the path off its units, the leaf unit that fires and
the decision units it listens to (its non-zero weights), so in that form the decision units
*are* the path. :class:`TreePaths` turns those nodes into scikit-learn's answers: the leaf
indices (``apply``) and the indicator matrix of the nodes passed (``decision_path``, a
scipy.sparse CSR matrix, with ``n_nodes_ptr`` for a forest), of scikit-learn's shapes and
dtypes.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse
import torch

__all__ = ["TreePaths", "SHAPES"]

#: how an estimator shapes its answers: a tree (apply (n,); decision_path a matrix), a
#: forest (apply (n, trees); decision_path (matrix, n_nodes_ptr)), boosting stages (apply
#: of floats, no decision_path: (n, stages, trees per stage) for GradientBoostingClassifier,
#: (n, stages) for GradientBoostingRegressor, as each returns it)
SHAPES = ("tree", "forest", "stages", "stages-flat")

#: (rows × trees × levels) nodes gathered at once
_BLOCK_NODES = 1 << 21


class TreePaths:
    """What a tree estimator's ``apply`` and ``decision_path`` read: its tree layer.

    Parameters
    ----------
    layer : TreeLayer
        The layer that walks the trees (either form), reading the network's input tensor.
    shape : str
        One of :data:`SHAPES`.
    per_stage : int, default 1
        Trees per boosting stage (``shape="stages"``).
    """

    def __init__(self, layer, shape: str, per_stage: int = 1):
        if shape not in SHAPES:
            raise ValueError(f"shape must be one of {SHAPES}, got {shape!r}")
        self.layer = layer
        self.shape = shape
        self.per_stage = int(per_stage)

    @property
    def has_decision_path(self) -> bool:
        return not self.shape.startswith("stages")

    def _nodes(self, x: torch.Tensor) -> np.ndarray:
        """The fitted node index of every (row, tree, level) passed: (n, trees, depth + 1)."""
        layer = self.layer
        rows = max(1, _BLOCK_NODES // max(1, layer.n_trees * (layer.depth + 1)))
        with torch.no_grad():
            nodes = torch.cat([layer.path_nodes(part) for part in torch.split(x, rows)]) \
                if x.shape[0] else torch.zeros((0, layer.n_trees, layer.depth + 1),
                                               dtype=torch.int64)
            return layer.node_source.cpu()[nodes.cpu()].numpy()

    def apply(self, x: torch.Tensor) -> np.ndarray:
        """The leaf each row reaches in each tree, as the estimator's ``apply``."""
        leaves = self._nodes(x)[:, :, -1].astype(np.int64)
        if self.shape == "tree":
            return leaves[:, 0]
        if self.shape == "stages":
            return leaves.reshape(len(leaves), -1, self.per_stage).astype(np.float64)
        return leaves.astype(np.float64) if self.shape == "stages-flat" else leaves

    def decision_path(self, x: torch.Tensor):
        """The nodes each row passes, as the estimator's ``decision_path``."""
        nodes = self._nodes(x)
        n = nodes.shape[0]
        # a row stays at its leaf for the levels after it: each node once, root first
        new = np.ones(nodes.shape, bool)
        new[:, :, 1:] = nodes[:, :, 1:] != nodes[:, :, :-1]
        indicators = []
        for t, size in enumerate(self.layer.tree_sizes):
            kept = new[:, t]
            indptr = np.r_[0, np.cumsum(kept.sum(axis=1))].astype(np.intp)
            indices = nodes[:, t][kept].astype(np.intp)  # a path's fitted ids only grow
            indicator = scipy.sparse.csr_matrix(
                (np.ones(len(indices), np.intp), indices, indptr), shape=(n, size))
            # scipy narrows the index arrays; a tree's own matrix keeps them intp
            indicator.indices, indicator.indptr = indices, indptr
            indicators.append(indicator)
        if self.shape == "tree":
            return indicators[0]
        n_nodes_ptr = np.array([0] + list(self.layer.tree_sizes)).cumsum()
        return scipy.sparse.hstack(indicators).tocsr(), n_nodes_ptr
