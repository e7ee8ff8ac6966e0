"""CalibratedClassifierCV: its classifiers' scores through their calibration maps, averaged.

Each calibrated classifier is a member (:class:`~nnconvert.compose.members.Member`)
answering ``decision_function`` (else ``predict_proba``; for two classes the positive
column only, as scikit-learn's ``_get_response_values``). Each class's score ``s`` goes
through its calibrator: ``σ(−(a s + b))`` for ``method='sigmoid'`` (Platt), the isotonic
regression's own network (ramp units, clipped outside the fitted range) for
``method='isotonic'``. Then, as scikit-learn: two classes ``[1 − p, p]``; more, each row
divided by its sum (uniform where the sum is 0); values in (1, 1 + 1e-5] set to 1.
``predict_proba`` is the mean over the calibrated classifiers (one when ``ensemble=False``),
``predict`` its first argmax.

``method='temperature'`` maps all of a classifier's scores at once
(:class:`TemperatureSoftmax`): ``softmax(β · logits)`` with the fitted inverse temperature
``β = beta_``, where the logits are the decision values (``(−s, s)`` for two classes) or,
for a classifier with ``predict_proba`` only, ``log(p + 1e-12)`` (``[1 − p, p]`` for two
classes). scikit-learn decides between the two per call, by looking at the whole batch
(``_convert_to_logits``: every value in [0, 1] and every row summing to 1 means
probabilities); the network decides once, by the method the classifier answers, so a batch
of decision values that happens to look like probabilities (a single row can) is not
log-transformed by the network, as it is by scikit-learn.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.calibration import CalibratedClassifierCV
from sklearn.preprocessing import LabelEncoder
from torch import nn

from ..errors import ConversionError
from ..fitted import Fitted
from ..layers import Branches, Layer, LayerDescription
from ..network.heads import FrequencyHead
from ..options import Options
from ..registry import Conversion, converts
from .members import Member, convert_member

__all__ = ["PlattUnit", "TemperatureSoftmax", "Calibration"]


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


class TemperatureSoftmax(Layer):
    """Temperature scaling of one classifier's scores: ``softmax(β · logits(s))``.

    scikit-learn's ``_TemperatureScaling.predict`` after ``_convert_to_logits``.

    Parameters
    ----------
    beta : float
        The fitted inverse temperature (``beta_``).
    n_classes : int
    probabilities : bool
        Whether the scores are ``predict_proba``'s (logits ``log(p + 1e-12)``) rather than
        decision values (used as they are).
    """

    #: what scikit-learn adds to probabilities before their logarithm
    EPS = 1e-12

    def __init__(self, beta: float, n_classes: int, probabilities: bool):
        super().__init__()
        self.register_buffer("beta", torch.tensor(float(beta), dtype=torch.float64))
        self.n_classes, self.probabilities = int(n_classes), bool(probabilities)

    def forward(self, s: torch.Tensor) -> torch.Tensor:
        if s.shape[1] == 1:  # two classes: P(classes_[1]) or the decision value
            s = torch.cat([1 - s, s] if self.probabilities else [-s, s], dim=1)
        logits = torch.log(s + self.EPS) if self.probabilities else s
        z = self.beta * logits
        z = torch.exp(z - z.amax(dim=1, keepdim=True))  # scikit-learn's softmax, step by step
        return z / z.sum(dim=1, keepdim=True)

    def describe(self) -> LayerDescription:
        logits = "log(p + 1e-12)" if self.probabilities else "s"
        return LayerDescription(
            title="temperature scaling", n_in=1 if self.n_classes == 2 else self.n_classes,
            n_out=self.n_classes, activation="softmax", activation_kind="softmax",
            formula=f"{{y}} = softmax({float(self.beta):.6g} · {logits})"
                    + ("   (two classes: logits (−s, s))" if not self.probabilities else ""))


class Calibration(Layer):
    """Every calibrated classifier's class scores through their maps, normalised, averaged.

    Parameters
    ----------
    maps : list of list of torch.nn.Module
        Per calibrated classifier, one map per score column ((n, 1) → (n, 1)); for
        ``method="temperature"`` one map of all its columns to the probabilities.
    columns : list of array-like of int
        Per calibrated classifier, the class each score calibrates.
    n_classes : int
    method : str
        "sigmoid", "isotonic" or "temperature".
    """

    def __init__(self, maps, columns, n_classes: int, method: str):
        super().__init__()
        self.maps = nn.ModuleList(nn.ModuleList(nn.Sequential(*m) if isinstance(m, list)
                                                else m for m in member) for member in maps)
        for k, cols in enumerate(columns):
            self.register_buffer(f"columns_{k}", torch.as_tensor(np.asarray(cols, np.int64)))
        self.n_classes, self.method = int(n_classes), method
        #: how many score columns each calibrated classifier feeds its maps
        self.widths = [len(cols) for cols in columns]

    def _one(self, scores: torch.Tensor, k: int) -> torch.Tensor:
        if self.method == "temperature":
            proba = self.maps[k][0](scores)
            return torch.where((proba > 1.0) & (proba <= 1.0 + 1e-5), torch.ones_like(proba),
                               proba)
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
        parts = torch.split(z, self.widths, dim=1)
        return sum(self._one(part, k) for k, part in enumerate(parts)) / len(parts)

    def describe(self) -> LayerDescription:
        members = len(self.maps)
        mean = f"{{y}} = the mean over {members} classifier{'s' if members > 1 else ''}"
        if self.method == "temperature":
            betas = ", ".join(f"{float(m[0].beta):.6g}" for m in self.maps)
            return LayerDescription(
                title="temperature calibration", n_in=sum(self.widths), n_out=self.n_classes,
                activation="softmax(β·logits)", activation_kind="softmax",
                formula=f"p = softmax(β · logits(s)) per calibrated classifier (β = {betas}; "
                        "logits: the decision values, (−s, s) for two classes, or "
                        f"log(p + 1e-12) of probabilities); {mean}")
        each = "σ(−(a_k s_k + b_k))" if self.method == "sigmoid" else "isotonic_k(s_k)"
        return LayerDescription(
            title=f"{self.method} calibration",
            n_in=sum(self.widths),
            n_out=self.n_classes,
            activation=f"{self.method}, normalised",
            activation_kind="normalised-sigmoid" if self.method == "sigmoid" else "clip",
            formula=(f"p_k = {each} per calibrated classifier; two classes [1 − p, p], more "
                     f"p / Σ p; {mean}"),
        )


def _calibration_map(calibrator, method: str, options: Options) -> list:
    if method == "sigmoid":
        fitted = Fitted(calibrator, "CalibratedClassifierCV calibrator")
        return [PlattUnit(fitted.number("a_"), fitted.number("b_"))]
    # an IsotonicRegression's own network
    return convert_member(calibrator, options, "CalibratedClassifierCV calibrator").layers


@converts(CalibratedClassifierCV)
def _calibrated(calibrated: CalibratedClassifierCV, options: Options) -> Conversion:
    """The calibrated classifiers side by side, each score through its calibration map (Platt
    sigmoids, isotonic ramp units, or a tempered softmax), then their average.

    Methods sigmoid, isotonic and temperature; ``ensemble`` true or false. Two classes with
    saturated probabilities (p within 1e-9 of 1) agree to about 1e-5 only: scikit-learn's
    ``log(1 − p + 1e-12)`` magnifies a one-ulp difference in p.
    """
    method = calibrated.method
    if method not in ("sigmoid", "isotonic", "temperature"):
        raise ConversionError(
            f"CalibratedClassifierCV(method={method!r}) is not converted: 'sigmoid', "
            "'isotonic' and 'temperature' are. Use one of them, or convert the uncalibrated "
            "classifier.")
    classes = calibrated.classes_
    members, maps, columns = [], [], []
    for k, cc in enumerate(calibrated.calibrated_classifiers_):
        base = cc.estimator
        answer = "decision_function" if hasattr(base, "decision_function") else "predict_proba"
        conversion = convert_member(base, options, f"CalibratedClassifierCV classifier {k}")
        members.append(Member(f"classifier {k}", conversion, [answer],
                              n_in=calibrated.n_features_in_, positive_only=True))
        if method == "temperature":
            # one map of every score; scikit-learn fitted the classifier on encoded labels
            maps.append([TemperatureSoftmax(cc.calibrators[0].beta_, len(classes),
                                            probabilities=answer == "predict_proba")])
            columns.append(np.arange(len(classes)) if len(classes) > 2 else [1])
            continue
        maps.append([_calibration_map(c, method, options) for c in cc.calibrators])
        columns.append(LabelEncoder().fit(cc.classes).transform(base.classes_)
                       if len(classes) > 2 else [1])
    body = Branches([[m] for m in members], [m.width() for m in members],
                    title="calibrated classifiers' scores")
    head = FrequencyHead(len(classes), "its calibration maps are fitted, not trained",
                         log_proba=False)
    return Conversion(layers=[body, Calibration(maps, columns, len(classes), method)],
                      head=head, classes=classes)
