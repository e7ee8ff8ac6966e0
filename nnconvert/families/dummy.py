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


def _proba_row(strategy: str, classes: np.ndarray, prior: np.ndarray, constant) -> np.ndarray:
    """The one row of ``predict_proba`` of one target."""
    proba = np.zeros(len(classes))
    if strategy == "prior":
        proba[:] = prior
    elif strategy == "most_frequent":
        proba[np.argmax(prior)] = 1.0
    else:  # constant
        proba[np.flatnonzero(classes == constant)] = 1.0
    return proba


def _multi_output(estimator, fitted: Fitted):
    """One block of constant units per target, each read by its own frequency head: the
    labels stacked as scikit-learn tiles them, the probabilities a list."""
    from ..compose.multilabel import per_target
    from ..network.multioutput import MultiOutputHead

    if getattr(estimator, "sparse_output_", False):
        raise UnsupportedEstimatorError(
            "DummyClassifier fitted on a sparse y answers a sparse predict; fit it on a dense "
            "y to convert it.")
    k = fitted.integer("n_outputs_", low=2)
    priors = fitted.per_output("class_prior_", k)
    classes, rows = [], []
    constant = np.reshape(np.asarray(estimator.constant, dtype=object), -1) \
        if estimator.strategy == "constant" else [None] * k
    for j, labels in enumerate(fitted.classes_per_output(k)):
        prior = fitted.array(f"class_prior_[{j}]", shape=(len(labels),), low=0.0, high=1.0,
                             value=priors[j])
        classes.append(labels)
        rows.append(_proba_row(estimator.strategy, labels, prior, constant[j]))
    widths = np.cumsum([0] + [len(c) for c in classes])
    units = ConstantUnits(np.concatenate(rows), fitted.n_features,
                          [f"{j}: {c}" for j, labels in enumerate(classes) for c in labels])
    heads = [FrequencyHead(len(c), "its output does not depend on its input or on any weight")
             for c in classes]
    answers, columns = per_target(heads, [range(a, b) for a, b in zip(widths, widths[1:])],
                                  int(widths[-1]), ("predict_proba", "predict"))
    # scikit-learn tiles the constant as given, or the array of each target's chosen label
    dtype = (np.asarray(estimator.constant) if estimator.strategy == "constant" else
             np.array([labels[np.argmax(row)] for labels, row in zip(classes, rows)])).dtype
    head = MultiOutputHead(columns, classes, proba_form="list", log_proba=True,
                           predict_dtype=dtype)
    return Conversion(layers=[units, answers], head=head, classes=classes)


@converts(DummyClassifier)
def _dummy_classifier(estimator, options):
    """Constant units that ignore the input: the class prior, or the constant, as scores.

    Strategies most_frequent, prior and constant; on a 2-D y, one block of units and one
    frequency head per target.

    Refused: ``strategy='stratified'`` and ``'uniform'``: they draw at random on every call, so no
    function reproduces them.
    """
    strategy = estimator.strategy
    if strategy in ("stratified", "uniform"):
        raise ConversionError(
            f"DummyClassifier(strategy={strategy!r}) draws a random label for every row at "
            "predict time; no network computes that function. Use strategy 'most_frequent', "
            "'prior' or 'constant', which are deterministic.")
    fitted = Fitted(estimator)
    if getattr(estimator, "n_outputs_", 1) != 1:  # a 2-D y: one head per target
        return _multi_output(estimator, fitted)
    classes = fitted.classes()
    prior = fitted.array("class_prior_", shape=(len(classes),), low=0.0, high=1.0)
    proba = _proba_row(strategy, classes, prior, estimator.constant)
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
