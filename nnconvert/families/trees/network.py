"""The network form of a tree ensemble: two hidden layers of step units and a read-out.

A tree is a network (seed 004): one **decision unit** per split, ``step(t − x_f)``, which is
1 when the row goes left; one **leaf unit** per leaf, the AND of the decisions on its path
(weight +1 where the path goes left, −1 where it goes right, bias ½ − the number of left
turns, so it fires only when every decision agrees); and a linear read-out of the leaf
values. A forest is such trees side by side, then the average; boosting, their sum and a
link. The layer computes exactly what :class:`~.traversal.TreeTraversal` computes, to the
bit (one leaf fires per tree, and the read-out sums the trees as the traversal does), but
its size grows with leaves × splits per tree, so :func:`~.forms.tree_layer` picks it for
small ensembles only.
"""

from __future__ import annotations

import numpy as np
import torch

from ...layers import LayerDescription, as_buffer, as_numpy
from ...layers.rows import in_row_blocks
from . import guard
from .traversal import TreeLayer

#: (rows × trees × leaves × splits) products computed at once
_BLOCK_PRODUCTS = 1 << 22


def leaf_paths(base: np.ndarray, is_leaf: np.ndarray, root: int) -> list[tuple[int, list]]:
    """Every leaf of the tree at ``root`` with its path: ``(leaf, [(split, goes_left), ...])``."""
    paths, stack = [], [(root, [])]
    while stack:
        node, path = stack.pop()
        if is_leaf[node]:
            paths.append((node, path))
            continue
        right, left = base[node], base[node] + 1
        stack += [(right, path + [(node, False)]), (left, path + [(node, True)])]
    return paths


