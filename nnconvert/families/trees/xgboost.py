"""XGBoost's scikit-learn models (``XGBClassifier``, ``XGBRegressor``, gbtree booster) as
one traversal layer and the objective's inverse link.

The trees are read from the booster's JSON model (``save_raw("json")``), whose
``split_conditions`` are XGBoost's float32 values written exactly (the text dumps round
them). XGBoost's rules, and how the network follows them:

- XGBoost casts X to float32 and sends ``x < t`` left (strictly; scikit-learn's trees use
  ``<=``). On float32 values ``x < t`` is ``x <= t'`` with ``t'`` the float32 just below
  ``t``, so the thresholds are stepped down once and the traversal's float32 ``<=`` serves.
- NaN (XGBoost's default ``missing``) goes to each split's ``default_left`` side.
- A categorical split (``enable_categorical=True`` on integer codes) sends the categories
  of its set right and every other code left; a negative value is an invalid category and
  goes left too (a layer in front makes it code 255, in no set), NaN to ``default_left``.
- The start of every row's margin is ``base_score`` turned into a margin by the objective
  (logit for the logistic objectives, log for poisson, gamma and tweedie, itself otherwise):
  the model stores it as a probability or a mean, not as a margin.
- ``predict`` uses the trees of ``iteration_range = (0, best_iteration + 1)`` where early
  stopping set ``best_iteration``, else every tree (``num_parallel_tree`` trees a class and
  a round).
- XGBoost adds its leaf values in float32; the network adds them in float64, so its
  answers are the exact sum, and XGBoost's differ from it by float32 accumulation (about
  1e-7 of the score scale): :func:`nnconvert.registry.reference_rtol` says so to ``verify``.

Several targets (one tree per target a round) convert with an identity link; dart boosters
too (``predict`` drops no tree: it weights each by its ``weight_drop``). Refused, each with
its reason: gblinear, category columns of a DataFrame (XGBoost re-codes them), category
codes above 254, vector-leaf trees (``multi_strategy="multi_output_tree"``), a ``missing``
other than NaN, and objectives without a converter (see :data:`OBJECTIVES`).
"""

from __future__ import annotations

import dataclasses
import functools
import json

import numpy as np
import torch

from ...errors import ConversionError
from ...fitted import Fitted, corrupt
from ...layers import LayerDescription
from ...network.heads import ProbabilityHead, RegressionHead
from ...options import Options
from ...registry import Conversion, converts, reference_rtol, when_imported
from .boosting import _NO_GRADIENT, ExpHead, one_column
from .codes import MAX_CODE, CategoryCodes, categorical_columns
from .forms import tree_layer

#: the least tolerance XGBoost's answers are judged at: its float32 sums of a few trees are
#: within 1e-7 of their scale, and 200 rounds reach 1e-6 (see :func:`float32_sum_rtol`)
XGBOOST_RTOL = 1e-6

#: supported objectives -> (the link that turns ``base_score`` into a margin, the output)
#: outputs: "logistic" (a classifier's σ or softmax of the margins), and a regressor's
#: "identity", "exp" or "sigmoid"
OBJECTIVES = {
    "binary:logistic": ("logit", "logistic"),
    "multi:softprob": ("identity", "logistic"),
    "multi:softmax": ("identity", "logistic"),
    "reg:squarederror": ("identity", "identity"),
    "reg:squaredlogerror": ("identity", "identity"),
    "reg:pseudohubererror": ("identity", "identity"),
    "reg:absoluteerror": ("identity", "identity"),
    "reg:quantileerror": ("identity", "identity"),
    "reg:logistic": ("logit", "sigmoid"),
    "count:poisson": ("log", "exp"),
    "reg:gamma": ("log", "exp"),
    "reg:tweedie": ("log", "exp"),
    # ranking (XGBRanker, a Booster): predict is the margin
    "rank:pairwise": ("identity", "identity"),
    "rank:ndcg": ("identity", "identity"),
    "rank:map": ("identity", "identity"),
    # the margin of a logistic model; its base_score is a margin already (measured)
    "binary:logitraw": ("identity", "identity"),
}
#: the largest float64 whose float32 is negative: XGBoost casts to float32 before it asks
#: whether a category is negative (invalid)
_NEGATIVE_IN_FLOAT32 = -(2.0 ** -150)

