"""The fast form of a tree ensemble: level-by-level traversal with gathers over node arrays.

All trees share one flat node table (:mod:`.table`); every row walks every tree at once, one
level per step, a fixed number of steps (the deepest tree's depth), so the graph has no
data-dependent branch and ``torch.export`` traces it. A step is three gathers, a comparison
and an addition: the table's layout leaves no NaN test and no choice between children.
"""

from __future__ import annotations

import numpy as np
import torch

from ...layers import Layer, LayerDescription, as_buffer, as_numpy
from ...layers.columns import ColumnSpec
from ...layers.rows import in_row_blocks
from . import guard, walk_kernel
from .guard import CheckedBuffers
from .table import node_table


def float32_threshold(threshold: np.ndarray) -> np.ndarray:
    """The largest float32 ``s <= t``: ``float32(x) <= t`` exactly when ``float32(x) <= s``.

    scikit-learn's classic trees compare the float32 cast of x with a float64 threshold;
    rounding the threshold down once lets the comparison run in float32 for any network dtype.
    """
    t = np.asarray(threshold, dtype=np.float64)
    with np.errstate(over="ignore"):  # beyond float32's range: ±inf, stepped down below
        s = t.astype(np.float32)
    above = s.astype(np.float64) > t
    s[above] = np.nextafter(s[above], np.float32(-np.inf))
    return s


#: (rows × trees) node indices walked at once
_BLOCK_NODES = 1 << 16

