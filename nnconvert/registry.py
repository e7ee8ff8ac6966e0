"""The registry: which converter and which agreement rules belong to which estimator class.

Families (``nnconvert.families``, ``nnconvert.compose``, ``nnconvert.preprocessing``) import
this module and register what they know; this module imports none of them. Every table is a
:func:`functools.singledispatch` keyed on the class, so dispatch follows the class hierarchy
and there are no strings to keep in sync.

- :func:`converts`: estimators converted into a whole network (a :class:`Conversion` with
  its layers and head): classifiers, regressors, and meta-estimators around them.
- :func:`converts_transformer`: transformers converted into layers (pipeline steps, and
  transformers converted on their own).
- :func:`converts_inverse`: the layers of a transformer's ``inverse_transform`` (the inverse
  network a converted transformer carries).
- :func:`converts_score_samples`: the layers of a transformer's ``score_samples`` (a
  probabilistic PCA's log-likelihood), from its input to one column.
- :func:`margin_rule` and :func:`score_jump_rule`: how a family's ``predict`` decides, where
  it is not a threshold or an argmax of its scores (libsvm's vote); read by
  :mod:`nnconvert.agreement`.
- :func:`reference_rtol`: how precise an estimator's own answers are, where it computes below
  float64 (XGBoost sums its trees in float32); read by :mod:`nnconvert.agreement`.
- :func:`merges_bodies` and :func:`members_fast_path`: the fast paths of meta-estimators,
  registered by the family that owns the members (linear members merged into one linear
  layer; tree members into one traversal), each equal to the general path of
  :mod:`nnconvert.compose.members`, which a test holds it to.
- :func:`when_imported`: converters of an optional package, registered once it is imported.
"""

from __future__ import annotations

import functools
import importlib.util
import sys
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted
from torch import nn

from .errors import NotFittedError, UnsupportedEstimatorError
from .network.heads import Head
from .options import Options

__all__ = [
    "Conversion",
    "converts",
    "converts_transformer",
    "convert_estimator",
    "convert_transformer",
    "converts_inverse",
    "convert_inverse",
    "converts_score_samples",
    "convert_score_samples",
    "margin_rule",
    "score_jump_rule",
    "reference_rtol",
    "has_rule",
    "merges_bodies",
    "merged_bodies",
    "members_fast_path",
    "when_imported",
    "load_optional",
    "supported_estimators",
    "supported_transformers",
    "estimator_name",
    "check_fitted",
]


@dataclass
class Conversion:
    """What an estimator's converter returns: the body layers and the output head.

    ``classes``, ``n_features_in`` and ``feature_names_in`` default to the estimator's own
    attributes; converters of meta-estimators set them when they differ. ``origin`` is the
    class and parameters of the estimator whose fitted attributes the last layer holds, for
    the way back (:func:`nnconvert.to_sklearn`); ``None`` where no single estimator does.
    ``input_stage`` is what the network runs outside itself, before its first layer (an
    :class:`~nnconvert.network.stage.InputStage`: a text vectorizer at a pipeline's front).
    ``variance`` is a module from the network's input tensor to the predictive variance,
    shape (n, n_targets), for regressors whose ``predict`` takes ``return_std=True``
    (Bayesian linear models, Gaussian processes); ``None`` for the others. It is a branch
    beside the body, not part of it: ``forward``, export and fine-tuning see the mean only.
    """

    layers: list[nn.Module]
    head: Head
    classes: Sequence | None = None
    n_features_in: int | None = None
    feature_names_in: Sequence[str] | None = None
    origin: tuple[type, dict] | None = None
    input_stage: object | None = None
    variance: nn.Module | None = None
    #: where the estimator answers ``apply`` and ``decision_path`` (a tree or a forest): the
    #: tree layer and how scikit-learn shapes its answers (a ``TreePaths``); else None
    paths: object | None = None


# -- converters -----------------------------------------------------------------------------

@functools.singledispatch
def _estimator_converter(estimator, options: Options) -> Conversion:
    raise unsupported(estimator)


@functools.singledispatch
def _transformer_converter(transformer, options: Options) -> list[nn.Module]:
    raise UnsupportedEstimatorError(
        f"{type(transformer).__name__} cannot be converted as a pipeline step. "
        f"Supported transformers: {', '.join(supported_transformers())}. "
        "Apply the step outside the network, or open an issue asking for it."
    )


def _registrar(table) -> Callable:
    def decorator(*classes: type) -> Callable:
        def register(function: Callable) -> Callable:
            for cls in classes:
                table.register(cls)(function)
            return function
        return register
    return decorator


@functools.singledispatch
def _inverse_converter(transformer, options: Options) -> list[nn.Module]:
    raise UnsupportedEstimatorError(
        f"nnconvert does not convert the inverse_transform of {type(transformer).__name__}. "
        "Call the estimator's own inverse_transform, or open an issue asking for it."
    )


@functools.singledispatch
def _score_converter(transformer, options: Options) -> list[nn.Module]:
    raise UnsupportedEstimatorError(
        f"nnconvert does not convert the score_samples of {type(transformer).__name__}. "
        "Call the estimator's own score_samples, or open an issue asking for it."
    )


