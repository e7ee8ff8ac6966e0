"""GaussianProcessClassifier as a network: kernel units for the Laplace approximation's
latent mean and variance, then scikit-learn's probit-averaged sigmoid.

A binary model (scikit-learn's ``_BinaryGaussianProcessClassifierLaplace``, Rasmussen &
Williams algorithm 3.2) is one layer of kernel units centred on the training rows
(:class:`GaussianProcessLatent`) answering two columns:

- the latent mean ``f* = k(x, X_train)·(y − π)``, the same read-out as the regressor's mean;
- its variance ``v* = k(x, x) − ‖L⁻¹ (W^½ ⊙ k(X_train, x))‖²``, where ``L`` is the Cholesky
  factor of ``B = I + W^½ K W^½`` (``L_``) and ``W^½`` is ``W_sr_``. The triangular solve is a
  matrix product by ``L⁻¹``, inverted once when converting: ``B``'s eigenvalues are at least
  1, so ``L⁻¹`` is as well conditioned as ``L`` (the product agrees with scikit-learn's
  solve to rounding), and the network exports to ONNX, which has no triangular solve.

The head (:class:`LaplaceHead`) is scikit-learn's approximation of the sigmoid averaged over
that Gaussian: ``π* = Σ_i c_i ∫ erf`` with its five constants ``LAMBDAS`` and ``COEFS``
(Williams & Barber), in scikit-learn's order of operations; ``predict`` is
``classes_[1]`` where ``f* > 0`` (the MAP, not ``π* > 0.5``: equal everywhere but at
rounding). More classes are scikit-learn's own one-vs-rest or one-vs-one of binary models,
converted on the members mechanism of :mod:`nnconvert.compose.multiclass`; one-vs-one has no
``predict_proba``, as in scikit-learn. The kernels are the regressor's
(:class:`~nnconvert.families.gaussian_process.KernelOfRows`).

Examples
--------
>>> import numpy as np
>>> import nnconvert as nc
>>> from sklearn.datasets import load_iris
>>> from sklearn.gaussian_process import GaussianProcessClassifier
>>> X, y = load_iris(return_X_y=True)
>>> model = GaussianProcessClassifier(optimizer=None).fit(X, y)
>>> net = nc.convert(model)
>>> bool(np.allclose(net.predict_proba(X), model.predict_proba(X), rtol=0, atol=1e-12))
True
"""

from __future__ import annotations

import dataclasses

import numpy as np
import scipy.linalg
import torch
from sklearn.gaussian_process import GaussianProcessClassifier
from sklearn.gaussian_process._gpc import COEFS, LAMBDAS

from ..fitted import Fitted
from ..layers import Layer, LayerDescription, as_buffer
from ..layers.rows import in_row_blocks
from ..network.heads import ClassifierHead, binary_pair
from ..options import Options
from ..registry import Conversion, converts
from .gaussian_process import KernelOfRows, training_rows

__all__ = ["GaussianProcessLatent", "LaplaceHead", "binary_laplace"]

_BLOCK_ELEMENTS = 1 << 22


class GaussianProcessLatent(Layer):
    """Kernel units on the training rows answering the latent mean and its variance.

    Parameters
    ----------
    kernel : KernelOfRows
    rows : array-like of shape (n_train, n_features)
        ``X_train_``.
    residual : array-like of shape (n_train,)
        ``y_train_ − pi_``: the mean's read-out weights.
    w_sr : array-like of shape (n_train,)
        ``W_sr_``, the square root of the likelihood's Hessian at the mode.
    inverse_factor : array-like of shape (n_train, n_train)
        ``L_⁻¹``.
    """

    def __init__(self, kernel: KernelOfRows, rows, residual, w_sr, inverse_factor):
        super().__init__()
        self.kernel = kernel
        self.register_buffer("rows", as_buffer(rows))
        self.register_buffer("residual", as_buffer(residual))
        self.register_buffer("w_sr", as_buffer(w_sr))
        self.register_buffer("inverse_factor", as_buffer(inverse_factor))

    def _block(self, x: torch.Tensor) -> torch.Tensor:
        k = self.kernel(x, self.rows.to(x.dtype))  # (rows, n_train)
        mean = k @ self.residual.to(x.dtype)
        v = (k * self.w_sr.to(x.dtype)) @ self.inverse_factor.to(x.dtype).T
        variance = self.kernel.diag(x) - (v * v).sum(dim=1)
        return torch.stack([mean, variance], dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rows = max(1, _BLOCK_ELEMENTS // self.rows.shape[0])
        return in_row_blocks(self._block, x, rows)

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title=f"Gaussian-process kernel units, one per training row ({self.rows.shape[0]})",
            n_in=self.rows.shape[1],
            n_out=2,
            activation="kernel",
            activation_kind="kernel",
            formula=("f* = Σ_i (y_i − π_i) k({x}, x_i)   (latent mean),   k = "
                     + self.kernel.text + "\n"
                     "v* = k({x}, {x}) − ‖L⁻¹ (W^½ ⊙ k(X_train, {x}))‖²   (latent variance)\n"
                     "{y} = [f*, v*]"),
            parameters={"training rows": self.rows.cpu().numpy()},
        )


class LaplaceHead(ClassifierHead):
    """scikit-learn's averaged sigmoid of the latent Gaussian (``predict_proba``) and the
    sign of its mean (``predict``); no ``decision_function``, as in scikit-learn."""

    has_proba = True
    has_decision = False

    def __init__(self):
        super().__init__()
        self.register_buffer("lambdas", as_buffer(LAMBDAS))
        self.register_buffer("coefs", as_buffer(COEFS))

    untrainable_because = ("answers with an integral of the latent Gaussian, not scores a "
                           "classification loss is written for")

    def proba(self, z: torch.Tensor) -> torch.Tensor:
        # in float64 whatever the network's dtype: the five terms are about 3,000 times the
        # sum they cancel to, so float32 would lose three more digits here than it must
        mean, variance = z[:, 0].double(), z[:, 1].double()
        lambdas, coefs = self.lambdas.double(), self.coefs.double()
        alpha = 1 / (2 * variance)
        gamma = lambdas * mean
        integrals = (torch.sqrt(np.pi / alpha)
                     * torch.erf(gamma * torch.sqrt(alpha / (alpha + lambdas ** 2)))
                     / (2 * torch.sqrt(variance * 2 * np.pi)))
        return binary_pair((coefs * integrals).sum(dim=0) + 0.5 * coefs.sum()).to(z.dtype)

    def predict_index(self, z: torch.Tensor) -> torch.Tensor:
        return (z[:, 0] > 0).long()

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title="output", n_in=2, n_out=2, activation="∫σ·N", activation_kind="sigmoid",
            formula=("p(classes_[1] | x) = Σ_j c_j √(π/a) erf(λ_j f* √(a/(a+λ_j²))) / "
                     "(2√(2π v*)) + ½ Σ_j c_j,   a = 1/(2v*)   (scikit-learn's LAMBDAS λ, "
                     "COEFS c)\n"
                     "predict(x) = classes_[1] if f* > 0 else classes_[0]"),
            connectivity="dense")