_LINKS = {"identity": lambda p: p, "logit": lambda p: np.log(p / (1.0 - p)), "log": np.log}


class XGBoostClassifierHead(ProbabilityHead):
    """An ``XGBClassifier``'s output: σ (two classes) or softmax of the margins; ``predict``
    is ``p(classes_[1]) > 0.5`` or the first argmax, as XGBoost's. Like XGBClassifier, it
    has no ``decision_function``: the network's margin is its body's output."""

    untrainable_because = _NO_GRADIENT


class SigmoidRegressionHead(RegressionHead):
    """An ``XGBRegressor(objective="reg:logistic")``'s output: ``predict = σ(margin)``."""

    untrainable_because = _NO_GRADIENT

    def __init__(self):
        super().__init__(1, single=True)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(super().forward(z))

    def describe(self) -> LayerDescription:
        return dataclasses.replace(super().describe(), activation="σ",
                                   activation_kind="sigmoid",
                                   formula="predict(x) = σ({x})   (shape (n,))")


#: a regressor's output -> its head
_REGRESSION_HEADS = {"identity": lambda: RegressionHead(1, single=True), "exp": ExpHead,
                     "sigmoid": SigmoidRegressionHead}


def xgboost_model(estimator) -> dict:
    """The booster's JSON model (``learner`` section), the exact float32 values it holds."""
    from xgboost.core import XGBoostError

    try:
        raw = estimator.get_booster().save_raw(raw_format="json")
    except XGBoostError as error:  # XGBoost's own checks of an edited model, at save time
        lines = [line for line in str(error).splitlines() if line.strip()]
        raise corrupt(f"{type(estimator).__name__}.get_booster()", "save_raw('json')",
                      f"is refused by XGBoost itself ({lines[0] if lines else error})") \
            from None
    return json.loads(bytes(raw))["learner"]


def read_safely(converter):
    """``converter`` with a missing key or a value of the wrong type in the model's JSON
    (an edited model file) reported as one :class:`InvalidModelError`, not a traceback."""
    @functools.wraps(converter)
    def read(estimator, *args):
        try:
            return converter(estimator, *args)
        except (KeyError, TypeError, IndexError) as error:
            raise corrupt(f"{type(estimator).__name__}.get_booster()", "save_raw('json')",
                          f"does not hold the model XGBoost writes ({type(error).__name__}: "
                          f"{error})") from None
    return read


def _refuse(estimator, what: str, fix: str) -> ConversionError:
    return ConversionError(f"{type(estimator).__name__} with {what} is not supported: {fix}")


def _objective(estimator, learner: dict) -> tuple[str, str]:
    name = learner["objective"]["name"]
    if name not in OBJECTIVES:
        raise _refuse(estimator, f"objective={name!r}",
                      f"supported objectives: {', '.join(OBJECTIVES)}.")
    return OBJECTIVES[name]


def _trees_and_weights(learner: dict) -> tuple[dict | None, list | None]:
    """The tree model and, for dart, the weight of every tree (None for gbtree); no model
    for other boosters."""
    booster = learner["gradient_booster"]
    if booster["name"] == "gbtree":
        return booster["model"], None
    if booster["name"] == "dart":  # predict adds every tree times its weight_drop
        model = booster["gbtree"]["model"]
        weights = Fitted(booster, "get_booster() (dart)").array(
            "weight_drop", shape=(len(model["trees"]),), value=booster["weight_drop"])
        return model, weights.tolist()
    return None, None


def _check_booster(estimator, learner: dict) -> tuple[dict, list | None]:
    """The trees and their weights, after refusing what the network cannot reproduce."""
    model, weights = _trees_and_weights(learner)
    if model is None:
        name = learner["gradient_booster"]["name"]
        raise _refuse(estimator, f"booster={name!r}",
                      "only booster='gbtree' and 'dart' convert (gblinear is a linear "
                      "model); refit with booster='gbtree'.")
    if model.get("cats", {}).get("enc"):
        raise _refuse(estimator, "category columns of a DataFrame",
                      "XGBoost re-codes their categories with a table the network does not "
                      "read; fit on integer codes (feature_types='c') instead.")
    missing = estimator.missing
    if missing is not None and not (isinstance(missing, float) and np.isnan(missing)):
        raise _refuse(estimator, f"missing={missing!r}",
                      "only NaN marks a missing value in the network; refit with the default "
                      "missing=np.nan and pass NaN for missing values.")
    return model, weights


