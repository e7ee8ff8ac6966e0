"""convert(): from a fitted scikit-learn estimator to the network that computes the same function.

Importing this module imports every family, which registers its converters and rules with
:mod:`nnconvert.registry`; ``convert`` then dispatches on the estimator's class and wraps the
result in the network of its kind: a classifier, a regressor or a transformer.
"""

from __future__ import annotations

import torch
from sklearn.base import BaseEstimator

from . import compose, families, preprocessing  # noqa: F401  (each registers its converters)
from .inverse import attach_inverse
from .likelihood import attach_scores
from .scoring import score_refusal
from .network import (
    ConvertedClassifier,
    ConvertedClusterer,
    ConvertedDensity,
    ConvertedMultiOutputClassifier,
    ConvertedNetwork,
    ConvertedOutlierDetector,
    ConvertedRegressor,
    ConvertedTransformer,
    TransformHead,
)
from .options import SUPPORTED_DTYPES, Options
from .registry import (
    Conversion,
    check_fitted,
    convert_estimator,
    convert_transformer,
    estimator_name,
    has_converter,
    has_transformer_converter,
    load_optional,
    supported_estimators,
    supported_transformers,
    unsupported,
)

__all__ = ["convert", "supported_estimators", "supported_transformers", "SUPPORTED_DTYPES"]


def _conversion(estimator, options: Options) -> Conversion:
    """A whole-network converter's result, or a transformer's layers with a transform head."""
    if has_converter(estimator) or not has_transformer_converter(estimator):
        return convert_estimator(estimator, options)  # unsupported: its error lists both
    layers = convert_transformer(estimator, options)
    return Conversion(layers=layers, head=TransformHead(_width(layers, estimator)))


def _width(layers, estimator) -> int:
    if layers:
        return layers[-1].describe().n_out
    return estimator.n_features_in_


#: networks whose labels (cluster labels, ±1) the converter gives in ``Conversion.classes``
_LABELLED = {"clusterer": ConvertedClusterer, "outlier_detector": ConvertedOutlierDetector}


def _network(estimator, conversion: Conversion) -> ConvertedNetwork:
    n_features = conversion.n_features_in
    if n_features is None:
        n_features = estimator.n_features_in_
    names = conversion.feature_names_in
    if names is None:
        names = getattr(estimator, "feature_names_in_", None)
    common = dict(n_features_in=n_features, feature_names_in=names,
                  source=estimator_name(estimator))
    kind = conversion.head.kind
    if kind == "classifier":
        classes = conversion.classes if conversion.classes is not None else estimator.classes_
        return ConvertedClassifier(conversion.layers, conversion.head, classes=classes, **common)
    if kind == "regressor":
        return ConvertedRegressor(conversion.layers, conversion.head,
                                  variance=conversion.variance, **common)
    if kind in _LABELLED:  # unsupervised kinds: the converter names the labels
        return _LABELLED[kind](conversion.layers, conversion.head, classes=conversion.classes,
                               **common)
    if kind == "multioutput_classifier":  # classes_ as scikit-learn exposes them
        classes = conversion.classes if conversion.classes is not None else estimator.classes_
        return ConvertedMultiOutputClassifier(conversion.layers, conversion.head,
                                              classes=classes, **common)
    if kind == "density":
        return ConvertedDensity(conversion.layers, conversion.head, **common)
    names_out = None
    if hasattr(estimator, "get_feature_names_out"):
        try:
            names_out = estimator.get_feature_names_out()
        except (AttributeError, ValueError, TypeError, NotImplementedError):
            names_out = None  # a step that cannot name its outputs: neither can the network
    return ConvertedTransformer(conversion.layers, conversion.head, feature_names_out=names_out,
                                **common)


def convert(
    estimator: BaseEstimator, dtype: torch.dtype = torch.float64, fuse: bool = False,
    tree_form: str = "auto", **more_options,
) -> ConvertedNetwork:
    """Turn a fitted scikit-learn estimator into an equivalent torch network.

    Parameters
    ----------
    estimator : fitted scikit-learn estimator
        A classifier, a regressor, a transformer, a clusterer, an outlier detector or a
        density: see :func:`supported_estimators` and
        :func:`supported_transformers`; pipelines and meta-estimators of supported parts
        work too.
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
    tree_form : {'auto', 'network', 'traversal'}, default 'auto'
        The form of trees and tree ensembles (ignored by other models): ``'network'`` is
        the network of step units (a decision unit per split, a leaf unit per leaf, a
        read-out of the leaf values) that ``draw()`` and ``explain()`` show unit by unit;
        ``'traversal'`` walks every tree level by level, fast however deep or many the
        trees; ``'auto'`` takes the network while its leaf units hold at most 65,536
        weights, else the traversal. Both compute the same function, to the bit. The
        network form is refused, with its size, where it would take over 256 MiB.

    Returns
    -------
    ConvertedNetwork
        A ConvertedClassifier, ConvertedRegressor, ConvertedTransformer, ConvertedClusterer,
        ConvertedOutlierDetector or ConvertedDensity: a ``torch.nn.Module`` with the estimator's methods (``decision_function``,
        ``predict_proba``, ``predict``, ``transform``, ``score_samples``: those it has),
        ``outputs`` and ``explain``.

    Raises
    ------
    NotFittedError
        If the estimator (or any step in it) is not fitted.
    UnsupportedEstimatorError
        If there is no converter for the estimator or for one of its steps.
    TypeError
        If ``dtype`` is not torch.float32 or torch.float64, or an option is misspelt.
    ValueError
        If ``tree_form`` is not one of 'auto', 'network', 'traversal'.

    Examples
    --------
    >>> import nnconvert as nc
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = load_iris(return_X_y=True)
    >>> model = LogisticRegression(max_iter=1000).fit(X, y)
    >>> net = nc.convert(model)
    >>> type(net).__name__, net.dtype
    ('ConvertedClassifier', torch.float64)
    >>> bool((net.predict(X) == model.predict(X)).all())
    True
    """
    # the options first: a misspelt one fails whatever the model, before any work
    options = Options.from_keywords(dtype=dtype, fuse=fuse, tree_form=tree_form,
                                    **more_options)
    load_optional()
    if isinstance(estimator, type):
        raise TypeError(
            f"convert() needs a fitted estimator instance, got the class {estimator.__name__}: "
            f"fit {estimator.__name__}(...) first."
        )
    # a registered class of another library (CatBoost's models are no BaseEstimator) passes
    if not isinstance(estimator, BaseEstimator) and not has_converter(estimator):
        raise unsupported(estimator)
    check_fitted(estimator)
    conversion = _conversion(estimator, options)
    net = _network(estimator, conversion)
    net.origin = conversion.origin
    net.input_stage = conversion.input_stage
    net.tree_paths = conversion.paths
    if isinstance(net, ConvertedTransformer):
        attach_inverse(estimator, options, net)
        attach_scores(estimator, options, net)
    else:
        net.score_refused = score_refusal(estimator)
    return net.to(options.dtype)
