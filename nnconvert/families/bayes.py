"""Naive Bayes as networks: GaussianNB as quadratic units, the discrete models as linear units.

Every naive Bayes model computes a joint log-likelihood ``jll`` per class (scikit-learn's
``_joint_log_likelihood``); the body here computes it in scikit-learn's order of operations,
and :class:`JointLikelihoodHead` answers ``predict_log_proba = jll − logsumexp(jll)`` (log
space, as scikit-learn does), ``predict_proba = exp`` of that, and ``predict`` = the first
argmax of ``jll``. scikit-learn's naive Bayes have no ``decision_function``.

- GaussianNB: :class:`GaussianUnits`, one quadratic unit per class in the difference form
  ``log prior − ½Σ log(2πσ²) − ½Σ (x − θ)²/σ²`` (expanding into x and x² terms loses digits).
- MultinomialNB: linear units ``x·feature_log_prob_ᵀ + class_log_prior_``.
- ComplementNB: linear units ``x·feature_log_prob_ᵀ`` (its prior is added only for a single
  class, as scikit-learn does).
- BernoulliNB: a step unit per feature (``binarize``), then linear units on the ``x`` and
  ``1 − x`` terms folded into ``x·(log p − log(1 − p))ᵀ + class_log_prior_ + Σ log(1 − p)``.
- CategoricalNB: the input schema turns each feature's value into its category code (a
  value never seen at fit time is refused, as scikit-learn refuses it); a lookup layer reads
  each code's row of ``feature_log_prob_[i]`` (one-hot times a weight matrix, done as a
  gather), and linear units sum the features per class and add ``class_log_prior_``.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.naive_bayes import (
    BernoulliNB,
    CategoricalNB,
    ComplementNB,
    GaussianNB,
    MultinomialNB,
)

from ..fitted import Fitted
from ..layers import BinarizeUnits, Layer, LayerDescription, LinearUnits, as_buffer, dense_float64
from ..network.heads import ClassifierHead, first_argmax
from ..preprocessing.encoders import CategoryLookup
from ..registry import Conversion, converts

__all__ = ["GaussianUnits", "JointLikelihoodHead"]


class GaussianUnits(Layer):
    """One quadratic unit per class: the Gaussian joint log-likelihood.

    ``y_c = log prior_c + (−½ Σ_j log(2π σ²_cj) − ½ Σ_j (x_j − θ_cj)² / σ²_cj)``, summed in
    scikit-learn's order. One class at a time, so memory is (rows × features), not
    (rows × classes × features).

    Parameters
    ----------
    theta, var : array-like of shape (n_classes, n_features)
        ``theta_`` and ``var_`` (which already holds ``var_smoothing``).
    class_prior : array-like of shape (n_classes,)
    """

    def __init__(self, theta, var, class_prior):
        super().__init__()
        var = dense_float64(var)
        self.register_buffer("theta", as_buffer(theta))
        self.register_buffer("var", as_buffer(var))
        self.register_buffer("inv_var", as_buffer(1.0 / var))
        self.register_buffer("log_prior", as_buffer(np.log(dense_float64(class_prior))))
        # the per-class normaliser, as scikit-learn sums it: -0.5 * Σ log(2π σ²)
        self.register_buffer("log_norm", as_buffer(-0.5 * np.sum(np.log(2.0 * np.pi * var),
                                                                  axis=1)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        columns = []
        for c in range(self.theta.shape[0]):
            z = x - self.theta[c]
            z.square_()  # in place: one (rows × features) buffer per class
            squared = z @ self.inv_var[c]  # Σ_j z_j / σ²_j as one matrix-vector product
            columns.append(self.log_prior[c] + (self.log_norm[c] - 0.5 * squared))
        return torch.stack(columns, dim=1)

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title="Gaussian quadratic units",
            n_in=self.theta.shape[1],
            n_out=self.theta.shape[0],
            activation="quadratic",
            formula=("{y}_c = log prior_c − ½ Σ_j log(2π σ²_cj) − ½ Σ_j (({x}_j − θ_cj) / σ_cj)²"
                     "   (σ² = var_, which includes var_smoothing)"),
            parameters={"theta_": self.theta.cpu().numpy(), "var_": self.var.cpu().numpy()},
        )


def _logsumexp(z: torch.Tensor) -> torch.Tensor:
    """scipy's logsumexp over rows: ``max + log Σ exp(z − max)``, infinite maxima guarded."""
    top = z.max(dim=1, keepdim=True).values
    top = torch.where(torch.isfinite(top), top, torch.zeros_like(top))
    return torch.log(torch.exp(z - top).sum(dim=1, keepdim=True)) + top