def _tree_arrays(estimator, tree: dict, name: str) -> dict:
    """One JSON tree as node arrays: ``x < t`` as ``float32(x) <= t'``, NaN to default_left.

    Each list is checked to be one entry per node (``name`` names the tree in errors); the
    structure is checked when the table is built (:mod:`.structure`).
    """
    if int(tree["tree_param"].get("size_leaf_vector", "1")) > 1:
        raise _refuse(estimator, 'multi_strategy="multi_output_tree"',
                      "its leaves hold vectors; refit with the default one_output_per_tree.")
    fitted = Fitted(tree, name)
    left = fitted.array("left_children", ndim=1, dtype=np.int64,
                        value=tree.get("left_children"))
    n = (len(left),)

    def per_node(key, dtype, finite=True):
        return fitted.array(key, shape=n, dtype=dtype, finite=finite, value=tree.get(key))

    right = per_node("right_children", np.int64)
    # exact: float32 text; NaN is refused at a split by the structure's check
    condition = per_node("split_conditions", np.float32, finite=False)
    leaf = left < 0
    # x < t on float32 values is x <= (the float32 below t)
    threshold = np.where(leaf, condition, np.nextafter(condition, np.float32(-np.inf)))
    arrays = dict(feature=per_node("split_indices", np.int64),
                  threshold=threshold.astype(np.float32), left=np.where(leaf, -1, left),
                  right=np.where(leaf, -1, right), missing_left=per_node("default_left", bool),
                  value=np.where(leaf, condition, 0.0).astype(np.float64), name=name,
                  # pruned nodes stay in the arrays, reached from nowhere
                  unreachable=int(tree["tree_param"].get("num_deleted", "0")) > 0)
    if any(tree.get("split_type", ())):
        arrays.update(_category_sets(estimator, fitted, tree, n))
    return arrays


def _category_sets(estimator, fitted: Fitted, tree: dict, n: tuple) -> dict:
    """A categorical split sends the categories of its set right and every other code left
    (XGBoost's ``common::Decision``), NaN to ``default_left``."""
    categorical = fitted.array("split_type", shape=n, dtype=bool, value=tree["split_type"])
    sets = {node: tree["categories"][start:start + size] for node, start, size in zip(
        tree["categories_nodes"], tree["categories_segments"], tree["categories_sizes"])}
    rows = []
    for node in np.flatnonzero(categorical):
        codes = fitted.array("categories", ndim=1, dtype=np.int64,
                             value=sets.get(int(node), []))
        if codes.size and codes.min() < 0:
            raise fitted.error("categories", f"of node {node} hold the code {codes.min()}, "
                                             "but category codes are not negative")
        if codes.size and codes.max() > MAX_CODE:
            raise _refuse(estimator, f"category code {codes.max()}",
                          f"category codes up to {MAX_CODE} convert; renumber the "
                          "categories from 0.")
        row = np.ones(256, dtype=bool)
        row[codes] = False
        rows.append(row)
    return dict(categorical=categorical, category_left=np.array(rows))


def _used_trees(estimator, model: dict) -> range:
    """The trees ``predict`` adds: those of ``iteration_range``, as XGBoost's sklearn
    wrapper picks it (``(0, best_iteration + 1)`` after early stopping, else all).

    ``iteration_indptr`` (where each round's trees start) is checked to rise from 0 to the
    number of trees, so that the range never reaches outside them."""
    fitted = Fitted(model, f"{type(estimator).__name__}.get_booster()")
    trees = model.get("trees")
    if not isinstance(trees, list):
        raise fitted.error("trees", f"is {type(trees).__name__}, but a list of trees was "
                                    "expected")
    indptr = fitted.array("iteration_indptr", ndim=1, dtype=np.int64,
                          value=model.get("iteration_indptr"))
    if len(indptr) == 0 or indptr[0] != 0 or indptr[-1] != len(trees) \
            or (np.diff(indptr) < 0).any():
        raise fitted.error("iteration_indptr", f"is {indptr[:8].tolist()}"
                                               f"{' …' if len(indptr) > 8 else ''}, but it "
                                               f"must rise from 0 to the {len(trees)} trees "
                                               "(where each round's trees start)")
    first, last = estimator._get_iteration_range(None)
    last = len(indptr) - 1 if last == 0 else min(last, len(indptr) - 1)
    return range(indptr[first], indptr[last])


