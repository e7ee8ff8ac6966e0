"""Gradient boosting: scikit-learn's GradientBoosting* and HistGradientBoosting* models.

Both are one traversal layer (every tree of every iteration, learning rate folded into the
leaf values) whose bias is the initial raw prediction, then the loss's inverse link:
``decision_function`` is the raw score, ``predict_proba`` its sigmoid (log_loss, two
classes), ``σ(2·)`` (exponential loss) or softmax (more classes), a regressor's ``predict``
the raw score or its exponential (poisson and gamma losses of HistGradientBoosting).

The two differ where it matters for exactness:

- GradientBoosting casts X to float32 and compares ``float32(x) <= threshold`` (its trees
  are classic ``DecisionTreeRegressor``); it refuses NaN; a binary ``predict`` is
  ``score >= 0``; its initial raw prediction comes from ``init_``: a constant (the default
  prior, 'zero'), or a tree or forest whose network runs beside the boosted trees (other
  init estimators compute in float32, as scikit-learn fits them on float32 X: refused).
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
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from torch import nn

from ...errors import ConversionError
from ...fitted import Fitted
from ...layers import Branches, ColumnBranches, Layer, LayerDescription
from ...layers.columns import ColumnSpec
from ...network.heads import LinearHead, RegressionHead
from ...registry import Conversion, convert_estimator, convert_transformer, converts
from .forms import tree_layer
from .paths import TreePaths
from .sklearn import tree_arrays

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
    return BoostingHead(trees_per_iteration(estimator), rule,
                        zero_is_positive=zero_is_positive, log_proba=log_proba)


def trees_per_iteration(estimator) -> int:
    """``n_trees_per_iteration_``, checked against the classes: one tree per class each
    iteration for three classes or more, one tree otherwise (two classes, a regressor)."""
    fitted = Fitted(estimator)
    n = fitted.integer("n_trees_per_iteration_", low=1)
    classes = getattr(estimator, "classes_", None)
    expected = 1 if classes is None or len(fitted.classes()) <= 2 else len(classes)
    fitted.same("n_trees_per_iteration_", n, expected, "the value")
    return n


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

def _dummy_probabilities(init: DummyClassifier, n_classes: int, owner: str) -> np.ndarray:
    """The class probabilities a fitted DummyClassifier predicts for every row."""
    prior = Fitted(init, f"{owner}.init_ (DummyClassifier)").array(
        "class_prior_", shape=(n_classes,), low=0.0, high=1.0)
    if init.strategy == "prior":
        return prior
    if init.strategy == "most_frequent":
        return np.eye(n_classes)[np.argmax(prior)]
    raise ConversionError(
        f"GradientBoostingClassifier(init=DummyClassifier(strategy={init.strategy!r})) is "
        "not supported: only the strategies 'prior' (the default init) and 'most_frequent' "
        "predict a constant that a network can hold. Refit with init=None or 'zero'.")


def _initial_raw_prediction(estimator) -> np.ndarray | None:
    """What ``_raw_predict_init`` gives every row, read from the fitted ``init_``; None
    where ``init_`` is an estimator whose prediction depends on x.

    Mirrors scikit-learn's ``_init_raw_predictions``: a classifier's init probabilities
    (of ``classes_[1]`` alone for two classes) clipped to [eps, 1 − eps], then the loss's
    link (logit, half logit, symmetric multinomial logit); a regressor's init prediction.
    """
    fitted = Fitted(estimator)
    init = fitted.get("init_")
    n = trees_per_iteration(estimator)
    if isinstance(init, str):
        fitted.choice("init_", ["zero"])  # the only string scikit-learn accepts
        return np.zeros(n)
    if isinstance(init, DummyClassifier):
        p = _dummy_probabilities(init, len(fitted.classes()), fitted.name)
        p = p[None, :] if n > 1 else p[1:]
        eps = np.finfo(np.float64).eps
        p = np.clip(p, eps, 1 - eps)
    elif isinstance(init, DummyRegressor):
        p = Fitted(init, f"{fitted.name}.init_ (DummyRegressor)").array("constant_").reshape(-1)
        if p.size != 1:
            raise fitted.error("init_", f"predicts {p.size} values, but one was expected")
    else:
        return None  # it depends on x: a network of its own computes it
    return np.asarray(estimator._loss.link.link(p), dtype=np.float64).reshape(-1)


#: a classifier's link, applied to its init estimator's clipped probabilities
_LINKS = {
    LogitLink: torch.logit,
    HalfLogitLink: lambda p: 0.5 * torch.logit(p),
    MultinomialLogit: lambda p: torch.log(p) - torch.log(p).mean(dim=1, keepdim=True),
}


class _InitEstimator(nn.Module):
    """The raw score of a GradientBoosting model whose ``init_`` is an estimator: the
    body's output is the init network's output (``width`` columns), then the trees' sum."""

    def __init__(self, init_head, width: int, link=None):
        super().__init__()
        self.init = init_head
        self.width = int(width)
        self.link = link

    def raw(self, z: torch.Tensor) -> torch.Tensor:
        init, trees = z[:, :self.width], z[:, self.width:]
        if self.link is None:  # a regressor: its init's prediction, identity link
            start = self.init.answer(init, "predict").reshape(len(z), -1)
        else:  # scikit-learn's _init_raw_predictions: clipped probabilities, the link
            p = self.init.proba(init)
            p = p[:, 1:] if trees.shape[1] == 1 else p
            eps = torch.finfo(torch.float64).eps
            start = self.link(p.clamp(eps, 1 - eps))
        return start + trees