class TreeNetwork(TreeLayer):
    """Decision units, leaf units and the read-out of a tree ensemble (see the module).

    Parameters are those of :class:`~.traversal.TreeLayer`. Splits on category codes have no
    step unit here: such models take the traversal form.
    """

    def build(self, table, node_value: np.ndarray) -> None:
        # kept for the description: the units are named after the fitted tree's nodes
        self.table = table
        if table.categorical is not None:
            raise ValueError("categorical splits have no step-unit form: use the traversal")
        splits, leaves = [], []
        # units in the fitted tree's own node order (depth first, left first), as it prints
        in_tree_order = table.source.__getitem__
        for root in table.roots:
            paths = sorted(leaf_paths(table.base, table.is_leaf, int(root)),
                           key=lambda leaf: in_tree_order(leaf[0]))
            leaves.append(paths)
            splits.append(sorted({node for _, path in paths for node, _ in path},
                                 key=in_tree_order))
        self.n_splits = max(1, max(map(len, splits)))
        self.n_leaves = max(map(len, leaves))
        T, S, L = table.n_trees, self.n_splits, self.n_leaves
        # padding: a split testing x_0 ≤ +inf (always 1) that no leaf reads, and leaves with
        # no weights and bias −½, which never fire
        feature = np.zeros((T, S), np.int64)
        threshold = np.full((T, S), np.inf, table.threshold.dtype)
        weight = np.zeros((T, L, S))
        bias = np.full((T, L), -0.5)
        leaf_value = node_value
        value = np.zeros((T, L) + leaf_value.shape[1:])
        self.split_nodes, self.leaf_nodes = splits, []
        for t, (tree_splits, paths) in enumerate(zip(splits, leaves)):
            position = {node: s for s, node in enumerate(tree_splits)}
            feature[t, :len(tree_splits)] = table.feature[tree_splits]
            threshold[t, :len(tree_splits)] = table.threshold[tree_splits]
            for leaf, (node, path) in enumerate(paths):
                for split, goes_left in path:
                    weight[t, leaf, position[split]] = 1.0 if goes_left else -1.0
                bias[t, leaf] = 0.5 - sum(goes_left for _, goes_left in path)
                value[t, leaf] = leaf_value[node]
            self.leaf_nodes.append([node for node, _ in paths])
        self.register_buffer("split_feature", torch.as_tensor(feature.reshape(-1)))
        self.register_buffer("split_threshold", torch.as_tensor(threshold.reshape(-1)))
        self.register_buffer("leaf_weight", as_buffer(weight))
        self.register_buffer("leaf_bias", as_buffer(bias))
        self.register_buffer("leaf_value", as_buffer(value))
        # the table node of each decision unit and leaf unit (−1: padding), for decision_path
        split_node, leaf_node = np.full((T, S), -1), np.full((T, L), -1)
        for t, (tree_splits, tree_leaves) in enumerate(zip(splits, self.leaf_nodes)):
            split_node[t, :len(tree_splits)] = tree_splits
            leaf_node[t, :len(tree_leaves)] = tree_leaves
        self.register_buffer("split_node", torch.as_tensor(split_node), persistent=False)
        self.register_buffer("leaf_node", torch.as_tensor(leaf_node), persistent=False)

    guarded_buffers = guard.network_buffers
    check_buffers = guard.check_network

    def forward(self, x):
        self.guard()
        per_row = self.n_trees * self.n_leaves * self.n_splits
        return in_row_blocks(self._fire, x, max(64, _BLOCK_PRODUCTS // max(1, per_row)))

    def _fire(self, x):
        fired = self._fired(x)
        # one leaf fires per tree: the product picks its value exactly, zeros elsewhere
        pattern = "ntl,tl->nt" if self.one_column else "ntl,tlk->ntk"
        return self.leaf_sum(torch.einsum(pattern, fired, self.leaf_value.to(x.dtype)))

    def path_nodes(self, x):
        self.guard()
        per_row = self.n_trees * self.n_leaves * self.n_splits
        return in_row_blocks(self._path_nodes, x, max(64, _BLOCK_PRODUCTS // max(1, per_row)))

    def _path_nodes(self, x):
        """The path is in the network: the leaf unit that fires, and the decision units it
        reads (a non-zero weight), in the order a row meets them (the table numbers nodes
        level by level)."""
        fired = self._fired(x)
        reads = torch.einsum("ntl,tls->nts", fired, self.leaf_weight.abs().to(x.dtype)) > 0
        beyond = self.split_node.new_tensor(torch.iinfo(torch.int64).max)
        met = torch.where(reads, self.split_node, beyond).sort(dim=2).values[..., :self.depth]
        leaf = self.leaf_node.expand(x.shape[0], -1, -1).gather(
            2, fired.argmax(dim=2, keepdim=True))
        # a row stays at its leaf for the levels its tree does not have
        return torch.cat([torch.where(met == beyond, leaf, met), leaf], dim=2)

    def _fired(self, x):
        """The leaf units' outputs, (rows, trees, leaves): 1 at the leaf each row reaches."""
        xs = self.compared(x)
        threshold = self.split_threshold
        if not self.float32_inputs:
            threshold = threshold.to(xs.dtype)
        decisions = (xs.index_select(1, self.split_feature) <= threshold).to(x.dtype)
        decisions = decisions.reshape(x.shape[0], self.n_trees, self.n_splits)
        drive = torch.einsum("nts,tls->ntl", decisions, self.leaf_weight.to(x.dtype))
        return (drive + self.leaf_bias.to(x.dtype) > 0).to(x.dtype)

    # -- description ------------------------------------------------------------------------

    def _split_names(self, t: int) -> tuple[str, ...]:
        table, names = self.table, []
        for node in self.split_nodes[t]:
            f = int(table.feature[node])
            if self.allow_nan and f >= self.n_features:
                f -= self.n_features
            names.append(f"x{f} ≤ {float(table.threshold[node]):.4g}")
        return tuple(names)

    def _tree_steps(self, t: int) -> tuple[LayerDescription, LayerDescription]:
        table, F = self.table, self.n_features
        splits, leaves = self.split_nodes[t], self.leaf_nodes[t]
        reads = np.zeros((len(splits), F))
        for s, node in enumerate(splits):
            reads[s, int(table.feature[node]) % F] = 1.0
        weight = as_numpy(self.leaf_weight[t, :len(leaves), :len(splits)])
        compared = "float32({x}_f)" if self.float32_inputs else "{x}_f"
        nan = "; NaN: 1 where the split sends it left" if self.allow_nan else ""
        decisions = LayerDescription(
            title=f"tree {t + 1}: decision units", n_in=F, n_out=len(splits),
            activation="step", activation_kind="step", weight=reads,
            formula=f"{{y}}_j = step(t_j − {compared}) = 1 if {compared} ≤ t_j else 0{nan}",
            unit_names=self._split_names(t))
        leaf_units = LayerDescription(
            title=f"tree {t + 1}: leaf units", n_in=len(splits), n_out=len(leaves),
            activation="step", activation_kind="step", weight=weight,
            bias=as_numpy(self.leaf_bias[t, :len(leaves)]),
            bias_note="½ − the number of left turns on the leaf's path",
            formula=("{y}_l = step(Σ_{j on the path} ±{x}_j + b_l): +1 where the path goes "
                     "left, −1 where it goes right; 1 only at the leaf the row reaches"),
            unit_names=tuple(f"leaf {int(table.source[node])}" for node in leaves))
        return decisions, leaf_units

    def describe(self):
        table = self.table
        trees = tuple(self._tree_steps(t) for t in range(self.n_trees))
        n_leaves = sum(len(leaves) for leaves in self.leaf_nodes)
        values = as_numpy(self.leaf_value)
        if self.one_column:
            values = values[..., None] * as_numpy(self.tree_column)[:, None, :]
        readout = np.concatenate([values[t, :len(leaves)] for t, leaves
                                  in enumerate(self.leaf_nodes)]).T * self.scale
        bias = as_numpy(self.bias)
        body = LayerDescription(
            title="trees" if self.n_trees > 1 else "tree", n_in=self.n_features,
            n_out=n_leaves, activation="step", connectivity="branches", branches=trees,
            activation_kind="branches", formula="decision units, then leaf units, per tree")
        leaf_values = LayerDescription(
            title="leaf values", n_in=n_leaves, n_out=self.n_out, activation="none",
            weight=readout, bias=bias, formula=f"{{y}} = {self.readout_words()}")
        words = self.test_words()
        return LayerDescription(
            title=(f"tree network ({self.n_trees} trees, {table.n_nodes} nodes)"
                   if self.n_trees > 1 else f"tree network ({table.n_nodes} nodes)"),
            n_in=self.n_features, n_out=self.n_out, activation="step",
            connectivity="branches", activation_kind="branches",
            branches=((body, leaf_values),), bias=bias,
            formula=(f"decision units step(t − {{x}}_f) (1 when {words}); leaf units: the AND "
                     f"of the decisions on each leaf's path; {self.readout_words()}\n"
                     "decision_path(x) = the leaf unit that fires and the decision units it "
                     "reads (its non-zero weights); apply(x) = that leaf"))
