"""AdaBoost of trees, the trees family's fast path: every member tree in one traversal layer.

A tree predicts one class per leaf, so its SAMME vote is a leaf value and the whole ensemble
is one traversal layer whose read-out is the vote sum over ``Σ w`` (for two classes one
score, class 1's vote minus class 0's). For the regressor every tree writes its prediction
into its own column of the traversal and :class:`~nnconvert.compose.adaboost.
WeightedMedianHead` takes their weighted median. Registered with
:func:`~nnconvert.registry.members_fast_path`; the heads and the general path (members of any
kind) are in :mod:`nnconvert.compose.adaboost`.
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import AdaBoostClassifier, AdaBoostRegressor
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from ...compose.adaboost import SammeHead, WeightedMedianHead, all_weights, fitted_weights
from ...options import Options
from ...registry import Conversion, members_fast_path
from .boosting import one_column
from .forms import tree_layer
from .sklearn import refuse_multioutput_classifier, tree_arrays


def _all(estimator, tree_class: type) -> bool:
    return all(isinstance(m, tree_class) for m in estimator.estimators_)


def _leaf_votes(tree, weight: float, classes: np.ndarray) -> np.ndarray:
    """(n_nodes, K): the SAMME vote of each node's predicted class, weight ``weight``."""
    refuse_multioutput_classifier(tree)
    # the tree's predict: the first argmax of the raw node values, as DecisionTree.predict
    predicted = np.asarray(tree.classes_)[np.argmax(tree.tree_.value[:, 0, :], axis=1)]
    k = len(classes)
    votes = np.where(predicted[:, None] == np.asarray(classes)[None, :], weight,
                     -1 / (k - 1) * weight)
    return votes


@members_fast_path.register(AdaBoostClassifier)
def _adaboost_classifier_of_trees(estimator, options: Options) -> Conversion | None:
    if not _all(estimator, DecisionTreeClassifier):
        return None
    classes = estimator.classes_
    trees = []
    for i, (tree, weight) in enumerate(zip(estimator.estimators_, fitted_weights(estimator))):
        arrays = tree_arrays(tree, False, f"{type(estimator).__name__}.estimators_[{i}]")
        votes = _leaf_votes(tree, weight, classes)
        if len(classes) == 2:  # scikit-learn negates the vote for classes_[0] and sums
            votes = votes[:, 1:] - votes[:, :1]
        trees.append({**arrays, "value": votes})
    # AdaBoost validates X as finite: NaN is refused, as scikit-learn refuses it
    readout = ("output = Σ_trees w_tree · vote / Σ w (vote: 1 for the leaf's class, "
               "−1 / (K − 1) for the others" + ("; class 1's minus class 0's)"
                                                 if len(classes) == 2 else ")"))
    layer = tree_layer(trees, estimator.n_features_in_, options, allow_nan=False,
                       readout=readout, scale=1.0 / all_weights(estimator).sum())
    return Conversion(layers=[layer], head=SammeHead(len(classes)))


@members_fast_path.register(AdaBoostRegressor)
def _adaboost_regressor_of_trees(estimator, options: Options) -> Conversion | None:
    if not _all(estimator, DecisionTreeRegressor):
        return None
    m = len(estimator.estimators_)
    # every tree writes its prediction into its own column: the median needs them apart
    name = f"{type(estimator).__name__}.estimators_"
    trees = [one_column(tree_arrays(tree, False, f"{name}[{j}]"), j, m)
             for j, tree in enumerate(estimator.estimators_)]
    layer = tree_layer(trees, estimator.n_features_in_, options, allow_nan=False,
                       readout="output_j = the leaf value of tree j")
    return Conversion(layers=[layer], head=WeightedMedianHead(fitted_weights(estimator)))