class InitEstimatorHead(BoostingHead):
    """A GradientBoostingClassifier's output where ``init_`` is an estimator."""

    def __init__(self, init_head, width: int, link, n_scores: int, proba: str):
        super().__init__(n_scores, proba, zero_is_positive=True, log_proba=True)
        self.start = _InitEstimator(init_head, width, link)

    def decision(self, z: torch.Tensor) -> torch.Tensor:
        return super().decision(self.start.raw(z))

    def predict_index(self, z: torch.Tensor) -> torch.Tensor:
        return super().predict_index(self.start.raw(z))

    def describe(self) -> LayerDescription:
        description = super().describe()
        formula = ("{x} = link(clip(init.predict_proba(x), eps, 1 − eps)) + the trees' sum\n"
                   + description.formula)
        return dataclasses.replace(description, n_in=self.start.width + self.n_scores,
                                   formula=formula, connectivity="dense")


class InitEstimatorRegressionHead(RegressionHead):
    """A GradientBoostingRegressor's output where ``init_`` is an estimator."""

    untrainable_because = _NO_GRADIENT

    def __init__(self, init_head, width: int):
        super().__init__(1, single=True)
        self.start = _InitEstimator(init_head, width)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return super().forward(self.start.raw(z))

    def describe(self) -> LayerDescription:
        return dataclasses.replace(
            super().describe(), n_in=self.start.width + 1, connectivity="dense",
            formula="predict(x) = init.predict(x) + the trees' sum   (shape (n,))")


#: init estimators whose network is exact: scikit-learn fits and runs ``init_`` on X cast to
#: float32, so most models fit float32 coefficients and compute in float32, which a float64
#: network does not reproduce to 1e-9; trees compare float32(x) anyway and store float64
#: leaf values (ExtraTree* are subclasses of DecisionTree*)
_EXACT_INITS = (DecisionTreeClassifier, DecisionTreeRegressor, RandomForestClassifier,
                RandomForestRegressor, ExtraTreesClassifier, ExtraTreesRegressor)


def _with_init_estimator(estimator, traversal, head, options) -> Conversion:
    """The init estimator's network beside the trees, and a head that adds them."""
    if not isinstance(estimator.init_, _EXACT_INITS):
        raise ConversionError(
            f"{type(estimator).__name__}(init={type(estimator.init_).__name__}(...)) is not "
            "supported: scikit-learn fits and runs the init estimator on X cast to float32, "
            "so it computes in float32, which a float64 network cannot reproduce exactly. "
            "Init estimators that convert: the default (init=None), 'zero', and "
            f"{', '.join(c.__name__ for c in _EXACT_INITS)}.")
    init = convert_estimator(estimator.init_, options)
    width = init.layers[-1].describe().n_out
    body = Branches([init.layers, [traversal]], [width, traversal.describe().n_out],
                    title="init estimator | trees")
    if isinstance(head, BoostingHead):
        head = InitEstimatorHead(init.head, width, _LINKS[type(estimator._loss.link)],
                                 head.n_scores, head.proba_rule)
    else:
        head = InitEstimatorRegressionHead(init.head, width)
    return Conversion(layers=[body], head=head)


