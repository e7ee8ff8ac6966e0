"""A tree's node arrays read as hostile input: what every tree converter's arrays must satisfy
before :mod:`.table` numbers them.

A model file can say anything: a child may point outside the table, back at an ancestor
(a walk that never ends), at a node another parent already has (a shared child), or at
itself; an inner node may lack a child; a split may read a feature the input does not have;
``max_depth`` may be smaller than the real depth. :func:`checked_tree` refuses each of these
with one :class:`~nnconvert.errors.InvalidModelError` that names the tree, the node and the
attribute, and computes the depth from the structure itself (never from a stored
``max_depth``), with a bound: so no conversion loops or recurses without one.

Examples
--------
>>> import numpy as np
>>> tree = dict(left=np.array([1, -1, -1]), right=np.array([2, -1, -1]),
...             feature=np.array([0, -2, -2]), threshold=np.array([0.5, -2.0, -2.0]),
...             missing_left=np.zeros(3, bool), value=np.array([[0.0], [1.0], [2.0]]))
>>> order, depth = checked_tree(tree, 1, "tree 0")
>>> order.tolist(), depth
([0, 2, 1], 1)
>>> tree["right"] = np.array([1, -1, -1])  # both children the same node
>>> checked_tree(tree, 1, "tree 0")
Traceback (most recent call last):
...
nnconvert.errors.InvalidModelError: tree 0.children node 1 is reached twice from the root ...
"""

from __future__ import annotations

import numpy as np

from ...fitted import Fitted

__all__ = ["MAX_DEPTH", "checked_tree"]

#: the deepest tree a conversion accepts: every row takes this many steps down it, and a
#: chain this deep already holds far more samples than any tree is fitted on to grow one
MAX_DEPTH = 1 << 16

#: 256 category codes (0 to 255) a categorical split's bitset row holds
_CODES = 256


def checked_tree(arrays: dict, n_features: int, name: str) -> tuple[np.ndarray, int]:
    """Check one tree's node arrays; return its nodes in :mod:`.table`'s order and its depth.

    Parameters
    ----------
    arrays : dict
        As :class:`~.traversal.TreeLayer` takes a tree: ``left``, ``right`` (negative at a
        leaf), ``feature``, ``threshold``, ``missing_left``, ``value`` and optionally
        ``categorical`` and ``category_left``; ``unreachable`` (default False) says whether
        nodes the root never reaches are allowed (XGBoost keeps pruned nodes); they are left
        out of the table.
    n_features : int
        The model's input width: every split reads a feature below it.
    name : str
        How errors name the tree, e.g. ``"RandomForestClassifier.estimators_[3].tree_"``.

    Returns
    -------
    order : ndarray of int
        The nodes the root reaches, breadth-first, each inner node's right child just
        before its left.
    depth : int
        The steps from the root to the deepest leaf, from the structure.

    Raises
    ------
    InvalidModelError
        A child out of range, a node reached twice (a cycle, a shared child, a child that is
        its own parent), an inner node without two children, a tree deeper than
        :data:`MAX_DEPTH`, a feature out of range, a NaN threshold or a non-finite value.
    """
    fitted = Fitted(arrays, name)
    left = fitted.array("children_left", ndim=1, dtype=np.int64, value=arrays["left"])
    n = len(left)
    if n == 0:
        raise fitted.error("children_left", "is empty, but a tree has at least its root")
    right = fitted.array("children_right", shape=(n,), dtype=np.int64, value=arrays["right"])
    leaf = left < 0
    _check_children(fitted, left, right, leaf)
    order, depth = _levels(fitted, left, right, leaf, bool(arrays.get("unreachable", False)))
    inner = np.zeros(n, bool)
    inner[order] = ~leaf[order]  # only what the root reaches is read
    fitted.indices("feature", n_features, value=arrays["feature"], where=inner,
                   item="node", what=f"the model has {n_features} features")
    threshold = fitted.array("threshold", shape=(n,), finite=False, value=arrays["threshold"])
    # ±inf is a threshold scikit-learn writes (every number to one side, NaN to the other)
    bad = inner & np.isnan(threshold)
    if bad.any():
        node = int(np.flatnonzero(bad)[0])
        raise fitted.error("threshold", f"is NaN at node {node}, but a split compares with a "
                                        "number")
    fitted.array("missing_left", shape=(n,), dtype=bool, value=arrays["missing_left"])
    value = fitted.array("value", finite=False, value=arrays["value"])
    if value.ndim not in (1, 2) or len(value) != n:
        raise fitted.error("value", f"has shape {value.shape}, but ({n},) or ({n}, k) was "
                                    "expected: one value (or k) per node")
    if not np.isfinite(value[order]).all():
        raise fitted.error("value", "holds NaN or infinite values")
    _check_categories(fitted, arrays, n, leaf)
    return order, depth


