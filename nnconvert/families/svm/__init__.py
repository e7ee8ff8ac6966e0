"""Kernel SVMs (libsvm's SVC, NuSVC, SVR, NuSVR): a layer of kernel units and neurons reading it.

The answer to "use the kernel as the activation": each support vector becomes a hidden unit
whose activation is the kernel evaluated between the input and that vector (a Gaussian bump
for ``rbf``, a tanh neuron for ``sigmoid``). Each pair of classes (i, j) gets one output
neuron that reads the units of the support vectors of classes i and j with libsvm's dual
coefficients and has bias ``intercept_ = −ρ``; the other units reach it with weight zero.
A vote over the pair neurons gives ``predict``; Platt sigmoids and pairwise coupling give
``predict_proba``.

libsvm's layout, which the weights follow: support vectors are grouped by class
(``n_support_`` of each, in ``classes_`` order); ``dual_coef_[j − 1]`` holds the
coefficients of class i's vectors in pair (i, j), ``dual_coef_[i]`` those of class j's.

A support vector regressor (SVR, NuSVR) is the same kernel layer read by one neuron:
``predict(x) = Σ_j dual_coef_j k(x, sv_j) + intercept_``, with ``intercept_ = −ρ``.

The room: this module (the converter), ``heads`` (the vote), ``coupling`` (Platt sigmoids and
Wu–Lin–Weng coupling for ``predict_proba``) and ``rules`` (vote margins and score jumps for
verify).
"""

from __future__ import annotations

import numpy as np
from sklearn.svm import SVC, SVR, NuSVC, NuSVR

from ...errors import ConversionError
from ...fitted import Fitted
from ...layers import (
    KERNEL_TITLES,
    KernelExpansion,
    KernelUnits,
    LinearUnits,
)
from ...network.heads import RegressionHead
from ...network.votes import pair_index
from ...options import Options
from ...registry import Conversion, converts
from . import rules  # noqa: F401  (libsvm's margin and score-jump rules)
from .coupling import PairwiseCoupling
from .heads import VoteHead

RHO_NOTE = (
    "libsvm decides by Σ α·k − ρ and scikit-learn stores intercept_ = −ρ, so the bias is "
    "b = intercept_ = −ρ; positive votes for the pair's first class"
)
BINARY_RHO_NOTE = (
    "libsvm decides by Σ α·k − ρ, positive for classes_[0]; for two classes scikit-learn "
    "flips the sign of dual_coef_ and intercept_, so this neuron has b = intercept_ = +ρ "
    "and is positive towards classes_[1]"
)


def _check_kernel(estimator) -> None:
    """Refuse kernels the network cannot compute from the input features."""
    name = type(estimator).__name__
    kernel = estimator.kernel
    if callable(kernel) or kernel == "precomputed":
        shown = "a callable" if callable(kernel) else "'precomputed'"
        raise ConversionError(
            f"{name} with kernel={shown} cannot be converted: the network must compute the "
            "kernel itself from the input features. Refit with kernel='linear', 'poly', "
            "'rbf' or 'sigmoid'."
        )
    if kernel not in KERNEL_TITLES:
        raise ConversionError(f"{name} has an unknown kernel {kernel!r}.")


def _check_convertible(estimator) -> None:
    _check_kernel(estimator)
    name = type(estimator).__name__
    fitted = Fitted(estimator)
    # libsvm groups the support vectors by class: the counts must cover them exactly
    n_support = fitted.array("_n_support", ndim=1, dtype=np.int64, low=0)
    n_vectors = fitted.array("support_vectors_", ndim=2).shape[0]
    fitted.same("_n_support", int(n_support.sum()), n_vectors,
                "a total of (support vectors counted)")
    n_trained = len(n_support)
    if n_trained != len(fitted.classes()):
        raise ConversionError(
            f"{name} knows {len(estimator.classes_)} classes but libsvm trained on only "
            f"{n_trained} (a class whose samples all had zero weight is left out, and "
            "scikit-learn's own decision_function fails on such a model). Refit without "
            "zero sample weights for a whole class."
        )
    if estimator.break_ties and estimator.decision_function_shape == "ovo":
        raise ConversionError(
            f"{name}(break_ties=True, decision_function_shape='ovo') cannot predict (scikit-"
            "learn's predict raises), so there is nothing to reproduce. Set "
            "decision_function_shape='ovr' or break_ties=False."
        )


#: the kernels that read gamma (libsvm's linear kernel ignores it), degree and coef0
_READS = {"linear": (), "rbf": ("gamma",), "poly": ("gamma", "degree", "coef0"),
          "sigmoid": ("gamma", "coef0")}


def support_vector_units(estimator, unit_names, fitted: Fitted | None = None) -> KernelUnits:
    """One kernel unit per support vector of a fitted libsvm model, ``_gamma`` resolved.

    The support vectors must be (n_SV, n_features_in_) and finite; the kernel's parameters
    must lie where scikit-learn's own validation puts them (``gamma`` finite and >= 0,
    ``degree`` an integer >= 0, ``coef0`` finite), checked only where the kernel reads them.
    """
    fitted = fitted or Fitted(estimator)
    vectors = fitted.array("support_vectors_", shape=(None, fitted.n_features))
    reads = _READS[estimator.kernel]
    # _gamma: 'scale' and 'auto' resolved at fit time (the data's variance, 1/n_features)
    gamma = fitted.number("_gamma", low=0) if "gamma" in reads else 1.0
    degree = fitted.integer("degree", low=0) if "degree" in reads else 3
    coef0 = fitted.number("coef0") if "coef0" in reads else 0.0
    return KernelUnits(
        vectors,
        kernel=estimator.kernel,
        gamma=gamma,
        coef0=coef0,
        degree=degree,
        title=f"{KERNEL_TITLES[estimator.kernel]}, one per support vector",
        unit_names=unit_names,
    )