#: ``@converts(Cls, ...)``: the function ``(estimator, options) -> Conversion`` converts a
#: fitted estimator of these classes (and their subclasses) into a whole network
converts = _registrar(_estimator_converter)
#: ``@converts_transformer(Cls, ...)``: the function ``(transformer, options) -> list of
#: layers`` converts a fitted transformer of these classes into layers
converts_transformer = _registrar(_transformer_converter)
#: ``@converts_inverse(Cls, ...)``: the function ``(transformer, options) -> list of layers``
#: computes the ``inverse_transform`` of a fitted transformer of these classes: layers from
#: its output width back to its input width (none for the identity)
converts_inverse = _registrar(_inverse_converter)
#: ``@converts_score_samples(Cls, ...)``: the function ``(transformer, options) -> list of
#: layers`` computes the ``score_samples`` of a fitted transformer of these classes, from its
#: input to one column
converts_score_samples = _registrar(_score_converter)


def check_is_fitted_any(estimator) -> None:
    """scikit-learn's ``check_is_fitted``, or the estimator's own ``is_fitted()`` where it is
    no scikit-learn estimator (CatBoost's models: scikit-learn's check asks for tags they
    lack). Raises scikit-learn's NotFittedError."""
    own = getattr(estimator, "is_fitted", None)
    if not isinstance(estimator, BaseEstimator) and callable(own):
        if not own():
            raise NotFittedError(f"This {type(estimator).__name__} instance is not fitted yet.")
        return
    check_is_fitted(estimator)


def check_fitted(estimator, purpose: str = "before nnconvert.convert()") -> None:
    """scikit-learn's fitted check, with a message that says what to do."""
    try:
        check_is_fitted_any(estimator)
    except NotFittedError:
        raise NotFittedError(
            f"This {type(estimator).__name__} instance is not fitted yet: call "
            f"its fit(X, y) {purpose}."
        ) from None


def convert_estimator(estimator, options: Options) -> Conversion:
    """Convert a fitted estimator, at the top or inside a composite (a pipeline's last step,
    an ensemble's member): checks that it is fitted, then dispatches on its class."""
    check_fitted(estimator)
    return _estimator_converter(estimator, options)


def convert_transformer(transformer, options: Options) -> list[nn.Module]:
    """Convert one fitted transformer into layers."""
    check_fitted(transformer)
    return _transformer_converter(transformer, options)


def convert_inverse(transformer, options: Options) -> list[nn.Module]:
    """The layers of one fitted transformer's ``inverse_transform``."""
    check_fitted(transformer)
    return _inverse_converter(transformer, options)


def has_inverse_converter(estimator) -> bool:
    """Whether ``estimator``'s class has an ``inverse_transform`` converter."""
    return has_rule(_inverse_converter, estimator)


def convert_score_samples(transformer, options: Options) -> list[nn.Module]:
    """The layers of one fitted transformer's ``score_samples`` (one output column)."""
    check_fitted(transformer)
    return _score_converter(transformer, options)


def has_converter(estimator) -> bool:
    """Whether ``estimator``'s class has a whole-network converter."""
    return has_rule(_estimator_converter, estimator)


def has_transformer_converter(estimator) -> bool:
    """Whether ``estimator``'s class has a transformer converter."""
    return has_rule(_transformer_converter, estimator)


# -- agreement rules ------------------------------------------------------------------------

@functools.singledispatch
def margin_rule(estimator, X, reference: dict) -> np.ndarray | None:
    """Per row of ``X``, how far ``estimator`` is from predicting another label.

    ``reference`` holds the estimator's own answers on ``X`` by method name. A family
    registers a rule (``@margin_rule.register(Cls)``) where ``predict`` is not a threshold
    or an argmax of ``decision_function`` (else ``predict_proba``); None means "no rule of
    its own": :mod:`nnconvert.agreement` then measures the margin of those scores.
    """
    return None


@functools.singledispatch
def score_jump_rule(estimator, X, reference: dict, rtol: float) -> dict | None:
    """Per score method, a boolean mask of the rows where its answer may jump between two
    roundings.

    Scores that count votes move by a whole vote where a pair's value is within rounding of
    zero; a neighbours' vote changes where two neighbours are equally far. Such rows are
    near ties of the scores, as labels can be. None (the default): the scores are
    continuous in the inputs.
    """
    return None


@functools.singledispatch
def reference_rtol(estimator) -> float | None:
    """The relative precision of ``estimator``'s own scores, where it computes below float64.

    A library that accumulates in float32 (XGBoost) is itself only that accurate, so a
    float64 network can be no closer to it than that: agreement is judged at this tolerance
    or the caller's, whichever is looser. None (the default): scikit-learn's float64.
    """
    return None


def has_rule(table, estimator) -> bool:
    """Whether ``table`` (a singledispatch function) has a rule of its own for ``estimator``."""
    return table.dispatch(type(estimator)) is not table.dispatch(object)


# -- fast paths of meta-estimators ----------------------------------------------------------

