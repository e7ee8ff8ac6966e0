"""The boosting libraries' own ``Booster`` objects, as users load them from model files.

``xgboost.Booster`` (``Booster(model_file="m.json")``, ``load_model`` of JSON or UBJSON) and
``lightgbm.Booster`` (``Booster(model_file="m.txt")``, ``Booster(model_str=...)``) are no
scikit-learn estimators: they have no ``classes_``, and their ``predict`` answers numbers,
the objective's transformed output (a probability, a mean, a ranking score) or, with
``output_margin=True`` (XGBoost) / ``raw_score=True`` (LightGBM), the raw sum of the trees.
So :func:`nnconvert.convert` makes a regressor-like network of one (a
:class:`ConvertedBooster`) whose ``predict`` answers what the Booster's answers, with the
same keywords, in the same shapes:

========================  ====================================  =======================
objective                 ``predict(X)``                        ``predict(X, raw)``
========================  ====================================  =======================
binary:logistic, binary   σ(margin), shape (n,)                 margin, (n,)
multi:softprob,           softmax, shape (n, C)                 margins, (n, C)
multiclass
multi:softmax             the class index, as a float (n,)      margins, (n, C)
regression, ranking       the margin (rank:*, lambdarank, ...)  the margin
poisson, gamma, tweedie   exp(margin)                           margin
========================  ====================================  =======================

The trees are read by the converters of the libraries' scikit-learn models
(:mod:`.xgboost`, :mod:`.lightgbm`), through small adapters (:class:`XGBoostBooster`,
:class:`LightGBMBooster`) that give a Booster the attributes those read; ``verify`` wraps a
Booster in the same adapter, so ``nnconvert.verify(booster, net, X)`` compares both answers
(``predict`` and ``predict_raw``, the raw sum). Trees used: an XGBoost Booster's
``predict`` adds every tree (``iteration_range=(0, 0)``, even where ``best_iteration`` is
set: only the scikit-learn wrapper stops there); a LightGBM Booster's adds those up to its
``best_iteration`` where it has one, as LightGBM does.

Examples
--------
>>> import lightgbm
>>> import nnconvert as nc
>>> from sklearn.datasets import load_diabetes
>>> X, y = load_diabetes(return_X_y=True)
>>> model = lightgbm.LGBMRegressor(n_estimators=10, verbose=-1).fit(X, y)
>>> booster = lightgbm.Booster(model_str=model.booster_.model_to_string())
>>> net = nc.convert(booster)
>>> type(net).__name__
'ConvertedBooster'
>>> bool(abs(net.predict(X) - booster.predict(X)).max() < 1e-9)
True
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.base import BaseEstimator

from ...fitted import Fitted
from ...layers import LayerDescription
from ...network.heads import Head, first_argmax
from ...network.regressor import PREDICT_RAW, ConvertedRegressor
from ...options import Options
from ...registry import Conversion, converts, library_model, reference_rtol, when_imported
from . import lightgbm as lightgbm_family
from . import xgboost as xgboost_family
from .boosting import _NO_GRADIENT

__all__ = ["ConvertedBooster", "BoosterHead", "XGBoostBooster", "LightGBMBooster"]


class ConvertedBooster(ConvertedRegressor):
    """The network of a library's ``Booster``: ``predict`` as the Booster answers it.

    ``predict(X)`` is the objective's transformed output and ``predict(X,
    output_margin=True)`` (XGBoost's keyword) or ``predict(X, raw_score=True)`` (LightGBM's)
    the raw sum of the trees; either keyword works for either library. The network computes
    in its dtype (float64 by default), so an XGBoost network answers float64 where XGBoost
    answers float32: the exact sum of XGBoost's float32 leaves, which XGBoost's own float32
    sum approaches to about 1e-7 of the scale (``verify`` judges at that precision).
    """

    def predict(self, X, output_margin: bool = False, raw_score: bool = False) -> np.ndarray:
        """The Booster's ``predict``: transformed, or the raw sum of the trees.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        output_margin, raw_score : bool, default False
            Return the raw sum of the trees (the margin), as the Booster does with XGBoost's
            ``output_margin=True`` or LightGBM's ``raw_score=True``.

        Returns
        -------
        numpy.ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        return self._answer(X, PREDICT_RAW if output_margin or raw_score else "predict")


