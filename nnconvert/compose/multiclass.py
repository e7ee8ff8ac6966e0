"""One-vs-rest and one-vs-one meta-estimators: members side by side, then their aggregation.

Each member is converted whole (:mod:`.members`) and answers its decision function (or its
positive probability) and, for one-vs-one, its predicted class; the heads below read those
columns and aggregate them exactly as scikit-learn's ``OneVsRestClassifier`` and
``OneVsOneClassifier`` do. Members of one linear layer each run merged into one linear layer
(the linear family's registered fast path).
"""

from __future__ import annotations

import torch
from sklearn.multiclass import OneVsOneClassifier, OneVsRestClassifier

from ..errors import UnsupportedEstimatorError, multilabel_refused
from ..fitted import Fitted
from ..layers import LayerDescription
from ..network.heads import ClassifierHead, binary_pair, first_argmax
from ..network.votes import ovo_to_ovr
from ..options import Options
from ..registry import Conversion, converts
from .members import Columns, Member, convert_member, side_by_side


class _BinaryMembers(ClassifierHead):
    """Shared machinery of meta-estimator heads whose members are binary classifiers.

    The head's input holds every member's answers (:class:`~.members.Columns`): its
    decision function where every member has one, its probability of the positive class
    where every member has one. A member's score is its decision function, or that
    probability where some member has no decision function (scikit-learn's
    ``_predict_binary``).
    """

    def __init__(self, columns: Columns, has_decision: bool, has_proba: bool):
        super().__init__()
        self.columns = columns
        self.has_decision, self.has_proba = bool(has_decision), bool(has_proba)
        self.scores_are_proba = not self.has_decision
        # scikit-learn thresholds a member's score at 0, or at 0.5 when it is a probability
        self.threshold = 0.5 if self.scores_are_proba else 0.0

    def member_scores(self, z: torch.Tensor) -> torch.Tensor:
        """(n, n_members): each member's binary score, as ``_predict_binary`` gives it."""
        method = "predict_proba" if self.scores_are_proba else "decision_function"
        return torch.stack(self.columns.each(z, method), dim=1)


class OneVsRestHead(_BinaryMembers):
    """OneVsRestClassifier: one binary member per class, the highest score wins."""

    def decision(self, z: torch.Tensor) -> torch.Tensor:
        if not self.has_decision:
            raise AttributeError("this network has no decision_function")
        scores = torch.stack(self.columns.each(z, "decision_function"), 1)
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def proba(self, z: torch.Tensor) -> torch.Tensor:
        if not self.has_proba:
            raise AttributeError("this network has no predict_proba")
        p = torch.stack(self.columns.each(z, "predict_proba"), 1)
        if p.shape[1] == 1:
            return binary_pair(p[:, 0])
        total = p.sum(dim=1, keepdim=True)
        # rows summing to zero are left as they are (np.divide with where=row_sums != 0)
        return torch.where(total != 0, p / torch.where(total != 0, total, 1), p)

    def predict_index(self, z: torch.Tensor) -> torch.Tensor:
        scores = self.member_scores(z)
        if scores.shape[1] == 1:
            return (scores[:, 0] > self.threshold).long()
        return first_argmax(scores)

    def describe(self) -> LayerDescription:
        n = len(self.columns)
        lines = ["decision_function(x) = {x}   (one score per class, each from a binary model)"]
        if self.has_proba:
            lines.append("p(y | x) = p_y(x) / Σ_k p_k(x)   (each member's positive probability)")
        lines.append("predict(x) = classes_[argmax_k {x}_k]")
        return LayerDescription(
            title="one-vs-rest output",
            n_in=self.columns.width,
            n_out=n,
            activation="argmax",
            activation_kind="argmax",
            formula="\n".join(lines),
            connectivity="elementwise" if self.columns.width == n else "dense",
        )