class TreeLayer(Layer):
    """What both forms of a tree ensemble share: the node table, the input it compares, and
    the read-out ``scale × Σ_trees leaf value + bias``.

    Parameters
    ----------
    trees : list of dict
        Per tree: ``feature``, ``threshold``, ``left``, ``right`` (negative at a leaf),
        ``missing_left`` (bool), ``value`` (n_nodes, k), ``depth``; where a tree splits on
        category codes (HistGradientBoosting), also ``categorical`` (bool, per node) and
        ``category_left`` (one row of 256 bools per categorical node, in node order:
        whether code c goes left; a NaN or negative code goes to the missing-value side).
    n_features : int
        Width of the input.
    scale : float, default 1.0
        Multiplies the sum (1 / n_trees for a forest's average).
    bias : array-like of shape (k,) or None
        Added after scaling (a boosting model's initial raw prediction).
    float32_inputs : bool, default True
        Compare ``float32(x)`` with thresholds already rounded down to float32
        (:func:`float32_threshold`), as scikit-learn's classic trees do. False compares ``x``
        in the network's dtype with float64 thresholds, as HistGradientBoosting does.
    allow_nan : bool, default True
        Whether NaN inputs are accepted (routed by ``missing_left``); False where the
        estimator itself refuses them (GradientBoosting), so the input schema refuses them.
    allow_inf : bool, default False
        Whether ±inf inputs are accepted, compared with the thresholds like any value (as
        HistGradientBoosting does); otherwise the input schema refuses them.
    float32_range : bool, default False
        Whether finite inputs that overflow float32 are refused, as scikit-learn's classic
        trees refuse them (they cast X to float32, then check it is finite).
    readout : str or None
        What the output is, in words for ``explain()``, where the sum of the leaf values
        does not say it (every tree in a column of its own).
    """

    def __init__(self, trees: list[dict], n_features: int, scale: float = 1.0, *,
                 bias=None, float32_inputs: bool = True, allow_nan: bool = True,
                 allow_inf: bool = False, float32_range: bool = False,
                 readout: str | None = None):
        super().__init__()
        self.n_features = n_features
        self.float32_inputs = bool(float32_inputs)
        self.allow_nan = bool(allow_nan)
        self.allow_inf = bool(allow_inf)
        self.float32_range = bool(float32_range)
        self.scale = float(scale)
        self.readout = readout
        table = node_table(trees, n_features, widened=self.allow_nan,
                           threshold_dtype=np.float32 if float32_inputs else np.float64)
        self.n_trees, self.n_nodes, self.depth = table.n_trees, table.n_nodes, table.depth
        self.has_categories = table.categorical is not None
        self.n_out = table.value.shape[1]
        # apply / decision_path name nodes as the fitted trees do: each table node's own
        # tree and index there (not saved: rebuilt from the trees with the layer)
        self.register_buffer("node_tree", torch.as_tensor(table.tree.astype(np.int64)),
                             persistent=False)
        self.register_buffer("node_source", torch.as_tensor(table.source.astype(np.int64)),
                             persistent=False)
        self.tree_sizes = np.bincount(table.tree, minlength=table.n_trees).tolist()
        self.register_buffer("bias", None if bias is None else as_buffer(bias).reshape(-1))
        # boosting trees each add to one output column: keep one value per leaf and sum the
        # trees into their columns with a matrix product, rather than k values per leaf
        column_used = np.zeros((table.n_trees, self.n_out), bool)
        np.logical_or.at(column_used, table.tree, table.value != 0)
        self.one_column = self.n_out > 1 and bool((column_used.sum(axis=1) <= 1).all())
        # what a leaf adds: (nodes, k), or (nodes,) in its tree's column
        node_value = table.value
        if self.one_column:
            column = column_used.argmax(axis=1)
            node_value = table.value[np.arange(table.n_nodes), column[table.tree]]
            self.register_buffer("tree_column", as_buffer(np.eye(self.n_out)[column]))
        self.build(table, node_value)
        self._checked = CheckedBuffers()
        # an edited state_dict is refused as it is loaded (and again before any forward)
        self.register_load_state_dict_post_hook(_check_loaded)
        self._checked.ensure(self)

    def build(self, table, node_value: np.ndarray) -> None:
        """Register the form's own buffers from the node table and each node's value."""
        raise NotImplementedError

    def guarded_buffers(self) -> list[torch.Tensor]:
        """The buffers :meth:`check_buffers` reads (checked again when one changes)."""
        raise NotImplementedError

    def check_buffers(self) -> None:
        """Raise :class:`~nnconvert.errors.InvalidModelError` where the buffers could make
        a forward pass leave them or answer wrongly (:mod:`.guard`)."""
        raise NotImplementedError

    def guard(self) -> None:
        """Check the buffers if they changed since their last check (not while traced: a
        traced graph holds stand-ins of the buffers, not their values)."""
        if not _tracing():
            self._checked.ensure(self)

    def __setstate__(self, state):
        # a layer pickled before its buffers were guarded checks them at its next forward
        state.setdefault("_checked", CheckedBuffers())
        super().__setstate__(state)

    def path_nodes(self, x: torch.Tensor) -> torch.Tensor:
        """The table nodes each row passes, per tree, root first: (rows, trees, depth + 1),
        the leaf repeated after a row reaches it (``apply`` and ``decision_path`` read it)."""
        raise NotImplementedError

    def compared(self, x: torch.Tensor) -> torch.Tensor:
        """The input the splits test: ``float32(x)`` or ``x``, widened to
        ``[x with NaN as −inf, x]`` where NaN is routed (see :mod:`.table`)."""
        xs = x.to(torch.float32) if self.float32_inputs else x
        if not self.allow_nan:
            return xs
        return torch.cat([torch.where(torch.isnan(xs), float("-inf"), xs), xs], dim=1)

    def leaf_sum(self, leaf_values: torch.Tensor) -> torch.Tensor:
        """``scale × Σ_trees leaf value + bias`` from the (rows, trees[, k]) leaf values.

        On the CPU the trees are summed as the compiled walk sums them (:mod:`.walk_kernel`),
        so every form gives the same bits; elsewhere by torch, alike for every form."""
        if walk_kernel.runs_on(leaf_values):
            return self.scaled(walk_kernel.tree_sum(leaf_values, self.tree_columns(),
                                                    self.n_out))
        # contiguous: both forms then add the trees in the same order, to the same bits
        leaf_values = leaf_values.contiguous()
        if self.one_column:
            return self.scaled(leaf_values @ self.tree_column.to(leaf_values.dtype))
        return self.scaled(leaf_values.sum(dim=1))

    def scaled(self, sums: torch.Tensor) -> torch.Tensor:
        """``scale × sums + bias``."""
        out = sums * self.scale
        return out if self.bias is None else out + self.bias.to(out.dtype)

    def tree_columns(self) -> np.ndarray | None:
        """The output column each tree adds its one value to (int32), or None where each
        leaf holds a value per column."""
        if not self.one_column:
            return None
        return self.tree_column.argmax(dim=1).to(torch.int32).cpu().numpy()

    def input_columns(self) -> tuple:
        """Every feature may hold NaN where a split sends it to its missing-value side."""
        return (ColumnSpec(allow_nan=self.allow_nan, allow_inf=self.allow_inf,
                           float32=self.float32_range),) \
            * self.n_features

    def test_words(self) -> str:
        """The split test in words, for ``explain()``."""
        compared = "float32({x}_f)" if self.float32_inputs else "{x}_f"
        codes = (", or at a categorical split while the code {x}_f is in its left set"
                 if self.has_categories else "")
        nan = " (NaN: the split's missing-value side)" if self.allow_nan else ""
        return f"{compared} ≤ t{codes}{nan}"

    def readout_words(self) -> str:
        scale = "" if self.scale == 1.0 else f"{self.scale:g} × "
        bias = "" if self.bias is None else " + b"
        return self.readout or f"output = {scale}Σ_trees leaf value{bias}"