class JointLikelihoodHead(ClassifierHead):
    """The head of every naive Bayes model: the body's output is the joint log-likelihood.

    ``predict_log_proba = jll − logsumexp(jll)``, ``predict_proba = exp(predict_log_proba)``,
    ``predict = classes_[argmax jll]`` (first index wins a tie). No ``decision_function``,
    as in scikit-learn; a training loss is applied to ``jll`` (its softmax is the
    probability).
    """

    has_proba = True
    has_log_proba = True
    has_decision = False
    untrainable_because = None

    def __init__(self, n_classes: int):
        super().__init__()
        self.n_classes = int(n_classes)

    def decision(self, z: torch.Tensor) -> torch.Tensor:
        raise AttributeError("this network has no decision_function (nor has its estimator)")

    def logits(self, z: torch.Tensor) -> torch.Tensor:
        return z

    def log_proba(self, z: torch.Tensor) -> torch.Tensor:
        return z - _logsumexp(z)

    def proba(self, z: torch.Tensor) -> torch.Tensor:
        return torch.exp(self.log_proba(z))

    def predict_index(self, z: torch.Tensor) -> torch.Tensor:
        return first_argmax(z)

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title="output",
            n_in=self.n_classes,
            n_out=self.n_classes,
            activation="log-softmax",
            formula=("log p(y | x) = {x}_y − logsumexp_k {x}_k   (predict_log_proba)\n"
                     "p(y | x) = exp(log p(y | x))\n"
                     "predict(x) = classes_[argmax_k {x}_k]   (first index wins a tie)"),
            connectivity="elementwise",
        )


def _head(estimator) -> JointLikelihoodHead:
    return JointLikelihoodHead(len(Fitted(estimator).classes()))


def _read(estimator) -> tuple[Fitted, int, int]:
    """The checked reader, the number of classes and of features."""
    fitted = Fitted(estimator)
    return fitted, len(fitted.classes()), fitted.n_features


def _log_prior(fitted: Fitted, n_classes: int) -> np.ndarray:
    # log probabilities: at most 0, −inf allowed (a class of prior 0)
    return fitted.array("class_log_prior_", shape=(n_classes,), high=0.0, log=True)


@converts(GaussianNB)
def _gaussian_nb(estimator, options):
    """Quadratic units, one per class, in the difference form ``−½ Σ (x − θ)²/σ² + log prior − …``,
    then the joint log-likelihood's softmax.

    The difference form is kept because expanding ``(x − θ)²`` into ``x²`` and ``x`` terms cancels
    digits. ``predict_log_proba`` is answered too.
    """
    fitted, n_classes, n_features = _read(estimator)
    units = GaussianUnits(fitted.array("theta_", shape=(n_classes, n_features)),
                          # scikit-learn adds epsilon_ to every variance: never 0
                          fitted.array("var_", shape=(n_classes, n_features), low=0.0,
                                       strict_low=True),
                          fitted.array("class_prior_", shape=(n_classes,), low=0.0, high=1.0))
    return Conversion(layers=[units], head=_head(estimator))


def _class_names(estimator):
    return [str(c) for c in Fitted(estimator).classes()]


@converts(MultinomialNB)
def _multinomial_nb(estimator, options):
    """Linear units on ``feature_log_prob_`` (one per class, bias the class log prior), then the joint
    log-likelihood's softmax; ``predict_log_proba`` too.
    """
    fitted, n_classes, n_features = _read(estimator)
    units = LinearUnits(fitted.array("feature_log_prob_", shape=(n_classes, n_features),
                                     high=0.0, log=True),
                        _log_prior(fitted, n_classes),
                        title="multinomial log-likelihood units",
                        bias_note="b = class_log_prior_, W = feature_log_prob_",
                        unit_names=_class_names(estimator))
    return Conversion(layers=[units], head=_head(estimator))


