"""LightGBM's scikit-learn models (``LGBMClassifier``, ``LGBMRegressor``) as one traversal
layer and the objective's inverse link.

The trees come from ``booster_.dump_model()``, whose thresholds and leaf values are doubles
written to round-trip. LightGBM's prediction rules (``Tree::NumericalDecision`` and
``CategoricalDecision``), and how the network follows them:

- A numerical split sends ``x <= t`` left, comparing doubles (float64 thresholds, no float32
  rounding, as HistGradientBoosting).
- LightGBM reads every ``|x| <= 1e-35`` as 0 before it predicts; the few thresholds inside
  that band move to its edge, on 0's side.
- Its missing type decides NaN: ``NaN`` sends NaN to ``default_left``'s side; ``None`` reads
  NaN as 0 (so NaN goes where 0 goes); ``Zero`` (``zero_as_missing=True``) sends NaN and
  every ``|x| <= 1e-35`` to the default side. Each is a choice of the NaN side; for the
  third, a layer in front (:class:`ZeroAsMissing`) makes the zero band NaN on the columns
  whose zeros are missing (LightGBM gives each feature one missing type), so every split
  stays one node and the tree stays a tree (no node with two parents).
- A categorical split sends the integer part of ``x`` left when it is in the split's set;
  NaN and negative values go right. A layer in front truncates the categorical columns
  toward zero as C++'s ``static_cast<int>`` does (-0.5 reads as category 0).
- ``boosting_type="rf"`` averages its trees; ``predict`` uses ``best_iteration_`` trees
  after early stopping; sums are in float64 as LightGBM's, so the network is exact to
  rounding.

LightGBM rewrites some feature names (``"mean radius"`` becomes ``"mean_radius"`` in its
``feature_names_in_``) and does not check names at predict; the network checks the names
LightGBM reports, so a DataFrame whose names LightGBM rewrote goes in as ``X.to_numpy()``.

Refused, each with its reason: linear trees, objectives without a converter (see
:data:`OBJECTIVES`), a binary ``sigmoid`` other than 1, ``reg_sqrt``, category codes above
254, and ordered category columns of a DataFrame. Unordered ones convert: the input schema
codes their values as LightGBM does (``pandas_categorical``).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from ...errors import ConversionError
from ...fitted import corrupt
from ...layers import LayerDescription
from ...layers.columns import ColumnSpec
from ...network.heads import PROBA_RULES, RegressionHead
from ...options import Options
from ...registry import Conversion, converts, when_imported
from .boosting import BoostingHead, ExpHead, one_column
from .codes import MAX_CODE, CategoryCodes, categorical_columns
from .forms import tree_layer
from .lightgbm_text import check_model_text

#: LightGBM's ``kZeroThreshold`` (the float 1e-35f, compared as a double): ``|x|`` at most
#: this counts as zero where zeros are missing values
ZERO_THRESHOLD = float(np.float32(1e-35))

#: supported objectives (the first word of the booster's objective) -> the output
OBJECTIVES = {
    "binary": "logistic", "multiclass": "logistic",
    "regression": "identity", "regression_l1": "identity", "huber": "identity",
    "fair": "identity", "quantile": "identity", "mape": "identity",
    "poisson": "exp", "gamma": "exp", "tweedie": "exp",
    "lambdarank": "identity", "rank_xendcg": "identity",  # LGBMRanker: predict is the raw score
}


def dump_checked(estimator, **kwargs) -> dict:
    """``booster_.dump_model(**kwargs)``, once the model's text has passed
    :func:`.lightgbm_text.check_model_text` (LightGBM's dump recurses down whatever the
    children say: a cycle in an edited file would end the process)."""
    booster = estimator.booster_
    check_model_text(booster.model_to_string(num_iteration=-1), estimator.n_features_in_,
                     f"{type(estimator).__name__}.booster_")
    return booster.dump_model(**kwargs)


def _refuse(estimator, what: str, fix: str) -> ConversionError:
    return ConversionError(f"{type(estimator).__name__} with {what} is not supported: {fix}")


def _objective(estimator, dump: dict) -> str:
    words = dump["objective"].split()
    name = words[0]
    if name not in OBJECTIVES:
        raise _refuse(estimator, f"objective={name!r}",
                      f"supported objectives: {', '.join(OBJECTIVES)}.")
    if "sqrt" in words:
        raise _refuse(estimator, "reg_sqrt=True",
                      "its predictions are squared back; refit with reg_sqrt=False.")
    if name == "binary" and "sigmoid:1" not in words:
        raise _refuse(estimator, f"objective {dump['objective']!r}",
                      "predict_proba converts for sigmoid=1 (the default) only.")
    return OBJECTIVES[name]


def _zero_band_threshold(t: float) -> float:
    """A threshold that routes the zero band ``[-z, z]`` as a whole, where 0 goes.

    LightGBM reads every ``|x| <= z`` (z = 1e-35f) as exactly 0 before it predicts, so a
    threshold inside the band, which would split it, moves to the band's edge on 0's side.
    """
    if -ZERO_THRESHOLD <= t < ZERO_THRESHOLD:
        return ZERO_THRESHOLD if t >= 0 else float(np.nextafter(-ZERO_THRESHOLD, -np.inf))
    return t


class _Tree:
    """One dumped tree flattened into node arrays, categorical splits as code sets.

    The dump is nested dicts: read with a stack rather than recursion, so a deep tree
    neither recurses without bound nor meets Python's recursion limit.
    """

    def __init__(self, estimator, name: str):
        self.estimator, self.name = estimator, name
        self.feature, self.threshold, self.left, self.right = [], [], [], []
        self.missing_left, self.value, self.categorical, self.category_left = [], [], [], []
        self.zero_missing = set()  # features whose zeros are missing values (Zero type)
        self.nan_missing = set()  # features whose NaN alone is missing (NaN type)

    def _node(self, feature=0, threshold=0.0, missing_left=False, value=0.0,
              categorical=False) -> int:
        self.feature.append(feature)
        self.threshold.append(threshold)
        self.left.append(-1)
        self.right.append(-1)
        self.missing_left.append(missing_left)
        self.value.append(value)
        self.categorical.append(categorical)
        return len(self.feature) - 1

    def add(self, root: dict) -> None:
        """Append the dumped tree at ``root``, parents before their children."""
        stack = [(root, None, None)]  # (node, its parent's index, the parent's child list)
        while stack:
            node, parent, children = stack.pop()
            index = self._one(node)
            if parent is not None:
                children[parent] = index
            if "split_index" in node:
                stack += [(node["right_child"], index, self.right),
                          (node["left_child"], index, self.left)]

    def _one(self, node: dict) -> int:
        """Append ``node`` itself (its children come later); return its index."""
        if "split_index" not in node:
            if "leaf_coeff" in node or "leaf_features" in node:
                raise _refuse(self.estimator, "linear_tree=True",
                              "its leaves are linear models; refit with linear_tree=False.")
            return self._node(value=float(node["leaf_value"]))
        feature = int(node["split_feature"])
        if node["decision_type"] == "==":
            return self._categorical(node, feature)
        t = _zero_band_threshold(float(node["threshold"]))
        kind = node["missing_type"]
        # Zero: NaN and the zero band go to the default side (ZeroAsMissing makes the band
        # NaN in front of the trees); None reads NaN as 0: NaN goes where 0 goes
        if kind == "Zero":
            self.zero_missing.add(feature)
        elif kind == "NaN":
            self.nan_missing.add(feature)
        missing_left = bool(node["default_left"]) if kind != "None" else 0.0 <= t
        return self._node(feature, t, missing_left)

    def _categorical(self, node: dict, feature: int) -> int:
        try:
            codes = np.array([int(c) for c in str(node["threshold"]).split("||")], np.int64)
        except ValueError:
            raise corrupt(self.name, "threshold", f"of a categorical split is "
                                                  f"{node['threshold']!r}, not category codes "
                                                  "joined by '||'") from None
        if codes.min() < 0:
            raise corrupt(self.name, "threshold", f"holds the category code {codes.min()}, "
                                                  "but codes are not negative")
        if codes.max() > MAX_CODE:
            raise _refuse(self.estimator, f"category code {codes.max()}",
                          f"category codes up to {MAX_CODE} convert; renumber the "
                          "categories from 0.")
        row = np.zeros(256, dtype=bool)
        row[codes] = True
        self.category_left.append(row)
        # NaN and negative values go right, whatever the missing type
        return self._node(feature, 0.0, False, categorical=True)

    def arrays(self) -> dict:
        arrays = dict(feature=np.array(self.feature, np.int64),
                      threshold=np.array(self.threshold, np.float64),
                      left=np.array(self.left, np.int64), right=np.array(self.right, np.int64),
                      missing_left=np.array(self.missing_left, bool),
                      value=np.array(self.value, np.float64), name=self.name)
        if self.category_left:  # rows in node order, as TreeTraversal reads them
            arrays.update(categorical=np.array(self.categorical, bool),
                          category_left=np.array(self.category_left))
        return arrays


class ZeroAsMissing(CategoryCodes):
    """LightGBM's zero band ``|x| <= 1e-35`` as NaN, on the columns whose zeros are missing
    values (``zero_as_missing=True``): the traversal then sends the band, with NaN, to each
    split's default side, one node per split."""

    def __init__(self, columns):
        # the open interval (low, high) CategoryCodes rewrites is the closed band [-z, z]
        low = float(np.nextafter(-ZERO_THRESHOLD, -np.inf))
        high = float(np.nextafter(ZERO_THRESHOLD, np.inf))
        super().__init__(columns, "LightGBM", low=low, high=high, code=float("nan"))

    def input_columns(self) -> tuple:
        return (ColumnSpec(allow_nan=True, allow_inf=True),) * self.n

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title="zeros as missing values (LightGBM)", n_in=self.n, n_out=self.n,
            activation="none", activation_kind="identity", connectivity="elementwise",
            formula=(f"{{y}} = NaN where |{{x}}| ≤ {ZERO_THRESHOLD:g} on a column whose zeros "
                     "are missing values, else {x}   (NaN allowed)"))


