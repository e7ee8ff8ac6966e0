"""AdaBoostClassifier (SAMME) and AdaBoostRegressor of any supported members.

A SAMME classifier's member votes ``w_j`` for the class it predicts and ``−w_j / (K − 1)``
for every other; the decision function is the sum of the votes over ``Σ w`` (the padding of
members early termination never fitted included); for two classes it is one score,
``vote_1 − vote_0`` (scikit-learn negates column 0 and sums). ``predict_proba`` is
``softmax(decision / (K − 1))``, which for two classes is ``σ(decision)``.

The regressor predicts the weighted median of its members: the head sorts their predictions,
accumulates their weights in that order and takes the first prediction whose cumulative
weight reaches half the total, as scikit-learn's ``_get_median_predict`` does. Exact ties
between predictions are the same value whichever member holds them; only the rounding of the
cumulative sums inside a run of tied predictions can differ, which moves the answer only where
a cumulative weight equals half the total to the last bit.

Every member is converted whole (:mod:`.members`) and answers its ``predict`` (a class index,
or a prediction with its link). Boosted trees take the trees family's fast path
(:func:`~nnconvert.registry.members_fast_path`: their votes or predictions read from the
leaves of one traversal); :func:`adaboost_of_members` is the general path it is held to.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch
from sklearn.ensemble import AdaBoostClassifier, AdaBoostRegressor
from torch import nn

from ..fitted import Fitted
from ..layers import LayerDescription
from ..network.heads import LinearHead, RegressionHead, binary_pair, first_argmax
from ..options import Options
from ..registry import Conversion, converts, members_fast_path
from .members import Columns, Member, convert_member, side_by_side

__all__ = ["SammeHead", "SammeMembersHead", "WeightedMedianHead", "MembersMedianHead",
           "adaboost_of_members", "all_weights", "fitted_weights"]

_NO_GRADIENT = "a vote or a median has no gradient"


def all_weights(estimator) -> np.ndarray:
    """``estimator_weights_``, checked: one finite weight ≥ 0 per boosting iteration (zeros
    pad the iterations early termination never ran), at least one per fitted member, and a
    positive total (SAMME divides by it)."""
    fitted = Fitted(estimator)
    weights = fitted.array("estimator_weights_", ndim=1, low=0.0)
    n_members = len(fitted.get("estimators_"))
    if len(weights) < n_members or not weights[:n_members].sum() > 0:
        raise fitted.error("estimator_weights_", f"holds {len(weights)} weights summing to "
                                                 f"{weights.sum():g}, but at least {n_members} "
                                                 "(one per member) with a positive sum were "
                                                 "expected")
    return weights


def fitted_weights(estimator) -> np.ndarray:
    """The fitted members' weights (scikit-learn pads the weights of members that early
    termination never fitted with zeros)."""
    return all_weights(estimator)[:len(estimator.estimators_)]


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
    each member's ``predict``.

    Parameters
    ----------
    columns : Columns
        Where each member's ``predict`` lies.
    weights : array-like of shape (n_members,)
        ``estimator_weights_`` of the fitted members.
    total_weight : float
        ``estimator_weights_.sum()``, the padding of unfitted members included.
    n_classes : int
    """

    def __init__(self, columns: Columns, weights, total_weight: float, n_classes: int):
        super().__init__(n_classes)
        self.columns = columns
        self.total_weight = float(total_weight)
        self.register_buffer("weights", torch.as_tensor(np.asarray(weights, dtype=np.float64)))

    def decision(self, z: torch.Tensor) -> torch.Tensor:
        k = self.n_classes
        weights = self.weights.to(z.dtype)
        total = 0
        # members were fitted on the labels themselves: their classes_ are the model's
        for w, index in zip(weights, self.columns.each(z, "predict")):
            chosen = nn.functional.one_hot(index.long(), k).bool()
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
        return dataclasses.replace(description, n_in=self.columns.width, formula=formula,
                                   connectivity="dense")


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

    def __init__(self, columns: Columns, weights):
        super().__init__(weights)
        self.columns = columns

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return super().forward(torch.stack(self.columns.each(z, "predict"), dim=1))

    def describe(self) -> LayerDescription:
        return dataclasses.replace(super().describe(), n_in=self.columns.width)


def adaboost_of_members(estimator, options: Options) -> Conversion:
    """The general path: every member converted whole, answering ``predict``, then the
    SAMME vote or the weighted median."""
    name = type(estimator).__name__
    conversions = [convert_member(m, options, f"{name} member {j}")
                   for j, m in enumerate(estimator.estimators_)]
    members = [Member(f"member {j}", c, ["predict"], n_in=estimator.n_features_in_)
               for j, c in enumerate(conversions)]
    layers = side_by_side(members, conversions, estimator.n_features_in_,
                          title="boosted members", by_name=hasattr(estimator, "feature_names_in_"))
    columns = Columns.of(members)
    if isinstance(estimator, AdaBoostClassifier):
        head = SammeMembersHead(columns, fitted_weights(estimator),
                                all_weights(estimator).sum(), len(estimator.classes_))
    else:
        head = MembersMedianHead(columns, fitted_weights(estimator))
    return Conversion(layers=layers, head=head)


@converts(AdaBoostClassifier, AdaBoostRegressor)
def _adaboost(estimator, options: Options) -> Conversion:
    """The members' networks side by side (trees merge into one tree layer), then SAMME's
    weighted vote, or AdaBoost.R2's weighted median.

    Any supported member.
    """
    fast = members_fast_path(estimator, options)
    return fast if fast is not None else adaboost_of_members(estimator, options)
