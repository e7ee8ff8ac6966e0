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

from sklearn.neural_network import MLPClassifier, MLPRegressor

from ..errors import UnsupportedEstimatorError, multilabel_refused
from ..layers import ActivatedUnits, LinearUnits, readout_units
from ..network.heads import ProbabilityHead, RegressionHead
from ..registry import Conversion, converts

#: scikit-learn's activation names -> ours
MLP_ACTIVATIONS = {"identity": "identity", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu"}


def hidden_layers(estimator) -> list[ActivatedUnits]:
    """The hidden layers of a fitted MLP (all but the last of ``coefs_``), as activated units.

    Parameters
    ----------
    estimator : fitted MLPClassifier or MLPRegressor

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
    hidden = list(zip(estimator.coefs_, estimator.intercepts_))[:-1]
    return [
        ActivatedUnits(coef.T, bias, activation=activation, title=f"hidden layer {i}")
        for i, (coef, bias) in enumerate(hidden, start=1)
    ]


@converts(MLPClassifier)
def _mlp(estimator: MLPClassifier, options: dict) -> Conversion:
    # several logistic output units: independent labels (multilabel), not one class
    """The same layers as the MLP (identity, logistic, tanh or relu hidden units), with a sigmoid
    output for two classes and a softmax otherwise.
    """
    if estimator.out_activation_ == "logistic" and estimator.n_outputs_ > 1:
        raise multilabel_refused("MLPClassifier")
    layers = hidden_layers(estimator)
    layers.append(readout_units(estimator.coefs_[-1].T, estimator.intercepts_[-1],
                                estimator.classes_, "output units (logits)"))
    # out_activation_ is "logistic" for one output unit and "softmax" for several: the
    # "logistic" probability rule makes the same split (σ for one score, softmax for many)
    head = ProbabilityHead(estimator.n_outputs_, "logistic")
    return Conversion(layers=layers, head=head)


@converts(MLPRegressor)
def _mlp_regressor(estimator: MLPRegressor, options: dict) -> Conversion:
    """The same layers as the MLP, with linear output neurons, one per target.
    """
    layers = hidden_layers(estimator)
    layers.append(LinearUnits(estimator.coefs_[-1].T, estimator.intercepts_[-1],
                              title="output units (identity)"))
    # MLPRegressor.predict ravels a single output column, whatever shape y was fitted with
    head = RegressionHead(estimator.n_outputs_, single=estimator.n_outputs_ == 1)
    return Conversion(layers=layers, head=head)