def _zero_columns(estimator, trees: list, n_features: int) -> np.ndarray | None:
    """The columns whose zeros are missing values, or None where there are none."""
    zero = set().union(*(t.zero_missing for t in trees))
    if not zero:
        return None
    mixed = zero & set().union(*(t.nan_missing for t in trees))
    if mixed:
        raise corrupt(f"{type(estimator).__name__}.booster_", "missing_type",
                      f"of feature {min(mixed)} is 'Zero' at some splits and 'NaN' at others, "
                      "but LightGBM gives each feature one missing type")
    columns = np.zeros(n_features, bool)
    columns[[f for f in zero if 0 <= f < n_features]] = True  # others: checked_tree refuses
    return columns


class AveragedBoostingHead(BoostingHead):
    """A random-forest LGBMClassifier's output (``boosting_type="rf"``): LightGBM's raw
    score (``decision_function``) is the trees' sum, its probabilities are those of the
    average, ``σ`` or softmax of ``sum / n_iterations``.

    Parameters
    ----------
    n_scores : int
        1 for two classes, else the number of classes.
    n_iterations : int
        The iterations averaged.
    """

    def __init__(self, n_scores: int, n_iterations: int):
        super().__init__(n_scores, "logistic", zero_is_positive=False, log_proba=False)
        self.n_iterations = int(n_iterations)

    def proba(self, z: torch.Tensor) -> torch.Tensor:
        return PROBA_RULES[self.proba_rule].function(self.decision(z) / self.n_iterations)

    def describe(self) -> LayerDescription:
        description = super().describe()
        formula = (description.formula + f"\n(predict_proba reads {{x}} / "
                   f"{self.n_iterations}: the average of the trees)")
        return dataclasses.replace(description, formula=formula)


