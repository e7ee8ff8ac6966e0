"""Extreme learning machines: a random hidden layer, then linear read-out neurons.

An ELM already is a network, so the conversion only copies it: the hidden units (ridge
functions ``f(x W + b)``, or Gaussian units for nnconvert's ``"rbf"`` activation) and the
read-out. Covered: :class:`nnconvert.ELMClassifier` and :class:`nnconvert.ELMRegressor`,
and scikit-elm's ``skelm.ELMClassifier`` and ``skelm.ELMRegressor`` when that package
imports (the regressor's prediction is its read-out, ``H @ coef_ + intercept_``).

scikit-elm's hidden layers are random projections without bias (``GaussianRandomProjection``
or ``SparseRandomProjection``) followed by its ``ufunc``; ``include_original_features``
puts the inputs themselves next to the hidden units. It has no ``decision_function``; its
``predict_proba`` is the sigmoid of the read-out, normalised over classes, but its
``predict`` thresholds the *raw* binary read-out at 0.5 (targets were 0/1) or takes the argmax
of the raw multiclass read-out, so the two can disagree; the head reproduces both.
"""

from __future__ import annotations

import numpy as np

from ..agreement import decision_margin
from ..elm import BaseELM, ELMClassifier, ELMRegressor
from ..errors import UnsupportedEstimatorError, multilabel_refused
from ..fitted import Fitted
from ..layers import ActivatedUnits, Branches, KernelUnits, readout_units
from ..network.heads import LinearHead, ProbabilityHead, RegressionHead
from ..options import Options
from ..registry import Conversion, converts, margin_rule, when_imported
from .linear import read_linear_classifier, read_linear_regressor, regression_units


def _nnconvert_hidden(estimator: BaseELM):
    """The random hidden layer of :class:`nnconvert.BaseELM`: Gaussian or activated units,
    its attributes checked against ``n_features_in_`` and each other."""
    fitted = Fitted(estimator)
    n, n_hidden = fitted.n_features, fitted.integer("n_hidden", low=1)
    if estimator.activation == "rbf":
        return KernelUnits(fitted.array("centres_", shape=(n_hidden, n)), kernel="rbf",
                           gamma=fitted.number("gamma_", low=0), title="random Gaussian units")
    weights = fitted.array("hidden_weights_", shape=(n, n_hidden))
    return ActivatedUnits(weights.T, fitted.array("hidden_bias_", shape=(n_hidden,)),
                          activation=estimator.activation, title="random hidden units")


@converts(ELMClassifier)
def _nnconvert_elm(estimator: ELMClassifier, options: Options) -> Conversion:
    """A fixed random hidden layer (the activation the ELM was fitted with), then a linear read-out
    per class: the network the ELM already is.

    :class:`nnconvert.ELMClassifier` regresses ±1 class targets; its ``predict_proba`` is the
    normalised sigmoid of the scores, not a calibrated probability.
    """
    hidden = _nnconvert_hidden(estimator)
    coef, intercept, classes = read_linear_classifier(Fitted(estimator), hidden.describe().n_out)
    readout = readout_units(coef, intercept, classes)
    head = LinearHead(readout.out_features, proba="ovr-logistic")
    return Conversion(layers=[hidden, readout], head=head)


@converts(ELMRegressor)
def _nnconvert_elm_regressor(estimator: ELMRegressor, options: Options) -> Conversion:
    """A fixed random hidden layer, then linear read-out neurons: one per target.
    """
    hidden = _nnconvert_hidden(estimator)
    coef, intercept = read_linear_regressor(Fitted(estimator), hidden.describe().n_out)
    readout = regression_units(coef, intercept, "read-out neurons")
    head = RegressionHead(readout.out_features, single=coef.ndim == 1)
    return Conversion(layers=[hidden, readout], head=head)


# -- scikit-elm -----------------------------------------------------------------------------

#: scikit-elm's ufunc names -> ours
SKELM_UFUNCS = {"tanh": "tanh", "sigm": "sigmoid", "relu": "relu", "lin": "identity",
                None: "identity"}


def _skelm_hidden(layer, n_features: int, name: str) -> ActivatedUnits:
    """One fitted ``skelm.HiddenLayer`` (called ``name`` in errors) as bias-free activated
    units reading ``n_features`` inputs."""
    if getattr(layer, "pairwise_metric", None) is not None:
        raise UnsupportedEstimatorError(
            f"scikit-elm hidden layers with pairwise_metric={layer.pairwise_metric!r} "
            "(distance neurons) are not supported; use projection neurons (pairwise_metric=None)."
        )
    if not isinstance(layer.ufunc, str | None) or layer.ufunc not in SKELM_UFUNCS:
        raise UnsupportedEstimatorError(
            f"scikit-elm ufunc={layer.ufunc!r} is not supported: use one of "
            f"{[u for u in SKELM_UFUNCS if u]} (a custom callable cannot be read back)."
        )
    projection = Fitted(layer, name).get("projection_")
    # GaussianRandomProjection or SparseRandomProjection: (n_neurons, n_features), maybe sparse
    components = Fitted(projection, f"{name}.projection_").array(
        "components_", shape=(None, n_features))
    return ActivatedUnits(components, None,
                          activation=SKELM_UFUNCS[layer.ufunc],
                          title=f"random projection units ({layer.ufunc or 'lin'})")


