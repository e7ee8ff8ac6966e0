"""The linear family: one layer of neurons with no hidden layer, and the right output rule.

A logistic regression is one neuron with a sigmoid (a softmax layer for three or more
classes); a linear SVM is the same neuron with no activation, whose bias is the sign-flipped
offset of its hyperplane ``w·x − w0 = 0``. Every classifier here computes
``decision_function(x) = x W^T + b`` (scikit-learn's ``LinearClassifierMixin``); they differ
only in how, or whether, scores become probabilities. The least-squares regressors are the
same layer read out as the prediction: ``predict(x) = x W^T + b``, shape (n,) for a 1-D
target and (n, k) for k targets.
"""

from __future__ import annotations

import numpy as np
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.linear_model import (
    ElasticNet,
    Lasso,
    LinearRegression,
    LogisticRegression,
    PassiveAggressiveClassifier,
    Perceptron,
    Ridge,
    RidgeClassifier,
    RidgeClassifierCV,
    RidgeCV,
    SGDClassifier,
    SGDRegressor,
)
from sklearn.svm import LinearSVC, LinearSVR

from ..errors import multilabel_refused
from ..layers import LinearUnits, dense_float64, readout_units
from ..network.heads import LinearHead, RegressionHead
from ..registry import Conversion, converts

HYPERPLANE_NOTE = "hyperplane w·x − w0 = 0, so the bias is b = −w0"
#: how the bias of a hinge-loss model relates to its hyperplane, for diagrams (b = −w0 = …)
HYPERPLANE_FORM = "−w0"


def linear_conversion(
    estimator, *, proba: str | None, title: str, bias_note: str | None = None,
    bias_form: str | None = None,
) -> Conversion:
    """One dense layer from ``coef_`` and ``intercept_``, then a :class:`LinearHead`.

    Parameters
    ----------
    estimator : fitted linear classifier
        Anything with ``coef_`` (1-D or 2-D) and ``intercept_`` (array or scalar).
    proba : str or None
        The head's probability rule (see :data:`nnconvert.heads.PROBA_RULES`).
    title : str
        How the neurons are named in ``explain()`` and diagrams.
    bias_note : str or None
        What the bias means in the estimator's own terms.
    bias_form : str or None
        The estimator's parameter the bias equals (see ``LayerDescription.bias_form``).
    """
    units = readout_units(dense_float64(estimator.coef_),  # sparse after sparsify()
                          estimator.intercept_, estimator.classes_, title, bias_note,
                          bias_form)
    return Conversion(
        layers=[units],
        head=LinearHead(units.out_features, proba=proba),
        origin=(type(estimator), estimator.get_params(deep=False)),
    )


@converts(LogisticRegression)
def _logistic_regression(estimator: LogisticRegression, options: dict) -> Conversion:
    # scikit-learn >= 1.5: binary -> sigmoid of one score; three or more classes -> softmax.
    return linear_conversion(estimator, proba="logistic", title="logistic neurons")


@converts(LinearDiscriminantAnalysis)
def _lda(estimator: LinearDiscriminantAnalysis, options: dict) -> Conversion:
    return linear_conversion(estimator, proba="logistic", title="discriminant neurons")


@converts(LinearSVC)
def _linear_svc(estimator: LinearSVC, options: dict) -> Conversion:
    return linear_conversion(
        estimator, proba=None, title="linear SVM neurons", bias_note=HYPERPLANE_NOTE,
        bias_form=HYPERPLANE_FORM,
    )


@converts(SGDClassifier)
def _sgd(estimator: SGDClassifier, options: dict) -> Conversion:
    proba = {"log_loss": "ovr-logistic", "modified_huber": "modified-huber"}.get(estimator.loss)
    hinge = estimator.loss in ("hinge", "squared_hinge")
    return linear_conversion(
        estimator, proba=proba, title=f"linear neurons ({estimator.loss} loss)",
        bias_note=HYPERPLANE_NOTE if hinge else None,
        bias_form=HYPERPLANE_FORM if hinge else None,
    )


@converts(Perceptron, PassiveAggressiveClassifier)
def _plain_linear(estimator, options: dict) -> Conversion:
    return linear_conversion(estimator, proba=None, title="linear neurons")


@converts(RidgeClassifier, RidgeClassifierCV)
def _ridge(estimator, options: dict) -> Conversion:
    # only ridge classifiers accept an indicator matrix y (private binariser: no public flag)
    if str(getattr(estimator._label_binarizer, "y_type_", "")).startswith("multilabel"):
        raise multilabel_refused(type(estimator).__name__)
    return _plain_linear(estimator, options)


# -- regressors -----------------------------------------------------------------------------

def _regression_units(estimator, title: str) -> LinearUnits:
    coef = dense_float64(estimator.coef_)  # (n_features,) for one target, (k, n_features)
    weight = np.atleast_2d(coef)
    bias = np.broadcast_to(np.asarray(estimator.intercept_, dtype=np.float64).reshape(-1),
                           weight.shape[:1])
    return LinearUnits(weight, bias, title=title)


@converts(LinearRegression, Ridge, RidgeCV, Lasso, ElasticNet, SGDRegressor, LinearSVR)
def _linear_regressor(estimator, options: dict) -> Conversion:
    title = ("linear SVR neuron" if isinstance(estimator, LinearSVR)
             else "linear regression neurons")
    units = _regression_units(estimator, title)
    single = np.ndim(estimator.coef_) == 1
    return Conversion(
        layers=[units],
        head=RegressionHead(units.out_features, single=single),
        origin=(type(estimator), estimator.get_params(deep=False)),
    )