def _check_children(fitted: Fitted, left, right, leaf) -> None:
    """Every child inside the table, and an inner node has two, a leaf none."""
    n = len(left)
    for attribute, children in (("children_left", left), ("children_right", right)):
        bad = ~leaf & ((children < 0) | (children >= n))
        if bad.any():
            node = int(np.flatnonzero(bad)[0])
            what = ("has no right child (-1), but its left child is "
                    f"{left[node]}: an inner node has two" if children[node] < 0 else
                    f"points at node {children[node]}, but the tree has {n} nodes")
            raise fitted.error(attribute, f"at node {node} {what}")
    stray = leaf & (right >= 0)
    if stray.any():
        node = int(np.flatnonzero(stray)[0])
        raise fitted.error("children_right", f"at node {node} is {right[node]}, but the node "
                                             "is a leaf (no left child): a leaf has none")


def _levels(fitted: Fitted, left, right, leaf, unreachable: bool) -> tuple[np.ndarray, int]:
    """Breadth-first from the root, refusing a node reached twice: so at most ``n`` nodes
    are visited, whatever the children say, and the depth is the number of levels."""
    n = len(left)
    seen = np.zeros(n, bool)
    seen[0] = True
    levels, frontier = [np.array([0])], np.array([0])
    while True:
        inner = frontier[~leaf[frontier]]
        if not inner.size:
            break
        if len(levels) > MAX_DEPTH:
            raise fitted.error("children", f"make the tree deeper than {MAX_DEPTH:,} levels, "
                                           "the most a conversion walks")
        frontier = np.stack([right[inner], left[inner]], axis=1).reshape(-1)
        again = seen[frontier] | _repeated(frontier)
        if again.any():
            node = int(frontier[np.flatnonzero(again)[0]])
            raise fitted.error("children", f"node {node} is reached twice from the root (a "
                                           "cycle, a shared child or a child that is its own "
                                           "parent), but in a tree each node has one parent")
        seen[frontier] = True
        levels.append(frontier)
    if not unreachable and not seen.all():
        node = int(np.flatnonzero(~seen)[0])
        raise fitted.error("children", f"never reach node {node} from the root, but every "
                                       "node of a fitted tree lies on a path from it")
    return np.concatenate(levels), len(levels) - 1


def _repeated(nodes: np.ndarray) -> np.ndarray:
    """Whether each entry repeats an earlier one."""
    first = np.zeros(len(nodes), bool)
    first[np.unique(nodes, return_index=True)[1]] = True
    return ~first


def _check_categories(fitted: Fitted, arrays: dict, n: int, leaf) -> None:
    """One bitset row of 256 codes per categorical inner node, in node order."""
    if arrays.get("categorical") is None:
        return
    categorical = fitted.array("categorical", shape=(n,), dtype=bool,
                               value=arrays["categorical"])
    rows = int((categorical & ~leaf).sum())
    if rows:
        fitted.array("category_left", shape=(rows, _CODES), dtype=bool,
                     value=arrays.get("category_left"))
