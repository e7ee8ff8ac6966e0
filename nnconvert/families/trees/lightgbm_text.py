"""A LightGBM model's text read as hostile input, before LightGBM itself walks its trees.

LightGBM loads an edited model file without checking its trees' structure, and its own
``dump_model`` (which the converter reads) then follows the children wherever they point: a
child that points back at an ancestor recurses until the process dies. So the converter
first reads the model's text (``Booster.model_to_string()``, which writes the arrays as they
are, without walking them) and checks every tree with :func:`.structure.checked_tree`:
children in range, each node reached once from the root, features below the input width,
thresholds and leaf values numbers. A tree that fails is one
:class:`~nnconvert.errors.InvalidModelError` naming the tree and the node.

LightGBM numbers a tree's ``num_leaves - 1`` splits from 0 (the root) and writes a child
that is a leaf as ``~leaf`` (a negative number); here leaf ``j`` becomes node
``num_leaves - 1 + j``, so that one table of nodes holds both.

Examples
--------
>>> text = '''Tree=0
... num_leaves=2
... split_feature=0
... threshold=0.5
... left_child=-1
... right_child=0
... leaf_value=1 2
...
... end of trees'''
>>> check_model_text(text, 3, "Booster")
Traceback (most recent call last):
...
nnconvert.errors.InvalidModelError: Booster tree 0.children node 0 is reached twice from the root ...
"""

from __future__ import annotations

import numpy as np

from ...fitted import Fitted
from .structure import checked_tree

__all__ = ["check_model_text"]


def _trees(text: str):
    """Each ``Tree=`` block of the model text as a dict of its ``key=value`` lines."""
    tree = None
    for line in text.splitlines():
        if line.startswith("Tree="):
            if tree is not None:
                yield tree
            tree = {}
        elif line.startswith("end of trees"):
            break
        elif tree is not None and "=" in line:
            key, _, value = line.partition("=")
            tree[key] = value
    if tree is not None:
        yield tree


def _numbers(fitted: Fitted, tree: dict, key: str, n: int, dtype) -> np.ndarray:
    words = tree.get(key, "").split()
    try:
        values = np.array([float(w) for w in words], np.float64)
    except ValueError:
        raise fitted.error(key, f"is {tree.get(key)!r}, not {n} numbers") from None
    return fitted.array(key, shape=(n,), dtype=dtype, finite=False, value=values)


def check_model_text(text: str, n_features: int, name: str) -> None:
    """Check every tree of a LightGBM model's text; raise on the first that is corrupt.

    Parameters
    ----------
    text : str
        ``Booster.model_to_string()``.
    n_features : int
        The model's input width.
    name : str
        How errors name the model.

    Raises
    ------
    InvalidModelError
        A count that is not a number, arrays of the wrong length, a child out of range or
        reached twice, a feature out of range, a NaN threshold, a leaf value that is not
        finite.
    """
    for i, tree in enumerate(_trees(text)):
        fitted = Fitted(tree, f"{name} tree {i}")
        n_leaves = fitted.integer("num_leaves", low=1,
                                  value=int(tree["num_leaves"])
                                  if tree.get("num_leaves", "").isdigit() else None)
        n_splits = n_leaves - 1
        values = _numbers(fitted, tree, "leaf_value", n_leaves, np.float64)
        if n_splits == 0:
            fitted.array("leaf_value", finite=True, value=values)
            continue
        left, right = (_numbers(fitted, tree, key, n_splits, np.int64)
                       for key in ("left_child", "right_child"))
        # leaf j (written ~j) becomes node n_splits + j: one table for splits and leaves
        left, right = (np.where(c < 0, n_splits + ~c, c) for c in (left, right))
        for key, children in (("left_child", left), ("right_child", right)):
            fitted.indices(key, n_splits + n_leaves, value=children, item="split",
                           what=f"the tree has {n_splits} splits and {n_leaves} leaves")
        leaf = np.full(n_leaves, -1)
        arrays = dict(
            left=np.r_[left, leaf], right=np.r_[right, leaf],
            feature=np.r_[_numbers(fitted, tree, "split_feature", n_splits, np.int64), leaf],
            threshold=np.r_[_threshold(fitted, tree, n_splits), np.zeros(n_leaves)],
            missing_left=np.zeros(n_splits + n_leaves, bool),
            value=np.r_[np.zeros(n_splits), values])
        checked_tree(arrays, n_features, f"{name} tree {i}")


def _threshold(fitted: Fitted, tree: dict, n_splits: int) -> np.ndarray:
    """The numerical thresholds; a categorical split's (an index into its category sets)
    counts as a number too (its sets are read from ``dump_model``, which checks them)."""
    return _numbers(fitted, tree, "threshold", n_splits, np.float64)