def _base_margin(learner: dict, link: str, n_groups: int) -> np.ndarray:
    """``base_score`` (stored as a probability or a mean, float32) as the margin it starts."""
    text = str(learner["learner_model_param"]["base_score"])
    fitted = Fitted(learner["learner_model_param"], "get_booster().learner_model_param")
    try:
        raw = json.loads(text) if text.startswith("[") else [float(text)]
    except ValueError:
        raise fitted.error("base_score", f"is {text!r}, not a number or a list of them") \
            from None
    values = fitted.array("base_score", ndim=1, value=np.asarray(raw, dtype=np.float32))
    if len(values) not in (1, n_groups):
        raise fitted.error("base_score", f"has {len(values)} values, but 1 or {n_groups} "
                                         "(one per output) were expected")
    # the link's domain: a probability (logit) in (0, 1), a mean (log) above 0
    low, high = {"logit": (0.0, 1.0), "log": (0.0, None)}.get(link, (None, None))
    if low is not None and ((values <= low).any() or (high is not None and
                                                      (values >= high).any())):
        raise fitted.error("base_score", f"is {values.tolist()}, outside the "
                                         f"{'(0, 1)' if high else '(0, inf)'} its link reads")
    margin = _LINKS[link](values.astype(np.float64))
    return np.broadcast_to(margin, (n_groups,)).astype(np.float64)


def _n_outputs(learner: dict) -> int:
    """Margins per row: the classes (multi:*) or the targets (one tree per target a round)."""
    param = learner["learner_model_param"]
    fitted = Fitted(param, "get_booster().learner_model_param")
    counts = []
    for key, default in (("num_class", "0"), ("num_target", "1")):
        text = str(param.get(key, default))
        counts.append(fitted.integer(key, low=0, high=1 << 16,
                                     value=int(text) if text.isdigit() else text))
    return max(1, *counts)


def _layers(estimator, learner: dict, link: str, options: Options) -> list:
    model, weights = _check_booster(estimator, learner)
    n_groups = _n_outputs(learner)
    # dart: each tree's leaves times its weight (XGBoost multiplies in float32, we in float64)
    name = f"{type(estimator).__name__}.get_booster() tree"
    groups = Fitted(model, f"{type(estimator).__name__}.get_booster()").indices(
        "tree_info", n_groups, what=f"the model has {n_groups} outputs", item="tree",
        value=model["tree_info"])
    trees = [one_column(_tree_arrays(estimator, model["trees"][i], f"{name} {i}"), groups[i],
                        n_groups, 1.0 if weights is None else float(np.float32(weights[i])))
             for i in _used_trees(estimator, model)]
    if not trees:
        raise _refuse(estimator, "no trees", "fit it with n_estimators >= 1.")
    # ±inf, and what overflows float32 (1e308 is +inf there), is compared like any value
    traversal = tree_layer(trees, estimator.n_features_in_, options,
                           bias=_base_margin(learner, link, n_groups), float32_inputs=True,
                           allow_inf=True)
    categorical = categorical_columns(trees, estimator.n_features_in_)
    if not categorical.any():
        return [traversal]
    # a negative category is invalid and goes left, as code 255 (in no set) does
    codes = CategoryCodes(categorical, "XGBoost", low=-np.inf, high=_NEGATIVE_IN_FLOAT32,
                          code=255.0, allow_inf=True)
    return [codes, traversal]


