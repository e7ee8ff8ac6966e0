"""One-vs-rest and one-vs-one meta-estimators: members side by side, then their aggregation.

Each member is converted on its own; when every member is a single linear layer the members
merge into one linear layer, else they run as parallel branches. The heads below aggregate the
members' binary answers exactly as scikit-learn's ``OneVsRestClassifier`` and
``OneVsOneClassifier`` do.
"""

from __future__ import annotations

import torch
from sklearn.multiclass import OneVsOneClassifier, OneVsRestClassifier
from torch import nn

from ..errors import UnsupportedEstimatorError, multilabel_refused
from ..layers import Branches, LayerDescription, LinearUnits
from ..network.heads import ClassifierHead, binary_pair, first_argmax
from ..network.votes import ovo_to_ovr
from ..options import Options
from ..registry import Conversion, convert_estimator, converts


class _BinaryMembers(ClassifierHead):
    """Shared machinery of meta-estimator heads whose members are binary classifiers.

    The body's output is the concatenation of every member's body output; ``widths`` says
    how to split it. A member's score is its decision function, or its probability of the
    positive class where it has no decision function (scikit-learn's ``_predict_binary``).
    """

    def __init__(self, members: list[ClassifierHead], widths: list[int]):
        super().__init__()
        self.members = nn.ModuleList(members)
        self.widths = list(widths)
        self.scores_are_proba = not all(m.has_decision for m in members)
        # scikit-learn thresholds a member's score at 0, or at 0.5 when it is a probability
        self.threshold = 0.5 if self.scores_are_proba else 0.0

    def _parts(self, z: torch.Tensor) -> tuple[torch.Tensor, ...]:
        return torch.split(z, self.widths, dim=1)

    def member_scores(self, z: torch.Tensor) -> torch.Tensor:
        """(n, n_members): each member's binary score, as ``_predict_binary`` gives it."""
        scores = []
        for member, part in zip(self.members, self._parts(z)):
            if self.scores_are_proba:
                scores.append(member.proba(part)[:, 1])
            else:
                scores.append(member.decision(part))
        return torch.stack(scores, dim=1)


class OneVsRestHead(_BinaryMembers):
    """OneVsRestClassifier: one binary member per class, the highest score wins."""

    def __init__(self, members: list[ClassifierHead], widths: list[int]):
        super().__init__(members, widths)
        self.has_decision = all(m.has_decision for m in members)
        self.has_proba = all(m.has_proba for m in members)

    def decision(self, z: torch.Tensor) -> torch.Tensor:
        scores = torch.stack([m.decision(p) for m, p in zip(self.members, self._parts(z))], 1)
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def proba(self, z: torch.Tensor) -> torch.Tensor:
        if not self.has_proba:
            raise AttributeError("this network has no predict_proba")
        p = torch.stack([m.proba(part)[:, 1] for m, part in zip(self.members, self._parts(z))], 1)
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
        n = len(self.members)
        lines = ["decision_function(x) = {x}   (one score per class, each from a binary model)"]
        if self.has_proba:
            lines.append("p(y | x) = p_y(x) / Σ_k p_k(x)   (each member's positive probability)")
        lines.append("predict(x) = classes_[argmax_k {x}_k]")
        return LayerDescription(
            title="one-vs-rest output",
            n_in=sum(self.widths),
            n_out=n,
            activation="argmax",
            activation_kind="argmax",
            formula="\n".join(lines),
            connectivity="elementwise" if sum(self.widths) == n else "dense",
        )


class OneVsOneHead(_BinaryMembers):
    """OneVsOneClassifier: one binary member per pair of classes, then a vote."""

    def __init__(self, members: list[ClassifierHead], widths: list[int], n_classes: int):
        super().__init__(members, widths)
        self.n_classes = n_classes

    def decision(self, z: torch.Tensor) -> torch.Tensor:
        predictions = torch.stack(
            [m.predict_index(p) for m, p in zip(self.members, self._parts(z))], dim=1
        )
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
            n_in=sum(self.widths),
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


def _members(estimators, options: Options) -> tuple[list, list, list[int]]:
    """Convert every member; return their layer lists, heads and output widths."""
    conversions = [convert_estimator(e, options) for e in estimators]
    widths = [c.layers[-1].describe().n_out for c in conversions]
    return [c.layers for c in conversions], [c.head for c in conversions], widths


def _side_by_side(member_layers: list, widths: list[int], title: str) -> list:
    """One merged linear layer when every member is one linear layer, else parallel branches."""
    if all(len(ls) == 1 and isinstance(ls[0], LinearUnits) for ls in member_layers):
        units = [ls[0] for ls in member_layers]
        weight = torch.cat([u.weight.detach() for u in units], dim=0)
        bias = torch.cat([
            u.bias.detach() if u.bias is not None else torch.zeros_like(u.weight[:, 0])
            for u in units
        ])
        return [LinearUnits(weight, bias, title=f"{units[0].title}, {title}",
                            bias_note=units[0].bias_note, bias_form=units[0].bias_form)]
    return [Branches(member_layers, widths, title=title)]


@converts(OneVsRestClassifier)
def _one_vs_rest(model: OneVsRestClassifier, options: Options) -> Conversion:
    """One member per class side by side; their scores, normalised where probabilities are asked.
    """
    if model.multilabel_:
        raise multilabel_refused("OneVsRestClassifier")
    layers, heads, widths = _members(model.estimators_, options)
    return Conversion(
        layers=_side_by_side(layers, widths, "one per class"),
        head=OneVsRestHead(heads, widths),
    )


@converts(OneVsOneClassifier)
def _one_vs_one(model: OneVsOneClassifier, options: Options) -> Conversion:
    """One member per class pair side by side, then scikit-learn's one-vs-one vote.
    """
    if model.pairwise_indices_ is not None:
        raise UnsupportedEstimatorError(
            "OneVsOneClassifier around a precomputed-kernel estimator is not supported."
        )
    layers, heads, widths = _members(model.estimators_, options)
    return Conversion(
        layers=_side_by_side(layers, widths, "one per class pair"),
        head=OneVsOneHead(heads, widths, n_classes=len(model.classes_)),
    )
