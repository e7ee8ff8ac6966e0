"""Voting and stacking: members side by side, each answering with one of its methods, then
the combination.

Each member is converted on its own and wrapped as a :class:`MemberAnswer` layer (its body
and the method its head answers), so that an ensemble's body is :class:`~nnconvert.layers.
Branches` of members and its combination is ordinary layers and heads:

- VotingClassifier, soft: the weighted average of the members' ``predict_proba``
  (``np.average``), then the first argmax; hard: each member's predicted class, one-hot,
  weighted and summed, then the first argmax (``np.bincount``'s argmax).
- VotingRegressor: the weighted average of the members' predictions.
- StackingClassifier / StackingRegressor: the members' ``stack_method_`` answers side by side
  (a binary ``predict_proba`` without its first column, as scikit-learn drops it), the input
  itself beside them with ``passthrough=True``, then the final estimator's network.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.ensemble import (
    StackingClassifier,
    StackingRegressor,
    VotingClassifier,
    VotingRegressor,
)
from torch import nn

from ..agreement import decision_margin
from ..errors import UnsupportedEstimatorError
from ..layers import Branches, Layer, LayerDescription, LinearUnits
from ..network.heads import ClassifierHead, FrequencyHead, RegressionHead, first_argmax
from ..options import Options
from ..registry import Conversion, convert_estimator, converts, margin_rule

__all__ = ["MemberAnswer", "HardVoteHead"]


class MemberAnswer(Layer):
    """A member estimator as one layer: its body, then one of its head's answers as columns.

    Parameters
    ----------
    name : str
    conversion : Conversion
        The member's layers and head.
    method : str
        The answer it gives: "predict_proba", "decision_function" or "predict" (a class index,
        or a regressor's prediction).
    n_in : int
        The number of input features (the enclosing estimator's).
    drop_first : bool, default False
        Leave out the first column (a binary ``predict_proba`` in a stack).
    """

    def __init__(self, name: str, conversion: Conversion, method: str, *, n_in: int,
                 drop_first: bool = False):
        super().__init__()
        self.name, self.method, self.drop_first = name, method, bool(drop_first)
        self.body = nn.Sequential(*conversion.layers)
        self.head = conversion.head
        self.n_in = int(n_in)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        answer = self.head.answer(self.body(x), self.method)
        answer = answer.to(x.dtype)
        if answer.ndim == 1:
            answer = answer.unsqueeze(1)
        return answer[:, 1:] if self.drop_first else answer

    def width(self) -> int:
        head = self.head.describe()
        if self.method == "predict" and self.head.kind == "classifier":
            return 1
        if self.method == "decision_function" and head.n_out == 1:
            return 1
        n = head.n_out if self.method != "predict_proba" or head.n_out > 1 else 2
        return n - 1 if self.drop_first else n

    def input_columns(self):
        first = self.body[0] if len(self.body) else None
        return first.input_columns() if first is not None else None

    def describe(self) -> LayerDescription:
        head = self.head.describe()
        inner = tuple(layer.describe() for layer in self.body) + (head,)
        if head.n_out != self.width():  # the class index, or a probability column dropped
            picked = "the predicted class" if self.method == "predict" else "p_1 … p_(K−1)"
            inner += (LayerDescription(
                title=self.method, n_in=head.n_out, n_out=self.width(), activation=picked,
                activation_kind="argmax" if self.method == "predict" else "identity",
                formula=f"{{y}} = {picked}"),)
        return LayerDescription(
            title=f"{self.name}: {self.method}",
            n_in=self.n_in,
            n_out=self.width(),
            activation="branches",
            activation_kind="branches",
            formula=f"{{y}} = {self.name}.{self.method}({{x}})"
                    + ("   (without its first column)" if self.drop_first else ""),
            connectivity="branches",
            branches=(inner,),
        )


def _members(ensemble, methods: list[str], options: Options, *, drop_first=None) -> Branches:
    members = []
    names = [name for name, est in ensemble.estimators if est != "drop"]
    for k, (name, estimator, method) in enumerate(zip(names, ensemble.estimators_, methods)):
        try:
            conversion = convert_estimator(estimator, options)
        except UnsupportedEstimatorError as error:
            raise UnsupportedEstimatorError(
                f"{type(ensemble).__name__} member {name!r}: {error}") from None
        members.append(MemberAnswer(name, conversion, method, n_in=ensemble.n_features_in_,
                                    drop_first=bool(drop_first and drop_first[k])))
    return members


def _weights(ensemble, n: int) -> np.ndarray:
    weights = ensemble._weights_not_none
    return np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)


class HardVoteHead(ClassifierHead):
    """A hard vote: each member's predicted class counts its weight; the first class with
    the most wins (``np.argmax(np.bincount(..., weights))``). No probabilities, as in
    scikit-learn."""

    has_decision = False
    untrainable_because = "a vote of labels has no gradient"

    def __init__(self, weights, n_classes: int):
        super().__init__()
        self.register_buffer("weights", torch.as_tensor(np.asarray(weights, dtype=np.float64)))
        self.n_classes = int(n_classes)

    def votes(self, z: torch.Tensor) -> torch.Tensor:
        one_hot = torch.nn.functional.one_hot(z.long(), self.n_classes).to(z.dtype)
        return (one_hot * self.weights.to(z.dtype)[None, :, None]).sum(dim=1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.votes(z)

    @property
    def scores_method(self) -> str:
        return "predict"

    def decision(self, z: torch.Tensor) -> torch.Tensor:
        raise AttributeError("a hard VotingClassifier has no decision_function")

    def predict_index(self, z: torch.Tensor) -> torch.Tensor:
        return first_argmax(self.votes(z))

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title="output", n_in=self.weights.numel(), n_out=self.n_classes,
            activation="vote", activation_kind="weighted-vote",
            formula=("votes_k = Σ_i w_i [member i predicts k]\n"
                     "predict(x) = classes_[argmax_k votes_k]   (first index wins a tie)"))


def _averaging(widths: int, weights: np.ndarray, title: str) -> LinearUnits:
    """One unit per output: the weighted average of the members' same output."""
    n = len(weights)
    matrix = np.kron(weights[None, :] / weights.sum(), np.eye(widths))
    return LinearUnits(matrix, None, title=title,
                       bias_note=f"W = w_i / Σ w over {n} members")


@converts(VotingClassifier)
def _voting_classifier(voting: VotingClassifier, options: Options) -> Conversion:
    """The members side by side, then the (weighted) average of their probabilities (soft) or their
    vote (hard).
    """
    n_classes = len(voting.classes_)
    n = len(voting.estimators_)
    weights = _weights(voting, n)
    if voting.voting == "soft":
        members = _members(voting, ["predict_proba"] * n, options)
        body = Branches([[m] for m in members], [m.width() for m in members],
                        title="members' probabilities")
        layers = [body, _averaging(n_classes, weights, "soft vote")]
        head = FrequencyHead(n_classes, "it averages its members' probabilities",
                             log_proba=False)
        return Conversion(layers=layers, head=head)
    members = _members(voting, ["predict"] * n, options)
    body = Branches([[m] for m in members], [1] * n, title="members' predictions")
    return Conversion(layers=[body], head=HardVoteHead(weights, n_classes))


@converts(VotingRegressor)
def _voting_regressor(voting: VotingRegressor, options: Options) -> Conversion:
    """The members side by side, then the (weighted) average of their predictions.
    """
    n = len(voting.estimators_)
    members = _members(voting, ["predict"] * n, options)
    body = Branches([[m] for m in members], [1] * n, title="members' predictions")
    return Conversion(layers=[body, _averaging(1, _weights(voting, n), "average")],
                      head=RegressionHead(1, single=True))


def _stack(stacking, options: Options) -> tuple[list, Conversion]:
    methods = list(stacking.stack_method_)
    binary = isinstance(stacking, StackingClassifier) and len(stacking.classes_) == 2
    drop = [binary and m == "predict_proba" for m in methods]
    members = _members(stacking, methods, options, drop_first=drop)
    branches = [[m] for m in members]
    widths = [m.width() for m in members]
    if stacking.passthrough:
        branches.append([])  # the input itself, beside the members' answers
        widths.append(stacking.n_features_in_)
    final = convert_estimator(stacking.final_estimator_, options)
    return [Branches(branches, widths, title="members' answers"), *final.layers], final


@converts(StackingClassifier)
def _stacking_classifier(stacking: StackingClassifier, options: Options) -> Conversion:
    """The members side by side, each answering its ``stack_method``, then the final estimator's
    network on their outputs (and on the input where ``passthrough``).
    """
    layers, final = _stack(stacking, options)
    return Conversion(layers=layers, head=final.head, classes=stacking.classes_)


@converts(StackingRegressor)
def _stacking_regressor(stacking: StackingRegressor, options: Options) -> Conversion:
    """The members side by side, then the final estimator's network on their predictions (and on the
    input where ``passthrough``).
    """
    layers, final = _stack(stacking, options)
    return Conversion(layers=layers, head=final.head)


@margin_rule.register(VotingClassifier)
def _hard_vote_margin(voting: VotingClassifier, X, reference: dict):
    """A hard vote's margin: the winner's total weight above the runner-up's (in weights).
    Soft voting takes the default rule, on its probabilities."""
    if voting.voting != "hard":
        return None
    predictions = voting.transform(X)  # each member's predicted class index
    weights = _weights(voting, predictions.shape[1])
    votes = np.zeros((predictions.shape[0], len(voting.classes_)))
    for i in range(predictions.shape[1]):
        votes[np.arange(len(votes)), predictions[:, i]] += weights[i]
    return decision_margin(votes)
