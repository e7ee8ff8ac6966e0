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
from sklearn.cross_decomposition import PLSRegression
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
    units = readout_units(dense_float64(estimator.coef_),  # sparse after sparsify()
                          estimator.intercept_, estimator.classes_, title, bias_note,
                          bias_form)
    return Conversion(
        layers=[units],
        head=LinearHead(units.out_features, proba=proba),
        origin=(type(estimator), estimator.get_params(deep=False)),
    )


@converts(LogisticRegression)
def _logistic_regression(estimator: LogisticRegression, options: Options) -> Conversion:
    # scikit-learn >= 1.5: binary -> sigmoid of one score; three or more classes -> softmax.
    return linear_conversion(estimator, proba="logistic", title="logistic neurons")


@converts(LinearDiscriminantAnalysis)
def _lda(estimator: LinearDiscriminantAnalysis, options: Options) -> Conversion:
    return linear_conversion(estimator, proba="logistic", title="discriminant neurons")


@converts(LinearSVC)
def _linear_svc(estimator: LinearSVC, options: Options) -> Conversion:
    return linear_conversion(
        estimator, proba=None, title="linear SVM neurons", bias_note=HYPERPLANE_NOTE,
        bias_form=HYPERPLANE_FORM,
    )


@converts(SGDClassifier)
def _sgd(estimator: SGDClassifier, options: Options) -> Conversion:
    proba = {"log_loss": "ovr-logistic", "modified_huber": "modified-huber"}.get(estimator.loss)
    hinge = estimator.loss in ("hinge", "squared_hinge")
    return linear_conversion(
        estimator, proba=proba, title=f"linear neurons ({estimator.loss} loss)",
        bias_note=HYPERPLANE_NOTE if hinge else None,
        bias_form=HYPERPLANE_FORM if hinge else None,
    )


@converts(Perceptron, PassiveAggressiveClassifier)
def _plain_linear(estimator, options: Options) -> Conversion:
    return linear_conversion(estimator, proba=None, title="linear neurons")


@converts(RidgeClassifier, RidgeClassifierCV)
def _ridge(estimator, options: Options) -> Conversion:
    # only ridge classifiers accept an indicator matrix y (private binariser: no public flag)
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
    kept = np.ones(len(estimator.coef_), dtype=bool)
    if isinstance(estimator, ARDRegression):  # sigma_ covers the features it kept
        kept = estimator.lambda_ < estimator.threshold_lambda
    return PosteriorVariance(estimator.sigma_, estimator.X_offset_, 1.0 / estimator.alpha_,
                             kept)


@converts(*LEAST_SQUARES, *ROBUST)
def _linear_regressor(estimator, options: Options) -> Conversion:
    units = regression_units(estimator.coef_, estimator.intercept_,
                             _regression_title(estimator))
    # a 1-D coef_ means a 1-D y, so a 1-D prediction; 2-D coef_ (k targets) predicts (n, k)
    single = np.ndim(estimator.coef_) == 1
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


@converts(PLSRegression)
def _pls(estimator: PLSRegression, options: Options) -> Conversion:
    # scikit-learn 1.9 predicts (X − x_mean) @ coef_.T + intercept_ (coef_ already holds the
    # x scaling): centring first, as it does, rather than folding −coef_·x_mean into the bias
    centre = AffineScaler(estimator._x_mean, np.ones_like(estimator._x_mean),
                          mode="center-divide", title="PLS centring (x − x_mean)")
    units = regression_units(estimator.coef_, estimator.intercept_, "PLS regression neurons")
    return Conversion(
        layers=[centre, units],
        head=RegressionHead(units.out_features, single=estimator._predict_1d),
    )
