"""Bagged trees, the trees family's fast path: every member tree in one traversal layer, a
forest whose trees read feature subsets.

Every member tree was fitted on ``X[:, estimators_features_[j]]`` and on the encoded labels
(0 … C−1), of which a bootstrap sample may have missed some: its feature indices are mapped
back to the full input and its class columns to the bagging model's; the traversal averages
them (``scale = 1 / n_trees``). Registered with :func:`~nnconvert.registry.
members_fast_path`; the general path (members of any kind) is in
:mod:`nnconvert.compose.bagging`.
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import BaggingClassifier, BaggingRegressor
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from ...fitted import Fitted, corrupt
from ...network.heads import FrequencyHead, RegressionHead
from ...options import Options
from ...registry import Conversion, members_fast_path
from .forms import tree_layer
from .sklearn import refuse_multioutput_classifier, tree_arrays

_TREES = (DecisionTreeClassifier, DecisionTreeRegressor)  # ExtraTree* are subclasses


def _on_all_features(arrays: dict, features, n_features: int, name: str) -> dict:
    """A member tree's arrays with its feature indices mapped to the full input's
    (``features``: the member's ``estimators_features_`` row, checked here)."""
    features = Fitted(None, name).indices("estimators_features_", n_features, value=features,
                                          item="column", what=f"the model has {n_features} "
                                                              "features")
    fitted = Fitted(arrays, arrays["name"])
    internal = fitted.array("children_left", ndim=1, dtype=np.int64, value=arrays["left"]) >= 0
    feature = fitted.indices("feature", len(features), where=internal, item="node",
                             what=f"the member reads {len(features)} features",
                             value=arrays["feature"])
    return {**arrays, "feature": np.where(internal, features[np.where(internal, feature, 0)], 0)}


def _on_all_classes(arrays: dict, tree_classes: np.ndarray, n_classes: int) -> dict:
    """A member tree's class frequencies spread over the bagging model's ``n_classes``."""
    columns = Fitted(None, arrays["name"]).indices(
        "classes_", n_classes, value=tree_classes, item="class",
        what=f"the model has {n_classes} classes")
    if len(columns) != np.shape(arrays["value"])[1]:
        raise corrupt(arrays["name"], "classes_", f"has {len(columns)} classes, but its "
                                                  f"leaves hold {np.shape(arrays['value'])[1]}")
    value = np.zeros((len(arrays["value"]), n_classes))
    value[:, columns] = arrays["value"]
    return {**arrays, "value": value}


def _trees_layer(estimator, trees: list, options: Options):
    return tree_layer(trees, estimator.n_features_in_, options, scale=1.0 / len(trees))


@members_fast_path.register(BaggingClassifier)
def _bagged_tree_classifiers(estimator, options: Options) -> Conversion | None:
    if not all(isinstance(m, _TREES) for m in estimator.estimators_):
        return None
    n_classes = len(estimator.classes_)
    trees, n = [], estimator.n_features_in_
    for i, (member, features) in enumerate(zip(estimator.estimators_,
                                               estimator.estimators_features_)):
        refuse_multioutput_classifier(member)
        name = f"{type(estimator).__name__}.estimators_[{i}]"
        arrays = _on_all_classes(tree_arrays(member, True, name), member.classes_, n_classes)
        trees.append(_on_all_features(arrays, features, n, name))
    return Conversion(layers=[_trees_layer(estimator, trees, options)], head=FrequencyHead(
        n_classes, "a tree's step units have no gradient"))


@members_fast_path.register(BaggingRegressor)
def _bagged_tree_regressors(estimator, options: Options) -> Conversion | None:
    if not all(isinstance(m, _TREES) for m in estimator.estimators_):
        return None
    name, n = f"{type(estimator).__name__}.estimators_", estimator.n_features_in_
    trees = [_on_all_features(tree_arrays(member, False, f"{name}[{i}]"), features, n,
                              f"{name}[{i}]")
             for i, (member, features) in enumerate(zip(estimator.estimators_,
                                                        estimator.estimators_features_))]
    k = estimator.estimators_[0].n_outputs_
    return Conversion(layers=[_trees_layer(estimator, trees, options)],
                      head=RegressionHead(k, single=k == 1))
