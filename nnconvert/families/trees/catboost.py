"""CatBoost's models (``CatBoostClassifier``, ``CatBoostRegressor``, ``CatBoostRanker``) as
one layer of oblivious trees (:mod:`.oblivious`) and the loss's output.

The model is read from CatBoost's JSON export (``save_model(format="json")``), whose
borders are CatBoost's float32 values written exactly. CatBoost's rules, and how the network
follows them (each checked against CatBoost's own predictions):

- An oblivious tree tests one split per level, ``float32(x_f) > border`` (CatBoost casts
  the features to float32); split ``l`` of the model's list is bit ``l`` of the leaf index,
  and leaf ``i`` holds values ``leaf_values[i·k : (i+1)·k]`` for ``k`` outputs.
- NaN: a feature whose ``nan_value_treatment`` is ``AsTrue`` (``nan_mode='Max'`` where
  the training data had NaN) gives bit 1 at every split; ``AsFalse`` (``'Min'``) and
  ``AsIs`` (no NaN in training, whatever the mode) give bit 0. ±inf compare as numbers.
- The raw score is ``scale × Σ_trees leaf value + bias`` (``get_scale_and_bias()``; the
  trees' values summed in float64, as CatBoost does).
- ``CatBoostClassifier``: ``predict_proba`` is σ of the raw score (Logloss, CrossEntropy)
  or its softmax (MultiClass); ``MultiClassOneVsAll`` gives σ per class, unnormalised.
  ``predict`` is ``p(classes_[1]) > get_probability_threshold()`` (0.5 by default), or the
  first argmax of the raw scores, shaped (n, 1) as CatBoost shapes a multi-class
  ``predict``; labels come from ``classes_`` as CatBoost returns them (strings as objects).
- A model fitted on a DataFrame reads a DataFrame's columns by name, as CatBoost does.
- ``CatBoostRegressor.predict`` is the raw score, or its exponential where CatBoost's own
  default prediction type is ``'Exponent'`` (Poisson, Tweedie); several targets
  (MultiRMSE) are ``(n, k)``. ``CatBoostRanker.predict`` is the raw score.

Refused, each with its reason: categorical, text and embedding features (CatBoost hashes
category strings and looks its counter statistics up in hash tables the network cannot
hold exactly), non-symmetric trees (``grow_policy='Depthwise'`` or ``'Lossguide'``), and
``RMSEWithUncertainty`` (its second output is a variance with its own transform).
"""

from __future__ import annotations

import json
import os
import tempfile

import numpy as np
import torch
from torch import nn

from ...errors import UnsupportedEstimatorError
from ...fitted import Fitted
from ...layers import LayerDescription
from ...network.heads import ProbabilityHead, RegressionHead, first_argmax
from ...options import Options
from ...registry import Conversion, converts, when_imported
from .boosting import _NO_GRADIENT, ExpHead
from .oblivious import ObliviousTrees

#: CatBoost grows trees of depth up to 16; a file claiming more is refused before the
#: network pads every tree's leaves to 2**depth
MAX_DEPTH = 16

#: the classification losses whose outputs the head computes (σ, softmax, σ per class)
_CLASSIFIER_LOSSES = ("Logloss", "CrossEntropy", "MultiClass", "MultiClassOneVsAll")