def pair_weights(dual_coef: np.ndarray, n_support: np.ndarray) -> np.ndarray:
    """The zero-padded (n_pairs, n_SV) weights of the one-vs-one neurons.

    Row p = (i, j) carries ``dual_coef[j − 1]`` over class i's support vectors and
    ``dual_coef[i]`` over class j's; every other support vector gets weight zero.
    """
    n_classes = len(n_support)
    start = np.concatenate([[0], np.cumsum(n_support)])
    weight = np.zeros((n_classes * (n_classes - 1) // 2, dual_coef.shape[1]))
    for p, (i, j) in enumerate(pair_index(n_classes)):
        own_i = slice(start[i], start[i + 1])
        own_j = slice(start[j], start[j + 1])
        weight[p, own_i] = dual_coef[j - 1, own_i]
        weight[p, own_j] = dual_coef[i, own_j]
    return weight


@converts(SVC, NuSVC)
def _kernel_svm(estimator, options: Options) -> Conversion:
    """Kernel units centred on the support vectors, one neuron per class pair (bias
    ``intercept_ = −ρ``), then libsvm's one-vs-one vote.

    Kernels linear, poly, rbf and sigmoid (tanh); gamma 'scale', 'auto' or a number;
    ``decision_function_shape`` ovo and ovr; ``break_ties``; ``class_weight``;
    ``probability=True`` (Platt's sigmoid per pair, then libsvm's Wu–Lin–Weng coupling). At a
    pairwise tie the ovr scores jump by a whole vote: ``verify`` counts such rows as near ties.

    Refused: precomputed and callable kernels.
    """
    _check_convertible(estimator)
    fitted = Fitted(estimator)
    classes = fitted.classes()
    n_classes = len(classes)
    n_vectors = fitted.array("support_vectors_", ndim=2).shape[0]
    n_support = fitted.array("_n_support", shape=(n_classes,), dtype=np.int64, low=0)
    # the public dual_coef_ and intercept_: for two classes they are already sign-flipped, so
    # the single neuron computes scikit-learn's decision_function (positive: classes_[1])
    dual_coef = fitted.array("dual_coef_", shape=(n_classes - 1, n_vectors))
    n_pairs = n_classes * (n_classes - 1) // 2
    intercept = fitted.array("intercept_", shape=(n_pairs,))
    support = fitted.array("support_", shape=(n_vectors,), dtype=np.int64, low=0)

    sv_class = np.repeat(np.arange(n_classes), n_support)
    units = support_vector_units(
        estimator, [f"sv {index} ({classes[c]})" for index, c in zip(support, sv_class)],
        fitted)
    pairs = pair_index(n_classes)
    readout = LinearUnits(
        pair_weights(dual_coef, n_support),
        intercept,
        title="one-vs-one neurons, one per class pair",
        bias_note=BINARY_RHO_NOTE if n_classes == 2 else RHO_NOTE,
        bias_form="+ρ" if n_classes == 2 else "−ρ",
        # a pair unit "a vs b" is positive towards a: libsvm's first class, except for two
        # classes, whose one neuron scikit-learn flips to be positive towards classes_[1]
        unit_names=([f"{classes[1]} vs {classes[0]}"] if n_classes == 2
                    else [f"{classes[i]} vs {classes[j]}" for i, j in pairs]),
    )
    title = f"{type(estimator).__name__} ({estimator.kernel} kernel): support vectors → pairs"
    expansion = KernelExpansion(units, readout, title=title)

    coupling = None
    # probability=True is deprecated in scikit-learn 1.9 (and probA_ with it); the private
    # arrays are what its predict_proba reads, empty when the model has no probabilities
    if hasattr(estimator, "predict_proba") and np.size(estimator._probA) > 0:
        coupling = PairwiseCoupling(fitted.array("_probA", shape=(n_pairs,)),
                                    fitted.array("_probB", shape=(n_pairs,)), n_classes)
    head = VoteHead(
        n_classes,
        shape=estimator.decision_function_shape,
        break_ties=estimator.break_ties,
        coupling=coupling,
    )
    return Conversion(layers=[expansion], head=head)


SVR_NOTE = ("libsvm predicts Σ α·k − ρ and scikit-learn stores intercept_ = −ρ, so the "
            "bias is b = intercept_ = −ρ")


@converts(SVR, NuSVR)
def _kernel_svr(estimator, options: Options) -> Conversion:
    """Kernel units centred on the support vectors, one read-out neuron (bias ``intercept_``).

    Kernels linear, poly, rbf and sigmoid.

    Refused: precomputed and callable kernels.
    """
    _check_kernel(estimator)
    fitted = Fitted(estimator)
    n_vectors = fitted.array("support_vectors_", ndim=2).shape[0]
    support = fitted.array("support_", shape=(n_vectors,), dtype=np.int64, low=0)
    units = support_vector_units(estimator, [f"sv {index}" for index in support], fitted)
    # dual_coef_ is (1, n_SV): the signed α_i − α_i* of each support vector
    readout = LinearUnits(fitted.array("dual_coef_", shape=(1, n_vectors)),
                          fitted.array("intercept_", shape=(1,)),
                          title="regression neuron", bias_note=SVR_NOTE, bias_form="−ρ")
    title = f"{type(estimator).__name__} ({estimator.kernel} kernel): support vectors → ŷ"
    return Conversion(layers=[KernelExpansion(units, readout, title=title)],
                      head=RegressionHead(1, single=True))
