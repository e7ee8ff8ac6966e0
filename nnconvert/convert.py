"""convert(): one registry, keyed on the estimator's class, from fitted estimators to networks.

Converters register themselves with :func:`converts` (classifiers: they return the body layers
and the head) and :func:`converts_transformer` (pipeline steps: they return layers only). Both
registries are :func:`functools.singledispatch` tables, so dispatch follows the class
hierarchy and there are no strings to keep in sync.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable, Sequence

import torch
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted
from torch import nn

from .errors import NotFittedError, UnsupportedEstimatorError
from .heads import Head
from .network import ConvertedClassifier

__all__ = [
    "convert",
    "Conversion",
    "converts",
    "converts_transformer",
    "convert_steps",
    "convert_transformer",
    "supported_estimators",
    "supported_transformers",
]

SUPPORTED_DTYPES = (torch.float64, torch.float32)


@dataclass
class Conversion:
    """What a classifier's converter returns: the body layers and the output head.

    ``classes``, ``n_features_in`` and ``feature_names_in`` default to the estimator's own
    attributes; converters of meta-estimators set them when they differ. ``origin`` is the
    class and parameters of the estimator whose fitted attributes the last layer holds, for
    the way back (:func:`nnconvert.to_sklearn`); ``None`` where no single estimator does.
    """

    layers: list[nn.Module]
    head: Head
    classes: Sequence | None = None
    n_features_in: int | None = None
    feature_names_in: Sequence[str] | None = None
    origin: tuple[type, dict] | None = None


@functools.singledispatch
def _classifier_converter(estimator, options: dict) -> Conversion:
    raise _unsupported(estimator)


@functools.singledispatch
def _transformer_converter(transformer, options: dict) -> list[nn.Module]:
    raise UnsupportedEstimatorError(
        f"{type(transformer).__name__} cannot be converted as a pipeline step. "
        f"Supported transformers: {', '.join(supported_transformers())}. "
        "Apply the step outside the network, or open an issue asking for it."
    )


def converts(*classes: type) -> Callable:
    """Register a converter for classifier classes (subclasses follow automatically).

    The decorated function takes ``(estimator, options)`` and returns a :class:`Conversion`.
    """

    def register(function: Callable) -> Callable:
        for cls in classes:
            _classifier_converter.register(cls)(function)
        return function

    return register


def converts_transformer(*classes: type) -> Callable:
    """Register a converter for transformer classes used as pipeline steps.

    The decorated function takes ``(transformer, options)`` and returns a list of layers.
    """

    def register(function: Callable) -> Callable:
        for cls in classes:
            _transformer_converter.register(cls)(function)
        return function

    return register


def _names(registry) -> list[str]:
    # a set: nnconvert's and scikit-elm's ELMClassifier share a name, listed once
    return sorted({cls.__name__ for cls in registry.registry if cls is not object})


def supported_estimators() -> list[str]:
    """Names of the classifier classes :func:`convert` accepts."""
    load_converters(every_installed=True)
    return _names(_classifier_converter)


def supported_transformers() -> list[str]:
    """Names of the transformer classes accepted as pipeline steps."""
    load_converters()
    return _names(_transformer_converter)


def _unsupported(estimator) -> UnsupportedEstimatorError:
    name = type(estimator).__name__
    if not isinstance(estimator, BaseEstimator) and not hasattr(estimator, "fit"):
        return UnsupportedEstimatorError(
            f"convert() needs a fitted scikit-learn classifier, got {name} "
            f"({type(estimator).__module__}). Supported: {', '.join(supported_estimators())}."
        )
    return UnsupportedEstimatorError(
        f"{name} is not supported by nnconvert. "
        f"Supported estimators: {', '.join(supported_estimators())}."
    )


def estimator_name(estimator) -> str:
    """A short readable name: the class, with the steps or the wrapped estimator inside."""
    name = type(estimator).__name__
    steps = getattr(estimator, "steps", None)
    if isinstance(steps, list):
        parts = [estimator_name(step) for _, step in steps if isinstance(step, BaseEstimator)]
        return f"{name}({' → '.join(parts)})"
    inner = getattr(estimator, "estimator", None)
    if isinstance(inner, BaseEstimator):
        return f"{name}({estimator_name(inner)})"
    return name


def _check_fitted(estimator) -> None:
    try:
        check_is_fitted(estimator)
    except NotFittedError:
        raise NotFittedError(
            f"This {type(estimator).__name__} instance is not fitted yet: call "
            f"its fit(X, y) before nnconvert.convert()."
        ) from None


def convert_steps(estimator, options: dict) -> Conversion:
    """Convert a classifier inside a composite (a pipeline's last step, an OvR member).

    Checks that it is fitted and dispatches on its class; used by compose converters so
    that nested estimators get the same errors as top-level ones.
    """
    _check_fitted(estimator)
    return _classifier_converter(estimator, options)


def convert_transformer(transformer, options: dict) -> list[nn.Module]:
    """Convert one fitted pipeline step into layers."""
    _check_fitted(transformer)
    return _transformer_converter(transformer, options)


def load_converters(*, every_installed: bool = False) -> None:
    """Register the converters: nnconvert's own, and those of optional packages.

    Importing the package registers nnconvert's; done lazily to avoid import cycles. An
    optional package (scikit-elm) is registered once it is imported, or with
    ``every_installed`` whenever it is installed.
    """
    from .converters.elm import register_installed_skelm

    register_installed_skelm(import_it=every_installed)


def convert(
    estimator: BaseEstimator, dtype: torch.dtype = torch.float64, fuse: bool = False
) -> ConvertedClassifier:
    """Turn a fitted scikit-learn classifier into an equivalent torch network.

    Parameters
    ----------
    estimator : fitted scikit-learn classifier
        See :func:`supported_estimators` for the list; pipelines of supported scalers and
        transformers ending in a supported classifier work too.
    dtype : torch.float64 or torch.float32, default torch.float64
        float64 reproduces scikit-learn to rounding; float32 is faster and agrees except
        within a near-tie band around the decision boundaries.
    fuse : bool, default False
        Fold affine pipeline steps (unclipped scalers) into the weights of the layer that reads
        them: linear neurons, or the activated hidden layer of an MLP, an ELM or random
        Fourier features (kernel units keep their scaler). The unfused form keeps one layer
        per step, which is what the diagrams show. Folding computes ``(W/s)·x − (W/s)·μ``,
        which cancels digits when features sit far from zero next to their spread (offsets
        of 1e8 cost about 6e-9 of the score scale): the unfused default is the exact form.

    Returns
    -------
    ConvertedClassifier
        A ``torch.nn.Module`` with ``decision_function``, ``predict_proba`` (where the
        estimator has it), ``predict`` and ``explain``.

    Raises
    ------
    NotFittedError
        If the estimator (or any step in it) is not fitted.
    UnsupportedEstimatorError
        If there is no converter for the estimator or for one of its steps.
    TypeError
        If ``dtype`` is not torch.float32 or torch.float64.
    """
    load_converters()
    if dtype not in SUPPORTED_DTYPES:
        raise TypeError(
            f"dtype must be torch.float64 (exact) or torch.float32 (fast), got {dtype!r}."
        )
    if isinstance(estimator, type):
        raise TypeError(
            f"convert() needs a fitted estimator instance, got the class {estimator.__name__}: "
            f"fit {estimator.__name__}(...) first."
        )
    if not isinstance(estimator, BaseEstimator):
        raise _unsupported(estimator)
    options = {"fuse": bool(fuse)}
    conversion = convert_steps(estimator, options)
    classes = conversion.classes if conversion.classes is not None else estimator.classes_
    n_features = conversion.n_features_in
    if n_features is None:
        n_features = estimator.n_features_in_
    net = ConvertedClassifier(
        conversion.layers,
        conversion.head,
        classes=classes,
        n_features_in=n_features,
        feature_names_in=(conversion.feature_names_in if conversion.feature_names_in is not None
                          else getattr(estimator, "feature_names_in_", None)),
        source=estimator_name(estimator),
    )
    net.origin = conversion.origin
    return net.to(dtype)

