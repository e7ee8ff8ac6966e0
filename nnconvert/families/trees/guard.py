"""The traversal's buffers checked before a walk reads them, and again whenever they change.

A :class:`~.traversal.TreeTraversal` walks its node table through indices (a column of the
input, a child, a root, a category row). Conversion builds a table that is right
(:mod:`.structure`), but a ``state_dict`` can be edited, and a buffer replaced or changed in
place afterwards. :func:`check_walk` checks what a walk relies on: every column below the
input's width, every root and child inside the table, each tree a tree that reaches its
leaves within the steps the walk takes down it (its depth, fixed at conversion), leaves that
stay where they are, category rows in range, and buffer shapes that agree. A failure is an
:class:`~nnconvert.errors.InvalidModelError` naming the buffer, before any walk (torch's or
the compiled one) reads a wrong value. :func:`check_network` does the same for the network
form (:class:`~.network.TreeNetwork`): decision units that read columns of the input, leaf
units whose weights and biases are the AND of a path, values of the shapes the read-out sums.
:class:`CheckedBuffers` runs a layer's check (its ``check_buffers``, over its
``guarded_buffers``) once per change of the buffers (a new tensor, or its version counter
moved), so a forward pass pays nothing.
"""

from __future__ import annotations

import weakref

import numpy as np
import torch

from ...fitted import Fitted

__all__ = ["check_walk", "check_network", "CheckedBuffers", "buffer_version"]


def walk_buffers(layer) -> list[torch.Tensor]:
    """Every buffer a walk reads (what :func:`check_walk` depends on)."""
    names = ["feature", "threshold", "base", "roots", "own_order", "value"]
    if layer.has_categories:
        names += ["is_categorical", "category_row", "category_left"]
    return _with_readout(layer, names)


def network_buffers(layer) -> list[torch.Tensor]:
    """Every buffer the network form reads (what :func:`check_network` depends on)."""
    return _with_readout(layer, ["split_feature", "split_threshold", "leaf_weight",
                                 "leaf_bias", "leaf_value"])


def _with_readout(layer, names: list[str]) -> list[torch.Tensor]:
    names = names + (["tree_column"] if layer.one_column else [])
    return [getattr(layer, name) for name in names] + \
        ([] if layer.bias is None else [layer.bias])


