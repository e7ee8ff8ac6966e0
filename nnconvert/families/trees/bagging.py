"""BaggingClassifier and BaggingRegressor of trees: a forest whose trees read feature subsets.

Every member tree was fitted on ``X[:, estimators_features_[j]]`` and on the encoded labels
(0 … C−1), of which a bootstrap sample may have missed some: its feature indices are mapped
back to the full input and its class columns to the bagging model's. Then, as scikit-learn
does, ``predict_proba`` is the mean of the members' ``predict_proba``, ``predict`` its first
argmax, and a regressor's ``predict`` the mean of the members' predictions. The members' row
subsets (``max_samples``, ``bootstrap``) matter to fitting only.
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import BaggingClassifier, BaggingRegressor
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from ...errors import ConversionError
from ...network.heads import RegressionHead
from ...registry import Conversion, converts
from .sklearn import FrequencyHead, refuse_multioutput_classifier, tree_arrays
from .traversal import TreeTraversal

_TREES = (DecisionTreeClassifier, DecisionTreeRegressor)  # ExtraTree* are subclasses


def _on_all_features(arrays: dict, features: np.ndarray) -> dict:
    """A member tree's arrays with its feature indices mapped to the full input's."""
    internal = arrays["left"] >= 0
    feature = np.where(internal, np.asarray(features)[np.maximum(arrays["feature"], 0)], 0)
    return {**arrays, "feature": feature}


def _on_all_classes(arrays: dict, tree_classes: np.ndarray, n_classes: int) -> dict:
    """A member tree's class frequencies spread over the bagging model's ``n_classes``."""
    value = np.zeros((len(arrays["value"]), n_classes))
    value[:, np.asarray(tree_classes, dtype=np.int64)] = arrays["value"]
    return {**arrays, "value": value}


def _member_trees(estimator) -> list:
    members = list(estimator.estimators_)
    if not all(isinstance(m, _TREES) for m in members):
        name = type(members[0]).__name__
        raise ConversionError(
            f"{type(estimator).__name__} of {name} is not supported: bagging converts with "
            "DecisionTree and ExtraTree members. Refit with estimator=DecisionTreeClassifier() "
            "(or DecisionTreeRegressor()), or convert the members one by one.")
    return members


def _traversal(estimator, trees: list) -> TreeTraversal:
    return TreeTraversal(trees, estimator.n_features_in_, scale=1.0 / len(trees))


@converts(BaggingClassifier)
def _bagging_classifier(estimator, options):
    members = _member_trees(estimator)
    n_classes = len(estimator.classes_)
    trees = []
    for member, features in zip(members, estimator.estimators_features_):
        refuse_multioutput_classifier(member)
        arrays = _on_all_classes(tree_arrays(member, True), member.classes_, n_classes)
        trees.append(_on_all_features(arrays, features))
    return Conversion(layers=[_traversal(estimator, trees)], head=FrequencyHead(n_classes))


@converts(BaggingRegressor)
def _bagging_regressor(estimator, options):
    members = _member_trees(estimator)
    trees = [_on_all_features(tree_arrays(member, False), features)
             for member, features in zip(members, estimator.estimators_features_)]
    k = members[0].n_outputs_
    return Conversion(layers=[_traversal(estimator, trees)],
                      head=RegressionHead(k, single=k == 1))