def _gradient_boosting(estimator, head, options) -> Conversion:
    n = trees_per_iteration(estimator)
    fitted = Fitted(estimator)
    stages = fitted.get("estimators_")
    fitted.same("estimators_", np.shape(stages)[1:], (n,), "a stage shape")
    rate = fitted.number("learning_rate", low=0.0)  # scikit-learn allows 0
    name = f"{type(estimator).__name__}.estimators_"
    trees = [one_column(tree_arrays(tree, False, f"{name}[{i}, {k}]"), k, n, rate)
             for i, stage in enumerate(stages) for k, tree in enumerate(stage)]
    start = _initial_raw_prediction(estimator)
    traversal = tree_layer(trees, estimator.n_features_in_, options, bias=start,
                           allow_nan=False)
    if start is None:
        conversion = _with_init_estimator(estimator, traversal, head, options)
    else:
        conversion = Conversion(layers=[traversal], head=head)
    # its apply: leaf indices as floats, (n, stages, k) for a classifier, (n, stages) else
    shape = "stages" if hasattr(estimator, "classes_") else "stages-flat"
    conversion.paths = TreePaths(traversal, shape, per_stage=n)
    return conversion


@converts(GradientBoostingClassifier)
def _gradient_boosting_classifier(estimator, options):
    """One tree layer summing the boosting stages, the prior (``init_``) as the bias, then the
    sigmoid or softmax.

    Losses log_loss and exponential; ``init_`` as the prior, 'zero', or a tree or forest. The
    tree layer takes the form ``convert(..., tree_form=)`` picks.
    """
    head = _classifier_head(estimator, zero_is_positive=True, log_proba=True)
    return _gradient_boosting(estimator, head, options)


@converts(GradientBoostingRegressor)
def _gradient_boosting_regressor(estimator, options):
    """One tree layer summing the boosting stages, the prior (``init_``) as the bias.

    Losses squared_error, absolute_error, huber and quantile.
    """
    return _gradient_boosting(estimator, _regressor_head(estimator), options)


# -- HistGradientBoosting -------------------------------------------------------------------