def _tracing() -> bool:
    return (torch.compiler.is_compiling() or torch.compiler.is_exporting()
            or torch.jit.is_tracing())


def _check_loaded(layer, incompatible_keys) -> None:
    layer._checked.ensure(layer)


class TreeTraversal(TreeLayer):
    """The fast form: every row walks every tree, one level per step, to a leaf.

    Parameters are those of :class:`TreeLayer`. On the CPU the walk is the compiled kernel
    of :mod:`.walk_kernel` (the ``compiled`` attribute, True where it was built); elsewhere,
    and under ``torch.export``, it is torch ops, which find the same leaves (and on the CPU,
    outside export, sum them to the same bits). Eager torch runs that walk
    as fast as ``torch.compile`` does (measured: 34 ms compiled, 29 ms eager per 2,048 rows
    of a 200-tree forest), so it is not compiled.
    """

    def build(self, table, node_value: np.ndarray) -> None:
        # the trees are walked deepest first, so that a level walks only the trees that
        # still have one (a prefix): boosted trees differ in depth, 5 to 17 in one model
        self.compiled = walk_kernel.library() is not None
        self._compiled_walk = walk_kernel.CompiledWalk()
        deepest_first = np.argsort(-table.tree_depth, kind="stable")
        self.walking = [int((table.tree_depth > level).sum()) for level in range(self.depth)]
        # int32 indices: half the memory traffic of int64, and index_select takes them
        self.register_buffer("roots", torch.as_tensor(table.roots[deepest_first].astype(np.int32)))
        self.register_buffer("own_order", torch.as_tensor(np.argsort(deepest_first)))
        self.register_buffer("feature", torch.as_tensor(table.feature.astype(np.int32)))
        self.register_buffer("threshold", torch.as_tensor(table.threshold))
        self.register_buffer("base", torch.as_tensor(table.base.astype(np.int32)))
        self.register_buffer("value", as_buffer(node_value))
        if self.has_categories:
            self.register_buffer("is_categorical", torch.as_tensor(table.categorical))
            row = np.zeros(table.n_nodes, np.int32)
            row[table.categorical] = np.arange(int(table.categorical.sum()))
            self.register_buffer("category_row", torch.as_tensor(row))
            self.register_buffer("category_left", torch.as_tensor(table.category_left))

    guarded_buffers = guard.walk_buffers
    check_buffers = guard.check_walk

    def forward(self, x):
        self.guard()
        if self.compiled and walk_kernel.runs_on(x) and self.base.device.type == "cpu":
            # the whole batch in one call: the kernel keeps its memory to a block of rows
            # per thread, and torch ops between calls would keep torch's idle threads
            # spinning on the cores the kernel's threads need (measured: 600 boosted trees,
            # 2 threads, blocks of 582 rows: no faster than 1 thread)
            return self.scaled(self._compiled_walk(self, x))
        # a block of rows at a time: the (rows × trees) node indices of every level then stay
        # in cache rather than streaming through memory once per level
        rows = max(64, _BLOCK_NODES // max(1, self.n_trees))
        return in_row_blocks(self._walk, x, rows)

    def refresh(self) -> None:
        """Make the compiled walk read the buffers again: needed only after changing them
        where torch keeps no count (through ``.data`` or a numpy view); ``load_state_dict``,
        ``to`` and in-place torch operations are followed by themselves."""
        self._compiled_walk.forget()
        self._checked.forget()

    def __setstate__(self, state):
        # a traversal pickled before the compiled walk existed walks in torch ops
        state.setdefault("compiled", False)
        state.setdefault("_compiled_walk", walk_kernel.CompiledWalk())
        super().__setstate__(state)

    def _walk(self, x):
        node = self._descend(x)
        n = x.shape[0]
        leaf_values = self.value.to(x.dtype).index_select(0, node)
        leaf_values = leaf_values.reshape(self.n_trees, n, *self.value.shape[1:])
        # back to the trees' own order, which the sum follows (as the network form's does)
        leaf_values = leaf_values.index_select(0, self.own_order)
        return self.leaf_sum(leaf_values.transpose(0, 1))

    def path_nodes(self, x):
        self.guard()
        levels: list = []
        self._descend(x, levels)
        n = x.shape[0]
        nodes = torch.stack(levels).reshape(len(levels), self.n_trees, n)
        return nodes.index_select(1, self.own_order).permute(2, 1, 0).long()

    def _descend(self, x, levels: list | None = None):
        """Every row down every tree (deepest tree first, rows side by side): the leaves'
        nodes; ``levels``, where given, receives the nodes of every level, root first."""
        xs = self.compared(x)
        n, width = xs.shape
        flat = xs.reshape(-1)
        threshold = self.threshold.to(xs.dtype) if not self.float32_inputs else self.threshold
        # tree by tree (deepest first), all rows of a tree side by side; row r's columns
        # start at r × width of the flattened input
        # (expand and reshape, which ONNX exports with a dynamic n; repeat does not)
        trees_by_rows = (self.n_trees, n)
        row_start = (torch.arange(n, dtype=torch.int32, device=x.device) * width
                     ).unsqueeze(0).expand(trees_by_rows).reshape(-1)
        node = self.roots.unsqueeze(1).expand(trees_by_rows).reshape(-1)
        if levels is not None:
            levels.append(node)
        for walking in self.walking:
            here = node[:walking * n]  # the trees deeper than this level
            xf = flat.index_select(0, row_start[:walking * n]
                                   + self.feature.index_select(0, here))
            goes_left = xf <= threshold.index_select(0, here)
            if self.has_categories:
                goes_left = self._category_test(here, xf, goes_left)
            stepped = self.base.index_select(0, here) + goes_left
            node = stepped if walking == self.n_trees else torch.cat(
                [stepped, node[walking * n:]])
            if levels is not None:
                levels.append(node)
        return node

    def _category_test(self, node, xf, goes_left):
        """At a categorical split, whether the code goes left (bitset row, or the split's
        missing-value side for NaN and negative codes); elsewhere ``goes_left``."""
        on_codes = self.is_categorical.index_select(0, node)
        missing = torch.isnan(xf) | (xf < 0)
        # scikit-learn reads a category code as a uint8 (codes are below max_bins)
        code = torch.where(missing, 256, xf.clamp(0, 255)).long()
        row = self.category_row.index_select(0, node).long()
        by_code = self.category_left[row, code]
        # & and | rather than torch.where: onnxruntime has no Where on booleans
        return (on_codes & by_code) | (~on_codes & goes_left)

    def describe(self):
        return LayerDescription(
            title=f"tree traversal ({self.n_trees} trees, depth ≤ {self.depth})",
            n_in=self.n_features, n_out=self.n_out, activation="walk",
            formula=(f"each tree: from the root go left while {self.test_words()}, to a "
                     f"leaf; {self.readout_words()}"),
            bias=as_numpy(self.bias))