#: a Booster's transformed output: the raw scores (n,) or (n, k) -> predict
_OUTPUTS = {
    "identity": (lambda r: r, "predict(x) = {x}"),
    "exp": (torch.exp, "predict(x) = exp({x})"),
    "sigmoid": (torch.sigmoid, "predict(x) = σ({x})"),
    "softmax": (lambda r: torch.softmax(r, dim=1), "predict(x) = softmax({x})"),
    "argmax": (lambda r: first_argmax(r).to(r.dtype),
               "predict(x) = argmax_c {x}_c (the first of equal maxima, as a float)"),
}


class BoosterHead(Head):
    """A Booster's output: ``predict_raw`` is the raw sum of the trees, ``predict`` the
    objective's transformed output of it (see :data:`_OUTPUTS`).

    Parameters
    ----------
    n_outputs : int
        Raw scores per row (classes, targets, or 1).
    output : str
        ``"identity"``, ``"exp"``, ``"sigmoid"``, ``"softmax"`` or ``"argmax"``.
    n_averaged : int, default 1
        LightGBM's random forests (``boosting_type="rf"``): ``predict`` transforms the
        average of the iterations, the raw score is their sum.
    """

    kind = "regressor"
    methods = ("predict", PREDICT_RAW)
    untrainable_because = _NO_GRADIENT

    def __init__(self, n_outputs: int, output: str, n_averaged: int = 1):
        super().__init__()
        self.n_outputs = int(n_outputs)
        self.output = output
        self.n_averaged = int(n_averaged)

    def raw(self, z: torch.Tensor) -> torch.Tensor:
        return z[:, 0] if self.n_outputs == 1 else z

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        raw = self.raw(z)
        if self.n_averaged != 1:
            raw = raw / self.n_averaged
        return _OUTPUTS[self.output][0](raw)

    def answer(self, z: torch.Tensor, method: str) -> torch.Tensor:
        if method == PREDICT_RAW:
            return self.raw(z)
        if method != "predict":
            raise AttributeError(f"a Booster's network has no {method}")
        return self(z)

    def describe(self) -> LayerDescription:
        k = self.n_outputs
        shape = "(n,)" if k == 1 or self.output == "argmax" else f"(n, {k})"
        formula = _OUTPUTS[self.output][1]
        if self.n_averaged != 1:
            formula = formula.replace("{x}", f"({{x}} / {self.n_averaged})")
        raw = "(n,)" if k == 1 else f"(n, {k})"
        return LayerDescription(
            title="output (a Booster's predict)", n_in=k, n_out=k,
            activation="none" if self.output == "identity" else self.output,
            activation_kind="identity" if self.output in ("identity", "argmax") else
            self.output, connectivity="elementwise",
            formula=(f"{formula}   (shape {shape})\npredict(x, output_margin=True / "
                     f"raw_score=True) = {{x}}   (the raw sum, shape {raw})"))


class _LoadedBooster(BaseEstimator):
    """What both adapters share: a Booster loaded fitted, its ``predict_raw``."""

    def __init__(self, booster=None):
        self.booster = booster

    def __sklearn_is_fitted__(self) -> bool:
        return True

    def fit(self, X, y=None):
        """Not here: a Booster is trained with its library (``xgboost.train``,
        ``lightgbm.train``); this adapter only reads one."""
        raise NotImplementedError(f"{type(self).__name__} reads a trained Booster; train one "
                                  "with its library")


# -- XGBoost --------------------------------------------------------------------------------

class XGBoostBooster(_LoadedBooster):
    """An ``xgboost.Booster`` as the estimator :mod:`.xgboost`'s converter reads.

    Parameters
    ----------
    booster : xgboost.Booster
        As loaded from a model file; it is read, never changed.
    """

    #: the class this adapter reads (the docs' supported table names it)
    library_class = "xgboost.Booster"
    #: XGBoost's ``missing`` of a Booster's ``inplace_predict``: NaN
    missing = float("nan")

    @property
    def n_features_in_(self) -> int:
        return Fitted(self.booster, "xgboost.Booster").integer(
            "num_features()", low=1, value=self.booster.num_features())

    def get_booster(self):
        return self.booster

    def _get_iteration_range(self, iteration_range):
        # a Booster's predict adds every tree, best_iteration or not
        return 0, 0

    def predict(self, X, output_margin: bool = False) -> np.ndarray:
        """The Booster's ``inplace_predict`` (its ``predict`` without building a DMatrix)."""
        return self.booster.inplace_predict(X, predict_type="margin" if output_margin
                                            else "value")

    def predict_raw(self, X) -> np.ndarray:
        """``predict(X, output_margin=True)``: what the network's ``predict_raw`` answers."""
        return self.predict(X, output_margin=True)


