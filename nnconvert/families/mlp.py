"""Multi-layer perceptrons: MLPClassifier and MLPRegressor are networks already; copy them.

Every hidden layer is ``activation(x · coefs_[i] + intercepts_[i])`` with scikit-learn's
``identity``, ``logistic`` (σ), ``tanh`` or ``relu``; the last layer's pre-activations go to
the output rule scikit-learn picked (``out_activation_``). MLPClassifier: one logistic unit
for two classes, a softmax for more; it has ``predict_proba`` and no ``decision_function``,
and ``predict`` is ``p(classes_[1]) > 0.5`` or the first argmax of the probabilities.
MLPRegressor: ``out_activation_`` is the identity, so the output units are the prediction,
shape (n,) for one output unit (even where y was fitted as a column) and (n, k) for k.
"""

from __future__ import annotations

import numpy as np
from sklearn.neural_network import MLPClassifier, MLPRegressor

from ..errors import UnsupportedEstimatorError
from ..fitted import Fitted
from ..layers import ActivatedUnits, LinearUnits, readout_units
from ..network.heads import ProbabilityHead, RegressionHead
from ..options import Options
from ..registry import Conversion, converts

#: scikit-learn's activation names -> ours
MLP_ACTIVATIONS = {"identity": "identity", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu"}


def read_layers(estimator) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(coefs_[i], intercepts_[i])`` of every layer, checked to chain.

    ``coefs_[0]`` reads the ``n_features_in_`` inputs, each next one reads the units of the
    one before, the last has ``n_outputs_`` units; ``intercepts_[i]`` has one value per unit.
    """
    fitted = Fitted(estimator)
    coefs, intercepts = fitted.get("coefs_"), fitted.get("intercepts_")
    for attribute, value in (("coefs_", coefs), ("intercepts_", intercepts)):
        if not isinstance(value, (list, tuple)) or not value:
            raise fitted.error(attribute, "is not a non-empty list of layer arrays")
    n_layers = fitted.integer("n_layers_", low=2)
    fitted.same("coefs_", len(coefs), n_layers - 1, "length (n_layers_ − 1)")
    fitted.same("intercepts_", len(intercepts), len(coefs), "length")
    n_outputs = fitted.integer("n_outputs_", low=1)
    # the weights first: each reads the width the one before produced
    weights, width = [], fitted.n_features
    for i, coef in enumerate(coefs):
        units = n_outputs if i == len(coefs) - 1 else None
        weights.append(fitted.array(f"coefs_[{i}]", shape=(width, units), value=coef))
        width = weights[-1].shape[1]
    return [(coef, fitted.array(f"intercepts_[{i}]", shape=(coef.shape[1],), value=bias))
            for i, (coef, bias) in enumerate(zip(weights, intercepts))]


def hidden_layers(estimator, layers=None) -> list[ActivatedUnits]:
    """The hidden layers of a fitted MLP (all but the last of ``coefs_``), as activated units.

    Parameters
    ----------
    estimator : fitted MLPClassifier or MLPRegressor
    layers : list of (coef, intercept), optional
        What :func:`read_layers` returned (read here when not given).

    Returns
    -------
    list of ActivatedUnits
        One per hidden layer, in order; the output layer is the caller's (its rule differs).
    """
    name = type(estimator).__name__
    if estimator.activation not in MLP_ACTIVATIONS:
        raise UnsupportedEstimatorError(
            f"{name} activation={estimator.activation!r} is not supported; "
            f"supported: {sorted(MLP_ACTIVATIONS)}."
        )
    activation = MLP_ACTIVATIONS[estimator.activation]
    hidden = (read_layers(estimator) if layers is None else layers)[:-1]
    return [
        ActivatedUnits(coef.T, bias, activation=activation, title=f"hidden layer {i}")
        for i, (coef, bias) in enumerate(hidden, start=1)
    ]


@converts(MLPClassifier)
def _mlp(estimator: MLPClassifier, options: Options) -> Conversion:
    """The same layers as the MLP (identity, logistic, tanh or relu hidden units), with a sigmoid
    output for two classes and a softmax otherwise; fitted on an indicator matrix
    (multilabel), one sigmoid per label and ``predict`` = ``p > 0.5`` per label.
    """
    if str(getattr(estimator._label_binarizer, "y_type_", "")).startswith("multilabel"):
        return _multilabel(estimator)
    fitted = Fitted(estimator)
    classes = fitted.classes()
    layers = read_layers(estimator)
    # scikit-learn's own rule: one logistic unit for two classes, a softmax for more; any
    # other output rule would be answered by scikit-learn but ignored by the head below
    binary = len(classes) == 2
    fitted.same("n_outputs_", estimator.n_outputs_, 1 if binary else len(classes),
                f"for {len(classes)} classes_ the value")
    fitted.choice("out_activation_", ["logistic" if binary else "softmax"])
    body = hidden_layers(estimator, layers)
    body.append(readout_units(layers[-1][0].T, layers[-1][1], classes,
                              "output units (logits)"))
    # out_activation_ is "logistic" for one output unit and "softmax" for several: the
    # "logistic" probability rule makes the same split (σ for one score, softmax for many)
    head = ProbabilityHead(estimator.n_outputs_, "logistic")
    return Conversion(layers=body, head=head)


def _multilabel(estimator: MLPClassifier) -> Conversion:
    """An MLP fitted on an indicator matrix: one logistic output unit per label, each read by
    its own head (``predict_proba`` one (n, k) array of σ, ``predict`` ``σ > 0.5`` as ints)."""
    from ..compose.multilabel import per_target
    from ..network.multioutput import MultiOutputHead

    fitted = Fitted(estimator)
    classes = fitted.classes()
    k = len(classes)
    fitted.same("n_outputs_", estimator.n_outputs_, k, f"for {k} labels the value")
    fitted.choice("out_activation_", ["logistic"])
    layers = read_layers(estimator)
    body = hidden_layers(estimator, layers)
    body.append(readout_units(layers[-1][0].T, layers[-1][1], classes,
                              "output units (logits)"))
    heads = [ProbabilityHead(1, "logistic") for _ in range(k)]
    answers, columns = per_target(heads, [[j] for j in range(k)], k,
                                  ("predict_proba", "predict"), positive_only=True)
    binary = [np.array([0, 1])] * k  # LabelBinarizer answers 0/1 per label
    head = MultiOutputHead(columns, binary, proba_form="columns", log_proba=True,
                           predict_dtype=np.int_)
    return Conversion(layers=[*body, answers], head=head, classes=classes)


@converts(MLPRegressor)
def _mlp_regressor(estimator: MLPRegressor, options: Options) -> Conversion:
    """The same layers as the MLP, with linear output neurons, one per target.
    """
    layers = read_layers(estimator)
    # scikit-learn's regressor always sets the identity; another rule would be ignored here
    Fitted(estimator).choice("out_activation_", ["identity"])
    body = hidden_layers(estimator, layers)
    body.append(LinearUnits(layers[-1][0].T, layers[-1][1], title="output units (identity)"))
    # MLPRegressor.predict ravels a single output column, whatever shape y was fitted with
    head = RegressionHead(estimator.n_outputs_, single=estimator.n_outputs_ == 1)
    return Conversion(layers=body, head=head)
