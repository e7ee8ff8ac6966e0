"""Output heads: how a network's last activations become scikit-learn's three answers.

A head receives the body's output ``z`` and answers ``decision(z)`` (scikit-learn's
``decision_function``, shape (n,) for two classes), ``proba(z)`` (``predict_proba``, where the
estimator has one) and ``predict_index(z)`` (the index into ``classes_`` that ``predict``
returns). Heads hold the rules that are easy to get wrong: strict ``> 0`` for binary
predictions (``≥ 0`` for libsvm's flipped sign), first-index argmax ties, ``[1 - p, p]``
rather than ``[σ(-s), σ(s)]``, and the all-zero guard of one-vs-rest normalisation.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from torch import nn

from .layers import LayerDescription

__all__ = [
    "Head",
    "LinearHead",
    "VoteHead",
    "pair_index",
    "ProbabilityHead",
    "ProbaRule",
    "PROBA_RULES",
    "first_argmax",
    "binary_pair",
    "normalise_rows",
]


def first_argmax(scores: torch.Tensor) -> torch.Tensor:
    """Row-wise argmax; among equal maxima the first index wins, as in numpy.

    torch documents the same tie rule for ``argmax``; this name makes the reliance explicit
    and is where to change it if a backend ever breaks the promise.
    """
    return scores.argmax(dim=1)


def binary_pair(p: torch.Tensor) -> torch.Tensor:
    """``[1 - p, p]`` as columns: scikit-learn's two-class probabilities from P(classes_[1])."""
    return torch.stack([1 - p, p], dim=1)


def normalise_rows(p: torch.Tensor) -> torch.Tensor:
    """Divide each row by its sum; all-zero rows become uniform (scikit-learn's guard)."""
    total = p.sum(dim=1, keepdim=True)
    zero = total == 0
    p = torch.where(zero, torch.ones_like(p), p)
    total = torch.where(zero, torch.full_like(total, p.shape[1]), total)
    return p / total


def _logistic(d: torch.Tensor) -> torch.Tensor:
    if d.ndim == 1:
        return binary_pair(torch.sigmoid(d))
    return torch.softmax(d, dim=1)


def _ovr_logistic(d: torch.Tensor) -> torch.Tensor:
    if d.ndim == 1:
        return binary_pair(torch.sigmoid(d))
    return normalise_rows(torch.sigmoid(d))


def _modified_huber(d: torch.Tensor) -> torch.Tensor:
    p = (d.clamp(-1, 1) + 1) / 2
    if d.ndim == 1:
        return binary_pair(p)
    return normalise_rows(p)


@dataclass(frozen=True)
class ProbaRule:
    """How scikit-learn turns decision scores into probabilities, for one family of models."""

    function: Callable[[torch.Tensor], torch.Tensor]
    activation: tuple[str, str]  # (binary, multiclass), as a diagram labels the output units
    formula: tuple[str, str]  # (binary, multiclass), with {x} for the scores


PROBA_RULES = {
    "logistic": ProbaRule(
        _logistic,
        ("σ", "softmax"),
        (
            "p(classes_[1] | x) = σ({x}) = 1 / (1 + e^(−{x}))",
            "p(y | x) = softmax({x})_y = e^({x}_y) / Σ_k e^({x}_k)",
        ),
    ),
    "ovr-logistic": ProbaRule(
        _ovr_logistic,
        ("σ", "σ, normalised"),
        ("p(classes_[1] | x) = σ({x})", "p(y | x) = σ({x}_y) / Σ_k σ({x}_k)"),
    ),
    "modified-huber": ProbaRule(
        _modified_huber,
        ("clip", "clip, normalised"),
        (
            "p(classes_[1] | x) = (clip({x}, −1, 1) + 1) / 2",
            "p(y | x) ∝ (clip({x}_y, −1, 1) + 1) / 2",
        ),
    ),
}


class Head(nn.Module):
    """Base class: turns the body's output into decision scores, probabilities and labels."""

    #: whether ``proba`` exists (scikit-learn's ``predict_proba`` does)
    has_proba: bool = False
    #: whether ``decision`` exists (scikit-learn's ``decision_function`` does)
    has_decision: bool = True

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """The network's raw output: decision scores, or probabilities where there are none."""
        return self.decision(z) if self.has_decision else self.proba(z)

    def decision(self, z: torch.Tensor) -> torch.Tensor:  # pragma: no cover - abstract
        raise NotImplementedError

    def proba(self, z: torch.Tensor) -> torch.Tensor:
        raise AttributeError("this network has no predict_proba")

    def predict_index(self, z: torch.Tensor) -> torch.Tensor:  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self) -> LayerDescription:  # pragma: no cover - abstract
        raise NotImplementedError