def catboost_model(estimator) -> dict:
    """The model as CatBoost's JSON export holds it (written to a temporary file and read
    back: CatBoost writes JSON to files only)."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.json")
        estimator.save_model(path, format="json")
        with open(path, encoding="utf-8") as file:
            return json.load(file)


def _refuse(estimator, what: str, fix: str) -> UnsupportedEstimatorError:
    return UnsupportedEstimatorError(
        f"{type(estimator).__name__} with {what} is not supported: {fix}")


def _check_features(estimator) -> None:
    """Refuse what the network cannot compute, before asking CatBoost for its JSON (which
    it cannot write for categorical models without the training pool)."""
    for kind, indices in (("categorical", estimator.get_cat_feature_indices()),
                          ("text", estimator.get_text_feature_indices()),
                          ("embedding", estimator.get_embedding_feature_indices())):
        if len(indices):
            raise _refuse(
                estimator, f"{kind} features (columns {list(indices)[:10]})",
                "CatBoost hashes their values (CityHash of the strings) and reads counter "
                "statistics from hash tables built during training, which no layer of the "
                "network reproduces exactly; encode them as numbers before CatBoost "
                "(e.g. OrdinalEncoder in a Pipeline) and refit without cat_features.")


def _loss(model: dict, default: str) -> str:
    """The loss the model was trained with (``default`` where the file does not say)."""
    params = model.get("model_info", {}).get("params", {})
    loss = params.get("loss_function", {}) if isinstance(params, dict) else {}
    return str(loss.get("type", default)) if isinstance(loss, dict) else default


def _tree_levels(fitted: Fitted, model: dict, n_features: int) -> tuple[list, list, list]:
    """Per tree: its splits' input columns, float32 borders and NaN bits."""
    floats = model.get("features_info", {}).get("float_features", [])
    column = fitted.indices("float_features.flat_feature_index", n_features,
                            value=[f.get("flat_feature_index", -1) for f in floats],
                            what=f"the model has {n_features} features", item="feature")
    nan_true = np.array([f.get("nan_value_treatment") == "AsTrue" for f in floats], bool)
    features, borders, nan_bits = [], [], []
    for t, tree in enumerate(model["oblivious_trees"]):
        name = f"oblivious_trees[{t}].splits"
        splits = tree.get("splits") or []
        if len(splits) > MAX_DEPTH:
            raise fitted.error(name, f"has {len(splits)} levels, but CatBoost grows trees "
                                     f"of depth up to {MAX_DEPTH}")
        kinds = {s.get("split_type") for s in splits}
        if kinds - {"FloatFeature"}:
            raise fitted.error(name, f"holds splits of type {sorted(kinds - {'FloatFeature'})}"
                                     ", but only numerical (FloatFeature) splits are read")
        index = fitted.indices(name, len(floats), item="level",
                               value=[s.get("float_feature_index", -1) for s in splits],
                               what=f"the model has {len(floats)} float features")
        # exact: CatBoost writes its float32 borders with every digit
        border = fitted.array(name, shape=(len(splits),), dtype=np.float64,
                              value=[s.get("border") for s in splits])
        if not np.array_equal(border.astype(np.float32).astype(np.float64), border):
            raise fitted.error(name, "holds borders that are not float32 values, but CatBoost "
                                     "compares float32 features with float32 borders")
        features.append(column[index])
        borders.append(border.astype(np.float32))
        nan_bits.append(nan_true[index])
    return features, borders, nan_bits


def _leaf_values(fitted: Fitted, model: dict, depths: list, k: int) -> np.ndarray:
    """Every tree's leaves padded to the deepest tree: (trees, 2**depth, k)."""
    deepest = max(depths, default=0)
    values = np.zeros((len(depths), 1 << deepest, k))
    for t, (tree, depth) in enumerate(zip(model["oblivious_trees"], depths)):
        leaves = fitted.array(f"oblivious_trees[{t}].leaf_values", shape=((1 << depth) * k,),
                              value=tree.get("leaf_values"))
        values[t, :1 << depth] = leaves.reshape(1 << depth, k)
    return values


def oblivious_layer(estimator, model: dict, k: int) -> ObliviousTrees:
    """The model's trees as one :class:`ObliviousTrees` layer with ``k`` outputs, every
    array checked (feature indices in range, 2**depth leaves of ``k`` values, finite)."""
    fitted = Fitted(model, f"{type(estimator).__name__} (CatBoost JSON model)")
    n_features = n_features_of(estimator)
    if not model["oblivious_trees"]:
        raise _refuse(estimator, "no trees", "fit it with iterations >= 1.")
    features, borders, nan_bits = _tree_levels(fitted, model, n_features)
    depths = [len(b) for b in borders]
    deepest = max(max(depths), 1)  # a model of stumps of depth 0 still has one level
    pad = [deepest - d for d in depths]
    # levels a tree lacks compare with +inf: bit 0, so its leaves are the first 2**depth
    feature = np.array([np.pad(f, (0, p)) for f, p in zip(features, pad)], np.int64)
    border = np.array([np.pad(b, (0, p), constant_values=np.inf) for b, p in zip(borders, pad)],
                      np.float32)
    nan_bit = np.array([np.pad(n, (0, p)) for n, p in zip(nan_bits, pad)], bool)
    values = _leaf_values(fitted, model, depths, k)
    if values.shape[1] < (1 << deepest):
        values = np.pad(values, ((0, 0), (0, (1 << deepest) - values.shape[1]), (0, 0)))
    scale_and_bias = model.get("scale_and_bias", [1.0, [0.0]])
    if not isinstance(scale_and_bias, list) or len(scale_and_bias) != 2:
        raise fitted.error("scale_and_bias", "is not [scale, [bias, ...]]")
    scale = fitted.number("scale_and_bias[0]", value=scale_and_bias[0])
    bias = np.asarray(scale_and_bias[1], dtype=object).reshape(-1)
    bias = fitted.array("scale_and_bias[1]", shape=(k,) if bias.size != 1 else (1,),
                        value=list(bias))
    names = _feature_names(estimator)
    return ObliviousTrees(feature, border, nan_bit, values, n_features, scale,
                          np.broadcast_to(bias, (k,)), names=names, by_name=names is not None)


