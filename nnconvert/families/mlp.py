"""Multi-layer perceptrons: MLPClassifier is a network already; copy it layer by layer.

Every hidden layer is ``activation(x · coefs_[i] + intercepts_[i])`` with scikit-learn's
``identity``, ``logistic`` (σ), ``tanh`` or ``relu``; the last layer's pre-activations go to
the output rule scikit-learn picked (``out_activation_``): one logistic unit for two classes,
a softmax for more. MLPClassifier has ``predict_proba`` and no ``decision_function``;
``predict`` is ``p(classes_[1]) > 0.5`` or the first argmax of the probabilities.
"""

from __future__ import annotations

from sklearn.neural_network import MLPClassifier

from ..errors import UnsupportedEstimatorError, multilabel_refused
from ..layers import ActivatedUnits, readout_units
from ..network.heads import ProbabilityHead
from ..registry import Conversion, converts

#: scikit-learn's activation names -> ours
MLP_ACTIVATIONS = {"identity": "identity", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu"}



@converts(MLPClassifier)
def _mlp(estimator: MLPClassifier, options: dict) -> Conversion:
    # several logistic output units: independent labels (multilabel), not one class
    if estimator.out_activation_ == "logistic" and estimator.n_outputs_ > 1:
        raise multilabel_refused("MLPClassifier")
    if estimator.activation not in MLP_ACTIVATIONS:
        raise UnsupportedEstimatorError(
            f"MLPClassifier activation={estimator.activation!r} is not supported; "
            f"supported: {sorted(MLP_ACTIVATIONS)}."
        )
    activation = MLP_ACTIVATIONS[estimator.activation]
    *hidden, last = list(zip(estimator.coefs_, estimator.intercepts_))
    layers = [
        ActivatedUnits(coef.T, bias, activation=activation, title=f"hidden layer {i}")
        for i, (coef, bias) in enumerate(hidden, start=1)
    ]
    layers.append(readout_units(last[0].T, last[1], estimator.classes_,
                                "output units (logits)"))
    # out_activation_ is "logistic" for one output unit and "softmax" for several: the
    # "logistic" probability rule makes the same split (σ for one score, softmax for many)
    head = ProbabilityHead(estimator.n_outputs_, "logistic")
    return Conversion(layers=layers, head=head)
