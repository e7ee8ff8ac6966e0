"""Output heads: how a network's last activations become scikit-learn's answers.

A regressor's head returns its prediction, a transformer's its output. A classifier's head
receives the body's output ``z`` and answers ``decision(z)`` (scikit-learn's
``decision_function``, shape (n,) for two classes), ``proba(z)`` (``predict_proba``, where the
estimator has one) and ``predict_index(z)`` (the index into ``classes_`` that ``predict``
returns). Heads hold the rules that are easy to get wrong: strict ``> 0`` for binary
predictions (``≥ 0`` for libsvm's flipped sign), first-index argmax ties, ``[1 - p, p]``
rather than ``[σ(-s), σ(s)]``, and the all-zero guard of one-vs-rest normalisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn

from ..layers import LayerDescription

__all__ = [
    "Head",
    "ClassifierHead",
    "RegressionHead",
    "TransformHead",
    "LinearHead",
    "ProbabilityHead",
    "FrequencyHead",
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


def _half_logit(d: torch.Tensor) -> torch.Tensor:
    if d.ndim != 1:
        raise ValueError("the exponential loss's probabilities exist for two classes only")
    return binary_pair(torch.sigmoid(2 * d))


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
    kind: tuple[str, str]  # (binary, multiclass), keys of layers.describe.ACTIVATION_KINDS
    formula: tuple[str, str]  # (binary, multiclass), with {x} for the scores


PROBA_RULES = {
    "logistic": ProbaRule(
        _logistic,
        ("σ", "softmax"),
        ("sigmoid", "softmax"),
        (
            "p(classes_[1] | x) = σ({x}) = 1 / (1 + e^(−{x}))",
            "p(y | x) = softmax({x})_y = e^({x}_y) / Σ_k e^({x}_k)",
        ),
    ),
    "ovr-logistic": ProbaRule(
        _ovr_logistic,
        ("σ", "σ, normalised"),
        ("sigmoid", "normalised-sigmoid"),
        ("p(classes_[1] | x) = σ({x})", "p(y | x) = σ({x}_y) / Σ_k σ({x}_k)"),
    ),
    # gradient boosting's exponential loss: its raw score is half the log-odds
    "half-logit": ProbaRule(
        _half_logit,
        ("σ(2·)", "—"),
        ("sigmoid", "sigmoid"),
        ("p(classes_[1] | x) = σ(2{x}) = 1 / (1 + e^(−2{x}))", "(two classes only)"),
    ),
    "modified-huber": ProbaRule(
        _modified_huber,
        ("clip", "clip, normalised"),
        ("clip", "normalised-clip"),
        (
            "p(classes_[1] | x) = (clip({x}, −1, 1) + 1) / 2",
            "p(y | x) ∝ (clip({x}_y, −1, 1) + 1) / 2",
        ),
    ),
}


class Head(nn.Module):
    """Base class: turns the body's output ``z`` into the network's answers.

    ``methods`` names the public methods the head answers (scikit-learn's names) and
    :meth:`answer` computes one of them from ``z``; :class:`~nnconvert.network.ConvertedNetwork`
    builds ``outputs()``, verify, export and training on these two and nothing else.
    ``kind`` says which network a head belongs to: "classifier", "regressor" or "transformer".
    """

    kind: str = ""

    @property
    def methods(self) -> tuple[str, ...]:  # pragma: no cover - abstract
        raise NotImplementedError

    def answer(self, z: torch.Tensor, method: str) -> torch.Tensor:  # pragma: no cover
        raise NotImplementedError

    def describe(self) -> LayerDescription:  # pragma: no cover - abstract
        raise NotImplementedError

    def check_output(self, z: torch.Tensor) -> None:
        """Raise (or warn) where scikit-learn's methods raise (or warn), from the body's
        output ``z``.

        Called by the scikit-learn style methods, not by ``forward``: an exported graph
        cannot raise, so a network answers NaN where its estimator refuses (a radius with no
        neighbour), and this is where the Python side says so. Default: nothing to say.
        """


class ClassifierHead(Head):
    """Base class of classifier heads: decision scores, probabilities and class indices.

    For a classifier, :meth:`answer` of ``"predict"`` is the index into ``classes_`` (the
    network turns it into a label), ``"decision_function"`` and ``"predict_proba"`` are the
    scores of those names.
    """

    kind = "classifier"
    #: whether ``proba`` exists (scikit-learn's ``predict_proba`` does)
    has_proba: bool = False
    #: whether ``decision`` exists (scikit-learn's ``decision_function`` does)
    has_decision: bool = True
    #: whether ``log_proba`` exists (scikit-learn's ``predict_log_proba``, in log space)
    has_log_proba: bool = False

    @property
    def methods(self) -> tuple[str, ...]:
        return (*(("decision_function",) if self.has_decision else ()),
                *(("predict_proba",) if self.has_proba else ()),
                *(("predict_log_proba",) if self.has_log_proba else ()), "predict")

    def answer(self, z: torch.Tensor, method: str) -> torch.Tensor:
        if method == "decision_function" and self.has_decision:
            return self.decision(z)
        if method == "predict_proba" and self.has_proba:
            return self.proba(z)
        if method == "predict_log_proba" and self.has_log_proba:
            return self.log_proba(z)
        if method == "predict":
            return self.predict_index(z)
        raise AttributeError(f"this network has no {method}")

    @property
    def scores_method(self) -> str:
        """What the raw output is: ``decision_function``, or ``predict_proba`` without one."""
        return "decision_function" if self.has_decision else "predict_proba"

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """The network's raw output: decision scores, or probabilities where there are none."""
        return self.decision(z) if self.has_decision else self.proba(z)

    @property
    def untrainable_because(self) -> str | None:
        """Why a loss cannot be applied to :meth:`logits` (a sentence's end), or None."""
        if not self.has_decision:
            return ("answers with probabilities only, which are not the scores these losses "
                    "are written for; fine-tune a model with decision scores or logits instead.")
        return None

    def logits(self, z: torch.Tensor) -> torch.Tensor:
        """The raw, unactivated scores a training loss is applied to."""
        return self.decision(z)

    def decision(self, z: torch.Tensor) -> torch.Tensor:  # pragma: no cover - abstract
        raise NotImplementedError

    def proba(self, z: torch.Tensor) -> torch.Tensor:
        raise AttributeError("this network has no predict_proba")

    def log_proba(self, z: torch.Tensor) -> torch.Tensor:
        raise AttributeError("this network has no predict_log_proba")

    def predict_index(self, z: torch.Tensor) -> torch.Tensor:  # pragma: no cover - abstract
        raise NotImplementedError


class RegressionHead(Head):
    """The head of a regressor: the body's output is the prediction.

    Parameters
    ----------
    n_outputs : int
        Width of the body's output.
    single : bool
        Whether ``predict`` returns shape (n,) (scikit-learn's 1-D target) rather than (n, k).
    """

    kind = "regressor"
    methods = ("predict",)

    def __init__(self, n_outputs: int, *, single: bool):
        super().__init__()
        if single and n_outputs != 1:
            raise ValueError(f"a 1-D prediction needs one output, got {n_outputs}")
        self.n_outputs = int(n_outputs)
        self.single = bool(single)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return z[:, 0] if self.single else z

    def answer(self, z: torch.Tensor, method: str) -> torch.Tensor:
        if method != "predict":
            raise AttributeError(f"a regressor has no {method}")
        return self(z)

    def describe(self) -> LayerDescription:
        shape = "(n,)" if self.single else f"(n, {self.n_outputs})"
        return LayerDescription(
            title="output",
            n_in=self.n_outputs,
            n_out=self.n_outputs,
            activation="none",
            formula=f"predict(x) = {{x}}   (shape {shape})",
            connectivity="elementwise",
        )


class TransformHead(Head):
    """The head of a transformer: the body's output is ``transform(X)``."""

    kind = "transformer"
    methods = ("transform",)

    def __init__(self, n_outputs: int):
        super().__init__()
        self.n_outputs = int(n_outputs)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return z

    def answer(self, z: torch.Tensor, method: str) -> torch.Tensor:
        if method != "transform":
            raise AttributeError(f"a transformer has no {method}")
        return z

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title="output",
            n_in=self.n_outputs,
            n_out=self.n_outputs,
            activation="none",
            formula="transform(x) = {x}",
            connectivity="elementwise",
        )


