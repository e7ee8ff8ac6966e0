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

import dataclasses

import numpy as np
import torch
from sklearn.ensemble import AdaBoostClassifier, AdaBoostRegressor
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from torch import nn

from ...layers import LayerDescription
from ...network.heads import LinearHead, RegressionHead, binary_pair, first_argmax
from ...registry import Conversion, converts
from .boosting import one_column
from .forms import tree_layer
from .members import member_answers, side_by_side
from .sklearn import refuse_multioutput_classifier, tree_arrays

_NO_GRADIENT = "a tree's step units have no gradient"


def _weights(estimator) -> np.ndarray:
    """The fitted members' weights (scikit-learn pads the weights of members that early
    termination never fitted with zeros)."""
    weights = np.asarray(estimator.estimator_weights_, dtype=np.float64)
    return weights[:len(estimator.estimators_)]


def _all(estimator, tree_class: type) -> bool:
    return all(isinstance(m, tree_class) for m in estimator.estimators_)


def _members_side_by_side(estimator, options):
    return side_by_side(estimator.estimators_, estimator.n_features_in_, options,
                        title="boosted members", by_name=hasattr(estimator, "feature_names_in_"))


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
        return dataclasses.replace(description, formula="\n".join(lines))


class SammeMembersHead(SammeHead):
    """SammeHead over members of any supported kind: their votes are counted here, from
    each member's ``predict``, rather than read from tree leaves.

    Parameters
    ----------
    heads, widths
        The members' heads and body output widths.
    weights : array-like of shape (n_members,)
        ``estimator_weights_`` of the fitted members.
    total_weight : float
        ``estimator_weights_.sum()``, the padding of unfitted members included.
    n_classes : int
    """

    def __init__(self, heads, widths, weights, total_weight: float, n_classes: int):
        super().__init__(n_classes)
        self.members = nn.ModuleList(heads)
        self.widths = list(widths)
        self.total_weight = float(total_weight)
        self.register_buffer("weights", torch.as_tensor(np.asarray(weights, dtype=np.float64)))

    def decision(self, z: torch.Tensor) -> torch.Tensor:
        k = self.n_classes
        weights = self.weights.to(z.dtype)
        total = 0
        # members were fitted on the labels themselves: their classes_ are the model's
        for w, index in zip(weights, member_answers(self, z, "predict")):
            chosen = nn.functional.one_hot(index, k).bool()
            total = total + torch.where(chosen, w, -1 / (k - 1) * w)
        total = total / self.total_weight
        return total[:, 1] - total[:, 0] if self.binary else total

    def predict_index(self, z: torch.Tensor) -> torch.Tensor:
        d = self.decision(z)
        return (d > 0).long() if self.binary else first_argmax(d)

    def describe(self) -> LayerDescription:
        description = super().describe()
        formula = ("decision_function(x) = d = Σ_j w_j · vote_j(x) / Σ w   (vote_j: 1 for the "
                   "class member j predicts, −1 / (K − 1) for the others)\n"
                   + description.formula.split("\n", 1)[1].replace("{x}", "d"))
        return dataclasses.replace(description, n_in=sum(self.widths), formula=formula,
                                   connectivity="dense")


@converts(AdaBoostClassifier)
def _adaboost_classifier(estimator, options):
    """The members' networks side by side (trees merge into one tree layer), then SAMME's weighted
    vote.

    Any supported member.
    """
    classes = estimator.classes_
    if not _all(estimator, DecisionTreeClassifier):
        layer, heads, widths = _members_side_by_side(estimator, options)
        head = SammeMembersHead(heads, widths, _weights(estimator),
                                estimator.estimator_weights_.sum(), len(classes))
        return Conversion(layers=[layer], head=head)
    trees = []
    for i, (tree, weight) in enumerate(zip(estimator.estimators_, _weights(estimator))):
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
                       readout=readout, scale=1.0 / estimator.estimator_weights_.sum())
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


class MembersMedianHead(WeightedMedianHead):
    """WeightedMedianHead over members of any supported kind: their predictions first."""

    def __init__(self, heads, widths, weights):
        super().__init__(weights)
        self.members = nn.ModuleList(heads)
        self.widths = list(widths)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return super().forward(torch.stack(member_answers(self, z, "predict"), dim=1))

    def describe(self) -> LayerDescription:
        return dataclasses.replace(super().describe(), n_in=sum(self.widths))


@converts(AdaBoostRegressor)
def _adaboost_regressor(estimator, options):
    """The members' networks side by side, then AdaBoost.R2's weighted median.
    """
    if not _all(estimator, DecisionTreeRegressor):
        layer, heads, widths = _members_side_by_side(estimator, options)
        return Conversion(layers=[layer],
                          head=MembersMedianHead(heads, widths, _weights(estimator)))
    m = len(estimator.estimators_)
    # every tree writes its prediction into its own column: the median needs them apart
    name = f"{type(estimator).__name__}.estimators_"
    trees = [one_column(tree_arrays(tree, False, f"{name}[{j}]"), j, m)
             for j, tree in enumerate(estimator.estimators_)]
    layer = tree_layer(trees, estimator.n_features_in_, options, allow_nan=False,
                       readout="output_j = the leaf value of tree j")
    return Conversion(layers=[layer], head=WeightedMedianHead(_weights(estimator)))
