"""``score_samples`` and ``score`` of a converted transformer: a network of its own.

Probabilistic PCA and factor analysis model the data as a Gaussian, and their
``score_samples`` is each row's log-likelihood under it: one quadratic unit around the mean,
``−½ (x − μ)ᵀ P (x − μ) − ½ (d log 2π − log det P)`` with ``P`` the model's precision
(:class:`GaussianLogLikelihood`). Each class registers the layers with
:func:`~nnconvert.registry.converts_score_samples`; a pipeline's are its earlier steps'
transform and its last step's score. :func:`attach_scores` hangs that network on the forward
one as ``score_network``: ``net.score_samples(X)`` answers as the estimator does, and
``net.score(X)`` is their mean, as scikit-learn's.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from sklearn.decomposition import PCA, FactorAnalysis
from sklearn.utils.extmath import fast_logdet

from .errors import UnsupportedEstimatorError
from .fitted import Fitted
from .layers import Layer, LayerDescription, as_buffer
from .network import ConvertedTransformer, TransformHead
from .options import Options
from .registry import convert_score_samples, converts_score_samples

__all__ = ["GaussianLogLikelihood", "attach_scores"]


class GaussianLogLikelihood(Layer):
    """One quadratic unit: the log-density of ``x`` under ``N(μ, P⁻¹)``, in scikit-learn's
    order of operations (``−½ Σ (x − μ) ∘ ((x − μ) P)``, then the constant subtracted).

    Parameters
    ----------
    mean : array-like of shape (d,)
    precision : array-like of shape (d, d)
    constant : float
        ``½ (d log 2π − log det P)``.
    """

    def __init__(self, mean, precision, constant: float):
        super().__init__()
        self.register_buffer("mean", as_buffer(mean).reshape(-1))
        self.register_buffer("precision", as_buffer(precision))
        self.constant = float(constant)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        centred = x - self.mean
        quadratic = (centred * (centred @ self.precision)).sum(dim=1, keepdim=True)
        return -0.5 * quadratic - self.constant

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title="Gaussian log-likelihood", n_in=self.mean.shape[0], n_out=1,
            activation="quadratic", activation_kind="quadratic",
            formula=("{y} = −½ ({x} − μ)ᵀ P ({x} − μ) − ½ (d log 2π − log det P)   "
                     f"(½ (d log 2π − log det P) = {self.constant:.6g})"),
            unit_names=("log-likelihood",))


@converts_score_samples(PCA, FactorAnalysis)
def _gaussian_score(model, options: Options) -> list:
    fitted = Fitted(model)
    n = fitted.n_features
    mean = fitted.array("mean_", shape=(n,))
    try:
        precision = model.get_precision()  # scikit-learn's own formula, once
    except (ValueError, np.linalg.LinAlgError, ArithmeticError):
        raise fitted.error("components_", "give no precision matrix (get_precision() fails)") \
            from None
    precision = fitted.array("get_precision()", shape=(n, n), value=precision)
    constant = 0.5 * (n * math.log(2.0 * np.pi) - fast_logdet(precision))
    if not np.isfinite(constant):
        raise fitted.error("get_precision()", "is not positive definite")
    return [GaussianLogLikelihood(mean, precision, constant)]


def attach_scores(estimator, options: Options, net: ConvertedTransformer) -> None:
    """Give ``net`` the network of its estimator's ``score_samples``, where it has one.

    Sets ``net.score_network``, or ``net.score_refused`` (the reason) where scikit-learn has
    a ``score_samples`` nnconvert does not convert.

    Examples
    --------
    >>> import numpy as np, nnconvert as nc
    >>> from sklearn.decomposition import PCA
    >>> X = np.random.default_rng(0).normal(size=(50, 4))
    >>> pca = PCA(n_components=2).fit(X)
    >>> bool(np.allclose(nc.convert(pca).score_samples(X), pca.score_samples(X)))
    True
    """
    if not hasattr(estimator, "score_samples"):
        return
    try:
        layers = convert_score_samples(estimator, options)
    except UnsupportedEstimatorError as error:
        net.score_refused = f"{net.source}: {error}"
        return
    names = getattr(net, "feature_names_in_", None)
    scores = ConvertedTransformer(layers, TransformHead(1), n_features_in=net.n_features_in_,
                                  feature_names_in=names, source=f"{net.source}, score_samples",
                                  feature_names_out=["log-likelihood"])
    net.score_network = scores.to(net.dtype)