def n_features_of(estimator) -> int:
    """The input width: one name a column in ``feature_names_`` (CatBoost keeps those in the
    model; its ``n_features_in_`` is 0 on a model unpickled from a file)."""
    fitted = Fitted(estimator)
    names = fitted.get("feature_names_")
    n = fitted.integer("feature_names_", low=1, value=len(names) if names is not None else 0)
    stated = getattr(estimator, "n_features_in_", None)
    if stated:  # set where the model was fitted in this process
        fitted.same("n_features_in_", fitted.integer("n_features_in_"), n,
                    "the value")
    return n


def _feature_names(estimator):
    """The column names CatBoost matches a DataFrame's columns by, or None where it was fitted
    on an array (its names are then ``'0'``, ``'1'``, ...: columns are read by position)."""
    names = [str(name) for name in Fitted(estimator).get("feature_names_")]
    return None if names == [str(i) for i in range(len(names))] else np.array(names, object)


def _read(estimator) -> dict:
    """The model's JSON, once what the network cannot compute is refused."""
    _check_features(estimator)
    model = catboost_model(estimator)
    if "oblivious_trees" not in model:
        raise _refuse(estimator, "non-symmetric trees (grow_policy 'Depthwise' or "
                                 "'Lossguide')",
                      "only CatBoost's default oblivious trees convert; refit with "
                      "grow_policy='SymmetricTree'.")
    return model


def _n_outputs(estimator, model: dict) -> int:
    """Values per leaf, from the first tree (every tree is checked against it)."""
    tree = model.get("oblivious_trees", [{}])[0] if model.get("oblivious_trees") else {}
    depth = len(tree.get("splits") or [])
    n_values = len(tree.get("leaf_values") or [])
    if n_values == 0 or n_values % (1 << depth):
        raise Fitted(model, f"{type(estimator).__name__} (CatBoost JSON model)").error(
            "oblivious_trees[0].leaf_values", f"has {n_values} values, but a tree of depth "
                                              f"{depth} has k × {1 << depth}")
    return n_values >> depth