def _dataframe_categories(estimator, dump: dict) -> dict:
    """A DataFrame's category columns -> the categories LightGBM coded them by at fit.

    LightGBM turns each category column of a DataFrame into the position of its value in
    the categories it saw at fit (``pandas_categorical``, in column order); an unknown or
    missing value becomes NaN, which every categorical split sends right, as the code one
    past the end does. The columns are its categorical features (``feature_infos`` lists
    their values); an ordered category column is coded too but split as a number, which
    the network does not repeat.
    """
    lists = dump.get("pandas_categorical") or []
    if not lists:
        return {}
    infos, names = dump["feature_infos"], dump["feature_names"]
    columns = [j for j, name in enumerate(names) if infos.get(name, {}).get("values")]
    if len(columns) != len(lists) or any(len(c) > MAX_CODE for c in lists):
        raise _refuse(estimator, "ordered (or very many) categories in DataFrame columns",
                      "LightGBM splits ordered categories as numbers; fit on their integer "
                      f"codes, or unordered categories (at most {MAX_CODE}).")
    return dict(zip(columns, lists))


def _used_iterations(estimator, dump: dict) -> int:
    """The iterations ``predict`` adds: ``best_iteration`` after early stopping, else all."""
    total = len(dump["tree_info"]) // dump["num_tree_per_iteration"]
    best = int(getattr(estimator.booster_, "best_iteration", 0) or 0)
    return min(best, total) if best > 0 else total