class OneVsOneHead(_BinaryMembers):
    """OneVsOneClassifier: one binary member per pair of classes, then a vote."""

    has_proba = False

    def __init__(self, columns: Columns, has_decision: bool, n_classes: int):
        super().__init__(columns, has_decision, has_proba=False)
        self.has_decision = True  # its own decision function: votes and confidences
        self.n_classes = n_classes

    def decision(self, z: torch.Tensor) -> torch.Tensor:
        predictions = torch.stack(self.columns.each(z, "predict"), dim=1).long()
        scores = ovo_to_ovr(predictions, self.member_scores(z), self.n_classes)
        return scores[:, 1] if self.n_classes == 2 else scores

    def predict_index(self, z: torch.Tensor) -> torch.Tensor:
        scores = self.decision(z)
        if scores.ndim == 1:
            return (scores > self.threshold).long()
        return first_argmax(scores)

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title="one-vs-one vote",
            n_in=self.columns.width,
            n_out=self.n_classes,
            activation="vote",
            activation_kind="vote",
            formula=(
                "decision_function(x)_c = votes_c + σ_c / (3(|σ_c| + 1)),"
                " σ_c = summed pair confidences\n"
                "predict(x) = classes_[argmax_c decision_function(x)_c]"
            ),
            connectivity="pairwise",
        )


def _members(model, options: Options, *, ovo: bool, convert=convert_member,
             n_in: int | None = None) -> tuple[list, Columns, bool, bool]:
    """Every member converted whole, answering what the head reads (see _BinaryMembers).

    ``convert(estimator, options, name)`` converts one member: :func:`convert_member`, or a
    family's converter of members that are not estimators of their own (a Gaussian-process
    classifier's private binary models); ``n_in``, the input's width, where the model does
    not say it (``n_features_in_``)."""
    name = type(model).__name__
    fitted = Fitted(model)
    n_in = fitted.n_features if n_in is None else n_in
    estimators = fitted.get("estimators_")
    # the head reads member k as class k (one-vs-rest; a single member for two classes) or
    # as the k-th class pair (one-vs-one): a count that contradicts the classes misreads all
    n_classes = len(fitted.classes())
    expected = n_classes * (n_classes - 1) // 2 if ovo else (1 if n_classes == 2 else n_classes)
    fitted.same("estimators_", len(estimators), expected,
                "a member count")
    conversions = [convert(e, options, f"{name} member {k}")
                   for k, e in enumerate(estimators)]
    has_decision = all(c.head.has_decision for c in conversions)
    has_proba = all(c.head.has_proba for c in conversions)
    methods = ["predict"] if ovo else []
    if has_decision:
        methods.append("decision_function")
    if has_proba and (not ovo or not has_decision):
        methods.append("predict_proba")
    members = [Member(f"member {k}", c, methods, n_in=n_in, positive_only=True)
               for k, c in enumerate(conversions)]
    title = "one per class pair" if ovo else "one per class"
    layers = side_by_side(members, conversions, n_in, title=title, merge=True)
    return layers, Columns.of(members), has_decision, has_proba


@converts(OneVsRestClassifier)
def _one_vs_rest(model: OneVsRestClassifier, options: Options,
                 convert=convert_member, n_in: int | None = None) -> Conversion:
    """One member per class side by side; their scores, normalised where probabilities are asked.
    """
    if model.multilabel_:
        raise multilabel_refused("OneVsRestClassifier")
    layers, columns, has_decision, has_proba = _members(model, options, ovo=False,
                                                        convert=convert, n_in=n_in)
    return Conversion(layers=layers, head=OneVsRestHead(columns, has_decision, has_proba))


@converts(OneVsOneClassifier)
def _one_vs_one(model: OneVsOneClassifier, options: Options,
                convert=convert_member, n_in: int | None = None) -> Conversion:
    """One member per class pair side by side, then scikit-learn's one-vs-one vote.
    """
    if Fitted(model).get("pairwise_indices_") is not None:
        raise UnsupportedEstimatorError(
            "OneVsOneClassifier around a precomputed-kernel estimator is not supported."
        )
    layers, columns, has_decision, _ = _members(model, options, ovo=True, convert=convert,
                                                n_in=n_in)
    return Conversion(layers=layers, head=OneVsOneHead(columns, has_decision,
                                                       n_classes=len(model.classes_)))


def convert_one_vs_rest_or_one(model, options: Options, *, convert, n_in: int) -> Conversion:
    """A one-vs-rest or one-vs-one model on ``n_in`` features whose members
    ``convert(estimator, options, name)`` converts (a family's own members, which
    :func:`nnconvert.convert` does not take alone)."""
    if isinstance(model, OneVsOneClassifier):
        return _one_vs_one(model, options, convert=convert, n_in=n_in)
    return _one_vs_rest(model, options, convert=convert, n_in=n_in)
