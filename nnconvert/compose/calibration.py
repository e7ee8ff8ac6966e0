"""CalibratedClassifierCV: its classifiers' scores through their calibration maps, averaged.

Each calibrated classifier is a member (:class:`~nnconvert.compose.ensembles.MemberAnswer`)
answering ``decision_function`` (else ``predict_proba``; for two classes the positive
column only, as scikit-learn's ``_get_response_values``). Each class's score ``s`` goes
through its calibrator: ``σ(−(a s + b))`` for ``method='sigmoid'`` (Platt), the isotonic
regression's own network (ramp units, clipped outside the fitted range) for
``method='isotonic'``. Then, as scikit-learn: two classes ``[1 − p, p]``; more, each row
divided by its sum (uniform where the sum is 0); values in (1, 1 + 1e-5] set to 1.
``predict_proba`` is the mean over the calibrated classifiers (one when ``ensemble=False``),
``predict`` its first argmax.

``method='temperature'`` is refused for now, with the reason.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.calibration import CalibratedClassifierCV
from sklearn.preprocessing import LabelEncoder
from torch import nn

from ..errors import ConversionError
from ..layers import Branches, Layer, LayerDescription
from ..network.heads import FrequencyHead
from ..registry import Conversion, convert_estimator, converts
from .ensembles import MemberAnswer

__all__ = ["PlattUnit", "Calibration"]


class PlattUnit(Layer):
    """Platt's map of one score: ``σ(−(a s + b))`` (scikit-learn's ``_SigmoidCalibration``)."""

    def __init__(self, a: float, b: float):
        super().__init__()
        self.register_buffer("a", torch.tensor(float(a), dtype=torch.float64))
        self.register_buffer("b", torch.tensor(float(b), dtype=torch.float64))

    def forward(self, s: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(-(self.a * s + self.b))

    def describe(self) -> LayerDescription:
        return LayerDescription(title="Platt sigmoid", n_in=1, n_out=1, activation="σ",
                                activation_kind="sigmoid",
                                formula=f"{{y}} = σ(−({float(self.a):.6g}·{{x}} + "
                                        f"{float(self.b):.6g}))")


class Calibration(Layer):
    """Every calibrated classifier's class scores through their maps, normalised, averaged.

    Parameters
    ----------
    maps : list of list of torch.nn.Module
        Per calibrated classifier, one map per score column ((n, 1) → (n, 1)).
    columns : list of array-like of int
        Per calibrated classifier, the class each score calibrates.
    n_classes : int
    method : str
        "sigmoid" or "isotonic", for the description.
    """

    def __init__(self, maps, columns, n_classes: int, method: str):
        super().__init__()
        self.maps = nn.ModuleList(nn.ModuleList(nn.Sequential(*m) if isinstance(m, list)
                                                else m for m in member) for member in maps)
        for k, cols in enumerate(columns):
            self.register_buffer(f"columns_{k}", torch.as_tensor(np.asarray(cols, np.int64)))
        self.n_classes, self.method = int(n_classes), method

    def _one(self, scores: torch.Tensor, k: int) -> torch.Tensor:
        p = torch.cat([m(scores[:, j:j + 1]) for j, m in enumerate(self.maps[k])], dim=1)
        if self.n_classes == 2:
            proba = torch.cat([1 - p, p], dim=1)
        else:
            proba = torch.zeros(scores.shape[0], self.n_classes, dtype=scores.dtype,
                                device=scores.device)
            proba = proba.index_copy(1, getattr(self, f"columns_{k}"), p)
            total = proba.sum(dim=1, keepdim=True)
            proba = torch.where(total != 0, proba / torch.where(total != 0, total, 1.0),
                                torch.full_like(proba, 1.0 / self.n_classes))
        return torch.where((proba > 1.0) & (proba <= 1.0 + 1e-5), torch.ones_like(proba), proba)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        parts = torch.split(z, [len(m) for m in self.maps], dim=1)
        return sum(self._one(part, k) for k, part in enumerate(parts)) / len(parts)

    def describe(self) -> LayerDescription:
        members = len(self.maps)
        each = "σ(−(a_k s_k + b_k))" if self.method == "sigmoid" else "isotonic_k(s_k)"
        return LayerDescription(
            title=f"{self.method} calibration",
            n_in=sum(len(m) for m in self.maps),
            n_out=self.n_classes,
            activation=f"{self.method}, normalised",
            activation_kind="normalised-sigmoid" if self.method == "sigmoid" else "clip",
            formula=(f"p_k = {each} per calibrated classifier; two classes [1 − p, p], more "
                     f"p / Σ p; {{y}} = the mean over {members} classifier"
                     f"{'s' if members > 1 else ''}"),
        )


def _calibration_map(calibrator, method: str) -> list:
    if method == "sigmoid":
        return [PlattUnit(calibrator.a_, calibrator.b_)]
    return convert_estimator(calibrator, {}).layers  # an IsotonicRegression's own network


@converts(CalibratedClassifierCV)
def _calibrated(calibrated: CalibratedClassifierCV, options: dict) -> Conversion:
    method = calibrated.method
    if method not in ("sigmoid", "isotonic"):
        raise ConversionError(
            f"CalibratedClassifierCV(method={method!r}) is not converted yet: 'sigmoid' and "
            "'isotonic' are. Use one of them, or convert the uncalibrated classifier.")
    classes = calibrated.classes_
    members, maps, columns = [], [], []
    for k, cc in enumerate(calibrated.calibrated_classifiers_):
        base = cc.estimator
        answer = "decision_function" if hasattr(base, "decision_function") else "predict_proba"
        members.append(MemberAnswer(f"classifier {k}", convert_estimator(base, options), answer,
                                    n_in=calibrated.n_features_in_,
                                    drop_first=len(classes) == 2 and answer == "predict_proba"))
        maps.append([_calibration_map(c, method) for c in cc.calibrators])
        columns.append(LabelEncoder().fit(cc.classes).transform(base.classes_)
                       if len(classes) > 2 else [1])
    body = Branches([[m] for m in members], [m.width() for m in members],
                    title="calibrated classifiers' scores")
    head = FrequencyHead(len(classes), "its calibration maps are fitted, not trained",
                         log_proba=False)
    return Conversion(layers=[body, Calibration(maps, columns, len(classes), method)],
                      head=head, classes=classes)
