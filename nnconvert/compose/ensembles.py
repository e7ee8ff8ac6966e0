"""Voting and stacking: members side by side, each answering with one of its methods, then
the combination.

Each member is converted whole, with the caller's options (``tree_form``, ``fuse``), as a
:class:`~nnconvert.compose.members.Member` (its body and the method its head answers), so
that an ensemble's body is members side by side and its combination ordinary layers and
heads:

- VotingClassifier, soft: the weighted average of the members' ``predict_proba``
  (``np.average``), then the first argmax; hard: each member's predicted class, one-hot,
  weighted and summed, then the first argmax (``np.bincount``'s argmax).
- VotingRegressor: the weighted average of the members' predictions.
- StackingClassifier / StackingRegressor: the members' ``stack_method_`` answers side by side
  (a binary ``predict_proba`` without its first column, as scikit-learn drops it), the input
  itself beside them with ``passthrough=True``, then the final estimator's network; as a
  transformer (a pipeline step), those stacked features: scikit-learn's ``transform``.
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

from ..agreement import decision_margin
from ..fitted import Fitted
from ..layers import Branches, LayerDescription, LinearUnits
from ..network.heads import ClassifierHead, FrequencyHead, RegressionHead, first_argmax
from ..options import Options
from ..registry import Conversion, converts, converts_transformer, margin_rule
from .rules import MARGIN_RTOL, member_jump_rows, member_margin
from .members import Member, convert_member, side_by_side

__all__ = ["HardVoteHead"]


def _members(ensemble, methods: list[str], options: Options, *,
             positive_only: bool = False) -> tuple[list, list[Member]]:
    """Each member converted whole, answering its method; the layers that run them."""
    members, conversions = [], []
    names = [name for name, est in ensemble.estimators if est != "drop"]
    for name, estimator, method in zip(names, ensemble.estimators_, methods):
        conversion = convert_member(estimator, options,
                                    f"{type(ensemble).__name__} member {name!r}")
        members.append(Member(name, conversion, [method], n_in=ensemble.n_features_in_,
                              positive_only=positive_only))
        conversions.append(conversion)
    title = "members' " + ("answers" if len(set(methods)) > 1 else {
        "predict_proba": "probabilities", "predict": "predictions"}.get(methods[0], "answers"))
    return side_by_side(members, conversions, ensemble.n_features_in_, title=title), members


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
        body, _ = _members(voting, ["predict_proba"] * n, options)
        layers = [*body, _averaging(n_classes, weights, "soft vote")]
        head = FrequencyHead(n_classes, "it averages its members' probabilities",
                             log_proba=False)
        return Conversion(layers=layers, head=head)
    body, _ = _members(voting, ["predict"] * n, options)
    return Conversion(layers=body, head=HardVoteHead(weights, n_classes))


@converts(VotingRegressor)
def _voting_regressor(voting: VotingRegressor, options: Options) -> Conversion:
    """The members side by side, then the (weighted) average of their predictions.
    """
    n = len(voting.estimators_)
    body, _ = _members(voting, ["predict"] * n, options)
    return Conversion(layers=[*body, _averaging(1, _weights(voting, n), "average")],
                      head=RegressionHead(1, single=True))


#: what scikit-learn's stacking may call on a member
_STACK_METHODS = ("predict_proba", "decision_function", "predict")


def _meta_features(stacking, options: Options) -> Branches:
    """The stacked features, as scikit-learn's ``transform`` builds them: each member's
    ``stack_method_`` answer (a two-class ``predict_proba`` without its first column), then
    the input itself with ``passthrough=True``."""
    fitted = Fitted(stacking)
    methods = fitted.per_output("stack_method_", len(fitted.get("estimators_")),
                                 each="member")
    for k, method in enumerate(methods):
        fitted.choice(f"stack_method_[{k}]", _STACK_METHODS, value=method)
    _, members = _members(stacking, methods, options, positive_only=True)
    branches = [[m] for m in members]
    widths = [m.width() for m in members]
    if stacking.passthrough:
        branches.append([])  # the input itself, beside the members' answers
        widths.append(stacking.n_features_in_)
    return Branches(branches, widths, title="members' answers")


def _stack(stacking, options: Options) -> tuple[list, Conversion]:
    final = convert_member(stacking.final_estimator_, options,
                           f"{type(stacking).__name__} final_estimator_")
    return [_meta_features(stacking, options), *final.layers], final


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


@converts_transformer(StackingClassifier, StackingRegressor)
def _stacking_transform(stacking, options: Options) -> list:
    """As a transformer (a pipeline step, or :func:`nnconvert.registry.convert_transformer`):
    scikit-learn's ``transform``, the stacked features the final estimator reads: each
    member's ``stack_method_`` answer side by side (a two-class ``predict_proba`` without its
    first column), then the input itself with ``passthrough=True``.
    """
    return [_meta_features(stacking, options)]


@margin_rule.register(VotingClassifier)
def _hard_vote_margin(voting: VotingClassifier, X, reference: dict):
    """A hard vote's margin: the winner's total weight above the runner-up's (in weights).
    Soft voting takes the default rule, on its probabilities. Either is 0 where a member's
    answers may jump (:mod:`.rules`)."""
    if voting.voting != "hard":
        return member_margin(voting, X, reference)
    predictions = voting.transform(X)  # each member's predicted class index
    weights = _weights(voting, predictions.shape[1])
    votes = np.zeros((predictions.shape[0], len(voting.classes_)))
    for i in range(predictions.shape[1]):
        votes[np.arange(len(votes)), predictions[:, i]] += weights[i]
    rows = member_jump_rows(voting, X, MARGIN_RTOL)
    margin = decision_margin(votes)
    return margin if rows is None else np.where(rows, 0.0, margin)