class LinearHead(ClassifierHead):
    """The head of every linear classifier: identity scores, a sign or an argmax.

    Parameters
    ----------
    n_scores : int
        Width of the body's output: 1 for a binary problem, C otherwise.
    proba : str or None
        Key of :data:`PROBA_RULES`, or None where scikit-learn has no ``predict_proba``.
    zero_is_positive : bool, default False
        Whether a binary score of exactly 0 predicts ``classes_[1]`` (``score >= 0``, as
        GradientBoostingClassifier does) rather than ``classes_[0]`` (``score > 0``).
    """

    def __init__(self, n_scores: int, proba: str | None = None, *,
                 zero_is_positive: bool = False):
        super().__init__()
        if proba is not None and proba not in PROBA_RULES:
            raise ValueError(f"unknown probability rule {proba!r}; known: {sorted(PROBA_RULES)}")
        self.n_scores = n_scores
        self.proba_rule = proba
        self.has_proba = proba is not None
        self.zero_is_positive = bool(zero_is_positive)

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
            return ((z[:, 0] >= 0) if self.zero_is_positive else (z[:, 0] > 0)).long()
        return first_argmax(z)

    def describe(self) -> LayerDescription:
        lines = ["decision_function(x) = {x}"]
        activation, kind = "none", "identity"
        if self.has_proba:
            rule = PROBA_RULES[self.proba_rule]
            activation = rule.activation[0 if self.binary else 1]
            kind = rule.kind[0 if self.binary else 1]
            lines.append(rule.formula[0 if self.binary else 1])
        if self.binary:
            sign = "≥" if self.zero_is_positive else ">"
            lines.append(f"predict(x) = classes_[1] if {{x}} {sign} 0 else classes_[0]")
        else:
            lines.append("predict(x) = classes_[argmax_k {x}_k]   (first index wins a tie)")
        return LayerDescription(
            title="output",
            n_in=self.n_scores,
            n_out=self.n_scores,
            activation=activation,
            activation_kind=kind,
            formula="\n".join(lines),
            connectivity="elementwise",
        )