def _xgboost_output(adapter, learner: dict) -> str:
    name = learner["objective"]["name"]
    output = xgboost_family.OBJECTIVES[name][1]
    if output != "logistic":
        return output
    return {"binary:logistic": "sigmoid", "multi:softprob": "softmax",
            "multi:softmax": "argmax"}[name]


@xgboost_family.read_safely
def convert_xgboost_booster(adapter: XGBoostBooster, options: Options) -> Conversion:
    """An ``xgboost.Booster`` (``Booster(model_file="m.json")``, ``load_model``, JSON or
    UBJSON) becomes one traversal layer and the objective's output: ``predict`` is what the
    Booster's ``predict`` answers (σ, softmax, the class index of ``multi:softmax``, exp, or
    the margin of a regression or ranking objective), ``predict(X, output_margin=True)`` the
    margin; every tree is added, as the Booster's ``predict`` adds them. Answers are float64
    (the exact sum of XGBoost's float32 leaves).

    Refused: what the XGBRegressor converter refuses (gblinear, vector leaves, a
    DataFrame's category columns, objectives without a converter)."""
    learner = xgboost_family.xgboost_model(adapter)
    link, _ = xgboost_family._objective(adapter, learner)
    layers = xgboost_family._layers(adapter, learner, link, options)
    head = BoosterHead(layers[-1].describe().n_out, _xgboost_output(adapter, learner))
    return Conversion(layers=layers, head=head, network=ConvertedBooster)


# -- LightGBM -------------------------------------------------------------------------------

class LightGBMBooster(_LoadedBooster):
    """A ``lightgbm.Booster`` as the estimator :mod:`.lightgbm`'s converter reads.

    Parameters
    ----------
    booster : lightgbm.Booster
        As loaded from a model file or string; it is read, never changed.
    """

    #: the class this adapter reads (the docs' supported table names it)
    library_class = "lightgbm.Booster"

    @property
    def booster_(self):
        return self.booster

    @property
    def n_features_in_(self) -> int:
        return Fitted(self.booster, "lightgbm.Booster").integer(
            "num_feature()", low=1, value=self.booster.num_feature())

    def predict(self, X, raw_score: bool = False) -> np.ndarray:
        """The Booster's ``predict``."""
        return self.booster.predict(X, raw_score=raw_score)

    def predict_raw(self, X) -> np.ndarray:
        """``predict(X, raw_score=True)``: what the network's ``predict_raw`` answers."""
        return self.predict(X, raw_score=True)


def _lightgbm_output(output: str, dump: dict) -> str:
    if output != "logistic":
        return output
    return "sigmoid" if int(dump["num_tree_per_iteration"]) == 1 else "softmax"


def convert_lightgbm_booster(adapter: LightGBMBooster, options: Options) -> Conversion:
    """A ``lightgbm.Booster`` (``Booster(model_file="m.txt")``, ``model_str=...``)
    becomes one traversal layer and the objective's output: ``predict`` is what the
    Booster's ``predict`` answers (σ, softmax, exp, or the raw score of a regression or
    ranking objective; random forests average), ``predict(X, raw_score=True)`` the raw sum.
    The model's text is checked before LightGBM walks its trees.

    Refused: what the LGBMRegressor converter refuses (linear trees, multiclassova,
    ``reg_sqrt``, objectives without a converter)."""
    dump = lightgbm_family.dump_checked(adapter, num_iteration=1)
    output = lightgbm_family._objective(adapter, dump)
    # the raw score is the sum of the trees, even for random forests (predict averages)
    layers, average = lightgbm_family._layers(adapter, classifier=True, options=options)
    head = BoosterHead(layers[-1].describe().n_out, _lightgbm_output(output, dump),
                       n_averaged=average or 1)
    return Conversion(layers=layers, head=head, network=ConvertedBooster)


def _register_xgboost() -> None:
    from xgboost import Booster

    library_model.register(Booster)(XGBoostBooster)
    converts(XGBoostBooster)(convert_xgboost_booster)
    reference_rtol.register(XGBoostBooster)(xgboost_family.float32_sum_rtol)


def _register_lightgbm() -> None:
    from lightgbm import Booster

    library_model.register(Booster)(LightGBMBooster)
    converts(LightGBMBooster)(convert_lightgbm_booster)


when_imported("xgboost", _register_xgboost)
when_imported("lightgbm", _register_lightgbm)
