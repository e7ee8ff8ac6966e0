"""The way back: a linear network as a fitted scikit-learn estimator.

Convert, fine-tune with the seeds' losses (:mod:`nnconvert.losses`), deploy in scikit-learn
again. The estimator is built from the weights alone (scikit-learn's linear models predict
from ``coef_`` and ``intercept_``), so its ``decision_function`` is the network's: to the
last bit for a bare linear model, to float64 rounding where scalers were folded in.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from sklearn.linear_model import (
    LinearRegression,
    LogisticRegression,
    Perceptron,
    SGDClassifier,
)
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC
from torch import nn

from .errors import ConversionError
from .layers import LinearUnits
from .layers.fuse import fuse_affine
from .network import ConvertedClassifier, ConvertedRegressor
from .network.heads import LinearHead, RegressionHead

__all__ = ["to_sklearn", "KINDS"]

#: what ``kind=`` accepts, and the estimator each kind becomes
KINDS = {"logistic": LogisticRegression, "svm": LinearSVC}

# Estimators whose predictions depend on coef_, intercept_ and classes_ alone, so that setting
# those attributes on a fresh instance gives a fitted model (RidgeClassifier, for one, derives
# classes_ from a private label binariser and cannot be rebuilt this way).
_REBUILDABLE = (LogisticRegression, LinearSVC, SGDClassifier, Perceptron)


def _linear_weights(net) -> tuple[torch.Tensor, torch.Tensor]:
    """The network as one affine map ``x W^T + b``, scalers folded in; refuse anything else."""
    if type(net.head) not in (LinearHead, RegressionHead):
        raise ConversionError(
            f"to_sklearn() rebuilds linear models; this network ({net.source}) ends in a "
            f"{type(net.head).__name__}, not a linear head."
        )
    layers = fuse_affine(list(net.body))
    if len(layers) != 1 or not isinstance(layers[0], LinearUnits):
        kinds = ", ".join(type(layer).__name__ for layer in net.body)
        raise ConversionError(
            f"to_sklearn() needs a single linear layer (scalers are folded in), but "
            f"{net.source} is built from: {kinds}. Only linear models have a way back."
        )
    units = layers[0]
    bias = units.bias if units.bias is not None else torch.zeros(units.weight.shape[0])
    return units.weight, bias


def _from_linear(linear: nn.Linear, classes, kind) -> tuple[torch.Tensor, torch.Tensor]:
    if classes is None or kind not in KINDS:
        raise ValueError(
            "a plain nn.Linear needs classes=[...] (the labels, in score order) and "
            f"kind= one of {sorted(KINDS)}"
        )
    weight = linear.weight
    bias = linear.bias if linear.bias is not None else torch.zeros(weight.shape[0])
    n_classes = len(classes)
    if n_classes == 2 and weight.shape[0] == 2 and kind == "logistic":
        # softmax over two scores is the sigmoid of their difference
        weight, bias = (weight[1] - weight[0])[None, :], (bias[1] - bias[0])[None]
    expected = 1 if n_classes == 2 else n_classes
    if weight.shape[0] != expected:
        raise ValueError(
            f"{n_classes} classes need {expected} output unit(s) for kind={kind!r}, "
            f"but the nn.Linear has {weight.shape[0]}"
        )
    return weight, bias


def to_sklearn(
    net: ConvertedClassifier | ConvertedRegressor | nn.Linear,
    *,
    classes: Sequence | None = None,
    kind: str | None = None,
):
    """A fitted scikit-learn estimator with the same ``decision_function`` as a linear network.

    Parameters
    ----------
    net : ConvertedClassifier, ConvertedRegressor or torch.nn.Linear
        A converted linear model (LogisticRegression, LinearSVC, SGDClassifier, Perceptron,
        optionally behind scalers, which are folded into the weights), possibly fine-tuned; a
        converted linear regressor (any of them comes back as a LinearRegression with the same
        ``predict``); or a plain ``nn.Linear`` with ``classes`` and ``kind``.
    classes : sequence, optional
        The class labels in score order; required for an ``nn.Linear``, otherwise the
        network's ``classes_``. Two classes need one output unit (positive means
        ``classes[1]``), or two for ``kind="logistic"``.
    kind : {"logistic", "svm"}, optional
        Rebuild as :class:`~sklearn.linear_model.LogisticRegression` or
        :class:`~sklearn.svm.LinearSVC`. Defaults to the class the network was converted from,
        with its parameters.

    Returns
    -------
    estimator
        A fitted estimator whose ``decision_function`` (and ``predict_proba`` for logistic
        models) equals the network's; a pipeline comes back as one estimator over raw features.
        A network that runs an input stage outside itself (``net.input_stage``: a text
        vectorizer) comes back as a ``Pipeline`` of (a copy of) that stage and the
        estimator, reading what the stage reads (documents).

    Raises
    ------
    ConversionError
        If the network is not linear, or its original class cannot be rebuilt from weights.
    ValueError
        If ``kind`` is unknown, or an ``nn.Linear`` comes without ``classes`` and ``kind``.

    Examples
    --------
    >>> import numpy as np
    >>> import nnconvert as nc
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.svm import LinearSVC
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> net = nc.convert(LinearSVC().fit(X / X.max(axis=0), y))
    >>> back = nc.to_sklearn(net)
    >>> type(back).__name__
    'LinearSVC'
    >>> bool(np.allclose(back.decision_function(X), net.decision_function(X)))
    True
    """
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {sorted(KINDS)}, got {kind!r}")
    if isinstance(net, ConvertedRegressor):
        return _behind_input_stage(net, _linear_regression(net))
    if isinstance(net, ConvertedClassifier):
        weight, bias = _linear_weights(net)
        classes = net.classes_ if classes is None else classes
        origin = net.origin
    elif isinstance(net, nn.Linear):
        weight, bias = _from_linear(net, classes, kind)
        origin = None
    else:
        raise TypeError(
            f"to_sklearn() takes a ConvertedClassifier or a torch.nn.Linear, "
            f"got {type(net).__name__}"
        )
    if kind is not None:
        estimator = KINDS[kind]()
    elif origin is not None and issubclass(origin[0], _REBUILDABLE):
        estimator = origin[0](**origin[1])
    else:
        name = origin[0].__name__ if origin else "this network"
        raise ConversionError(
            f"{name} cannot be rebuilt from its weights alone; pass kind='logistic' or "
            "kind='svm' to get a LogisticRegression or LinearSVC with the same decision_function."
        )
    if len(set(np.asarray(classes).tolist())) != len(classes):
        raise ValueError(f"classes must be distinct labels, got {list(classes)}")
    estimator.coef_ = weight.detach().cpu().double().numpy().copy()
    estimator.intercept_ = bias.detach().cpu().double().numpy().reshape(-1).copy()
    estimator.classes_ = np.array(classes, copy=True)
    estimator.n_features_in_ = estimator.coef_.shape[1]
    if getattr(net, "feature_names_in_", None) is not None:
        estimator.feature_names_in_ = np.array(net.feature_names_in_, dtype=object)
    estimator.n_iter_ = np.zeros(1, dtype=np.int32)
    return _behind_input_stage(net, estimator)


def _behind_input_stage(net, estimator):
    """``estimator`` behind the network's input stage, where it has one: the network reads
    the stage's matrix, and so does the rebuilt estimator."""
    stage = getattr(net, "input_stage", None)
    if stage is None:
        return estimator
    return Pipeline([stage.as_step(), ("model", estimator)])


def _linear_regression(net: ConvertedRegressor) -> LinearRegression:
    """A fitted LinearRegression with the network's ``predict`` (any linear regressor's
    network, scalers folded in; a Lasso or a Huber model predicts from coef_ alike)."""
    weight, bias = _linear_weights(net)
    estimator = LinearRegression()
    single = net.head.single
    estimator.coef_ = weight.detach().cpu().double().numpy().copy()
    estimator.intercept_ = bias.detach().cpu().double().numpy().reshape(-1).copy()
    if single:
        estimator.coef_, estimator.intercept_ = estimator.coef_[0], float(estimator.intercept_[0])
    estimator.n_features_in_ = weight.shape[1]
    if getattr(net, "feature_names_in_", None) is not None:
        estimator.feature_names_in_ = np.array(net.feature_names_in_, dtype=object)
    estimator.rank_ = int(np.linalg.matrix_rank(np.atleast_2d(estimator.coef_)))
    estimator.singular_ = np.zeros(0)
    return estimator
