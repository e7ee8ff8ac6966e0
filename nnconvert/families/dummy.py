"""Dummy estimators as networks: constant units that ignore the input.

DummyClassifier's ``predict_proba`` is the same row for every input (one-hot of the most
frequent class, the class prior, or one-hot of the constant), so its network is one layer
of constant units and the frequency head (``predict`` = the first argmax, as scikit-learn's
``class_prior_.argmax()``; ``predict_log_proba`` = ``log predict_proba``). DummyRegressor
predicts ``constant_`` (the mean, median, quantile or constant of the training targets).
The 'stratified' and 'uniform' strategies draw a random label per row at predict time: no
network computes that function, so they are refused.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.dummy import DummyClassifier, DummyRegressor

from ..errors import ConversionError, UnsupportedEstimatorError
from ..fitted import Fitted
from ..layers import Layer, LayerDescription, as_buffer
from ..network.heads import FrequencyHead, RegressionHead
from ..registry import Conversion, converts

__all__ = ["ConstantUnits"]


class ConstantUnits(Layer):
    """Units whose output is a stored row, whatever the input (one row per input row).

    Parameters
    ----------
    values : array-like of shape (n_units,)
    n_in : int
        The number of input features (read for their count only).
    unit_names : sequence of str, optional
    """

    def __init__(self, values, n_in: int, unit_names=None):
        super().__init__()
        self.register_buffer("values", as_buffer(np.asarray(values, dtype=np.float64)))
        self.n_in = int(n_in)
        self.unit_names = None if unit_names is None else tuple(unit_names)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.values.to(x.dtype).expand(x.shape[0], -1)

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title="constant units",
            n_in=self.n_in,
            n_out=self.values.shape[0],
            activation="constant",
            activation_kind="constant",
            formula="{y} = c   (the same for every input)",
            connectivity="none",
            bias=self.values.cpu().numpy(),
            bias_note="c: the values every row gets",
            unit_names=self.unit_names,
        )


def _refuse_multioutput(estimator) -> None:
    if getattr(estimator, "n_outputs_", 1) != 1 and isinstance(estimator, DummyClassifier):
        raise UnsupportedEstimatorError(
            "DummyClassifier fitted on several targets (a 2-D y) is not supported: nnconvert "
            "converts single-label classifiers. Fit one DummyClassifier per target.")


@converts(DummyClassifier)
def _dummy_classifier(estimator, options):
    """Constant units that ignore the input: the class prior, or the constant, as scores.

    Strategies most_frequent, prior and constant.

    Refused: ``strategy='stratified'`` and ``'uniform'``: they draw at random on every call, so no
    function reproduces them.
    """
    _refuse_multioutput(estimator)
    strategy = estimator.strategy
    if strategy in ("stratified", "uniform"):
        raise ConversionError(
            f"DummyClassifier(strategy={strategy!r}) draws a random label for every row at "
            "predict time; no network computes that function. Use strategy 'most_frequent', "
            "'prior' or 'constant', which are deterministic.")
    fitted = Fitted(estimator)
    classes = fitted.classes()
    proba = np.zeros(len(classes))
    prior = fitted.array("class_prior_", shape=(len(classes),), low=0.0, high=1.0)
    if strategy == "prior":
        proba[:] = prior
    elif strategy == "most_frequent":
        proba[np.argmax(prior)] = 1.0
    else:  # constant
        proba[np.flatnonzero(classes == estimator.constant)] = 1.0
    units = ConstantUnits(proba, fitted.n_features, [str(c) for c in classes])
    return Conversion(layers=[units], head=FrequencyHead(
        len(classes), "its output does not depend on its input or on any weight"))


@converts(DummyRegressor)
def _dummy_regressor(estimator, options):
    """Constant units that ignore the input: the fitted constant of every strategy.
    """
    fitted = Fitted(estimator)
    constant = fitted.array("constant_", ndim=None).reshape(-1)
    units = ConstantUnits(constant, fitted.n_features)
    return Conversion(layers=[units], head=RegressionHead(len(constant),
                                                          single=estimator.n_outputs_ == 1))
