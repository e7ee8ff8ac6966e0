"""BaggingClassifier and BaggingRegressor: members on feature subsets, averaged.

Members that are all trees become one traversal layer, a forest whose trees read feature
subsets; members of any other supported kind are converted one by one and run side by side,
each on its columns, and the head averages their answers.

Every member tree was fitted on ``X[:, estimators_features_[j]]`` and on the encoded labels
(0 … C−1), of which a bootstrap sample may have missed some: its feature indices are mapped
back to the full input and its class columns to the bagging model's. Then, as scikit-learn
does, ``predict_proba`` is the mean of the members' ``predict_proba``, ``predict`` its first
argmax, and a regressor's ``predict`` the mean of the members' predictions. The members' row
subsets (``max_samples``, ``bootstrap``) matter to fitting only.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.ensemble import BaggingClassifier, BaggingRegressor
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from torch import nn

from ...fitted import Fitted, corrupt
from ...layers import ColumnBranches, LayerDescription
from ...network.heads import ClassifierHead, FrequencyHead, RegressionHead, first_argmax
from ...options import Options
from ...registry import Conversion, converts
from .forms import tree_layer
from .members import member_answers, side_by_side
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


def _all_trees(estimator) -> bool:
    return all(isinstance(m, _TREES) for m in estimator.estimators_)


def _trees_layer(estimator, trees: list, options: Options):
    return tree_layer(trees, estimator.n_features_in_, options, scale=1.0 / len(trees))


_NOT_ONE_MODEL = "the average of separately fitted members is not one model"


class BaggedClassifierHead(ClassifierHead):
    """BaggingClassifier: the mean of the members' ``predict_proba`` (their one-hot votes
    where they have none), each in the columns of the classes it saw; ``predict`` is the
    first argmax; ``decision_function`` the mean of the members' where they have one.

    Parameters
    ----------
    heads, widths
        The members' heads and body output widths.
    member_classes : list of array-like
        Per member, the indices (into the bagging model's ``classes_``) of its classes.
    n_classes : int
    """

    has_proba = True
    untrainable_because = _NOT_ONE_MODEL

    def __init__(self, heads, widths, member_classes, n_classes: int):
        super().__init__()
        self.members = nn.ModuleList(heads)
        self.widths = list(widths)
        self.has_decision = all(h.has_decision for h in heads)
        self.votes = not all(h.has_proba for h in heads)
        self.n_classes = int(n_classes)
        self.members_saw_every_class = all(len(c) == n_classes for c in member_classes)
        for j, classes in enumerate(member_classes):
            self.register_buffer(f"classes_{j}", torch.as_tensor(np.asarray(classes, np.int64)))

    def _columns(self) -> list[torch.Tensor]:
        return [getattr(self, f"classes_{j}") for j in range(len(self.members))]

    def decision(self, z: torch.Tensor) -> torch.Tensor:
        if not self.has_decision:
            raise AttributeError("this network has no decision_function (nor has its estimator)")
        if not self.members_saw_every_class:
            # scikit-learn sums the members' scores as they are: of different widths, they
            # fail to broadcast (or, of equal widths, mean different classes)
            raise ValueError("some members of this bagging model saw only some of the classes, "
                             "so their decision functions cannot be averaged (scikit-learn's "
                             "fails too); use predict_proba, or refit with larger max_samples")
        return sum(member_answers(self, z, "decision_function")) / len(self.members)

    def proba(self, z: torch.Tensor) -> torch.Tensor:
        total = z.new_zeros(z.shape[0], self.n_classes)
        if self.votes:
            for index, columns in zip(member_answers(self, z, "predict"), self._columns()):
                total = total.index_add(1, columns, nn.functional.one_hot(
                    index, len(columns)).to(z.dtype))
        else:
            for p, columns in zip(member_answers(self, z, "predict_proba"), self._columns()):
                total = total.index_add(1, columns, p)
        return total / len(self.members)

    def predict_index(self, z: torch.Tensor) -> torch.Tensor:
        return first_argmax(self.proba(z))

    def describe(self) -> LayerDescription:
        each = "one-hot vote" if self.votes else "p_j(y | x)"
        lines = [f"p(y | x) = mean over the {len(self.members)} members of {each}",
                 "predict(x) = classes_[argmax_k p(k | x)]   (first index wins a tie)"]
        if self.has_decision:
            lines.insert(0, "decision_function(x) = mean of the members' decision functions")
        return LayerDescription(title="bagging output", n_in=sum(self.widths),
                                n_out=self.n_classes, activation="mean",
                                formula="\n".join(lines), connectivity="dense")


class BaggedRegressorHead(RegressionHead):
    """BaggingRegressor: ``predict`` is the mean of the members' predictions."""

    untrainable_because = _NOT_ONE_MODEL

    def __init__(self, heads, widths):
        super().__init__(heads[0].n_outputs, single=heads[0].single)
        self.members = nn.ModuleList(heads)
        self.widths = list(widths)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return sum(member_answers(self, z, "predict")) / len(self.members)

    def describe(self) -> LayerDescription:
        return LayerDescription(title="bagging output", n_in=sum(self.widths),
                                n_out=self.n_outputs, activation="mean",
                                formula=f"predict(x) = mean of the {len(self.members)} "
                                        "members' predictions", connectivity="dense")


def _members_on_their_features(estimator, options) -> tuple[ColumnBranches, list, list]:
    return side_by_side(estimator.estimators_, estimator.n_features_in_, options,
                        features=estimator.estimators_features_, title="bagged members",
                        by_name=hasattr(estimator, "feature_names_in_"))


@converts(BaggingClassifier)
def _bagging_classifier(estimator, options):
    """The members side by side, each on its feature subset, then their averaged probabilities (or
    votes); trees merge into one tree layer.

    Any supported member; feature subsets and ``max_samples``.
    """
    n_classes = len(estimator.classes_)
    if not _all_trees(estimator):
        layer, heads, widths = _members_on_their_features(estimator, options)
        # members were fitted on the encoded labels 0 … C−1: their classes_ are indices
        member_classes = [np.asarray(m.classes_, dtype=np.int64) for m in estimator.estimators_]
        return Conversion(layers=[layer],
                          head=BaggedClassifierHead(heads, widths, member_classes, n_classes))
    trees, n = [], estimator.n_features_in_
    for i, (member, features) in enumerate(zip(estimator.estimators_,
                                               estimator.estimators_features_)):
        refuse_multioutput_classifier(member)
        name = f"{type(estimator).__name__}.estimators_[{i}]"
        arrays = _on_all_classes(tree_arrays(member, True, name), member.classes_, n_classes)
        trees.append(_on_all_features(arrays, features, n, name))
    return Conversion(layers=[_trees_layer(estimator, trees, options)], head=FrequencyHead(
        n_classes, "a tree's step units have no gradient"))


@converts(BaggingRegressor)
def _bagging_regressor(estimator, options):
    """The members side by side, each on its feature subset, then their mean.
    """
    if not _all_trees(estimator):
        layer, heads, widths = _members_on_their_features(estimator, options)
        return Conversion(layers=[layer], head=BaggedRegressorHead(heads, widths))
    name, n = f"{type(estimator).__name__}.estimators_", estimator.n_features_in_
    trees = [_on_all_features(tree_arrays(member, False, f"{name}[{i}]"), features, n,
                              f"{name}[{i}]")
             for i, (member, features) in enumerate(zip(estimator.estimators_,
                                                        estimator.estimators_features_))]
    k = estimator.estimators_[0].n_outputs_
    return Conversion(layers=[_trees_layer(estimator, trees, options)],
                      head=RegressionHead(k, single=k == 1))
