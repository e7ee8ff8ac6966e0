"""CalibratedClassifierCV: its classifiers' scores through their calibration maps, averaged.

Each calibrated classifier is a member (:class:`~nnconvert.compose.ensembles.MemberAnswer`)
answering ``decision_function`` (else ``predict_proba``; for two classes the positive
column only, as scikit-learn's ``_get_response_values``). :class:`SigmoidCalibration` maps
each class's score ``s`` to ``σ(−(a s + b))`` (Platt), then, as scikit-learn: two classes
``[1 − p, p]``; more, each row divided by its sum (uniform where the sum is 0); values in
(1, 1 + 1e-5] set to 1. ``predict_proba`` is the mean over the calibrated classifiers (one
when ``ensemble=False``), ``predict`` its first argmax.

Isotonic and temperature calibration are refused for now, with the reason.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.calibration import CalibratedClassifierCV
from sklearn.preprocessing import LabelEncoder

from ..errors import ConversionError
from ..layers import Branches, Layer, LayerDescription, as_buffer
from ..network.heads import FrequencyHead
from ..registry import Conversion, convert_estimator, converts
from .ensembles import MemberAnswer

__all__ = ["SigmoidCalibration"]


class SigmoidCalibration(Layer):
    """Platt maps of every calibrated classifier's class scores, normalised, averaged.

    Parameters
    ----------
    slopes, offsets : array-like of shape (n_members, n_scores)
        Each calibrator's ``a_`` and ``b_``.
    columns : array-like of int, shape (n_members, n_scores)
        The class each score calibrates (``pos_class_indices``).
    n_classes : int
    """

    def __init__(self, slopes, offsets, columns, n_classes: int):
        super().__init__()
        self.register_buffer("slopes", as_buffer(slopes))
        self.register_buffer("offsets", as_buffer(offsets))
        self.register_buffer("columns", torch.as_tensor(np.asarray(columns, dtype=np.int64)))
        self.n_classes = int(n_classes)

    def _one(self, scores: torch.Tensor, m: int) -> torch.Tensor:
        p = torch.sigmoid(-(self.slopes[m] * scores + self.offsets[m]))
        if self.n_classes == 2:
            proba = torch.stack([1 - p[:, 0], p[:, 0]], dim=1)
        else:
            proba = torch.zeros(scores.shape[0], self.n_classes, dtype=scores.dtype,
                                device=scores.device)
            proba = proba.index_copy(1, self.columns[m], p)
            total = proba.sum(dim=1, keepdim=True)
            proba = torch.where(total != 0, proba / torch.where(total != 0, total, 1.0),
                                torch.full_like(proba, 1.0 / self.n_classes))
        return torch.where((proba > 1.0) & (proba <= 1.0 + 1e-5), torch.ones_like(proba), proba)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        per_member = z.shape[1] // self.slopes.shape[0]
        parts = torch.split(z, per_member, dim=1)
        total = sum(self._one(part, m) for m, part in enumerate(parts))
        return total / len(parts)

    def describe(self) -> LayerDescription:
        members = self.slopes.shape[0]
        return LayerDescription(
            title="sigmoid calibration",
            n_in=self.slopes.numel(),
            n_out=self.n_classes,
            activation="σ, normalised",
            activation_kind="normalised-sigmoid",
            formula=("p_k = σ(−(a_k s_k + b_k)) per calibrated classifier; two classes "
                     "[1 − p, p], more p / Σ p; {y} = the mean over "
                     f"{members} classifier{'s' if members > 1 else ''}"),
        )


@converts(CalibratedClassifierCV)
def _calibrated(calibrated: CalibratedClassifierCV, options: dict) -> Conversion:
    method = calibrated.method
    if method != "sigmoid":
        raise ConversionError(
            f"CalibratedClassifierCV(method={method!r}) is not converted yet: only "
            "method='sigmoid' is. Use method='sigmoid', or convert the uncalibrated "
            "classifier.")
    classes = calibrated.classes_
    members, slopes, offsets, columns = [], [], [], []
    for k, cc in enumerate(calibrated.calibrated_classifiers_):
        base = cc.estimator
        answer = "decision_function" if hasattr(base, "decision_function") else "predict_proba"
        member = MemberAnswer(f"classifier {k}", _member(base, calibrated, options), answer,
                              drop_first=len(classes) == 2 and answer == "predict_proba")
        members.append(member)
        slopes.append([c.a_ for c in cc.calibrators])
        offsets.append([c.b_ for c in cc.calibrators])
        columns.append(LabelEncoder().fit(cc.classes).transform(base.classes_)
                       if len(classes) > 2 else [1])
    body = Branches([[m] for m in members], [m.width() for m in members],
                    title="calibrated classifiers' scores")
    layer = SigmoidCalibration(slopes, offsets, columns, len(classes))
    head = FrequencyHead(len(classes), "its calibration maps are fitted, not trained",
                         log_proba=False)
    return Conversion(layers=[body, layer], head=head, classes=classes)


def _member(base, calibrated, options: dict) -> Conversion:
    conversion = convert_estimator(base, options)
    if conversion.n_features_in is None:
        conversion.n_features_in = calibrated.n_features_in_
    return conversion