def _skelm_hidden_layers(estimator) -> list:
    """The hidden layers of a fitted scikit-elm model (and its original features, where it
    keeps them), side by side."""
    fitted = Fitted(estimator)
    n = fitted.integer("n_features_", low=1)
    hidden = [_skelm_hidden(layer, n, f"{fitted.name}.hidden_layers_[{k}]")
              for k, layer in enumerate(fitted.get("hidden_layers_"))]
    if not hidden:
        raise fitted.error("hidden_layers_", "is empty, but an ELM has hidden layers")
    if estimator.include_original_features:
        hidden.insert(0, ActivatedUnits(np.eye(n), None, activation="identity",
                                        title="original features"))
    widths = [layer.weight.shape[0] for layer in hidden]
    return hidden if len(hidden) == 1 else [
        Branches([[layer] for layer in hidden], widths, title="hidden units, side by side")
    ]


def convert_skelm(estimator, options: Options) -> Conversion:
    """Converter for ``skelm.ELMClassifier`` (registered by :func:`register_skelm`)."""
    # multilabel or multi-output targets: a MultiLabelBinarizer, or a LabelBinarizer whose
    # y_type_ says so
    if getattr(estimator.label_binarizer_, "y_type_", None) not in ("binary", "multiclass"):
        raise multilabel_refused("scikit-elm ELMClassifier")
    layers = _skelm_hidden_layers(estimator)
    fitted = Fitted(estimator)
    classes = fitted.classes()
    coef, intercept = _skelm_readout(fitted, layers, 1 if len(classes) == 2 else len(classes))
    readout = readout_units(coef.T, intercept, classes)
    # targets were 0/1 columns (LabelBinarizer), so the binary threshold is 0.5
    head = ProbabilityHead(readout.out_features, "ovr-logistic", predict_from="scores",
                           threshold=0.5)
    return Conversion(layers=layers + [readout], head=head,
                      n_features_in=fitted.integer("n_features_"))


def convert_skelm_regressor(estimator, options: Options) -> Conversion:
    """Converter for ``skelm.ELMRegressor`` (registered by :func:`register_skelm_regressor`).

    Its read-out is ``H @ coef_ + intercept_``: ``coef_`` (n_hidden,) for a 1-D y, else
    (n_hidden, n_targets), a column y included, which then predicts (n, 1).
    """
    layers = _skelm_hidden_layers(estimator)
    fitted = Fitted(estimator)
    single = np.ndim(fitted.get("coef_")) == 1  # the solver's, through the property
    coef, intercept = _skelm_readout(fitted, layers, 1 if single else None)
    readout = regression_units(coef.T if not single else coef[:, 0], intercept,
                               "read-out neurons")
    head = RegressionHead(readout.out_features, single=single)
    return Conversion(layers=layers + [readout], head=head,
                      n_features_in=fitted.integer("n_features_"))


def _skelm_readout(fitted: Fitted, layers: list, n_outputs: int | None):
    """scikit-elm's read-out ``H @ coef_ + intercept_``, checked against the hidden width:
    ``coef_`` (n_hidden,) for one output (two classes, a 1-D y), else (n_hidden, n_outputs)
    (``n_outputs`` None: any); returned as (n_hidden, n_outputs) and one bias per output.
    Both are read where scikit-elm keeps them, its ``solver_`` (``coef_`` and ``intercept_``
    are read-only properties returning the solver's)."""
    width = layers[-1].describe().n_out
    fitted = Fitted(fitted.get("solver_"), f"{fitted.name}.solver_")
    one = np.ndim(fitted.get("coef_")) == 1
    if one and n_outputs not in (1, None):
        raise fitted.error("coef_", f"has one dimension, but (…, {n_outputs}) was expected")
    coef = fitted.array("coef_", shape=(width,) if one else (width, n_outputs))
    coef = coef[:, None] if one else coef
    return coef, fitted.bias("intercept_", coef.shape[1])


def _skelm_margin(estimator, X, reference: dict):
    """scikit-elm predicts from its raw read-out (threshold 0.5 for two classes, as its
    targets were 0/1; else argmax), not from its probabilities."""
    raw = super(type(estimator), estimator).predict(X)  # _BaseELM.predict: the read-out itself
    return decision_margin(raw, 0.5) if raw.ndim == 1 else decision_margin(raw)


def register_skelm(cls) -> None:
    """Register :func:`convert_skelm` and scikit-elm's margin rule for its class ``cls``."""
    converts(cls)(convert_skelm)
    margin_rule.register(cls)(_skelm_margin)


def register_skelm_regressor(cls) -> None:
    """Register :func:`convert_skelm_regressor` for scikit-elm's regressor class ``cls``."""
    converts(cls)(convert_skelm_regressor)


def _register_installed_skelm() -> None:
    try:
        from skelm import ELMClassifier as SkELMClassifier
        from skelm import ELMRegressor as SkELMRegressor
    except ImportError:
        # scikit-elm 0.21a0 imports dask.dataframe eagerly, which needs pyarrow; without it
        # the package cannot be imported, so no fitted model of it can exist here either.
        return
    register_skelm(SkELMClassifier)
    register_skelm_regressor(SkELMRegressor)


# importing scikit-elm costs about half a second (dask, pandas): its converter registers
# once it is imported (a fitted model of it implies that), or when the supported list asks
when_imported("skelm", _register_installed_skelm)
