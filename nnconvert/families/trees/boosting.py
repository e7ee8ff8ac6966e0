"""Gradient boosting: scikit-learn's GradientBoosting* and HistGradientBoosting* models.

Both are one traversal layer (every tree of every iteration, learning rate folded into the
leaf values) whose bias is the initial raw prediction, then the loss's inverse link:
``decision_function`` is the raw score, ``predict_proba`` its sigmoid (log_loss, two
classes), ``σ(2·)`` (exponential loss) or softmax (more classes), a regressor's ``predict``
the raw score or its exponential (poisson and gamma losses of HistGradientBoosting).

The two differ where it matters for exactness:

- GradientBoosting casts X to float32 and compares ``float32(x) <= threshold`` (its trees
  are classic ``DecisionTreeRegressor``); it refuses NaN; a binary ``predict`` is
  ``score >= 0``; its initial raw prediction comes from ``init_`` (a prior, 'zero').
- HistGradientBoosting compares float64 ``x <= num_threshold`` on the raw values (the bins
  are used during fit only), sends NaN to ``missing_go_to_left``; a binary ``predict`` is
  ``score > 0``; the initial raw prediction is ``_baseline_prediction``. Categorical
  features go through its own OrdinalEncoder (unknown and missing values: NaN), placed
  first, and its categorical splits test bitsets of those codes.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch
from sklearn._loss.link import (
    HalfLogitLink,
    IdentityLink,
    LogitLink,
    LogLink,
    MultinomialLogit,
)
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import (
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)

from ...errors import ConversionError
from ...layers import ColumnBranches, Layer, LayerDescription
from ...layers.columns import ColumnSpec
from ...network.heads import LinearHead, RegressionHead
from ...registry import Conversion, convert_transformer, converts
from .sklearn import tree_arrays
from .traversal import TreeTraversal

#: a classifier's link (the class of ``estimator._loss.link``) -> the head's probability rule
_PROBA_RULE = {LogitLink: "logistic", MultinomialLogit: "logistic", HalfLogitLink: "half-logit"}

_NO_GRADIENT = "a tree's step units have no gradient"


class BoostingHead(LinearHead):
    """A boosting classifier's output: the raw score, its inverse link, sign or argmax.

    Parameters
    ----------
    n_scores : int
        1 for two classes, else the number of classes.
    proba : str
        Key of :data:`~nnconvert.network.heads.PROBA_RULES`.
    zero_is_positive : bool
        Whether a binary score of exactly 0 predicts ``classes_[1]`` (GradientBoosting).
    log_proba : bool
        Whether the estimator has ``predict_log_proba`` (``log(predict_proba)``).
    """

    untrainable_because = _NO_GRADIENT

    def __init__(self, n_scores: int, proba: str, *, zero_is_positive: bool, log_proba: bool):
        super().__init__(n_scores, proba, zero_is_positive=zero_is_positive)
        self.has_log_proba = bool(log_proba)

    def log_proba(self, z: torch.Tensor) -> torch.Tensor:
        if not self.has_log_proba:
            raise AttributeError("this network has no predict_log_proba")
        # scikit-learn takes the log of the probabilities, not a log-space formula
        return torch.log(self.proba(z))

    def describe(self) -> LayerDescription:
        description = super().describe()
        if not self.has_log_proba:
            return description
        formula = description.formula + "\npredict_log_proba(x) = log p(y | x)"
        return dataclasses.replace(description, formula=formula)


class ExpHead(RegressionHead):
    """A log-link regressor's output (poisson, gamma): ``predict = exp(raw score)``."""

    untrainable_because = _NO_GRADIENT

    def __init__(self):
        super().__init__(1, single=True)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.exp(super().forward(z))

    def describe(self) -> LayerDescription:
        return dataclasses.replace(super().describe(),
                                   activation="exp", formula="predict(x) = exp({x})   (shape (n,))")


def _link_refused(estimator) -> ConversionError:
    return ConversionError(
        f"{type(estimator).__name__}(loss={estimator.loss!r}) is not supported: its link "
        f"{type(estimator._loss.link).__name__} has no converter. Supported losses: log_loss "
        "and exponential (classifiers); squared_error, absolute_error, huber, quantile, "
        "poisson, gamma (regressors).")


