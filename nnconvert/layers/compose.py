"""Layers that arrange other layers: sub-networks side by side."""

from __future__ import annotations

import torch
from torch import nn

from .describe import Layer, LayerDescription

__all__ = ["Branches"]


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
