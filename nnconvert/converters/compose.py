"""Pipelines, scalers and the multiclass meta-estimators around a supported classifier.

A scaler is a per-feature affine map, so it becomes an :class:`~nnconvert.layers.AffineScaler`
layer in front of the classifier's own layers; with ``fuse=True`` it is folded into the
weights of the layer that reads it instead. One-vs-rest and one-vs-one models run their
members side by side; when every member is a single linear neuron, the members merge into one
linear layer.
"""

from __future__ import annotations

import copy

import numpy as np
import torch
from sklearn.multiclass import OneVsOneClassifier, OneVsRestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, RobustScaler, StandardScaler
from torch import nn

from ..convert import (
    Conversion,
    convert_steps,
    convert_transformer,
    converts,
    converts_transformer,
)
from ..errors import UnsupportedEstimatorError, multilabel_refused
from ..heads import OneVsOneHead, OneVsRestHead
from ..layers import ActivatedUnits, AffineScaler, Branches, LinearUnits

# -- scalers --------------------------------------------------------------------------------


def _ones(n: int) -> np.ndarray:
    return np.ones(n, dtype=np.float64)


def _zeros(n: int) -> np.ndarray:
    return np.zeros(n, dtype=np.float64)


@converts_transformer(StandardScaler)
def _standard_scaler(scaler: StandardScaler, options: dict) -> list:
    n = scaler.n_features_in_
    mean = scaler.mean_ if scaler.with_mean else _zeros(n)
    scale = scaler.scale_ if scaler.with_std else _ones(n)
    return [AffineScaler(mean, scale, mode="center-divide", title="standard scaler")]


@converts_transformer(RobustScaler)
def _robust_scaler(scaler: RobustScaler, options: dict) -> list:
    n = scaler.n_features_in_
    center = scaler.center_ if scaler.with_centering else _zeros(n)
    scale = scaler.scale_ if scaler.with_scaling else _ones(n)
    return [AffineScaler(center, scale, mode="center-divide", title="robust scaler")]


@converts_transformer(MaxAbsScaler)
def _max_abs_scaler(scaler: MaxAbsScaler, options: dict) -> list:
    clip = (-1.0, 1.0) if getattr(scaler, "clip", False) else None
    n = scaler.n_features_in_
    return [AffineScaler(_zeros(n), scaler.scale_, mode="center-divide", title="max-abs scaler",
                         clip=clip)]


@converts_transformer(MinMaxScaler)
def _min_max_scaler(scaler: MinMaxScaler, options: dict) -> list:
    clip = scaler.feature_range if scaler.clip else None
    return [AffineScaler(scaler.min_, scaler.scale_, mode="multiply-add", title="min-max scaler",
                         clip=clip)]


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


# -- pipelines ------------------------------------------------------------------------------


@converts(Pipeline)
def _pipeline(pipeline: Pipeline, options: dict) -> Conversion:
    *steps, (last_name, last) = pipeline.steps
    layers: list = []
    for name, step in steps:
        if step is None or step == "passthrough":
            continue
        try:
            layers += convert_transformer(step, options)
        except UnsupportedEstimatorError as error:
            raise UnsupportedEstimatorError(f"Pipeline step {name!r}: {error}") from None
    try:
        final = convert_steps(last, options)
    except UnsupportedEstimatorError as error:
        raise UnsupportedEstimatorError(f"Pipeline final step {last_name!r}: {error}") from None
    layers += final.layers
    if options.get("fuse"):
        layers = fuse_affine(layers)
    # Pipeline.n_features_in_ and feature_names_in_ ask the first step, which fails for a
    # leading 'passthrough'; the first real step checks the names in scikit-learn's predict
    first = next((step for _, step in pipeline.steps if step not in (None, "passthrough")), last)
    return Conversion(layers=layers, head=final.head, classes=final.classes, origin=final.origin,
                      n_features_in=first.n_features_in_,
                      feature_names_in=getattr(first, "feature_names_in_", None))


# -- multiclass meta-estimators -------------------------------------------------------------


def _members(estimators, options: dict) -> tuple[list, list, list[int]]:
    """Convert every member; return their layer lists, heads and output widths."""
    conversions = [convert_steps(e, options) for e in estimators]
    widths = [c.layers[-1].describe().n_out for c in conversions]
    return [c.layers for c in conversions], [c.head for c in conversions], widths


def _side_by_side(member_layers: list, widths: list[int], title: str) -> list:
    """One merged linear layer when every member is one linear layer, else parallel branches."""
    if all(len(ls) == 1 and isinstance(ls[0], LinearUnits) for ls in member_layers):
        units = [ls[0] for ls in member_layers]
        weight = torch.cat([u.weight.detach() for u in units], dim=0)
        bias = torch.cat([
            u.bias.detach() if u.bias is not None else torch.zeros_like(u.weight[:, 0])
            for u in units
        ])
        return [LinearUnits(weight, bias, title=f"{units[0].title}, {title}",
                            bias_note=units[0].bias_note)]
    return [Branches(member_layers, widths, title=title)]


@converts(OneVsRestClassifier)
def _one_vs_rest(model: OneVsRestClassifier, options: dict) -> Conversion:
    if model.multilabel_:
        raise multilabel_refused("OneVsRestClassifier")
    layers, heads, widths = _members(model.estimators_, options)
    return Conversion(
        layers=_side_by_side(layers, widths, "one per class"),
        head=OneVsRestHead(heads, widths),
    )


@converts(OneVsOneClassifier)
def _one_vs_one(model: OneVsOneClassifier, options: dict) -> Conversion:
    if model.pairwise_indices_ is not None:
        raise UnsupportedEstimatorError(
            "OneVsOneClassifier around a precomputed-kernel estimator is not supported."
        )
    layers, heads, widths = _members(model.estimators_, options)
    return Conversion(
        layers=_side_by_side(layers, widths, "one per class pair"),
        head=OneVsOneHead(heads, widths, n_classes=len(model.classes_)),
    )
