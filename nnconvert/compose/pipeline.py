"""Pipelines: each step's layers in order, the last step's head.

Transformer steps become layers (``'passthrough'`` and None steps none); the last step is a
whole network (a classifier or a regressor) or, for a pipeline of transformers, layers too.
With ``fuse=True`` unclipped scalers fold into the layer that reads them.
"""

from __future__ import annotations

from sklearn.pipeline import Pipeline

from ..errors import UnsupportedEstimatorError
from ..layers.fuse import fuse_affine
from ..network.heads import TransformHead
from ..registry import (
    Conversion,
    convert_estimator,
    convert_transformer,
    converts,
    converts_transformer,
    has_converter,
    has_rule,
    has_transformer_converter,
    margin_rule,
    reference_rtol,
    score_jump_rule,
)


def _is_skipped(step) -> bool:
    return step is None or (isinstance(step, str) and step == "passthrough")


def _step_layers(steps, options: dict) -> list:
    layers: list = []
    for name, step in steps:
        if _is_skipped(step):
            continue
        try:
            layers += convert_transformer(step, options)
        except UnsupportedEstimatorError as error:
            raise UnsupportedEstimatorError(f"Pipeline step {name!r}: {error}") from None
    return layers


def _first_real_step(pipeline: Pipeline):
    # Pipeline.n_features_in_ and feature_names_in_ ask the first step, which fails for a
    # leading 'passthrough'; the first real step checks the names in scikit-learn's predict
    return next((step for _, step in pipeline.steps if not _is_skipped(step)), None)


@converts(Pipeline)
def _pipeline(pipeline: Pipeline, options: dict) -> Conversion:
    *steps, (last_name, last) = pipeline.steps
    layers = _step_layers(steps, options)
    if _is_skipped(last) or not has_converter(last) and has_transformer_converter(last):
        # a pipeline of transformers: a transformer itself
        layers += _step_layers([(last_name, last)], options)
        final = Conversion(layers=[], head=None)
    else:
        try:
            final = convert_estimator(last, options)
        except UnsupportedEstimatorError as error:
            raise UnsupportedEstimatorError(
                f"Pipeline final step {last_name!r}: {error}") from None
    layers += final.layers
    if options.get("fuse"):
        layers = fuse_affine(layers)
    first = _first_real_step(pipeline)
    if first is None:
        raise UnsupportedEstimatorError(
            "a Pipeline whose steps are all 'passthrough' computes nothing to convert.")
    head = final.head if final.head is not None else TransformHead(
        layers[-1].describe().n_out if layers else first.n_features_in_)
    return Conversion(layers=layers, head=head, classes=final.classes, origin=final.origin,
                      n_features_in=first.n_features_in_,
                      feature_names_in=getattr(first, "feature_names_in_", None))


@converts_transformer(Pipeline)
def _pipeline_of_transformers(pipeline: Pipeline, options: dict) -> list:
    """A pipeline used as a step (nested in a pipeline or a column transformer)."""
    layers = _step_layers(pipeline.steps, options)
    return fuse_affine(layers) if options.get("fuse") else layers


# -- agreement rules: the last step decides, on what the earlier steps make of X -------------

def _last_step_input(pipeline: Pipeline, X):
    return pipeline[:-1].transform(X) if len(pipeline.steps) > 1 else X


@margin_rule.register(Pipeline)
def _pipeline_margin(pipeline: Pipeline, X, reference: dict):
    last = pipeline.steps[-1][1]
    if not has_rule(margin_rule, last):
        return None
    return margin_rule(last, _last_step_input(pipeline, X), reference)


@reference_rtol.register(Pipeline)
def _pipeline_reference_rtol(pipeline: Pipeline):
    # a pipeline's answers are its last step's: as precise as that step computes them
    last = pipeline.steps[-1][1]
    return None if _is_skipped(last) else reference_rtol(last)


@score_jump_rule.register(Pipeline)
def _pipeline_score_jumps(pipeline: Pipeline, X, reference: dict, rtol: float):
    last = pipeline.steps[-1][1]
    if not has_rule(score_jump_rule, last):
        return None
    return score_jump_rule(last, _last_step_input(pipeline, X), reference, rtol)
