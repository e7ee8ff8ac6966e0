"""FixedThresholdClassifier and TunedThresholdClassifierCV: the classifier's network with
``predict`` moved to another threshold.

``predict`` is the positive class where the score (``predict_proba`` of ``pos_label``, else
``decision_function``, negated when ``pos_label`` is the first class) is ``≥`` the threshold
(``threshold``; ``'auto'`` is 0.5 on probabilities, 0 on decision scores; the tuned one's
``best_threshold_``). The other methods are the classifier's own.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch
from sklearn.model_selection import FixedThresholdClassifier, TunedThresholdClassifierCV
from sklearn.utils._response import _get_response_values_binary

from ..layers import LayerDescription
from ..network.heads import ClassifierHead
from ..options import Options
from ..registry import Conversion, converts, margin_rule
from .members import convert_member

__all__ = ["ThresholdHead"]


class ThresholdHead(ClassifierHead):
    """A binary classifier's head whose ``predict`` is ``score ≥ threshold``.

    Parameters
    ----------
    inner : ClassifierHead
        The classifier's own head (it answers every other method).
    method : {"predict_proba", "decision_function"}
    positive : int
        The index of ``pos_label`` in ``classes_``.
    threshold : float
    """

    def __init__(self, inner: ClassifierHead, method: str, positive: int, threshold: float):
        super().__init__()
        self.inner, self.method = inner, method
        self.positive, self.threshold = int(positive), float(threshold)
        self.has_decision = inner.has_decision
        self.has_proba = inner.has_proba
        self.has_log_proba = inner.has_log_proba

    @property
    def untrainable_because(self):
        return self.inner.untrainable_because

    def decision(self, z):
        return self.inner.decision(z)

    def proba(self, z):
        return self.inner.proba(z)

    def log_proba(self, z):
        return self.inner.log_proba(z)

    def logits(self, z):
        return self.inner.logits(z)

    def score(self, z: torch.Tensor) -> torch.Tensor:
        if self.method == "predict_proba":
            return self.inner.proba(z)[:, self.positive]
        d = self.inner.decision(z)
        return d if self.positive == 1 else -d

    def predict_index(self, z: torch.Tensor) -> torch.Tensor:
        up = self.score(z) >= self.threshold
        return torch.where(up, self.positive, 1 - self.positive).long()

    def describe(self) -> LayerDescription:
        inner = self.inner.describe()
        lines = [line for line in inner.formula.splitlines() if not line.startswith("predict(")]
        lines.append(f"predict(x) = classes_[{self.positive}] if {self.method}"
                     f"{'[' + str(self.positive) + ']' if self.method == 'predict_proba' else ''}"
                     f" ≥ {self.threshold:g} else classes_[{1 - self.positive}]")
        return LayerDescription(
            title=inner.title, n_in=inner.n_in, n_out=inner.n_out,
            activation=inner.activation, activation_kind=inner.activation_kind,
            formula="\n".join(lines), connectivity=inner.connectivity)


def _setting(model):
    """(response method used, index of pos_label, threshold) as scikit-learn's predict has them."""
    estimator = model.estimator_
    wanted = (["predict_proba", "decision_function"] if model.response_method == "auto"
              else [model.response_method])
    method = next(m for m in wanted if hasattr(estimator, m))
    if isinstance(model, TunedThresholdClassifierCV):
        pos_label = model._curve_scorer._get_pos_label()
        threshold = model.best_threshold_
    else:
        pos_label = model.pos_label
        threshold = model.threshold
        if threshold == "auto":
            threshold = 0.5 if method == "predict_proba" else 0.0
    classes = model.classes_
    positive = 1 if pos_label is None else int(np.flatnonzero(classes == pos_label)[0])
    return method, positive, float(threshold), pos_label


@converts(FixedThresholdClassifier, TunedThresholdClassifierCV)
def _thresholded(model, options: Options) -> Conversion:
    """The classifier's network, with ``predict`` as ``score ≥ threshold``.

    ``pos_label`` and every response method.
    """
    inner = convert_member(model.estimator_, options, f"{type(model).__name__} estimator_")
    method, positive, threshold, _ = _setting(model)
    # the member's whole conversion, its head wrapped; not its origin: the way back to the
    # member alone would lose the threshold
    return dataclasses.replace(inner, head=ThresholdHead(inner.head, method, positive,
                                                         threshold), classes=model.classes_,
                               origin=None)


@margin_rule.register(FixedThresholdClassifier)
@margin_rule.register(TunedThresholdClassifierCV)
def _threshold_margin(model, X, reference: dict) -> np.ndarray:
    """How far the score is from the threshold, in the score's units."""
    method, _, threshold, pos_label = _setting(model)
    score, _ = _get_response_values_binary(model.estimator_, X, method, pos_label=pos_label)
    return np.abs(np.asarray(score, dtype=np.float64) - threshold)
