"""Folding affine layers into the layer of weights that reads them (``fuse=True``), and linear
read-outs into the column branches they read."""

from __future__ import annotations

import copy

import torch
from torch import nn

from .affine import AffineScaler
from .compose import ColumnBranches
from .dense import ActivatedUnits, LinearUnits

__all__ = ["fuse_affine", "EXACT_OFFSET_LIMIT", "folds_exactly"]

#: the largest offset ``|c_j|`` (in units of the scaled feature) of a scaler that folds
#: without losing digits that matter, per dtype: folding computes ``(W a)·x + (b + W c)``
#: where the steps compute ``W (a ⊙ x + c) + b``, so its terms are up to ``|c|`` times the
#: step's output and cancel; the extra rounding is about ``|c| · ε`` of the score scale
#: (offsets of 1e8 cost about 6e-9 in float64). These keep it near 1e-12 in float64 and
#: within a few ε in float32, whose own rounding is already about that.
EXACT_OFFSET_LIMIT = {torch.float64: 1e4, torch.float32: 8.0}


def folds_exactly(scaler: AffineScaler) -> bool:
    """Whether folding ``scaler`` into the layer after it keeps the answers equal to rounding
    in the scaler's dtype (its offsets within :data:`EXACT_OFFSET_LIMIT`, all finite)."""
    _, c = scaler.as_affine()
    limit = EXACT_OFFSET_LIMIT.get(c.dtype, 0.0)
    return c.numel() == 0 or bool((c.abs() <= limit).all())  # NaN compares False


def fuse_affine(layers: list, *, exact_only: bool = False) -> list:
    """Fold unclipped scalers into the layer of weights that follows them.

    ``W (a ⊙ x + c) + b = (W diag(a)) x + (W c + b)``, whether linear neurons or an activated
    hidden layer (an MLP's first layer, an ELM's, random Fourier features) read the scaler:
    the network gets one layer fewer and the same function up to rounding. Scalers followed
    by anything else (kernel units, a clip) stay as they are.

    Linear neurons that read column branches (a ColumnTransformer) are split among them:
    each branch ends in its share of the weights (a one-hot encoder's table becomes the
    weights its categories pick), and the neurons only add the branches' shares, so the
    wide one-hot output is never made.

    With ``exact_only``, a scaler folds only where :func:`folds_exactly` (its offsets are
    small next to its spread): the form a network runs by default, equal to its steps to
    rounding. Layers that fold nowhere are returned as they are (not copied).
    """
    fused: list = []
    for layer in layers:
        previous = fused[-1] if fused else None
        foldable = (isinstance(previous, AffineScaler) and previous.clip is None
                    and (not exact_only or folds_exactly(previous)))
        if foldable and isinstance(layer, (LinearUnits, ActivatedUnits)):
            fused[-1] = _with_scaler_folded_in(layer, previous)
        elif isinstance(previous, ColumnBranches) and type(layer) is LinearUnits:
            fused[-1:] = _with_linear_folded_into_branches(previous, layer, exact_only)
        else:
            fused.append(layer)
    return fused


def _with_linear_folded_into_branches(branches: ColumnBranches, linear: LinearUnits,
                                      exact_only: bool = False) -> list:
    """``[branches′, sum]``: each branch followed by its columns of ``linear``'s weights
    (folded into its last layer where it can: a scaler, a category lookup), then linear
    units adding the branches' shares and the bias."""
    k = linear.out_features
    parts, start = [], 0
    for branch in branches.branches:
        select, *inner = list(branch)
        width = inner[-1].describe().n_out if inner else select.columns.numel()
        weight = linear.weight[:, start:start + width].detach().double()
        start += width
        if inner and hasattr(inner[-1], "fold_linear"):
            inner[-1] = inner[-1].fold_linear(weight)
        else:
            inner = fuse_affine(inner + [LinearUnits(weight, None, title="branch's weights")],
                                exact_only=exact_only)
        parts.append((select.columns.tolist(), inner))
    folded = ColumnBranches(parts, branches.n_in, title=f"{branches.title} (read-out folded "
                            "in)", by_name=branches.selects_columns_by_name)
    total = folded.describe().n_out
    adder = copy.deepcopy(linear).double()  # keeps the bias, names and notes of the read-out
    with torch.no_grad():
        adder.weight = nn.Parameter(torch.eye(k, dtype=torch.float64).repeat(
            1, total // k))
    adder.title = f"{linear.title} (sum of the branches' shares)"
    return [folded, adder]


def _with_scaler_folded_in(layer, scaler: AffineScaler):
    """A copy of ``layer`` (LinearUnits or ActivatedUnits) that reads the scaler's input."""
    a, c = (t.double() for t in scaler.as_affine())
    folded = copy.deepcopy(layer)  # keeps the activation, names and notes of the layer
    weight = layer.weight.double()  # folded in float64 whatever the network's dtype
    with torch.no_grad():
        folded.weight = nn.Parameter(weight * a)
        folded.bias = nn.Parameter(weight @ c + (layer.bias.double() if layer.bias is not None
                                                 else 0))
    folded.title = f"{layer.title} (with {scaler.title} folded in)"
    return folded
