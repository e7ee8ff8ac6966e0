"""The linear family: one layer of neurons with no hidden layer, and the right output rule.

A logistic regression is one neuron with a sigmoid (a softmax layer for three or more
classes); a linear SVM is the same neuron with no activation, whose bias is the sign-flipped
offset of its hyperplane ``w·x − w0 = 0``. Every classifier here computes
``decision_function(x) = x W^T + b`` (scikit-learn's ``LinearClassifierMixin``); they differ
only in how, or whether, scores become probabilities. The least-squares regressors are the
same layer read out as the prediction: ``predict(x) = x W^T + b``, shape (n,) for a 1-D
target and (n, k) for k targets. BayesianRidge and ARDRegression also give the predictive
standard deviation (``predict(X, return_std=True)``): a quadratic-form unit beside the
neuron, ``σ²(x) = (x − x̄)ᵀ Σ (x − x̄) + 1/α``.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.cross_decomposition import CCA, PLSCanonical, PLSRegression
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.linear_model import (
    ARDRegression,
    BayesianRidge,
    ElasticNet,
    ElasticNetCV,
    HuberRegressor,
    Lars,
    LarsCV,
    Lasso,
    LassoCV,
    LassoLars,
    LassoLarsCV,
    LassoLarsIC,
    LinearRegression,
    LogisticRegression,
    MultiTaskElasticNet,
    MultiTaskElasticNetCV,
    MultiTaskLasso,
    MultiTaskLassoCV,
    OrthogonalMatchingPursuit,
    OrthogonalMatchingPursuitCV,
    PassiveAggressiveClassifier,
    PassiveAggressiveRegressor,
    Perceptron,
    QuantileRegressor,
    Ridge,
    RidgeClassifier,
    RidgeClassifierCV,
    RidgeCV,
    SGDClassifier,
    SGDRegressor,
    TheilSenRegressor,
)
from sklearn.svm import LinearSVC, LinearSVR

from ..errors import multilabel_refused
from ..fitted import Fitted
from ..layers import (
    AffineScaler,
    Layer,
    LayerDescription,
    LinearUnits,
    as_buffer,
    dense_float64,
    readout_units,
)
from ..network.heads import LinearHead, RegressionHead
from ..options import Options
from ..registry import Conversion, converts, merges_bodies

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
    coef, intercept, classes = read_linear_classifier(Fitted(estimator))
    units = readout_units(coef, intercept, classes, title, bias_note, bias_form)
    return Conversion(
        layers=[units],
        head=LinearHead(units.out_features, proba=proba),
        origin=(type(estimator), estimator.get_params(deep=False)),
    )


def read_linear_classifier(fitted: Fitted, n_inputs: int | None = None
                           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(coef_, intercept_, classes_)`` of a linear classifier, checked against each other.

    ``coef_`` is (1, n_inputs) (or (n_inputs,)) for two classes and (n_classes, n_inputs) for more (dense or
    sparse after ``sparsify()``); ``n_inputs`` is ``n_features_in_`` unless the neurons read
    a hidden layer (an ELM's). ``intercept_`` has one value per row of ``coef_`` (a scalar 0.0
    where none was fitted).
    """
    classes = fitted.classes()
    n_rows = 1 if len(classes) == 2 else len(classes)
    width = n_inputs or fitted.n_features
    if n_rows == 1 and np.ndim(fitted.get("coef_")) == 1:  # RidgeClassifier's binary coef_
        return (fitted.array("coef_", shape=(width,)).reshape(1, -1),
                fitted.bias("intercept_", 1), classes)
    coef = fitted.array("coef_", shape=(n_rows, width))
    return coef, fitted.bias("intercept_", n_rows), classes


@converts(LogisticRegression)
def _logistic_regression(estimator: LogisticRegression, options: Options) -> Conversion:
    # scikit-learn >= 1.5: binary -> sigmoid of one score; three or more classes -> softmax.
    """One layer of neurons: a sigmoid neuron for two classes, softmax neurons for more.

    Every solver, ``class_weight``, no intercept; ``LogisticRegressionCV`` is the same network.
    """
    return linear_conversion(estimator, proba="logistic", title="logistic neurons")


@converts(LinearDiscriminantAnalysis)
def _lda(estimator: LinearDiscriminantAnalysis, options: Options) -> Conversion:
    """One layer of linear neurons (``coef_``, ``intercept_``), then the softmax of scikit-learn's
    ``predict_proba`` (a sigmoid for two classes).
    """
    return linear_conversion(estimator, proba="logistic", title="discriminant neurons")


@converts(LinearSVC)
def _linear_svc(estimator: LinearSVC, options: Options) -> Conversion:
    """One neuron per class with no activation: the hyperplane ``w·x − w0 = 0`` as weights ``w`` and
    bias ``b = −w0``.

    One-vs-rest and ``crammer_singer`` alike. No ``predict_proba``, as in scikit-learn: asking for
    it says to use ``decision_function`` or ``CalibratedClassifierCV``.
    """
    return linear_conversion(
        estimator, proba=None, title="linear SVM neurons", bias_note=HYPERPLANE_NOTE,
        bias_form=HYPERPLANE_FORM,
    )


