"""Per-feature affine maps: the network form of scikit-learn's scalers."""

from __future__ import annotations

import torch

from .dense import as_buffer
from .describe import Layer, LayerDescription

__all__ = ["AffineScaler"]


class AffineScaler(Layer):
    """A per-feature affine map, the network form of scikit-learn's scalers.

    ``mode="center-divide"`` computes ``(x - offset) / scale`` (StandardScaler, RobustScaler,
    MaxAbsScaler); ``mode="multiply-add"`` computes ``x * scale + offset`` (MinMaxScaler).
    Keeping scikit-learn's own order of operations keeps the results identical to rounding.
    ``clip`` clamps the output to ``(low, high)`` (MinMaxScaler's ``clip=True``).
    """

    modes = ("center-divide", "multiply-add")

    def __init__(self, offset, scale, *, mode: str, title: str, clip=None):
        super().__init__()
        if mode not in self.modes:
            raise ValueError(f"mode must be one of {self.modes}, got {mode!r}")
        self.register_buffer("offset", as_buffer(offset).reshape(-1))
        self.register_buffer("scale", as_buffer(scale).reshape(-1))
        self.mode = mode
        self.title = title
        self.clip = None if clip is None else (float(clip[0]), float(clip[1]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.mode == "center-divide":
            y = (x - self.offset) / self.scale
        else:
            y = x * self.scale + self.offset
        if self.clip is not None:
            y = y.clamp(*self.clip)
        return y

    def as_affine(self) -> tuple[torch.Tensor, torch.Tensor]:
        """``(a, c)`` with ``forward(x) == a * x + c`` (up to rounding), for folding."""
        if self.mode == "center-divide":
            return 1.0 / self.scale, -self.offset / self.scale
        return self.scale, self.offset

    def describe(self) -> LayerDescription:
        formula = (
            # the buffers' own names: a one-letter "s" would read as the scores later on
            "{y} = ({x} − offset) / scale" if self.mode == "center-divide"
            else "{y} = {x} · scale + offset"
        )
        if self.clip is not None:
            formula += f", clipped to [{self.clip[0]:g}, {self.clip[1]:g}]"
        n = self.offset.shape[0]
        return LayerDescription(
            title=self.title,
            n_in=n,
            n_out=n,
            activation="affine",
            activation_kind="affine",
            formula=formula,
            connectivity="elementwise",
        )
