"""BaggingClassifier and BaggingRegressor: members on feature subsets, averaged.

Every member is converted whole (:mod:`.members`) and reads its own columns
(``estimators_features_``); the head averages their answers as scikit-learn does:
``predict_proba`` is the mean of the members' ``predict_proba`` (their one-hot votes where
they have none), each in the columns of the classes it saw (a bootstrap sample may miss
some; members were fitted on the encoded labels 0 … C−1), ``predict`` its first argmax,
``decision_function`` the mean of the members' where they have one, and a regressor's
``predict`` the mean of the members' predictions (each with its own link). The members' row
subsets (``max_samples``, ``bootstrap``) matter to fitting only.

Bagged trees take the trees family's fast path (:func:`~nnconvert.registry.
members_fast_path`: every tree in one traversal layer); :func:`bagging_of_members` is the
general path it is held to.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.ensemble import BaggingClassifier, BaggingRegressor
from torch import nn

from ..fitted import Fitted
from ..layers import LayerDescription
from ..network.heads import ClassifierHead, RegressionHead, first_argmax
from ..options import Options
from ..registry import Conversion, converts, members_fast_path
from .members import Columns, Member, convert_member, side_by_side

__all__ = ["BaggedClassifierHead", "BaggedRegressorHead", "bagging_of_members"]

_NOT_ONE_MODEL = "the average of separately fitted members is not one model"


class BaggedClassifierHead(ClassifierHead):
    """BaggingClassifier: the mean of the members' ``predict_proba`` (their one-hot votes
    where they have none), each in the columns of the classes it saw; ``predict`` is the
    first argmax; ``decision_function`` the mean of the members' where they have one.

    Parameters
    ----------
    columns : Columns
        Where each member's answers lie.
    member_classes : list of array-like
        Per member, the indices (into the bagging model's ``classes_``) of its classes.
    n_classes : int
    has_decision, votes : bool
        Whether every member has a decision function; whether some member has no
        ``predict_proba`` (then every member votes with its ``predict``).
    """

    has_proba = True
    untrainable_because = _NOT_ONE_MODEL

    def __init__(self, columns: Columns, member_classes, n_classes: int, *,
                 has_decision: bool, votes: bool):
        super().__init__()
        self.columns = columns
        self.has_decision, self.votes = bool(has_decision), bool(votes)
        self.n_classes = int(n_classes)
        self.members_saw_every_class = all(len(c) == n_classes for c in member_classes)
        for j, classes in enumerate(member_classes):
            self.register_buffer(f"classes_{j}", torch.as_tensor(np.asarray(classes, np.int64)))

    def _classes(self) -> list[torch.Tensor]:
        return [getattr(self, f"classes_{j}") for j in range(len(self.columns))]

    def decision(self, z: torch.Tensor) -> torch.Tensor:
        if not self.has_decision:
            raise AttributeError("this network has no decision_function (nor has its estimator)")
        if not self.members_saw_every_class:
            # scikit-learn sums the members' scores as they are: of different widths, they
            # fail to broadcast (or, of equal widths, mean different classes)
            raise ValueError("some members of this bagging model saw only some of the classes, "
                             "so their decision functions cannot be averaged (scikit-learn's "
                             "fails too); use predict_proba, or refit with larger max_samples")
        return sum(self.columns.each(z, "decision_function")) / len(self.columns)

    def proba(self, z: torch.Tensor) -> torch.Tensor:
        total = z.new_zeros(z.shape[0], self.n_classes)
        if self.votes:
            for index, classes in zip(self.columns.each(z, "predict"), self._classes()):
                total = total.index_add(1, classes, nn.functional.one_hot(
                    index.long(), len(classes)).to(z.dtype))
        else:
            for p, classes in zip(self.columns.each(z, "predict_proba"), self._classes()):
                total = total.index_add(1, classes, p)
        return total / len(self.columns)

    def predict_index(self, z: torch.Tensor) -> torch.Tensor:
        return first_argmax(self.proba(z))

    def describe(self) -> LayerDescription:
        each = "one-hot vote" if self.votes else "p_j(y | x)"
        lines = [f"p(y | x) = mean over the {len(self.columns)} members of {each}",
                 "predict(x) = classes_[argmax_k p(k | x)]   (first index wins a tie)"]
        if self.has_decision:
            lines.insert(0, "decision_function(x) = mean of the members' decision functions")
        return LayerDescription(title="bagging output", n_in=self.columns.width,
                                n_out=self.n_classes, activation="mean",
                                formula="\n".join(lines), connectivity="dense")


class BaggedRegressorHead(RegressionHead):
    """BaggingRegressor: ``predict`` is the mean of the members' predictions."""

    untrainable_because = _NOT_ONE_MODEL

    def __init__(self, columns: Columns, n_outputs: int, single: bool):
        super().__init__(n_outputs, single=single)
        self.columns = columns

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return sum(self.columns.each(z, "predict")) / len(self.columns)

    def describe(self) -> LayerDescription:
        return LayerDescription(title="bagging output", n_in=self.columns.width,
                                n_out=self.n_outputs, activation="mean",
                                formula=f"predict(x) = mean of the {len(self.columns)} "
                                        "members' predictions", connectivity="dense")


def _features(estimator) -> list[np.ndarray]:
    """Each member's input columns (``estimators_features_``), indices into the input."""
    fitted = Fitted(estimator)
    n_features = fitted.n_features
    subsets = fitted.get("estimators_features_")
    fitted.same("estimators_features_", len(subsets), len(fitted.get("estimators_")),
                "a length of")
    return [fitted.indices(f"estimators_features_[{j}]", n_features, value=subset,
                           item="position", what=f"the model has {n_features} features")
            for j, subset in enumerate(subsets)]


def _members(estimator, options: Options, methods) -> tuple[list, list, Columns]:
    name = type(estimator).__name__
    features = _features(estimator)
    conversions = [convert_member(m, options, f"{name} member {j}")
                   for j, m in enumerate(estimator.estimators_)]
    if callable(methods):
        methods = methods(conversions)
    members = [Member(f"member {j}", c, methods, n_in=len(columns))
               for j, (c, columns) in enumerate(zip(conversions, features))]
    layers = side_by_side(members, conversions, estimator.n_features_in_,
                          title="bagged members", features=features,
                          by_name=hasattr(estimator, "feature_names_in_"))
    return layers, conversions, Columns.of(members)


def _classifier_answers(conversions) -> list[str]:
    heads = [c.head for c in conversions]
    votes = not all(h.has_proba for h in heads)
    return (["decision_function"] if all(h.has_decision for h in heads) else []) + [
        "predict" if votes else "predict_proba"]


def bagging_of_members(estimator, options: Options) -> Conversion:
    """The general path: every member converted whole, on its columns, then averaged."""
    if isinstance(estimator, BaggingClassifier):
        layers, conversions, columns = _members(estimator, options, _classifier_answers)
        heads = [c.head for c in conversions]
        # members were fitted on the encoded labels 0 … C−1: their classes_ are indices
        member_classes = [np.asarray(m.classes_, dtype=np.int64) for m in estimator.estimators_]
        head = BaggedClassifierHead(columns, member_classes, len(estimator.classes_),
                                    has_decision=all(h.has_decision for h in heads),
                                    votes=not all(h.has_proba for h in heads))
        return Conversion(layers=layers, head=head)
    layers, conversions, columns = _members(estimator, options, ["predict"])
    first = conversions[0].head
    return Conversion(layers=layers, head=BaggedRegressorHead(
        columns, columns.width // len(columns), single=first.single))


@converts(BaggingClassifier, BaggingRegressor)
def _bagging(estimator, options: Options) -> Conversion:
    """The members side by side, each on its feature subset, then their averaged probabilities (or
    votes), or their mean; trees merge into one tree layer.

    Any supported member; feature subsets and ``max_samples``.
    """
    fast = members_fast_path(estimator, options)
    return fast if fast is not None else bagging_of_members(estimator, options)
