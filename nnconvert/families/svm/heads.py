"""libsvm's output: one-vs-one neurons, then a vote (and, with probability=True, coupling)."""

from __future__ import annotations

import torch
from torch import nn

from ...layers import LayerDescription
from ...network.heads import ClassifierHead, first_argmax
from ...network.votes import ovo_to_ovr, pair_index

__all__ = ["VoteHead"]


class VoteHead(ClassifierHead):
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

    untrainable_because = (
        "decides by counting one-vs-one votes, which have no gradient; fine-tune a model "
        "with one score per class (linear, ELM, MLP) instead.")

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
            activation_kind="vote" if not self.binary else "identity",
            formula="\n".join(lines),
            connectivity="pairwise" if not self.binary else "elementwise",
        )
