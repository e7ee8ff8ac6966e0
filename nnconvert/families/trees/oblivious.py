"""Oblivious trees (CatBoost's symmetric trees) as a layer: a few step units per tree whose
bits are the index of its leaf.

An oblivious tree asks the same question of every node of a level, so a tree of depth ``d``
is ``d`` **decision units** ``bit_l = step(x_f − b_l)`` (1 when ``x_f > b_l``), and the
leaf a row reaches is the binary number they write, ``Σ_l 2^l · bit_l``: no leaf units. The
read-out looks up each tree's leaf value at that index and sums the trees. That is how the
layer describes itself (``explain()``, diagrams) and what :meth:`ObliviousTrees.leaf_index`
computes.

To compute the sum, the layer unrolls each tree into an ordinary node table (``2^d − 1``
splits, node ``i``'s children ``2i + 1`` where the bit is 0 and ``2i + 2``) and walks it
with the tree family's traversal (:class:`~.traversal.TreeTraversal`: the compiled walk on
the CPU). Measured on 20,000 rows of a 300-tree, depth-6 model (benchmarks/bench_catboost.py)
the walk is about 12 times faster than the level-wise gather, compare and look-up in torch,
whose temporaries (rows × trees × depth) dominate. Where the unrolled tables would be too
large (deep trees: ``2^d`` leaves each) the layer computes level-wise instead; both give
the same leaves, and the same sums to float64 rounding.
"""

from __future__ import annotations

import numpy as np
import torch

from ...layers import Layer, LayerDescription, as_buffer, as_numpy
from ...layers.columns import ColumnSpec
from ...layers.rows import in_row_blocks
from .traversal import TreeTraversal

__all__ = ["ObliviousTrees"]

#: (rows × splits) comparisons held at once: the block of rows is sized from it
_BLOCK_SPLITS = 1 << 22

#: the most nodes of unrolled tables the layer walks; beyond, it computes level-wise
WALK_NODES = 1 << 22


def unrolled_tree(feature, border, nan_bit, leaf_value) -> dict:
    """One oblivious tree of depth ``d`` as a full binary node table (the dict a
    :class:`~.traversal.TreeTraversal` reads): node ``i``'s children are ``2i + 1`` (bit 0:
    ``x ≤ b``) and ``2i + 2``; the leaf at bottom position ``p`` holds leaf ``Σ_l 2^l ·
    bit_l``, where the bit of level ``l`` is bit ``d − 1 − l`` of ``p`` (the root is the
    most significant turn).

    Examples
    --------
    >>> tree = unrolled_tree([0, 1], [0.5, 2.0], [False, False], [[10.], [11.], [12.], [13.]])
    >>> tree["left"].tolist(), tree["feature"][:3].tolist()
    ([1, 3, 5, -1, -1, -1, -1], [0, 1, 1])
    >>> tree["value"][3:, 0].tolist()  # x0 ≤ 0.5 then x1 ≤ 2: leaf 0; x0 > 0.5 alone: leaf 1
    [10.0, 12.0, 11.0, 13.0]
    """
    d = len(feature)
    n = (2 << d) - 1
    level = np.zeros(n, np.int64)
    for lv in range(1, d + 1):
        level[(1 << lv) - 1:(2 << lv) - 1] = lv
    inner = level < d
    split = np.where(inner, level, 0)
    position = np.arange(n) - ((1 << d) - 1)
    index = np.zeros(n, np.int64)
    for lv in range(d):
        index |= ((position >> (d - 1 - lv)) & 1) << lv
    value = np.asarray(leaf_value, np.float64)[np.where(inner, 0, index)]
    value[inner] = 0.0
    children = 2 * np.arange(n)
    return {"feature": np.asarray(feature, np.int64)[split] if d else np.zeros(n, np.int64),
                "threshold": np.asarray(border, np.float32)[split] if d else np.zeros(n),
                "left": np.where(inner, children + 1, -1), "right": np.where(inner, children + 2, -1),
                "missing_left": ~np.asarray(nan_bit, bool)[split] if d else np.ones(n, bool),
                "value": value}