_BODY_MERGES: list[Callable] = []


def merges_bodies(function: Callable) -> Callable:
    """Register ``function(conversions) -> layers or None``: one body computing every
    member's body output side by side (their concatenation), or None where it cannot.

    A family registers the merge of its own members (linear members: one linear layer);
    :func:`nnconvert.compose.members.side_by_side` tries them where the meta-estimator
    allows it, and each member's head then answers from its slice of the merged output.
    """
    _BODY_MERGES.append(function)
    return function


def merged_bodies(conversions: Sequence[Conversion]) -> list[nn.Module] | None:
    """The first registered merge of these members' bodies, or None."""
    for merge in _BODY_MERGES:
        layers = merge(list(conversions))
        if layers is not None:
            return layers
    return None


@functools.singledispatch
def members_fast_path(estimator, options: Options) -> Conversion | None:
    """A whole meta-estimator converted by the family that owns its members, or None.

    Registered on the meta-estimator's class (``@members_fast_path.register(Cls)``) by
    the family whose members it merges (bagging or AdaBoost of trees: every tree in one
    traversal). The converter in :mod:`nnconvert.compose` asks it first; None (the
    default, or the members are not the family's) takes the general path.
    """
    return None


# -- optional packages ----------------------------------------------------------------------

_OPTIONAL: dict[str, Callable[[], None]] = {}


def when_imported(package: str, register: Callable[[], None]) -> None:
    """Run ``register()`` (once) when ``package`` is imported, or listed as installed.

    Importing an optional package can be slow (scikit-elm pulls in dask and pandas), and a
    fitted model of it can only exist once it is imported, so its converters register then.
    """
    _OPTIONAL[package] = functools.cache(register)


def load_optional(*, every_installed: bool = False) -> None:
    """Register the converters of optional packages that are imported (or installed)."""
    for package, register in _OPTIONAL.items():
        if package in sys.modules or (every_installed and importlib.util.find_spec(package)):
            register()


# -- names ----------------------------------------------------------------------------------

def _names(table) -> list[str]:
    # a set: nnconvert's and scikit-elm's ELMClassifier share a name, listed once
    return sorted({cls.__name__ for cls in table.registry if cls is not object})


def supported_estimators() -> list[str]:
    """Names of the estimator classes :func:`nnconvert.convert` turns into whole networks.

    Examples
    --------
    >>> import nnconvert as nc
    >>> "LogisticRegression" in nc.supported_estimators()
    True
    """
    load_optional(every_installed=True)
    return _names(_estimator_converter)


def supported_transformers() -> list[str]:
    """Names of the transformer classes accepted as pipeline steps (and on their own).

    Examples
    --------
    >>> import nnconvert as nc
    >>> "StandardScaler" in nc.supported_transformers()
    True
    """
    load_optional()
    return _names(_transformer_converter)


#: estimators refused on purpose, by class name (the registry imports no estimator): why no
#: network can compute them, and what to do instead
REFUSED = {
    **dict.fromkeys(
        ("DBSCAN", "HDBSCAN", "OPTICS", "SpectralClustering", "AgglomerativeClustering",
         "SpectralBiclustering", "SpectralCoclustering"),
        "has no predict for new rows: its labels_ exist for the training rows only (fit_predict "
        "is fitting, not inference). Train a classifier on its labels_ (e.g. "
        "KNeighborsClassifier) and convert that, or use KMeans, Birch or a GaussianMixture, "
        "which predict new rows."),
    **dict.fromkeys(
        ("TSNE", "MDS", "SpectralEmbedding", "LocallyLinearEmbedding", "Isomap"),
        "embeds its training rows only (no transform of new rows that is a fixed function), "
        "or solves an optimisation per call. Use PCA or KernelPCA for a transform of new rows."),
    **dict.fromkeys(
        ("NMF", "MiniBatchNMF", "LatentDirichletAllocation", "DictionaryLearning",
         "MiniBatchDictionaryLearning", "SparseCoder"),
        "transforms by solving an iterative optimisation for every row (coordinate descent, "
        "variational updates, a sparse coding solver), not a fixed function a network can "
        "compute exactly. Convert its components_ as a linear projection yourself if an "
        "approximation will do."),
}


def unsupported(estimator) -> UnsupportedEstimatorError:
    """The error for an estimator nothing converts, listing what is supported, or saying
    why it is refused (:data:`REFUSED`)."""
    name = type(estimator).__name__
    if name in REFUSED:
        return UnsupportedEstimatorError(f"{name} cannot be converted: it {REFUSED[name]}")
    if not isinstance(estimator, BaseEstimator) and not hasattr(estimator, "fit"):
        return UnsupportedEstimatorError(
            f"convert() needs a fitted scikit-learn estimator, got {name} "
            f"({type(estimator).__module__}). Supported: {', '.join(supported_estimators())}."
        )
    return UnsupportedEstimatorError(
        f"{name} is not supported by nnconvert. "
        f"Supported estimators: {', '.join(supported_estimators())}; "
        f"transformers: {', '.join(supported_transformers())}."
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