@converts(SGDClassifier)
def _sgd(estimator: SGDClassifier, options: Options) -> Conversion:
    """One layer of linear neurons; ``predict_proba`` where the loss has one (``log_loss``: a
    sigmoid, ``modified_huber``: its clipped ramp, normalised).

    Every loss converts; the decision function is the same linear layer whatever the loss.
    """
    proba = {"log_loss": "ovr-logistic", "modified_huber": "modified-huber"}.get(estimator.loss)
    hinge = estimator.loss in ("hinge", "squared_hinge")
    return linear_conversion(
        estimator, proba=proba, title=f"linear neurons ({estimator.loss} loss)",
        bias_note=HYPERPLANE_NOTE if hinge else None,
        bias_form=HYPERPLANE_FORM if hinge else None,
    )


@converts(Perceptron, PassiveAggressiveClassifier)
def _plain_linear(estimator, options: Options) -> Conversion:
    """One layer of linear neurons with no activation; ``predict`` is the sign (two classes) or the
    argmax.
    """
    return linear_conversion(estimator, proba=None, title="linear neurons")


@converts(RidgeClassifier, RidgeClassifierCV)
def _ridge(estimator, options: Options) -> Conversion:
    # only ridge classifiers accept an indicator matrix y (private binariser: no public flag)
    """One layer of linear neurons with no activation, as RidgeClassifier regresses ±1 targets.
    """
    if str(getattr(estimator._label_binarizer, "y_type_", "")).startswith("multilabel"):
        raise multilabel_refused(type(estimator).__name__)
    return _plain_linear(estimator, options)


# -- regressors -----------------------------------------------------------------------------

#: regressors whose ``predict`` is ``X @ coef_.T + intercept_`` (scikit-learn's
#: ``LinearModel._decision_function``), whatever loss or solver chose the coefficients
LEAST_SQUARES = (LinearRegression, Ridge, RidgeCV, Lasso, LassoCV, ElasticNet, ElasticNetCV,
                 MultiTaskLasso, MultiTaskLassoCV, MultiTaskElasticNet, MultiTaskElasticNetCV,
                 Lars, LarsCV, LassoLars, LassoLarsCV, LassoLarsIC, OrthogonalMatchingPursuit,
                 OrthogonalMatchingPursuitCV, BayesianRidge, ARDRegression, SGDRegressor,
                 PassiveAggressiveRegressor)
#: the same prediction, fitted with a robust, quantile or ε-insensitive loss: how the neuron is
#: named, so that explain() says which model it is
ROBUST = {
    HuberRegressor: "Huber regression neuron",
    QuantileRegressor: "quantile regression neuron",
    TheilSenRegressor: "Theil–Sen regression neuron",
    LinearSVR: "linear SVR neuron",
}


def regression_units(coef, intercept, title: str, bias_note: str | None = None) -> LinearUnits:
    """Linear neurons computing ``x @ coef.T + intercept``, one per target.

    Parameters
    ----------
    coef : array-like of shape (n_features,) or (n_targets, n_features)
        Dense or sparse (after ``sparsify()``).
    intercept : float or array-like of shape (n_targets,)
        A scalar (0.0 where no intercept was fitted) is broadcast over the targets.
    title : str
        How the neurons are named in ``explain()`` and diagrams.
    bias_note : str or None
        What the bias means in the estimator's own terms.
    """
    weight = np.atleast_2d(dense_float64(coef))
    bias = np.broadcast_to(np.asarray(intercept, dtype=np.float64).reshape(-1),
                           weight.shape[:1])
    return LinearUnits(weight, bias, title=title, bias_note=bias_note)


def read_linear_regressor(fitted: Fitted, n_inputs: int | None = None
                          ) -> tuple[np.ndarray, np.ndarray]:
    """``(coef_, intercept_)`` of a linear regressor: ``coef_`` (n_inputs,) for one target or
    (n_targets, n_inputs), ``n_inputs`` being ``n_features_in_`` unless the neurons read a
    hidden layer; ``intercept_`` a scalar or one value per target."""
    raw = fitted.get("coef_")
    one = np.ndim(raw) == 1
    width = n_inputs or fitted.n_features
    coef = fitted.array("coef_", shape=(width,) if one else (None, width))
    return coef, fitted.bias("intercept_", 1 if one else len(coef))


def _regression_title(estimator) -> str:
    for cls, title in ROBUST.items():
        if isinstance(estimator, cls):
            return title
    return "linear regression neurons"