class CatBoostClassifierHead(ProbabilityHead):
    """A ``CatBoostClassifier``'s output: σ (two classes), softmax or σ per class
    (``MultiClassOneVsAll``) of the raw scores; ``predict`` is ``p(classes_[1]) >
    threshold`` or the first argmax of the raw scores, shaped (n, 1) for several classes as
    CatBoost's ``predict`` is; ``predict_log_proba`` in log space, as CatBoost's. Like
    CatBoost, it has no ``decision_function``."""

    untrainable_because = _NO_GRADIENT

    def __init__(self, n_scores: int, one_vs_all: bool, threshold: float):
        super().__init__(n_scores, "logistic", threshold=threshold)
        self.one_vs_all = bool(one_vs_all)

    has_log_proba = True

    def proba(self, z: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(z) if self.one_vs_all and not self.binary else super().proba(z)

    def log_proba(self, z: torch.Tensor) -> torch.Tensor:
        # in log space, as CatBoost computes LogProbability (the log of a probability that
        # rounds to 1 would lose every digit of a small one)
        if self.binary:
            return torch.stack([nn.functional.logsigmoid(-z[:, 0]),
                                nn.functional.logsigmoid(z[:, 0])], dim=1)
        if self.one_vs_all:
            return nn.functional.logsigmoid(z)
        return torch.log_softmax(z, dim=1)

    def predict_index(self, z: torch.Tensor) -> torch.Tensor:
        if self.binary:
            return super().predict_index(z)
        return first_argmax(z).unsqueeze(1)  # CatBoost answers a column of labels

    def describe(self) -> LayerDescription:
        description = super().describe()
        if not self.one_vs_all or self.binary:
            return description
        return LayerDescription(
            title=description.title, n_in=description.n_in, n_out=description.n_out,
            activation="σ", activation_kind="sigmoid",
            formula="p(y | x) = σ({x}_y) (one-vs-all, not normalised)\n"
                    "predict(x) = classes_[argmax_k {x}_k]   (first index wins a tie)")


def _threshold(estimator) -> float:
    threshold = estimator.get_probability_threshold()
    return 0.5 if threshold is None else Fitted(estimator).number(
        "probability_threshold", low=0.0, high=1.0, value=float(threshold))


def convert_catboost_classifier(estimator, options: Options) -> Conversion:
    """A layer of oblivious trees (per tree, a step unit per level whose bits index the leaf),
    then σ (Logloss, CrossEntropy), softmax (MultiClass) or σ per class (MultiClassOneVsAll)
    of the raw score.

    Numerical features, compared as CatBoost compares them (``float32(x) > border``);
    missing values as the model's ``nan_mode`` sends them; ``get_scale_and_bias()``;
    ``predict`` with ``get_probability_threshold()``, a multi-class ``predict`` shaped
    ``(n, 1)`` as CatBoost's. Read from CatBoost's JSON export (registered once catboost is
    imported).

    Refused: categorical, text and embedding features (CatBoost hashes their values and
    reads counter statistics from hash tables the network does not reproduce; encode them
    as numbers first), non-symmetric trees (``grow_policy='Depthwise'``, ``'Lossguide'``),
    other losses.
    """
    model = _read(estimator)
    k = _n_outputs(estimator, model)
    loss = _loss(model, "Logloss" if k == 1 else "MultiClass")
    if loss not in _CLASSIFIER_LOSSES:
        raise _refuse(estimator, f"loss_function={loss!r}",
                      f"a classifier converts with {', '.join(_CLASSIFIER_LOSSES)}.")
    classes = Fitted(estimator).classes()
    expected = 1 if len(classes) == 2 and loss != "MultiClassOneVsAll" else len(classes)
    if k != expected:
        raise Fitted(model, "CatBoost JSON model").error(
            "oblivious_trees.leaf_values", f"hold {k} values per leaf, but {expected} were "
                                           f"expected for {len(classes)} classes and {loss}")
    layer = oblivious_layer(estimator, model, k)
    head = CatBoostClassifierHead(k, loss == "MultiClassOneVsAll", _threshold(estimator))
    return Conversion(layers=[layer], head=head, classes=classes,
                      n_features_in=n_features_of(estimator),
                      feature_names_in=_feature_names(estimator))


def convert_catboost_regressor(estimator, options: Options) -> Conversion:
    """A layer of oblivious trees (per tree, a step unit per level whose bits index the leaf):
    ``predict`` is the raw score, or its exponential where CatBoost's own default prediction
    type is ``'Exponent'`` (Poisson, Tweedie).

    Every loss whose prediction is the raw score (RMSE, MAE, Quantile, MAPE, ...), several
    targets (MultiRMSE), rankers' scores; numerical features and missing values as for
    CatBoostClassifier (registered once catboost is imported).

    Refused: categorical, text and embedding features, non-symmetric trees,
    ``RMSEWithUncertainty`` (its second output is a variance with its own transform).
    """
    model = _read(estimator)
    if _loss(model, "RMSE") == "RMSEWithUncertainty":
        raise _refuse(estimator, "loss_function='RMSEWithUncertainty'",
                      "its predict answers a mean and a variance with its own transform; "
                      "refit with loss_function='RMSE'.")
    k = _n_outputs(estimator, model)
    layer = oblivious_layer(estimator, model, k)
    # CatBoost's own rule: the exponential where its default prediction type says so
    exponent = getattr(estimator, "_get_default_prediction_type", lambda: "")() == "Exponent"
    if exponent and k > 1:
        raise _refuse(estimator, f"{k} targets and an exponential output",
                      "fit one model per target.")
    head = ExpHead() if exponent else RegressionHead(k, single=k == 1)
    return Conversion(layers=[layer], head=head, n_features_in=n_features_of(estimator),
                      feature_names_in=_feature_names(estimator))


def _register() -> None:
    from catboost import CatBoostClassifier, CatBoostRanker, CatBoostRegressor

    converts(CatBoostClassifier)(convert_catboost_classifier)
    converts(CatBoostRegressor, CatBoostRanker)(convert_catboost_regressor)


# importing catboost costs about a second: its converters register once it is imported (a
# fitted model of it implies that), or when the supported list asks
when_imported("catboost", _register)