def _layers(estimator, classifier: bool, options: Options) -> tuple[list, int | None]:
    """The layers, and the number of iterations a classifier's probabilities average (rf)."""
    dump = estimator.booster_.dump_model()  # checked by the converter's first dump()
    labels = _dataframe_categories(estimator, dump)
    k = int(dump["num_tree_per_iteration"])
    used = _used_iterations(estimator, dump)
    read = []
    for i, info in enumerate(dump["tree_info"][:used * k]):
        read.append(_Tree(estimator, f"{type(estimator).__name__}.booster_ tree {i}"))
        read[-1].add(info["tree_structure"])
    trees = [one_column(tree.arrays(), i % k, k) for i, tree in enumerate(read)]
    # boosting_type="rf" averages the trees of the iterations used, in predict and
    # predict_proba but not in the raw score (decision_function): the head divides there
    average = used if dump.get("average_output") else None
    scale = 1.0 / used if average and not classifier else 1.0
    # ±inf is compared like any double, as LightGBM compares it (1e308 is no different)
    traversal = tree_layer(trees, estimator.n_features_in_, options, scale,
                           float32_inputs=False, allow_inf=True)
    categorical = categorical_columns(trees, estimator.n_features_in_)
    # C++ truncates toward zero: a value in (-1, 0) is category 0
    codes = CategoryCodes(categorical, "LightGBM", low=-1.0, code=0.0, categories=labels,
                          allow_inf=True)
    layers = [codes, traversal] if categorical.any() or labels else [traversal]
    zero = _zero_columns(estimator, read, estimator.n_features_in_)
    if zero is not None:
        layers.insert(0, ZeroAsMissing(zero))
    return layers, average


def convert_lgbm_classifier(estimator, options: Options) -> Conversion:
    """Converter of ``lightgbm.LGBMClassifier`` (registered once lightgbm is imported)."""
    dump = dump_checked(estimator, num_iteration=1)
    if _objective(estimator, dump) != "logistic":
        raise _refuse(estimator, f"objective {dump['objective']!r}",
                      "a classifier converts with binary or multiclass (softmax).")
    layers, average = _layers(estimator, classifier=True, options=options)
    n_scores = int(dump["num_tree_per_iteration"])
    head = (BoostingHead(n_scores, "logistic", zero_is_positive=False, log_proba=False)
            if average is None else AveragedBoostingHead(n_scores, average))
    # LightGBM's predict is the argmax of [1 - p, p]: a score of exactly 0 predicts
    # classes_[0]; older LightGBM has no decision_function, and then neither has the network
    head.has_decision = hasattr(estimator, "decision_function")
    return Conversion(layers=layers, head=head)


def convert_lgbm_regressor(estimator, options: Options) -> Conversion:
    """Converter of ``lightgbm.LGBMRegressor`` and ``lightgbm.LGBMRanker`` (registered once
    lightgbm is imported): a ranker's ``predict`` is the raw score, a regressor-like
    network."""
    dump = dump_checked(estimator, num_iteration=1)
    output = _objective(estimator, dump)
    if output == "logistic":
        raise _refuse(estimator, f"objective {dump['objective']!r}",
                      "use LGBMClassifier for classification objectives.")
    head = ExpHead() if output == "exp" else RegressionHead(1, single=True)
    return Conversion(layers=_layers(estimator, classifier=False, options=options)[0], head=head)


def _register() -> None:
    from lightgbm import LGBMClassifier, LGBMRanker, LGBMRegressor

    converts(LGBMClassifier)(convert_lgbm_classifier)
    converts(LGBMRegressor, LGBMRanker)(convert_lgbm_regressor)


# importing lightgbm costs about half a second: its converters register once it is imported
# (a fitted model of it implies that), or when the supported list asks
when_imported("lightgbm", _register)