def _classifier_head(estimator, *, zero_is_positive: bool, log_proba: bool) -> BoostingHead:
    rule = _PROBA_RULE.get(type(estimator._loss.link))
    if rule is None:
        raise _link_refused(estimator)
    return BoostingHead(estimator.n_trees_per_iteration_, rule,
                        zero_is_positive=zero_is_positive, log_proba=log_proba)


def _regressor_head(estimator) -> RegressionHead:
    link = type(estimator._loss.link)
    if link is IdentityLink:
        return RegressionHead(1, single=True)
    if link is LogLink:
        return ExpHead()
    raise _link_refused(estimator)


def one_column(arrays: dict, k: int, n_columns: int, scale: float = 1.0) -> dict:
    """A tree that adds ``scale × value`` to output column ``k`` of ``n_columns`` (the class
    this iteration's tree is fitted for) and zero to the others."""
    value = np.zeros((len(arrays["value"]), n_columns))
    value[:, k] = scale * np.asarray(arrays["value"], dtype=np.float64).reshape(-1)
    return {**arrays, "value": value}


# -- GradientBoosting -----------------------------------------------------------------------

def _dummy_probabilities(init: DummyClassifier) -> np.ndarray:
    """The class probabilities a fitted DummyClassifier predicts for every row."""
    if init.strategy == "prior":
        return np.asarray(init.class_prior_, dtype=np.float64)
    if init.strategy == "most_frequent":
        return np.eye(len(init.class_prior_))[np.argmax(init.class_prior_)]
    raise ConversionError(
        f"GradientBoostingClassifier(init=DummyClassifier(strategy={init.strategy!r})) is "
        "not supported: only the strategies 'prior' (the default init) and 'most_frequent' "
        "predict a constant that a network can hold. Refit with init=None or 'zero'.")


def _initial_raw_prediction(estimator) -> np.ndarray:
    """What ``_raw_predict_init`` gives every row, read from the fitted ``init_``.

    Mirrors scikit-learn's ``_init_raw_predictions``: a classifier's init probabilities
    (of ``classes_[1]`` alone for two classes) clipped to [eps, 1 − eps], then the loss's
    link (logit, half logit, symmetric multinomial logit); a regressor's init prediction.
    """
    init = estimator.init_
    n = estimator.n_trees_per_iteration_
    if isinstance(init, str):  # 'zero', the only string scikit-learn accepts
        return np.zeros(n)
    if isinstance(init, DummyClassifier):
        p = _dummy_probabilities(init)
        p = p[None, :] if n > 1 else p[1:]
        eps = np.finfo(np.float64).eps
        p = np.clip(p, eps, 1 - eps)
    elif isinstance(init, DummyRegressor):
        p = np.asarray(init.constant_, dtype=np.float64).reshape(-1)
    else:
        raise ConversionError(
            f"{type(estimator).__name__} with init={type(init).__name__}(...) is not "
            "supported: its initial prediction depends on x. Only the default prior "
            "(init=None, a DummyClassifier / DummyRegressor) and init='zero' convert; "
            "refit with one of those.")
    return np.asarray(estimator._loss.link.link(p), dtype=np.float64).reshape(-1)


def _gradient_boosting_layer(estimator) -> TreeTraversal:
    n = estimator.n_trees_per_iteration_
    trees = [one_column(tree_arrays(tree, classifier=False), k, n, estimator.learning_rate)
             for stage in estimator.estimators_ for k, tree in enumerate(stage)]
    return TreeTraversal(trees, estimator.n_features_in_,
                         bias=_initial_raw_prediction(estimator), allow_nan=False)


@converts(GradientBoostingClassifier)
def _gradient_boosting_classifier(estimator, options):
    head = _classifier_head(estimator, zero_is_positive=True, log_proba=True)
    return Conversion(layers=[_gradient_boosting_layer(estimator)], head=head)


@converts(GradientBoostingRegressor)
def _gradient_boosting_regressor(estimator, options):
    return Conversion(layers=[_gradient_boosting_layer(estimator)],
                      head=_regressor_head(estimator))


# -- HistGradientBoosting -------------------------------------------------------------------

