"""Folding affine layers into the layer of weights that reads them (``fuse=True``)."""

from __future__ import annotations

import copy

import torch
from torch import nn

from .affine import AffineScaler
from .dense import ActivatedUnits, LinearUnits

__all__ = ["fuse_affine"]


def fuse_affine(layers: list) -> list:
    """Fold unclipped scalers into the layer of weights that follows them.

    ``W (a ⊙ x + c) + b = (W diag(a)) x + (W c + b)``, whether linear neurons or an activated
    hidden layer (an MLP's first layer, an ELM's, random Fourier features) read the scaler:
    the network gets one layer fewer and the same function up to rounding. Scalers followed
    by anything else (kernel units, a clip) stay as they are.
    """
    fused: list = []
    for layer in layers:
        previous = fused[-1] if fused else None
        foldable = isinstance(previous, AffineScaler) and previous.clip is None
        if foldable and isinstance(layer, (LinearUnits, ActivatedUnits)):
            fused[-1] = _with_scaler_folded_in(layer, previous)
        else:
            fused.append(layer)
    return fused


def _with_scaler_folded_in(layer, scaler: AffineScaler):
    """A copy of ``layer`` (LinearUnits or ActivatedUnits) that reads the scaler's input."""
    a, c = scaler.as_affine()
    folded = copy.deepcopy(layer)  # keeps the activation, names and notes of the layer
    with torch.no_grad():
        folded.weight = nn.Parameter(layer.weight * a)
        folded.bias = nn.Parameter(layer.weight @ c + (layer.bias if layer.bias is not None
                                                        else 0))
    folded.title = f"{layer.title} (with {scaler.title} folded in)"
    return folded