class ObliviousTrees(Layer):
    """Oblivious trees: per tree, ``depth`` decision units whose bits index its leaves.

    Parameters
    ----------
    feature : array-like of int, shape (n_trees, depth)
        The input column each level compares (levels beyond a tree's own depth: any column,
        with a border of +inf, so their bit is 0).
    border : array-like of float32, shape (n_trees, depth)
        The level's border: the bit is 1 when ``float32(x_f) > border``.
    nan_bit : array-like of bool, shape (n_trees, depth)
        The bit a NaN input gives at each level (CatBoost's ``nan_mode``: 'Min' gives 0,
        'Max' 1).
    leaf_value : array-like of shape (n_trees, 2**depth, k)
        Each tree's leaf values, leaf ``i`` at the index its bits write (bit ``l`` is
        ``2^l``).
    n_features : int
        Width of the input.
    scale : float, default 1.0
        Multiplies the sum of the trees.
    bias : array-like of shape (k,) or None
        Added after scaling.
    allow_nan : bool, default True
        Whether NaN inputs are accepted (else the input schema refuses them).
    names : sequence of str, optional
        Feature names for the decision units' labels.
    by_name : bool, default False
        Whether, as the network's first layer, it reads a DataFrame's columns by name in
        any order (CatBoost does), rather than in the fit order.

    Examples
    --------
    One tree of depth 2 on two features: the bits of ``x0 > 0.5`` and ``x1 > 2`` write
    the leaf's index.

    >>> import numpy as np, torch
    >>> layer = ObliviousTrees([[0, 1]], [[0.5, 2.0]], [[False, True]],
    ...                        [[[10.0], [11.0], [12.0], [13.0]]], n_features=2)
    >>> x = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 3.0], [1.0, float("nan")]],
    ...                  dtype=torch.float64)
    >>> layer.leaf_index(x)[:, 0].tolist()
    [0, 1, 2, 3]
    >>> layer(x)[:, 0].tolist()
    [10.0, 11.0, 12.0, 13.0]
    """

    def __init__(self, feature, border, nan_bit, leaf_value, n_features: int,
                 scale: float = 1.0, bias=None, *, allow_nan: bool = True, names=None,
                 by_name: bool = False):
        super().__init__()
        self.selects_columns_by_name = bool(by_name)
        feature = np.asarray(feature, np.int64)
        self.n_trees, self.depth = feature.shape
        self.n_features, self.allow_nan = int(n_features), bool(allow_nan)
        self.scale = float(scale)
        self.names = None if names is None else tuple(str(n) for n in names)
        self.register_buffer("feature", torch.as_tensor(feature.reshape(-1)))
        self.register_buffer("border", torch.as_tensor(
            np.asarray(border, np.float32).reshape(1, self.n_trees, self.depth)))
        self.register_buffer("nan_bit", torch.as_tensor(
            np.asarray(nan_bit, bool).reshape(1, self.n_trees, self.depth)))
        self.register_buffer("powers", torch.as_tensor(
            (1 << np.arange(self.depth, dtype=np.int64)).reshape(1, 1, -1)))
        values = np.asarray(leaf_value, np.float64)
        self.n_leaves, self.n_out = values.shape[1], values.shape[2]
        self.register_buffer("bias", None if bias is None else as_buffer(bias).reshape(-1))
        # levels a tree lacks have a border of +inf (bit 0): its own depth is the rest
        depths = np.isfinite(np.asarray(border, np.float32)).sum(axis=1)
        self.walk = None
        if int(((2 << depths) - 1).sum()) <= WALK_NODES:
            self.walk = TreeTraversal(
                [unrolled_tree(feature[t, :d], np.asarray(border)[t, :d],
                               np.asarray(nan_bit)[t, :d], values[t, :1 << d])
                 for t, d in enumerate(depths)],
                self.n_features, self.scale, bias=bias, allow_nan=self.allow_nan,
                allow_inf=True)
        # the leaf values live in one place only (the walk's node values, or here), so an
        # edited state_dict cannot make the two ways disagree
        self.register_buffer("leaf_value", None if self.walk is not None else as_buffer(
            values.reshape(-1, self.n_out)))  # one row per (tree, leaf), by flat index
        self.register_buffer("tree_offset", torch.as_tensor(
            (np.arange(self.n_trees, dtype=np.int64) * self.n_leaves).reshape(1, -1)))

    def bits(self, x: torch.Tensor) -> torch.Tensor:
        """The decision units' outputs: (rows, trees, depth) booleans, ``float32(x_f) > b``
        (NaN: the level's ``nan_bit``)."""
        xs = x.to(torch.float32)[:, self.feature].reshape(x.shape[0], self.n_trees, self.depth)
        fired = xs > self.border
        if self.allow_nan:
            fired = fired | (torch.isnan(xs) & self.nan_bit)
        return fired

    def leaf_index(self, x: torch.Tensor) -> torch.Tensor:
        """Each tree's leaf: (rows, trees), the binary number its decision units write."""
        return (self.bits(x).to(torch.int64) * self.powers).sum(dim=2)

    def _block(self, x: torch.Tensor) -> torch.Tensor:
        flat = (self.leaf_index(x) + self.tree_offset).reshape(-1)
        values = self.leaf_value.to(x.dtype).index_select(0, flat)
        out = values.reshape(x.shape[0], self.n_trees, self.n_out).sum(dim=1) * self.scale
        return out if self.bias is None else out + self.bias.to(out.dtype)

    def levelwise(self, x: torch.Tensor) -> torch.Tensor:
        """The sum computed level by level: bits, leaf indices, a look-up (what ``forward``
        computes where the unrolled tables would be too large; a layer that walks holds its
        leaf values in the walk, and has no level-wise sum)."""
        if self.leaf_value is None:
            raise AttributeError("this layer walks unrolled node tables; its leaf values "
                                 "are the walk's (layer.walk)")
        rows = max(1, _BLOCK_SPLITS // max(1, self.n_trees * self.depth))
        return in_row_blocks(self._block, x, rows)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.levelwise(x) if self.walk is None else self.walk(x)

    def input_columns(self) -> tuple:
        # ±inf compare like any value; a float64 beyond float32's range rounds to ±inf, as
        # CatBoost's own float32 cast does
        return (ColumnSpec(allow_nan=self.allow_nan, allow_inf=True),) * self.n_features

    # -- description ------------------------------------------------------------------------

    def _feature_name(self, f: int) -> str:
        return self.names[f] if self.names is not None else f"x{f}"

    def _tree_steps(self, t: int) -> tuple[LayerDescription, LayerDescription]:
        border = as_numpy(self.border)[0, t]
        used = np.flatnonzero(np.isfinite(border))  # padded levels have a border of +inf
        feature = self.feature.cpu().numpy().reshape(self.n_trees, self.depth)[t]
        reads = np.zeros((len(used), self.n_features))
        reads[np.arange(len(used)), feature[used]] = 1.0
        nan = "; NaN: the level's nan_mode bit" if self.allow_nan else ""
        decisions = LayerDescription(
            title=f"tree {t + 1}: decision units", n_in=self.n_features, n_out=len(used),
            activation="step", activation_kind="step", weight=reads,
            formula=f"bit_l = step(float32({{x}}_f) − b_l) = 1 if float32({{x}}_f) > b_l "
                    f"else 0{nan}",
            unit_names=tuple(f"{self._feature_name(int(feature[level]))} > "
                             f"{float(border[level]):.6g}" for level in used))
        index = LayerDescription(
            title=f"tree {t + 1}: leaf index", n_in=len(used), n_out=1, activation="none",
            weight=(2.0 ** np.arange(len(used))).reshape(1, -1),
            formula="leaf = Σ_l 2^l · bit_l", unit_names=("leaf = Σ 2^l·bit_l",))
        return decisions, index

    def describe(self) -> LayerDescription:
        trees = tuple(self._tree_steps(t) for t in range(self.n_trees))
        body = LayerDescription(
            title="trees" if self.n_trees > 1 else "tree", n_in=self.n_features,
            n_out=self.n_trees, activation="step", connectivity="branches", branches=trees,
            activation_kind="branches",
            formula="per tree: decision units, then the leaf index their bits write")
        scale = "" if self.scale == 1.0 else f"{self.scale:.6g} × "
        bias = as_numpy(self.bias) if self.bias is not None else None
        plus_b = "" if bias is None else " + b"
        readout = LayerDescription(
            title="leaf values", n_in=self.n_trees, n_out=self.n_out, activation="lookup",
            activation_kind="select", bias=bias,
            formula=f"{{y}} = {scale}Σ_trees leaf_value_t[leaf_t]{plus_b}")
        return LayerDescription(
            title=f"oblivious trees ({self.n_trees} trees, depth {self.depth})",
            n_in=self.n_features, n_out=self.n_out, activation="step",
            connectivity="branches", activation_kind="branches", branches=((body, readout),),
            bias=bias,
            formula=("decision units step(float32({x}_f) − b) (1 when float32({x}_f) > b), the "
                     "same split at every node of a level; each tree's leaf is the binary "
                     f"number its units write; output = {scale}Σ_trees leaf value{plus_b}"))
