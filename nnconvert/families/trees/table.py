"""Every tree of an ensemble as one flat node table, numbered so that a step down is arithmetic.

Both forms of a tree ensemble read this table: the traversal walks it, the network form
turns its paths into step units. Its layout removes every branch from a step down a tree:

- Nodes are renumbered breadth-first with each node's two children side by side, the
  **right child first**: from node ``i`` a row moves to ``base[i] + goes_left``, where
  ``goes_left`` is the 0/1 outcome of the split's test.
- Missing values are routed by the column a split reads: the input is widened to
  ``[x with NaN as −inf, x]``. A split whose NaN goes left reads column ``f`` (−inf passes
  every ``≤`` test), one whose NaN goes right reads column ``F + f`` (NaN fails every ``≤``
  test), so no NaN test is left in the walk. Where the model refuses NaN, the input is not
  widened and every split reads column ``f``.
- A leaf tests ``x_0 ≤ +inf`` (always true: column 0 never holds NaN) and its ``base`` is
  itself minus one, so a row that has reached its leaf stays there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .structure import checked_tree


@dataclass(frozen=True)
class NodeTable:
    """The nodes of every tree, renumbered (see the module docstring).

    Attributes
    ----------
    roots : ndarray of int
        Each tree's root (its first node).
    feature : ndarray of int
        The column of the widened input each node tests (leaves: 0).
    threshold : ndarray of float
        Each node's threshold (leaves: +inf).
    base : ndarray of int
        Each node's right child (the left child is ``base + 1``); a leaf's own index − 1.
    is_leaf : ndarray of bool
    value : ndarray of shape (n_nodes, k)
        Each node's value (read at leaves).
    depth : int
        The deepest tree's depth.
    tree_depth : ndarray of int
        Each tree's depth: the steps a row takes down it.
    tree : ndarray of int
        The tree each node belongs to.
    categorical, category_left : ndarray or None
        Where splits test category codes (HistGradientBoosting): whether each node does, and
        one row of 257 bools per such node, in node order: whether code c goes left, and
        last, whether a missing code (NaN, negative) goes left.
    source : ndarray of int
        Each node's index in its own fitted tree (to name it in a diagram).
    """

    roots: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    base: np.ndarray
    is_leaf: np.ndarray
    value: np.ndarray
    depth: int
    tree_depth: np.ndarray
    tree: np.ndarray
    source: np.ndarray
    categorical: np.ndarray | None = None
    category_left: np.ndarray | None = None

    @property
    def n_trees(self) -> int:
        return len(self.roots)

    @property
    def n_nodes(self) -> int:
        return len(self.feature)


def node_table(trees: list[dict], n_features: int, *, widened: bool,
               threshold_dtype=np.float64) -> NodeTable:
    """The :class:`NodeTable` of ``trees`` (dicts as :class:`TreeTraversal` takes them).

    ``widened`` says whether the input is ``[x with NaN as −inf, x]`` (NaN routed by column)
    or ``x`` alone. Each tree is checked first (:func:`.structure.checked_tree`, naming it
    by its ``name`` entry, default ``"tree t"``): its depth comes from its structure.
    """
    parts = {key: [] for key in ("feature", "threshold", "base", "is_leaf", "value", "tree",
                                 "source", "categorical")}
    category_left, roots, depths, offset = [], [], [], 0
    for t, arrays in enumerate(trees):
        order, depth = checked_tree(arrays, n_features, arrays.get("name", f"tree {t}"))
        depths.append(depth)
        left = np.asarray(arrays["left"], np.int64)
        right = np.asarray(arrays["right"], np.int64)
        new = np.full(len(left), -1, np.int64)  # unreachable nodes (XGBoost: pruned) get none
        new[order] = np.arange(len(order)) + offset
        leaf = left[order] < 0
        missing_left = np.asarray(arrays["missing_left"], bool)[order]
        feature = np.asarray(arrays["feature"], np.int64)[order]
        if widened:
            feature = np.where(missing_left, feature, feature + n_features)
        parts["feature"].append(np.where(leaf, 0, feature))
        threshold = np.asarray(arrays["threshold"]).astype(threshold_dtype)[order]
        parts["threshold"].append(np.where(leaf, np.inf, threshold).astype(threshold_dtype))
        own = np.arange(len(order)) + offset
        parts["base"].append(np.where(leaf, own - 1, new[np.where(leaf, 0, right[order])]))
        parts["is_leaf"].append(leaf)
        parts["value"].append(np.asarray(arrays["value"], np.float64)[order])
        parts["tree"].append(np.full(len(order), t))
        parts["source"].append(order)
        codes = np.asarray(arrays.get("categorical", np.zeros(len(left), bool)), bool)
        parts["categorical"].append(codes[order] & ~leaf)
        if codes.any():
            rows = np.asarray(arrays["category_left"], bool).reshape(-1, 256)
            # rows come in the tree's own node order: follow the renumbering
            row_of = np.full(len(left), -1)
            row_of[np.flatnonzero(codes & (left >= 0))] = np.arange(len(rows))
            kept = codes[order] & ~leaf
            missing = missing_left[kept].reshape(-1, 1)
            category_left.append(np.hstack([rows[row_of[order][kept]], missing]))
        roots.append(offset)
        offset += len(order)
    merged = {key: np.concatenate(value) for key, value in parts.items()}
    categorical = merged.pop("categorical")
    return NodeTable(roots=np.asarray(roots, np.int64),
                     depth=max(depths), tree_depth=np.array(depths, np.int64),
                     categorical=categorical if categorical.any() else None,
                     category_left=np.concatenate(category_left) if category_left else None,
                     **merged)