class LinearHead(Head):
    """The head of every linear classifier: identity scores, a sign or an argmax.

    Parameters
    ----------
    n_scores : int
        Width of the body's output: 1 for a binary problem, C otherwise.
    proba : str or None
        Key of :data:`PROBA_RULES`, or None where scikit-learn has no ``predict_proba``.
    """

    def __init__(self, n_scores: int, proba: str | None = None):
        super().__init__()
        if proba is not None and proba not in PROBA_RULES:
            raise ValueError(f"unknown probability rule {proba!r}; known: {sorted(PROBA_RULES)}")
        self.n_scores = n_scores
        self.proba_rule = proba
        self.has_proba = proba is not None

    @property
    def binary(self) -> bool:
        return self.n_scores == 1

    def decision(self, z: torch.Tensor) -> torch.Tensor:
        return z[:, 0] if self.binary else z

    def proba(self, z: torch.Tensor) -> torch.Tensor:
        if not self.has_proba:
            raise AttributeError("this network has no predict_proba")
        return PROBA_RULES[self.proba_rule].function(self.decision(z))

    def predict_index(self, z: torch.Tensor) -> torch.Tensor:
        if self.binary:
            return (z[:, 0] > 0).long()
        return first_argmax(z)

    def describe(self) -> LayerDescription:
        lines = ["decision_function(x) = {x}"]
        activation = "none"
        if self.has_proba:
            rule = PROBA_RULES[self.proba_rule]
            activation = rule.activation[0 if self.binary else 1]
            lines.append(rule.formula[0 if self.binary else 1])
        if self.binary:
            lines.append("predict(x) = classes_[1] if {x} > 0 else classes_[0]")
        else:
            lines.append("predict(x) = classes_[argmax_k {x}_k]   (first index wins a tie)")
        return LayerDescription(
            title="output",
            n_in=self.n_scores,
            n_out=self.n_scores,
            activation=activation,
            formula="\n".join(lines),
            connectivity="elementwise",
        )


def ovo_to_ovr(
    predictions: torch.Tensor, confidences: torch.Tensor, n_classes: int
) -> torch.Tensor:
    """scikit-learn's ``_ovr_decision_function``: one-vs-one votes plus a tie-breaking term.

    Pair k = (i, j) in the order (0, 1), (0, 2), ..., (1, 2), ...; ``predictions[:, k]`` is 0
    for a vote to class i and 1 for class j; ``confidences[:, k]`` is positive towards j.
    Returns ``votes + c / (3 (|c| + 1))`` with c the summed signed confidences per class,
    accumulated in scikit-learn's order so that the result agrees to the last bit.
    """
    # Class c meets its C - 1 pairs in scikit-learn's order k; adding the t-th of them to
    # every class at once keeps each class's order of additions (x - a is x + (-a) exactly)
    # with C - 1 whole-matrix steps instead of C(C - 1) column updates, which torch.export
    # and ONNX would otherwise unroll into thousands of scatter operations.
    index, sign, side = (
        torch.as_tensor(a, device=confidences.device) for a in _ovr_plan(n_classes)
    )
    signed = confidences[:, index] * sign.to(confidences.dtype)  # (n, C, C - 1)
    total = confidences.new_zeros((confidences.shape[0], n_classes))
    for t in range(n_classes - 1):
        total = total + signed[:, :, t]
    votes = (predictions.long()[:, index] == side).sum(dim=2).to(confidences.dtype)
    return votes + total / (3 * (total.abs() + 1))