def _numpy(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().cpu().numpy()


def check_walk(layer) -> None:
    """Raise :class:`~nnconvert.errors.InvalidModelError` where a walk of ``layer``'s
    buffers could leave them or read a wrong value (see the module docstring)."""
    fitted = Fitted(layer, "TreeTraversal")
    n_trees = layer.n_trees
    feature = fitted.array("feature", ndim=1, dtype=np.int64, value=_numpy(layer.feature))
    n = len(feature)
    if n == 0:
        raise fitted.error("feature", "is empty, but the table has at least one node")
    width = _width(layer)
    fitted.indices("feature", width, value=feature, item="node",
                   what=f"the walk's input has {width} columns")
    threshold = fitted.array("threshold", shape=(n,), finite=False,
                             value=_numpy(layer.threshold))
    base = fitted.array("base", shape=(n,), dtype=np.int64, value=_numpy(layer.base))
    roots = fitted.indices("roots", n, value=_numpy(layer.roots), item="tree",
                           what=f"the table has {n} nodes")
    if len(roots) != n_trees:
        raise fitted.error("roots", f"has {len(roots)} entries, but the layer has {n_trees} "
                                    "trees")
    order = fitted.array("own_order", shape=(n_trees,), dtype=np.int64,
                         value=_numpy(layer.own_order))
    if not np.array_equal(np.sort(order), np.arange(n_trees)):
        raise fitted.error("own_order", "is not an order of the trees (each once)")
    _check_values(fitted, layer, n)
    # tree j of the deepest-first order takes depth[j] steps (fixed at conversion)
    depth = (np.asarray(layer.walking, np.int64)[None, :] > np.arange(n_trees)[:, None]
             ).sum(axis=1)
    _check_trees(fitted, base, threshold, feature, roots, depth)
    if layer.has_categories:
        _check_categories(fitted, layer, n)


def _width(layer) -> int:
    # where NaN is routed, the splits read [x with NaN as −inf, x] (see TreeLayer.compared)
    return layer.n_features * (2 if layer.allow_nan else 1)


def check_network(layer) -> None:
    """Raise :class:`~nnconvert.errors.InvalidModelError` where the network form's buffers
    could read outside the input or answer other than the trees they were built from: a
    decision unit reading a column past the input (or an index torch would refuse at
    predict time), a NaN threshold, leaf-unit weights other than ±1 and 0, a leaf bias that
    is not ½ − its left turns (then no leaf, or two, would fire), shapes that disagree."""
    fitted = Fitted(layer, "TreeNetwork")
    T, L, S = layer.n_trees, layer.n_leaves, layer.n_splits
    width = _width(layer)
    feature = fitted.array("split_feature", shape=(T * S,), dtype=np.int64,
                           value=_numpy(layer.split_feature))
    fitted.indices("split_feature", width, value=feature, item="decision unit",
                   what=f"the input the splits read has {width} columns")
    threshold = fitted.array("split_threshold", shape=(T * S,), finite=False,
                             value=_numpy(layer.split_threshold))
    if np.isnan(threshold).any():
        raise fitted.error("split_threshold", "holds NaN, but a split compares with a number")
    weight = fitted.array("leaf_weight", shape=(T, L, S), value=_numpy(layer.leaf_weight))
    if not np.isin(weight, (-1.0, 0.0, 1.0)).all():
        raise fitted.error("leaf_weight", "holds values other than +1, −1 and 0, but a leaf "
                                          "unit reads each decision on its path with ±1")
    bias = fitted.array("leaf_bias", shape=(T, L), value=_numpy(layer.leaf_bias))
    padding = (bias == -0.5) & ~weight.any(axis=2)  # a leaf unit that never fires
    if not (padding | (bias == 0.5 - (weight == 1.0).sum(axis=2))).all():
        raise fitted.error("leaf_bias", "is not ½ − the number of left turns of each leaf's "
                                        "path (padding: −½), so a row could reach no leaf, "
                                        "or two")
    expected = (T, L) if layer.one_column else (T, L, layer.n_out)
    fitted.array("leaf_value", shape=expected, value=_numpy(layer.leaf_value))
    _check_readout(fitted, layer)


def _check_readout(fitted: Fitted, layer) -> None:
    if layer.one_column:
        fitted.array("tree_column", shape=(layer.n_trees, layer.n_out),
                     value=_numpy(layer.tree_column))
    if layer.bias is not None:
        fitted.array("bias", shape=(layer.n_out,), value=_numpy(layer.bias))


def _check_values(fitted: Fitted, layer, n: int) -> None:
    value = fitted.array("value", value=_numpy(layer.value))
    expected = (n,) if layer.one_column else (n, layer.n_out)
    if value.shape != expected:
        raise fitted.error("value", f"has shape {value.shape}, but {expected} was expected")
    _check_readout(fitted, layer)


def _check_trees(fitted: Fitted, base, threshold, feature, roots, depth) -> None:
    """From every root, level by level: children inside the table, no node reached twice,
    every row at a leaf after its tree's steps; a leaf (``base`` = itself − 1) tests
    ``x_0 ≤ +inf``, so a row there stays there."""
    n = len(base)
    own = np.arange(n)
    leaf = base == own - 1
    moving = leaf & ((feature != 0) | (threshold != np.inf))
    if moving.any():
        node = int(np.flatnonzero(moving)[0])
        raise fitted.error("threshold", f"at leaf {node} is {threshold[node]} on column "
                                        f"{feature[node]}, but a leaf tests column 0 against "
                                        "+inf, so that a row stays at it")
    nan = ~leaf & np.isnan(threshold)
    if nan.any():
        raise fitted.error("threshold", f"is NaN at node {int(np.flatnonzero(nan)[0])}, but a "
                                        "split compares with a number")
    seen = np.zeros(n, bool)
    frontier, steps = roots, depth
    while frontier.size:
        again = seen[frontier] | _repeated(frontier)
        if again.any():
            raise fitted.error("base", f"reaches node {int(frontier[again][0])} twice, but a "
                                       "tree reaches each node once")
        seen[frontier] = True
        inner = ~leaf[frontier]
        stuck = inner & (steps == 0)
        if stuck.any():
            raise fitted.error("base", f"leaves a row at node {int(frontier[stuck][0])}, not "
                                       "a leaf, after the steps its tree takes")
        frontier, steps = frontier[inner], steps[inner] - 1
        children = base[frontier]
        outside = (children < 0) | (children + 1 >= n)
        if outside.any():
            raise fitted.error("base", f"at node {int(frontier[outside][0])} points at "
                                       f"{int(children[outside][0])}, outside the table of "
                                       f"{n} nodes")
        frontier = np.stack([children, children + 1], axis=1).reshape(-1)
        steps = np.repeat(steps, 2)


def _repeated(nodes: np.ndarray) -> np.ndarray:
    first = np.zeros(len(nodes), bool)
    first[np.unique(nodes, return_index=True)[1]] = True
    return ~first


def _check_categories(fitted: Fitted, layer, n: int) -> None:
    categorical = fitted.array("is_categorical", shape=(n,), dtype=bool,
                               value=_numpy(layer.is_categorical))
    rows = fitted.array("category_left", ndim=2, dtype=bool, value=_numpy(layer.category_left))
    if rows.shape[1] != 257:
        raise fitted.error("category_left", f"has shape {rows.shape}, but 257 columns were "
                                            "expected (codes 0-255, then a missing code)")
    fitted.indices("category_row", len(rows), value=_numpy(layer.category_row),
                   where=categorical, item="node",
                   what=f"category_left has {len(rows)} rows")


class CheckedBuffers:
    """Runs a layer's ``check_buffers()`` when its ``guarded_buffers()`` are new or changed
    since the last check (the buffers themselves, held weakly, and their version counters): so after
    ``load_state_dict``, ``to``, in-place edits, at the next walk. A change that bypasses the
    counter (through ``.data`` or a numpy view) is seen after :meth:`forget`."""

    def __init__(self):
        self._checked = ()

    def forget(self) -> None:
        self._checked = ()

    def __getstate__(self):
        return {}  # weak references do not pickle: a copy checks its own buffers

    def __setstate__(self, state):
        self.forget()

    def ensure(self, layer) -> None:
        """Check ``layer``'s buffers unless these very buffers passed already."""
        buffers = layer.guarded_buffers()
        checked = self._checked  # one read: another thread may replace it
        if len(checked) == len(buffers) and all(
                ref() is b and version == buffer_version(b)
                for (ref, version), b in zip(checked, buffers)):
            return
        layer.check_buffers()
        self._checked = tuple((weakref.ref(b), buffer_version(b)) for b in buffers)


def buffer_version(tensor: torch.Tensor):
    """The tensor's version counter (None for inference tensors, which keep none and cannot
    change outside inference mode)."""
    return None if tensor.is_inference() else tensor._version