class ProbabilityHead(ClassifierHead):
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

    untrainable_because = None  # trained on its output units' logits

    def logits(self, z: torch.Tensor) -> torch.Tensor:
        # an MLP's forward gives probabilities; its losses want the output units' logits
        return z[:, 0] if self.binary else z

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
            activation_kind=rule.kind[which],
            formula="\n".join(lines),
            connectivity="elementwise",
        )


class FrequencyHead(ClassifierHead):
    """The head of a model whose body already computes ``predict_proba``: class frequencies
    (a tree's leaves, a forest's average, a neighbours' vote, a dummy's prior).

    ``predict`` is the first argmax of the probabilities; ``predict_log_proba`` is their
    logarithm, as scikit-learn computes it for these models (a zero probability gives −inf).

    Parameters
    ----------
    n_classes : int
    untrainable_because : str
        Why a loss cannot be applied (the end of a sentence).
    log_proba : bool, default True
        Whether the estimator has ``predict_log_proba`` (a soft vote has not).
    """

    has_proba = True
    has_decision = False

    def __init__(self, n_classes: int, untrainable_because: str, *, log_proba: bool = True):
        super().__init__()
        self.n_classes = int(n_classes)
        self._untrainable_because = untrainable_because
        self.has_log_proba = bool(log_proba)

    @property
    def untrainable_because(self) -> str:
        return self._untrainable_because

    def decision(self, z: torch.Tensor) -> torch.Tensor:
        raise AttributeError("this network has no decision_function (nor has its estimator)")

    def proba(self, z: torch.Tensor) -> torch.Tensor:
        return z

    def log_proba(self, z: torch.Tensor) -> torch.Tensor:
        return torch.log(z)

    def predict_index(self, z: torch.Tensor) -> torch.Tensor:
        return first_argmax(z)

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title="output",
            n_in=self.n_classes,
            n_out=self.n_classes,
            activation="argmax",
            formula=("p(k | x) = {x}_k   (log p(k | x) = log {x}_k)\n"
                     "predict(x) = classes_[argmax_k p(k | x)]   (first index wins a tie)"),
            connectivity="elementwise",
        )
