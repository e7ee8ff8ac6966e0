"""Converters of scikit-learn's classic trees and forests (DecisionTree, ExtraTree,
RandomForest, ExtraTrees; classifiers and regressors) and the head of a forest classifier."""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.tree import (
    DecisionTreeClassifier,
    DecisionTreeRegressor,
    ExtraTreeClassifier,
    ExtraTreeRegressor,
)

from ...layers import LayerDescription
from ...network.heads import ClassifierHead, RegressionHead, first_argmax
from ...registry import Conversion, converts
from .traversal import TreeTraversal, float32_threshold


class FrequencyHead(ClassifierHead):
    """The body's output is already ``predict_proba``; ``predict`` is its first argmax."""

    has_proba = True
    has_decision = False
    untrainable_because = "a tree's step units have no gradient"

    def __init__(self, n_classes: int):
        super().__init__()
        self.n_classes = n_classes

    def decision(self, z):
        raise AttributeError("this network has no decision_function (nor has its estimator)")

    def proba(self, z):
        return z

    def predict_index(self, z):
        return first_argmax(z)

    def describe(self):
        return LayerDescription(title="output", n_in=self.n_classes, n_out=self.n_classes,
                                activation="argmax",
                                formula="p(k | x) = {x}_k\npredict(x) = classes_[argmax_k p(k | x)]"
                                        "   (first index wins a tie)",
                                connectivity="elementwise")


def tree_arrays(tree, classifier: bool) -> dict:
    """The node arrays of one fitted ``tree_``, leaf values as scikit-learn's predict reads them."""
    t = tree.tree_
    value = np.asarray(t.value, dtype=np.float64)
    if classifier:
        value = value[:, 0, :]
        total = value.sum(axis=1, keepdims=True)
        total[total == 0] = 1.0
        value = value / total
    else:
        value = value[:, :, 0]
    missing = getattr(t, "missing_go_to_left", None)
    n = t.node_count
    return dict(feature=t.feature, threshold=float32_threshold(t.threshold),
                left=t.children_left, right=t.children_right,
                missing_left=np.zeros(n, bool) if missing is None else np.asarray(missing, bool),
                value=value, depth=t.max_depth)


def refuse_multioutput_classifier(estimator):
    if getattr(estimator, "n_outputs_", 1) != 1:
        raise ValueError(f"{type(estimator).__name__} with {estimator.n_outputs_} outputs "
                         "(multi-output classification) is not supported; fit one per target")


def _classifier(estimator, trees):
    refuse_multioutput_classifier(estimator)
    layer = TreeTraversal([tree_arrays(t, True) for t in trees], estimator.n_features_in_,
                          scale=1.0 / len(trees))
    return Conversion(layers=[layer], head=FrequencyHead(len(estimator.classes_)))


def _regressor(estimator, trees):
    layer = TreeTraversal([tree_arrays(t, False) for t in trees], estimator.n_features_in_,
                          scale=1.0 / len(trees))
    k = estimator.n_outputs_
    return Conversion(layers=[layer], head=RegressionHead(k, single=k == 1))


@converts(DecisionTreeClassifier, ExtraTreeClassifier)
def _tree_classifier(estimator, options):
    return _classifier(estimator, [estimator])


@converts(DecisionTreeRegressor, ExtraTreeRegressor)
def _tree_regressor(estimator, options):
    return _regressor(estimator, [estimator])


@converts(RandomForestClassifier, ExtraTreesClassifier)
def _forest_classifier(estimator, options):
    return _classifier(estimator, list(estimator.estimators_))


@converts(RandomForestRegressor, ExtraTreesRegressor)
def _forest_regressor(estimator, options):
    return _regressor(estimator, list(estimator.estimators_))