def _in_bitset(bitsets: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """scikit-learn's ``in_bitset``: bit ``c % 32`` of word ``c // 32``, for every code, in
    every row of ``bitsets`` (rows, 8 uint32 words)."""
    return ((bitsets[:, codes // 32] >> (codes % 32).astype(np.uint32)) & 1).astype(bool)


#: the fields of a TreePredictor's nodes the network reads
_NODE_FIELDS = ("feature_idx", "num_threshold", "left", "right", "missing_go_to_left",
                "value", "is_leaf", "is_categorical", "bitset_idx")


def hist_tree_arrays(predictor, known_categories=None, feature_to_known=None, *,
                     n_features: int, name: str = "TreePredictor") -> dict:
    """The node arrays of one fitted ``TreePredictor``, float64 thresholds as it compares.

    A categorical split sends code ``c`` left when ``c`` is in its ``raw_left_cat_bitsets``
    row, right when it is a known category of the feature (``known_categories``, indexed by
    ``feature_to_known``), and to the missing-value side otherwise, as ``_predictor.pyx``.
    Every index read here is checked first (``name`` names the predictor in errors); the
    structure is checked when the table is built (:mod:`.structure`).
    """
    fitted = Fitted(predictor, name)
    nodes = fitted.get("nodes")
    fields = getattr(getattr(nodes, "dtype", None), "names", None) or ()
    if getattr(nodes, "ndim", 0) != 1 or not set(_NODE_FIELDS) <= set(fields):
        raise fitted.error("nodes", "is not a 1-D array of nodes with the fields "
                                    f"{', '.join(_NODE_FIELDS)}")
    leaf = fitted.array("nodes['is_leaf']", dtype=bool, value=nodes["is_leaf"])
    arrays = dict(feature=nodes["feature_idx"],
                  threshold=nodes["num_threshold"].astype(np.float64),
                  left=np.where(leaf, -1, nodes["left"].astype(np.int64)),
                  right=np.where(leaf, -1, nodes["right"].astype(np.int64)),
                  missing_left=nodes["missing_go_to_left"].astype(bool),
                  value=nodes["value"].astype(np.float64), name=f"{name}.nodes")
    categorical = nodes["is_categorical"].astype(bool) & ~leaf
    if categorical.any():
        arrays.update(categorical=categorical, category_left=_category_rows(
            fitted, nodes, categorical, known_categories, feature_to_known, n_features))
    return arrays


def _category_rows(fitted: Fitted, nodes, categorical, known_categories, feature_to_known,
                   n_features: int) -> np.ndarray:
    """Per categorical split, whether each code 0-255 goes left (see hist_tree_arrays)."""
    words = 256 // 32  # a bitset of codes 0-255, in uint32 words
    bitsets = fitted.array("raw_left_cat_bitsets", shape=(None, words), dtype=np.uint32)
    known = Fitted(known_categories, "HistGradientBoosting._bin_mapper").array(
        "known categories bitsets", shape=(None, words), dtype=np.uint32,
        value=known_categories)
    row = fitted.indices("nodes['bitset_idx']", len(bitsets), where=categorical, item="node",
                         what=f"there are {len(bitsets)} bitsets",
                         value=nodes["bitset_idx"])
    feature = fitted.indices("nodes['feature_idx']", n_features, where=categorical,
                             item="node", what=f"the model has {n_features} features",
                             value=nodes["feature_idx"])
    to_known = np.asarray(feature_to_known)[feature[categorical]]
    fitted.indices("the known categories of a categorical split's feature", len(known),
                   item="split", what=f"there are {len(known)} categorical features",
                   value=to_known)
    codes = np.arange(256)
    left = _in_bitset(bitsets[row[categorical]], codes)
    is_known = _in_bitset(known[to_known], codes)
    missing_left = nodes["missing_go_to_left"].astype(bool)[categorical][:, None]
    return left | (~is_known & missing_left)


class _MissingPassthrough(Layer):
    """The numeric columns HistGradientBoosting reads as they are, NaN and ±inf included."""

    def __init__(self, n: int):
        super().__init__()
        self.n = n

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x

    def input_columns(self) -> tuple:
        return (ColumnSpec(allow_nan=True, allow_inf=True),) * self.n

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
    n = trees_per_iteration(estimator)
    known, feature_to_known = estimator._bin_mapper.make_known_categories_bitsets()
    # the learning rate is already in a TreePredictor's leaf values
    name = f"{type(estimator).__name__}._predictors"
    trees = [one_column(hist_tree_arrays(predictor, known, feature_to_known,
                                         n_features=estimator.n_features_in_,
                                         name=f"{name}[{i}][{k}]"), k, n)
             for i, iteration in enumerate(estimator._predictors)
             for k, predictor in enumerate(iteration)]
    traversal = tree_layer(trees, estimator.n_features_in_, options,
                              bias=np.asarray(estimator._baseline_prediction).reshape(-1),
                              float32_inputs=False, allow_inf=True)
    if estimator._preprocessor is None:
        return [traversal]
    return [_category_codes(estimator, options), traversal]


@converts(HistGradientBoostingClassifier)
def _hist_gradient_boosting_classifier(estimator, options):
    """One tree layer over the model's own thresholds (compared in float64), the baseline as the
    bias, then the sigmoid or softmax.

    NaN routed as each split says, ``categorical_features`` with bitset splits (category codes
    through the input schema), early stopping, ``class_weight``.

    Refused: ``tree_form='network'`` where splits test category codes (the traversal handles them).
    """
    head = _classifier_head(estimator, zero_is_positive=False, log_proba=False)
    return Conversion(layers=_hist_layers(estimator, options), head=head)


@converts(HistGradientBoostingRegressor)
def _hist_gradient_boosting_regressor(estimator, options):
    """One tree layer over the model's own thresholds, the baseline as the bias, then the inverse
    link (exp for poisson and gamma losses).

    NaN and categorical splits as for the classifier.
    """
    return Conversion(layers=_hist_layers(estimator, options), head=_regressor_head(estimator))
