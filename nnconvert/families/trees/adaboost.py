"""AdaBoostClassifier (SAMME) and AdaBoostRegressor of trees.

A SAMME classifier's member votes ``w_j`` for the class it predicts and ``−w_j / (K − 1)``
for every other; the decision function is the sum of the votes over ``Σ w``. A tree predicts
one class per leaf, so its vote is a leaf value and the whole ensemble is one traversal
layer; for two classes the vote becomes one score, ``vote_1 − vote_0`` (scikit-learn negates
column 0 and sums). ``predict_proba`` is ``softmax(decision / (K − 1))``, which for two
classes is ``σ(decision)``.

The regressor predicts the weighted median of its members: the traversal gives every tree's
prediction in its own column, and the head sorts them, accumulates their weights in that
order and takes the first prediction whose cumulative weight reaches half the total, as
scikit-learn's ``_get_median_predict`` does. Exact ties between predictions are the same
value whichever tree holds them; only the rounding of the cumulative sums inside a run of
tied predictions can differ, which moves the answer only where a cumulative weight equals
half the total to the last bit.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.ensemble import AdaBoostClassifier, AdaBoostRegressor
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from ...errors import ConversionError
from ...layers import LayerDescription
from ...network.heads import LinearHead, RegressionHead, binary_pair
from ...registry import Conversion, converts
from .boosting import one_column
from .sklearn import refuse_multioutput_classifier, tree_arrays
from .traversal import TreeTraversal

_NO_GRADIENT = "a tree's step units have no gradient"


def _members(estimator, tree_class: type) -> tuple[list, np.ndarray]:
    """The fitted members and their weights (scikit-learn pads the weights of members that
    early termination never fitted with zeros)."""
    members = list(estimator.estimators_)
    if not all(isinstance(m, tree_class) for m in members):
        raise ConversionError(
            f"{type(estimator).__name__} of {type(members[0]).__name__} is not supported: "
            f"AdaBoost converts with {tree_class.__name__} members (the default). Refit with "
            f"estimator={tree_class.__name__}(max_depth=...).")
    weights = np.asarray(estimator.estimator_weights_, dtype=np.float64)
    return members, weights[:len(members)]


def _leaf_votes(tree, weight: float, classes: np.ndarray) -> np.ndarray:
    """(n_nodes, K): the SAMME vote of each node's predicted class, weight ``weight``."""
    refuse_multioutput_classifier(tree)
    # the tree's predict: the first argmax of the raw node values, as DecisionTree.predict
    predicted = np.asarray(tree.classes_)[np.argmax(tree.tree_.value[:, 0, :], axis=1)]
    k = len(classes)
    votes = np.where(predicted[:, None] == np.asarray(classes)[None, :], weight,
                     -1 / (k - 1) * weight)
    return votes


class SammeHead(LinearHead):
    """AdaBoostClassifier's output: the normalised vote sum, ``softmax(decision / (K − 1))``."""

    untrainable_because = _NO_GRADIENT

    def __init__(self, n_classes: int):
        super().__init__(1 if n_classes == 2 else n_classes, "logistic")
        self.n_classes = n_classes

    def proba(self, z: torch.Tensor) -> torch.Tensor:
        d = self.decision(z)
        if self.binary:  # softmax([−d, d] / 2) is σ(d)
            return binary_pair(torch.sigmoid(d))
        return torch.softmax(d / (self.n_classes - 1), dim=1)

    def describe(self) -> LayerDescription:
        description = super().describe()
        if self.binary:
            return description
        lines = description.formula.split("\n")
        lines[1] = (f"p(y | x) = softmax({{x}} / {self.n_classes - 1})_y   "
                    "(SAMME: divided by K − 1)")
        return LayerDescription(**{**description.__dict__, "formula": "\n".join(lines)})


@converts(AdaBoostClassifier)
def _adaboost_classifier(estimator, options):
    members, weights = _members(estimator, DecisionTreeClassifier)
    classes = estimator.classes_
    trees = []
    for tree, weight in zip(members, weights):
        votes = _leaf_votes(tree, weight, classes)
        if len(classes) == 2:  # scikit-learn negates the vote for classes_[0] and sums
            votes = votes[:, 1:] - votes[:, :1]
        trees.append({**tree_arrays(tree, False), "value": votes})
    # AdaBoost validates X as finite: NaN is refused, as scikit-learn refuses it
    layer = TreeTraversal(trees, estimator.n_features_in_,
                          scale=1.0 / estimator.estimator_weights_.sum(), allow_nan=False)
    return Conversion(layers=[layer], head=SammeHead(len(classes)))


class WeightedMedianHead(RegressionHead):
    """``predict`` = the weighted median of the members' predictions (AdaBoostRegressor).

    Parameters
    ----------
    weights : array-like of shape (n_members,)
        The members' weights (``estimator_weights_``), in the order of the body's columns.
    """

    untrainable_because = _NO_GRADIENT

    def __init__(self, weights):
        super().__init__(1, single=True)
        self.register_buffer("weights", torch.as_tensor(np.asarray(weights, dtype=np.float64)))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        # not a stable sort (ONNX has none), and neither is numpy's argsort here: members
        # tied in the order hold the same prediction, so which comes first changes no answer
        predictions, order = torch.sort(z, dim=1)
        cdf = torch.cumsum(self.weights.to(z.dtype)[order], dim=1)
        reached = (cdf >= 0.5 * cdf[:, -1:]).to(z.dtype)
        first = torch.argmax(reached, dim=1, keepdim=True)  # the first index wins a tie
        return torch.gather(predictions, 1, first)[:, 0]

    def describe(self) -> LayerDescription:
        m = len(self.weights)
        return LayerDescription(
            title="weighted median", n_in=m, n_out=1, activation="median",
            formula=("sort the members' predictions {x}; predict(x) = the first whose "
                     "cumulative weight reaches half of Σ w"),
            connectivity="dense")


@converts(AdaBoostRegressor)
def _adaboost_regressor(estimator, options):
    members, weights = _members(estimator, DecisionTreeRegressor)
    m = len(members)
    # every tree writes its prediction into its own column: the median needs them apart
    trees = [one_column(tree_arrays(tree, False), j, m) for j, tree in enumerate(members)]
    layer = TreeTraversal(trees, estimator.n_features_in_, allow_nan=False,
                          readout="output_j = the leaf value of tree j")
    return Conversion(layers=[layer], head=WeightedMedianHead(weights))