@converts(ComplementNB)
def _complement_nb(estimator, options):
    """Linear units on the complement model's ``feature_log_prob_``, then its normalisation and
    softmax; ``predict_log_proba`` too.
    """
    fitted, n_classes, n_features = _read(estimator)
    # scikit-learn adds the prior only when there is a single class (Rennie et al.'s rule)
    bias = _log_prior(fitted, n_classes) if n_classes == 1 else None
    # normalised weights, not log probabilities (positive with norm=False)
    units = LinearUnits(fitted.array("feature_log_prob_", shape=(n_classes, n_features)), bias,
                        title="complement log-likelihood units",
                        bias_note="W = feature_log_prob_ (already normalised by ComplementNB)",
                        unit_names=_class_names(estimator))
    return Conversion(layers=[units], head=_head(estimator))


@converts(BernoulliNB)
def _bernoulli_nb(estimator, options):
    """A step unit per feature first where ``binarize`` is set, then linear units on the log
    probabilities of each feature being on and off, then the softmax; ``predict_log_proba`` too.
    """
    fitted, n_classes, n_features = _read(estimator)
    # log p < 0: a probability of 1 would make log(1 − p) = −inf (smoothing never gives it)
    log_p = fitted.array("feature_log_prob_", shape=(n_classes, n_features), high=0.0,
                         log=True)
    if log_p.size and log_p.max() >= 0.0:
        raise fitted.error("feature_log_prob_", "holds 0 (a probability of 1), which "
                                                "smoothing never gives")
    log_not_p = np.log(1 - np.exp(log_p))  # scikit-learn's neg_prob, computed the same way
    layers = []
    if estimator.binarize is not None:
        layers.append(BinarizeUnits(n_features, fitted.number("binarize")))
    layers.append(LinearUnits(log_p - log_not_p,
                              _log_prior(fitted, n_classes) + log_not_p.sum(axis=1),
                              title="Bernoulli log-likelihood units",
                              bias_note=("W = log p − log(1 − p), "
                                         "b = class_log_prior_ + Σ log(1 − p)"),
                              unit_names=_class_names(estimator)))
    return Conversion(layers=layers, head=_head(estimator))


@converts(CategoricalNB)
def _categorical_nb(estimator, options):
    """A lookup of each category's row of the fitted log probabilities, summed per class, then the
    softmax; ``predict_log_proba`` too.

    Categories arrive as codes through the network's input schema.

    Refused: a category never seen in training (scikit-learn has no probability for it), with the
    name of its column.
    """
    fitted, n_classes, n_features = _read(estimator)
    n_categories = fitted.array("n_categories_", shape=(n_features,), dtype=np.int64, low=1)
    tables = fitted.get("feature_log_prob_")
    if not isinstance(tables, (list, tuple)) or len(tables) != n_features:
        raise fitted.error("feature_log_prob_", f"is not a list of {n_features} tables, one "
                                                "per feature")
    logs = [fitted.array(f"feature_log_prob_[{j}]", shape=(n_classes, n), high=0.0, log=True,
                         value=table).T
            for j, (table, n) in enumerate(zip(tables, n_categories))]
    # each table's last row answers a code outside the categories, which the schema refuses
    lookup = CategoryLookup(
        [range(n) for n in n_categories],
        [np.vstack([table, np.zeros((1, n_classes))]) for table in logs],
        allow_unknown=False, title="category log-likelihood lookup",
        formula="{y}_(j,c) = feature_log_prob_[j][c, {x}_j]   (the row of feature j's category)")
    total = np.tile(np.eye(n_classes), len(logs))  # Σ_j over the features, per class
    units = LinearUnits(total, _log_prior(fitted, n_classes), title="categorical log-likelihood "
                        "units", bias_note="b = class_log_prior_, W sums the features",
                        unit_names=_class_names(estimator))
    return Conversion(layers=[lookup, units], head=_head(estimator))
