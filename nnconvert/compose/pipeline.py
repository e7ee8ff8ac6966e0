"""Pipelines: each step's layers in order, the last step's head.

Transformer steps become layers (``'passthrough'`` and None steps none); the last step is a
whole network (a classifier or a regressor) or, for a pipeline of transformers, layers too.
With ``fuse=True`` unclipped scalers fold into the layer that reads them. A pipeline's
``inverse_transform`` is its steps' inverses in reverse order. A text vectorizer as
the first step runs outside the network (:mod:`nnconvert.compose.text`): the network reads its
output, the vectorised matrix. imbalanced-learn's ``Pipeline`` (a subclass) converts the same
way: its samplers act on the training rows only, so they are skipped like ``'passthrough'``.
"""

from __future__ import annotations

from sklearn.pipeline import Pipeline
from torch import nn

from ..errors import UnsupportedEstimatorError
from ..layers.fuse import fuse_affine
from ..network.heads import TransformHead
from ..options import Options
from ..registry import (
    Conversion,
    convert_estimator,
    convert_inverse,
    convert_score_samples,
    convert_transformer,
    converts,
    converts_inverse,
    converts_score_samples,
    converts_transformer,
    has_converter,
    has_rule,
    has_transformer_converter,
    margin_rule,
    reference_rtol,
    score_jump_rule,
)
from .text import is_vectorizer, vectorizer_front


def is_sampler(step) -> bool:
    """Whether ``step`` is a sampler (imbalanced-learn's ``fit_resample`` without a
    ``transform``): it resamples the training rows only, and does nothing at predict time."""
    return hasattr(step, "fit_resample") and not hasattr(step, "transform")


def _is_skipped(step) -> bool:
    return step is None or (isinstance(step, str) and step == "passthrough") or is_sampler(step)


def _step_layers(steps, options: Options) -> list:
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


def _text_front(steps: list) -> tuple:
    """``(text input, its layers, the steps after it)`` where the first real step is a text
    vectorizer, else ``(None, [], steps)``."""
    for i, (name, step) in enumerate(steps):
        if _is_skipped(step):
            continue
        if is_vectorizer(step):
            return (*vectorizer_front(name, step), steps[i + 1:])
        break
    return None, [], steps


@converts(Pipeline)
def _pipeline(pipeline: Pipeline, options: Options) -> Conversion:
    """Each step's layers in order, then the last step's network.

    Nested pipelines, ``'passthrough'`` and None steps. ``fuse=True`` folds scalers into the
    weights of the next layer; the unfused form keeps one layer per step, as drawn.
    """
    text, layers, steps = _text_front(pipeline.steps)
    if not steps:  # the vectorizer alone: a transformer whose layers are its weighting
        steps = [("passthrough", "passthrough")]
    *steps, (last_name, last) = steps
    layers += _step_layers(steps, options)
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
    # the variance branch reads what the steps make of x, through the unfused steps: folding
    # a scaler into the final layer must not change the input the branch reads
    variance = None if final.variance is None else nn.Sequential(*layers, final.variance)
    layers += final.layers
    if options.fuse:
        layers = fuse_affine(layers)
    first = _first_real_step(pipeline)
    if first is None:
        raise UnsupportedEstimatorError(
            "a Pipeline whose steps are all 'passthrough' computes nothing to convert.")
    # a vectorizer has no n_features_in_: the network reads its matrix, one column a term
    n_features = text.n_features if text is not None else first.n_features_in_
    names = None if text is not None else getattr(first, "feature_names_in_", None)
    head = final.head if final.head is not None else TransformHead(
        layers[-1].describe().n_out if layers else n_features)
    return Conversion(layers=layers, head=head, classes=final.classes, origin=final.origin,
                      n_features_in=n_features, feature_names_in=names, input_stage=text,
                      variance=variance)


@converts_transformer(Pipeline)
def _pipeline_of_transformers(pipeline: Pipeline, options: Options) -> list:
    """A pipeline used as a step (nested in a pipeline or a column transformer)."""
    layers = _step_layers(pipeline.steps, options)
    return fuse_affine(layers) if options.fuse else layers


@converts_inverse(Pipeline)
def _pipeline_inverse(pipeline: Pipeline, options: Options) -> list:
    """The steps' inverses, last step first (scikit-learn has one only where every step has)."""
    layers: list = []
    for name, step in reversed(pipeline.steps):
        if _is_skipped(step):
            continue
        try:
            layers += convert_inverse(step, options)
        except UnsupportedEstimatorError as error:
            raise UnsupportedEstimatorError(f"Pipeline step {name!r}: {error}") from None
    return layers


@converts_score_samples(Pipeline)
def _pipeline_score_samples(pipeline: Pipeline, options: Options) -> list:
    """The earlier steps' transform, then the last step's score_samples (scikit-learn's)."""
    *steps, (name, last) = pipeline.steps
    try:
        return _step_layers(steps, options) + convert_score_samples(last, options)
    except UnsupportedEstimatorError as error:
        raise UnsupportedEstimatorError(f"Pipeline step {name!r}: {error}") from None


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
