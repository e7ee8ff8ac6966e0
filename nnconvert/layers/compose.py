"""Layers that arrange other layers: sub-networks side by side, on all or some columns.

:class:`Branches` runs every branch on the whole input (one-vs-rest members);
:class:`ColumnBranches` gives each branch its own columns (:class:`SelectColumns`) and puts
the outputs side by side in the order scikit-learn stacks them (a ColumnTransformer, a
FeatureUnion); a branch of no layers passes its columns through.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from torch import nn

from .columns import ColumnSpec
from .describe import Layer, LayerDescription

__all__ = ["Branches", "SelectColumns", "PutColumns", "ColumnBranches"]


class Branches(Layer):
    """Parallel sub-networks on the same input, their outputs side by side.

    The body of a meta-estimator whose members cannot be merged into one layer (kernel SVMs
    inside a one-vs-rest model, say). ``widths`` gives each branch's output width.
    """

    def __init__(self, branches, widths, *, title: str = "parallel members"):
        super().__init__()
        self.branches = nn.ModuleList(nn.Sequential(*layers) for layers in branches)
        self.widths = list(widths)
        self.title = title

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([branch(x) for branch in self.branches], dim=1)

    def describe(self) -> LayerDescription:
        inner = tuple(tuple(layer.describe() for layer in branch) for branch in self.branches)
        return LayerDescription(
            title=self.title,
            n_in=inner[0][0].n_in,
            n_out=sum(self.widths),
            activation="branches",
            activation_kind="branches",
            formula=f"{{y}} = [f_1({{x}}), …, f_{len(self.widths)}({{x}})]",
            connectivity="branches",
            branches=inner,
        )


class SelectColumns(Layer):
    """The input columns a branch reads, in the order it reads them: ``y = x[:, columns]``.

    Described as dense units with 0/1 weights, so that a diagram draws exactly one edge from
    each selected input.
    """

    def __init__(self, columns: Sequence[int], n_in: int):
        super().__init__()
        self.register_buffer("columns", torch.as_tensor(np.asarray(columns, dtype=np.int64)))
        self.n_in = int(n_in)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.index_select(1, self.columns)

    def describe(self) -> LayerDescription:
        k = self.columns.numel()
        weight = np.zeros((k, self.n_in))
        weight[np.arange(k), self.columns.cpu().numpy()] = 1.0
        shown = ", ".join(str(int(c)) for c in self.columns[:8]) + (", …" if k > 8 else "")
        return LayerDescription(
            title="selected columns", n_in=self.n_in, n_out=k, activation="none",
            activation_kind="identity", formula=f"{{y}} = {{x}}[:, [{shown}]]", weight=weight)


class PutColumns(Layer):
    """The inverse of :class:`SelectColumns`: each input column put back at its place among
    ``n_out`` columns, zeros elsewhere (a selector's ``inverse_transform``).

    A copy, not a product with 0/1 weights, so an infinite value stays where it is rather
    than spreading NaN; described as dense units with 0/1 weights, one edge per column.
    """

    def __init__(self, columns: Sequence[int], n_out: int):
        super().__init__()
        self.register_buffer("columns", torch.as_tensor(np.asarray(columns, dtype=np.int64)))
        self.n_out = int(n_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = x.new_zeros((x.shape[0], self.n_out))
        return out.index_copy(1, self.columns, x)

    def describe(self) -> LayerDescription:
        k = self.columns.numel()
        weight = np.zeros((self.n_out, k))
        weight[self.columns.cpu().numpy(), np.arange(k)] = 1.0
        return LayerDescription(
            title="columns put back", n_in=k, n_out=self.n_out, activation="none",
            activation_kind="identity", weight=weight,
            formula="{y} = zeros, then {y}[:, kept] = {x}")


class ColumnBranches(Layer):
    """Branches on column subsets of the input, their outputs side by side.

    Parameters
    ----------
    branches : sequence of (columns, layers)
        Each branch's input columns (indices into this layer's input) and its layers; no
        layers passes the columns through.
    n_in : int
        Width of the input.
    title : str
    by_name : bool, default False
        Whether the estimator selects its columns by name, so that a dataframe's columns may
        come in any order (the input schema reads this).
    """

    def __init__(self, branches, n_in: int, *, title: str, by_name: bool = False):
        super().__init__()
        self.branches = nn.ModuleList(
            nn.Sequential(SelectColumns(columns, n_in), *layers) for columns, layers in branches)
        self.n_in = int(n_in)
        self.title = title
        self.selects_columns_by_name = bool(by_name)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([branch(x) for branch in self.branches], dim=1)

    def input_columns(self) -> tuple | None:
        """Each branch's needs, placed at the columns it reads (the rest: numbers)."""
        specs = [ColumnSpec(kind="unused")] * self.n_in
        found = False
        for branch in self.branches:
            inner = branch[1].input_columns() if len(branch) > 1 else None
            for k, column in enumerate(branch[0].columns.tolist()):
                spec = ColumnSpec() if inner is None else inner[k]
                # a column two branches read must suit both (NaN only if both handle it)
                specs[column] = spec if specs[column].kind == "unused" \
                    else specs[column].shared_with(spec)
                found |= inner is not None
        found |= any(spec.kind == "unused" for spec in specs)
        return tuple(specs) if found else None

    def describe(self) -> LayerDescription:
        inner = tuple(tuple(layer.describe() for layer in branch) for branch in self.branches)
        widths = [steps[-1].n_out for steps in inner]
        return LayerDescription(
            title=self.title,
            n_in=self.n_in,
            n_out=sum(widths),
            activation="branches",
            activation_kind="branches",
            formula=f"{{y}} = [f_1({{x}}[:, c_1]), …, f_{len(widths)}({{x}}[:, c_{len(widths)}])]",
            connectivity="branches",
            branches=inner,
        )