def _in_bitset(bitset: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """scikit-learn's ``in_bitset``: bit ``c % 32`` of word ``c // 32``, for every code."""
    return ((bitset[codes // 32] >> (codes % 32)) & 1).astype(bool)


def hist_tree_arrays(predictor, known_categories=None, feature_to_known=None) -> dict:
    """The node arrays of one fitted ``TreePredictor``, float64 thresholds as it compares.

    A categorical split sends code ``c`` left when ``c`` is in its ``raw_left_cat_bitsets``
    row, right when it is a known category of the feature (``known_categories``, indexed by
    ``feature_to_known``), and to the missing-value side otherwise, as ``_predictor.pyx``.
    """
    nodes = predictor.nodes
    leaf = nodes["is_leaf"].astype(bool)
    arrays = dict(feature=nodes["feature_idx"].astype(np.int64),
                  threshold=nodes["num_threshold"].astype(np.float64),
                  left=np.where(leaf, -1, nodes["left"].astype(np.int64)),
                  right=np.where(leaf, -1, nodes["right"].astype(np.int64)),
                  missing_left=nodes["missing_go_to_left"].astype(bool),
                  value=nodes["value"].astype(np.float64), depth=int(nodes["depth"].max()))
    categorical = nodes["is_categorical"].astype(bool) & ~leaf
    if categorical.any():
        codes = np.arange(256)
        rows = []
        for node in nodes[categorical]:
            left = _in_bitset(predictor.raw_left_cat_bitsets[node["bitset_idx"]], codes)
            known = _in_bitset(known_categories[feature_to_known[node["feature_idx"]]], codes)
            rows.append(left | (~known & bool(node["missing_go_to_left"])))
        arrays.update(categorical=categorical, category_left=np.array(rows))
    return arrays


class _MissingPassthrough(Layer):
    """The numeric columns HistGradientBoosting reads as they are, NaN included."""

    def __init__(self, n: int):
        super().__init__()
        self.n = n

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x

    def input_columns(self) -> tuple:
        return (ColumnSpec(allow_nan=True),) * self.n

    def describe(self) -> LayerDescription:
        return LayerDescription(title="numeric features", n_in=self.n, n_out=self.n,
                                activation="none", activation_kind="identity",
                                formula="{y} = {x}   (NaN allowed)", connectivity="elementwise")


def _category_codes(estimator, options) -> ColumnBranches:
    """HistGradientBoosting's own preprocessor: an OrdinalEncoder on the categorical columns
    (unknown and missing values become NaN), the numeric columns after them."""
    pre = estimator._preprocessor
    branches = []
    for name, transformer, _ in pre.transformers_:
        columns = list(pre._transformer_to_input_indices[name])
        if not columns or name not in ("encoder", "numerical"):
            continue
        layers = (convert_transformer(transformer, options) if name == "encoder"
                  else [_MissingPassthrough(len(columns))])
        branches.append((columns, layers))
    return ColumnBranches(branches, pre.n_features_in_, title="category codes, then numbers",
                          by_name=hasattr(pre, "feature_names_in_"))


def _hist_layers(estimator, options) -> list:
    n = estimator.n_trees_per_iteration_
    known, feature_to_known = estimator._bin_mapper.make_known_categories_bitsets()
    # the learning rate is already in a TreePredictor's leaf values
    trees = [one_column(hist_tree_arrays(predictor, known, feature_to_known), k, n)
             for iteration in estimator._predictors for k, predictor in enumerate(iteration)]
    traversal = TreeTraversal(trees, estimator.n_features_in_,
                              bias=np.asarray(estimator._baseline_prediction).reshape(-1),
                              float32_inputs=False)
    if estimator._preprocessor is None:
        return [traversal]
    return [_category_codes(estimator, options), traversal]


@converts(HistGradientBoostingClassifier)
def _hist_gradient_boosting_classifier(estimator, options):
    head = _classifier_head(estimator, zero_is_positive=False, log_proba=False)
    return Conversion(layers=_hist_layers(estimator, options), head=head)


@converts(HistGradientBoostingRegressor)
def _hist_gradient_boosting_regressor(estimator, options):
    return Conversion(layers=_hist_layers(estimator, options), head=_regressor_head(estimator))