@functools.cache
def _ovr_plan(n_classes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each class, its pairs in scikit-learn's order: pair index, sign of its
    confidence towards the class, and the pair prediction (0 or 1) that votes for it."""
    pairs = pair_index(n_classes)
    index = [[k for k, pair in enumerate(pairs) if c in pair] for c in range(n_classes)]
    first = [[pairs[k][0] == c for k in row] for c, row in enumerate(index)]
    sign = np.where(first, -1.0, 1.0)
    side = np.where(first, 0, 1)
    return np.array(index, dtype=np.int64).reshape(n_classes, -1), sign, side


class _BinaryMembers(Head):
    """Shared machinery of meta-estimator heads whose members are binary classifiers.

    The body's output is the concatenation of every member's body output; ``widths`` says
    how to split it. A member's score is its decision function, or its probability of the
    positive class where it has no decision function (scikit-learn's ``_predict_binary``).
    """

    def __init__(self, members: list[Head], widths: list[int]):
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

    def __init__(self, members: list[Head], widths: list[int]):
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
            formula="\n".join(lines),
            connectivity="elementwise" if sum(self.widths) == n else "dense",
        )


class OneVsOneHead(_BinaryMembers):
    """OneVsOneClassifier: one binary member per pair of classes, then a vote."""

    def __init__(self, members: list[Head], widths: list[int], n_classes: int):
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
            formula=(
                "decision_function(x)_c = votes_c + σ_c / (3(|σ_c| + 1)),"
                " σ_c = summed pair confidences\n"
                "predict(x) = classes_[argmax_c decision_function(x)_c]"
            ),
            connectivity="pairwise",
        )


class ProbabilityHead(Head):
    """The head of a model with ``predict_proba`` but no ``decision_function`` (an MLP).

    The body's output ``z`` are the output units' pre-activations (logits): one for a
    binary problem, C otherwise. ``predict`` reads either the probabilities (MLPClassifier:
    ``p(classes_[1]) > 0.5``, or the first argmax of the probabilities) or the raw output
    units (scikit-elm: ``z > threshold`` or the first argmax of ``z``).

    Parameters
    ----------
    n_scores : int
        Width of the body's output: 1 for a binary problem, C otherwise.
    proba : str
        Key of :data:`PROBA_RULES`.
    predict_from : {"proba", "scores"}, default "proba"
        What ``predict`` thresholds or takes the argmax of.
    threshold : float, default 0.5
        The binary threshold applied to what ``predict_from`` names.
    """

    has_proba = True
    has_decision = False

    def __init__(self, n_scores: int, proba: str, *, predict_from: str = "proba",
                 threshold: float = 0.5):
        super().__init__()
        if proba not in PROBA_RULES:
            raise ValueError(f"unknown probability rule {proba!r}; known: {sorted(PROBA_RULES)}")
        if predict_from not in ("proba", "scores"):
            raise ValueError(f"predict_from must be 'proba' or 'scores', got {predict_from!r}")
        self.n_scores = n_scores
        self.proba_rule = proba
        self.predict_from = predict_from
        self.threshold = float(threshold)

    @property
    def binary(self) -> bool:
        return self.n_scores == 1

    def decision(self, z: torch.Tensor) -> torch.Tensor:
        raise AttributeError("this network has no decision_function (nor has its estimator)")

    def proba(self, z: torch.Tensor) -> torch.Tensor:
        return PROBA_RULES[self.proba_rule].function(z[:, 0] if self.binary else z)

    def predict_index(self, z: torch.Tensor) -> torch.Tensor:
        if self.predict_from == "proba":
            p = self.proba(z)
            return (p[:, 1] > self.threshold).long() if self.binary else first_argmax(p)
        return (z[:, 0] > self.threshold).long() if self.binary else first_argmax(z)

    def describe(self) -> LayerDescription:
        rule = PROBA_RULES[self.proba_rule]
        which = 0 if self.binary else 1
        lines = [rule.formula[which]]
        read = "p(classes_[1] | x)" if self.predict_from == "proba" else "{x}"
        if self.binary:
            decide = f"classes_[1] if {read} > {self.threshold:g} else classes_[0]"
            lines.append(f"predict(x) = {decide}")
        else:
            read = "p(k | x)" if self.predict_from == "proba" else "{x}_k"
            lines.append(f"predict(x) = classes_[argmax_k {read}]   (first index wins a tie)")
        return LayerDescription(
            title="output",
            n_in=self.n_scores,
            n_out=self.n_scores,
            activation=rule.activation[which],
            formula="\n".join(lines),
            connectivity="elementwise",
        )


def pair_index(n_classes: int) -> list[tuple[int, int]]:
    """The one-vs-one pairs in libsvm's and scikit-learn's order: (0, 1), (0, 2), …, (1, 2), …"""
    return [(i, j) for i in range(n_classes) for j in range(i + 1, n_classes)]


class VoteHead(Head):
    """The output of libsvm's SVC and NuSVC: one-vs-one neurons, then a vote.

    The body's output ``z`` has one column per class pair. For more than two classes it is
    libsvm's decision value of pair (i, j), positive for class i, and ``predict`` counts one
    vote for i where ``z > 0`` and one for j otherwise; the class with most votes wins, the
    first on a tie. ``decision_function`` is ``z`` itself (``'ovo'``) or scikit-learn's
    ``_ovr_decision_function`` (``'ovr'``). For two classes ``z`` is scikit-learn's own
    (sign-flipped) decision function, positive for ``classes_[1]``.

    Parameters
    ----------
    n_classes : int
    shape : {"ovr", "ovo"}
        ``decision_function_shape``.
    break_ties : bool
        ``predict`` takes the argmax of the ``'ovr'`` scores instead of the votes.
    coupling : PairwiseCoupling or None
        Present when the estimator has ``predict_proba`` (``probability=True``).
    """

    def __init__(self, n_classes: int, *, shape: str = "ovr", break_ties: bool = False,
                 coupling: nn.Module | None = None):
        super().__init__()
        if shape not in ("ovr", "ovo"):
            raise ValueError(f"shape must be 'ovr' or 'ovo', got {shape!r}")
        self.n_classes = int(n_classes)
        self.shape = shape
        self.break_ties = bool(break_ties)
        self.coupling = coupling
        self.has_proba = coupling is not None
        pairs = pair_index(self.n_classes)
        # (n_pairs, n_classes) indicators of each pair's first and second class: votes are
        # one matrix product, exact for counts this small
        first = torch.zeros((len(pairs), self.n_classes), dtype=torch.float64)
        second = torch.zeros_like(first)
        for p, (i, j) in enumerate(pairs):
            first[p, i] = 1.0
            second[p, j] = 1.0
        self.register_buffer("first", first)
        self.register_buffer("second", second)

    @property
    def binary(self) -> bool:
        return self.n_classes == 2

    def libsvm_decision(self, z: torch.Tensor) -> torch.Tensor:
        """libsvm's pair decision values, positive towards each pair's first class."""
        return -z if self.binary else z

    def votes(self, z: torch.Tensor) -> torch.Tensor:
        """(n, n_classes) vote counts: pair (i, j) votes i where its value is > 0, else j."""
        towards_first = (self.libsvm_decision(z) > 0).to(self.first.dtype)
        return towards_first @ self.first + (1 - towards_first) @ self.second

    def decision(self, z: torch.Tensor) -> torch.Tensor:
        if self.binary:
            return z[:, 0]
        if self.shape == "ovo":
            return z
        return ovo_to_ovr(z < 0, -z, self.n_classes)

    def proba(self, z: torch.Tensor) -> torch.Tensor:
        if self.coupling is None:
            raise AttributeError("predict_proba is not available when probability=False")
        return self.coupling(self.libsvm_decision(z))

    def predict_index(self, z: torch.Tensor) -> torch.Tensor:
        if self.binary:
            # libsvm votes for classes_[0] only where its own value −z is > 0
            return (z[:, 0] >= 0).long()
        if self.break_ties and self.shape == "ovr":
            return first_argmax(self.decision(z))
        return first_argmax(self.votes(z))

    def describe(self) -> LayerDescription:
        k = self.n_classes
        if self.binary:
            lines = [
                "decision_function(x) = {x}   (positive towards classes_[1])",
                "predict(x) = classes_[1] if {x} ≥ 0 else classes_[0]",
            ]
        else:
            lines = [
                "votes_c(x) = number of pairs (c, j) with {x}_cj > 0"
                " plus of pairs (i, c) with {x}_ic ≤ 0"
            ]
            if self.shape == "ovo":
                lines.append("decision_function(x) = {x}   (one column per class pair)")
            else:
                lines.append(
                    "decision_function(x)_c = votes_c + σ_c / (3(|σ_c| + 1)),  "
                    "σ_c = Σ_(c,j) {x}_cj − Σ_(i,c) {x}_ic"
                )
            if self.break_ties and self.shape == "ovr":
                lines.append("predict(x) = classes_[argmax_c decision_function(x)_c]")
            else:
                lines.append(
                    "predict(x) = classes_[argmax_c votes_c(x)]   (first index wins a tie)"
                )
        if self.coupling is not None:
            coupling = self.coupling.describe().formula
            if self.binary:  # libsvm's own value for the pair (classes_[0], classes_[1])
                coupling = coupling.replace("{x}_ij", "(−{x})")
            lines += coupling.format(x="{x}", y="predict_proba(x)").splitlines()
        return LayerDescription(
            title="one-vs-one vote" if not self.binary else "output",
            n_in=k * (k - 1) // 2,
            n_out=k if not self.binary else 1,
            activation="vote" if not self.binary else "none",
            formula="\n".join(lines),
            connectivity="pairwise" if not self.binary else "elementwise",
        )