@read_safely
def convert_xgb_classifier(estimator, options: Options) -> Conversion:
    """Converter of ``xgboost.XGBClassifier`` (registered once xgboost is imported)."""
    learner = xgboost_model(estimator)
    link, output = _objective(estimator, learner)
    if output != "logistic":
        raise _refuse(estimator, f"objective={learner['objective']['name']!r}",
                      "a classifier converts with binary:logistic, multi:softprob or "
                      "multi:softmax.")
    layers = _layers(estimator, learner, link, options)
    n_scores = layers[-1].describe().n_out
    return Conversion(layers=layers, head=XGBoostClassifierHead(n_scores, "logistic"))


@read_safely
def convert_xgb_regressor(estimator, options: Options) -> Conversion:
    """Converter of ``xgboost.XGBRegressor`` and ``xgboost.XGBRanker`` (registered once
    xgboost is imported): a ranker's ``predict`` is the margin, a regressor-like network.

    ``predict`` answers in the network's dtype (float64 by default) where XGBoost answers
    float32: the network's float64 answer is the exact sum of XGBoost's float32 leaf values,
    of which XGBoost's own float32 sum is a rounding (about 1e-7 of the scale per tree
    added); casting it to float32 would only add a rounding of its own. ``verify`` judges
    at the precision XGBoost's float32 sums achieve (:func:`float32_sum_rtol`).
    """
    learner = xgboost_model(estimator)
    link, output = _objective(estimator, learner)
    if output not in _REGRESSION_HEADS:
        raise _refuse(estimator, f"objective={learner['objective']['name']!r}",
                      "a regressor converts with an identity, log or logit link: "
                      f"{', '.join(k for k, v in OBJECTIVES.items() if v[1] != 'logistic')}.")
    layers = _layers(estimator, learner, link, options)
    k = layers[-1].describe().n_out
    if k > 1 and output != "identity":
        raise _refuse(estimator, f"{k} targets and objective="
                      f"{learner['objective']['name']!r}",
                      "several targets convert with an identity link; fit one XGBRegressor "
                      "per target.")
    head = RegressionHead(k, single=False) if k > 1 else _REGRESSION_HEADS[output]()
    return Conversion(layers=layers, head=head)


def float32_sum_rtol(estimator) -> float:
    """How far XGBoost's own answers may be from the exact sum of its trees.

    It adds ``n`` leaf values to the base margin one by one in float32; such a sum is within
    ``n · 2⁻²⁴`` of the magnitude of its terms (the classic bound of recursive summation),
    which is the scale of the scores for identity and logistic outputs. An exp output's
    relative error is its margin's absolute error, so there the bound is scaled by the
    largest margin the trees can reach. Measured: 1e-7 to 1e-6 of the scale at 200 rounds
    (identity, logistic), 1.2e-5 (a gamma regressor whose margins reach 5.8).
    """
    learner = xgboost_model(estimator)
    _, output = OBJECTIVES.get(learner["objective"]["name"], ("identity", "identity"))
    model, weights = _trees_and_weights(learner)
    if model is None:  # not a tree booster: nothing to convert, nothing to judge
        return XGBOOST_RTOL
    n_groups = _n_outputs(learner)
    used = _used_trees(estimator, model)
    bound = 1.0
    if output == "exp":  # |base margin| + Σ max |leaf| bounds every margin
        leaves = [np.abs(np.asarray(model["trees"][i]["split_conditions"], np.float64)[
            np.asarray(model["trees"][i]["left_children"]) < 0]).max()
            * (1.0 if weights is None else abs(weights[i])) for i in used]
        base = _base_margin(learner, OBJECTIVES[learner["objective"]["name"]][0], n_groups)
        bound = max(1.0, float(np.abs(base).max()) + float(np.sum(leaves)))
    return max(XGBOOST_RTOL, (len(used) / n_groups + 1) * 2.0 ** -24 * bound)


def _register() -> None:
    from xgboost import XGBClassifier, XGBRanker, XGBRegressor

    converts(XGBClassifier)(convert_xgb_classifier)
    converts(XGBRegressor, XGBRanker)(convert_xgb_regressor)
    for cls in (XGBClassifier, XGBRegressor, XGBRanker):
        reference_rtol.register(cls)(float32_sum_rtol)


# importing xgboost costs about a second: its converters register once it is imported (a
# fitted model of it implies that), or when the supported list asks
when_imported("xgboost", _register)