def binary_laplace(model, options: Options, name: str) -> Conversion:
    """One binary Laplace model (``base_estimator_``, or a member of its one-vs-rest or
    one-vs-one) as kernel units and a :class:`LaplaceHead`."""
    fitted = Fitted(model, name)
    rows = training_rows(fitted)
    n = len(rows)
    y = fitted.array("y_train_", shape=(n,), low=0, high=1)
    pi = fitted.array("pi_", shape=(n,), low=0, high=1)
    w_sr = fitted.array("W_sr_", shape=(n,), low=0)
    factor = fitted.array("L_", shape=(n, n))
    if not np.all(np.diag(factor) > 0):
        raise fitted.error("L_", "has a diagonal entry that is not positive, which no "
                                 "Cholesky factor has")
    inverse = scipy.linalg.solve_triangular(np.tril(factor), np.eye(n), lower=True)
    kernel = KernelOfRows(fitted.get("kernel_"), "GaussianProcessClassifier")
    layer = GaussianProcessLatent(kernel, rows, y - pi, w_sr, inverse)
    return Conversion(layers=[layer], head=LaplaceHead(), classes=fitted.classes())


class _WithoutDecision(ClassifierHead):
    """A one-vs-rest or one-vs-one head answering only what GaussianProcessClassifier
    answers: ``predict`` and, for one-vs-rest, ``predict_proba`` (it has no
    ``decision_function``)."""

    has_decision = False
    untrainable_because = LaplaceHead.untrainable_because

    def __init__(self, inner: ClassifierHead, proba: bool):
        super().__init__()
        self.inner, self.has_proba = inner, bool(proba)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.proba(z) if self.has_proba else self.inner.decision(z)

    @property
    def scores_method(self) -> str:
        return "predict_proba" if self.has_proba else "predict"

    def proba(self, z: torch.Tensor) -> torch.Tensor:
        if not self.has_proba:
            raise AttributeError("one_vs_one multi-class mode does not support predicting "
                                 "probability estimates (nor does scikit-learn)")
        return self.inner.proba(z)

    def predict_index(self, z: torch.Tensor) -> torch.Tensor:
        return self.inner.predict_index(z)

    def describe(self) -> LayerDescription:
        # the inner head's formula, without the decision_function the classifier lacks
        inner = self.inner.describe()
        lines = [line for line in inner.formula.split("\n")
                 if not line.startswith("decision_function(x) = ")]
        formula = "\n".join(lines).replace("decision_function(x)", "s(x)")
        return dataclasses.replace(inner, formula=formula)


@converts(GaussianProcessClassifier)
def _gaussian_process_classifier(model: GaussianProcessClassifier,
                                 options: Options) -> Conversion:
    """Kernel units centred on the training rows answering the Laplace approximation's latent
    mean ``f* = k(x, X_train)·(y − π)`` and variance ``k(x, x) − ‖L⁻¹ W^½ k(X_train, x)‖²``,
    then scikit-learn's average of the sigmoid over that Gaussian (five erf terms with its
    constants ``LAMBDAS`` and ``COEFS``); ``predict`` is the sign of ``f*``.

    More than two classes: one binary model per class (``multi_class='one_vs_rest'``, its
    probabilities normalised) or per pair of classes (``'one_vs_one'``: a vote, and no
    ``predict_proba``, as in scikit-learn), each such a network. Kernels: those of
    :class:`~sklearn.gaussian_process.GaussianProcessRegressor` (Constant, RBF, Matern with
    ν ∈ {0.5, 1.5, 2.5, ∞}, RationalQuadratic, DotProduct, White, sums, products, powers).

    Refused: other kernels (named in the error).
    """
    from ..compose.multiclass import convert_one_vs_rest_or_one

    fitted = Fitted(model)
    classes = fitted.classes()
    base = fitted.get("base_estimator_")
    if len(classes) == 2:
        binary = binary_laplace(base, options, "GaussianProcessClassifier.base_estimator_")
        return dataclasses.replace(binary, classes=classes)
    multi = fitted.choice("multi_class", ("one_vs_rest", "one_vs_one"))
    conversion = convert_one_vs_rest_or_one(base, options, convert=binary_laplace,
                                            n_in=fitted.n_features)
    head = _WithoutDecision(conversion.head, proba=multi == "one_vs_rest")
    return dataclasses.replace(conversion, head=head, classes=classes)