class PosteriorVariance(Layer):
    """A quadratic-form unit: the predictive variance of a Bayesian linear model,
    ``σ²(x) = (u Σ)·u + 1/α`` with ``u = x[kept] − x̄[kept]``, one output column.

    Computed as scikit-learn's ``predict(X, return_std=True)`` computes it (a product by
    ``Σ``, then the row sums of ``(u Σ) ⊙ u``), so that the two round alike.

    Parameters
    ----------
    sigma : array-like of shape (n_kept, n_kept)
        The posterior covariance of the weights (``sigma_``).
    offset : array-like of shape (n_features,)
        ``X_offset_``: the training mean of X (zeros without an intercept).
    noise : float
        ``1 / alpha_``, the variance of the noise.
    kept : array-like of bool of shape (n_features,)
        The features ``sigma`` covers (ARDRegression prunes those whose precision
        ``lambda_`` reached ``threshold_lambda``).
    """

    def __init__(self, sigma, offset, noise: float, kept):
        super().__init__()
        kept = np.asarray(kept, dtype=bool)
        self.register_buffer("sigma", as_buffer(sigma))
        self.register_buffer("offset", as_buffer(np.asarray(offset)[kept]))
        self.register_buffer("kept", torch.as_tensor(np.flatnonzero(kept)))
        self.n_features = len(kept)
        self.noise = float(noise)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        u = x[:, self.kept] - self.offset.to(x.dtype)
        quadratic = ((u @ self.sigma.to(x.dtype)) * u).sum(dim=1, keepdim=True)
        return quadratic + self.noise

    def describe(self) -> LayerDescription:
        pruned = self.n_features - len(self.kept)
        where = f" (the {len(self.kept)} features ARD kept)" if pruned else ""
        return LayerDescription(
            title="posterior variance unit",
            n_in=self.n_features,
            n_out=1,
            activation="quadratic",
            formula=("{y} = (u·Σ)·u + 1/α,   u = {x} − x̄" + where
                     + f",   Σ = sigma_, 1/α = {self.noise:.6g}"),
        )


def _posterior_variance(estimator) -> PosteriorVariance:
    fitted = Fitted(estimator)
    n = fitted.n_features
    kept = np.ones(n, dtype=bool)
    if isinstance(estimator, ARDRegression):  # sigma_ covers the features it kept
        kept = fitted.array("lambda_", shape=(n,), finite=False) < estimator.threshold_lambda
    n_kept = int(kept.sum())
    return PosteriorVariance(fitted.array("sigma_", shape=(n_kept, n_kept)),
                             fitted.array("X_offset_", shape=(n,)),
                             1.0 / fitted.number("alpha_", low=0, strict_low=True), kept)


@converts(*LEAST_SQUARES, *ROBUST)
def _linear_regressor(estimator, options: Options) -> Conversion:
    """Linear neurons: one per target, bias ``intercept_``.

    ``BayesianRidge`` and ``ARDRegression`` answer ``predict(X, return_std=True)``: a
    quadratic-form unit ``σ² = (u·Σ)·u + 1/α`` (``u = x − x̄``, over the features ARD kept) beside
    the network.
    """
    coef, intercept = read_linear_regressor(Fitted(estimator))
    units = regression_units(coef, intercept, _regression_title(estimator))
    # a 1-D coef_ means a 1-D y, so a 1-D prediction; 2-D coef_ (k targets) predicts (n, k)
    single = coef.ndim == 1
    bayesian = isinstance(estimator, (BayesianRidge, ARDRegression))
    return Conversion(
        layers=[units],
        head=RegressionHead(units.out_features, single=single),
        origin=(type(estimator), estimator.get_params(deep=False)),
        variance=_posterior_variance(estimator) if bayesian else None,
    )


@merges_bodies
def _merged_linear_members(conversions: list[Conversion]) -> list | None:
    """Members that are each one linear layer, merged into one: their weights stacked.

    The fast path of one-vs-rest, one-vs-one and multi-output models of linear members.
    """
    if not all(len(c.layers) == 1 and isinstance(c.layers[0], LinearUnits)
               for c in conversions):
        return None
    units = [c.layers[0] for c in conversions]
    weight = torch.cat([u.weight.detach() for u in units], dim=0)
    bias = torch.cat([u.bias.detach() if u.bias is not None
                      else torch.zeros_like(u.weight[:, 0]) for u in units])
    return [LinearUnits(weight, bias, title=f"{units[0].title}, {len(units)} members merged",
                        bias_note=units[0].bias_note, bias_form=units[0].bias_form)]


@converts(PLSRegression, PLSCanonical, CCA)
def _pls(estimator, options: Options) -> Conversion:
    """Linear neurons: ``PLSRegression``'s prediction is affine in ``x`` (scaling, ``coef_``, the
    target's mean), folded into one layer.
    """
    # scikit-learn 1.9 predicts (X − x_mean) @ coef_.T + intercept_ (coef_ already holds the
    # x scaling): centring first, as it does, rather than folding −coef_·x_mean into the bias
    fitted = Fitted(estimator)
    x_mean = fitted.array("_x_mean", shape=(fitted.n_features,))
    centre = AffineScaler(x_mean, np.ones_like(x_mean),
                          mode="center-divide", title="PLS centring (x − x_mean)")
    coef, intercept = read_linear_regressor(fitted)
    units = regression_units(coef, intercept, "PLS regression neurons")
    return Conversion(
        layers=[centre, units],
        head=RegressionHead(units.out_features, single=estimator._predict_1d),
    )
