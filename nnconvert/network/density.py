"""ConvertedDensity: a torch module that scores rows as a scikit-learn density estimator does."""

from __future__ import annotations

import numpy as np
import torch

from ..layers import LayerDescription
from .base import ConvertedNetwork
from .heads import Head

__all__ = ["DensityHead", "ConvertedDensity"]


class DensityHead(Head):
    """The head of a density: the body's one output column is the log density."""

    kind = "density"
    methods = ("score_samples",)
    scores_method = "score_samples"

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return z[:, 0]

    def answer(self, z: torch.Tensor, method: str) -> torch.Tensor:
        if method != "score_samples":
            raise AttributeError(f"a density has no {method}")
        return self(z)

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title="output", n_in=1, n_out=1, activation="none",
            formula="score_samples(x) = {x} = log p(x)   (score(X) = Σ_rows score_samples)",
            connectivity="elementwise", unit_names=("log p(x)",))


class ConvertedDensity(ConvertedNetwork):
    """A fitted scikit-learn density estimator (KernelDensity) rebuilt from layers.

    ``forward`` maps a tensor of features to the log density of each row; :meth:`score_samples`
    takes any array-like, :meth:`score` sums it as the estimator's ``score``. Build one with
    :func:`nnconvert.convert`.

    Examples
    --------
    >>> import numpy as np, nnconvert as nc
    >>> from sklearn.neighbors import KernelDensity
    >>> X = np.random.default_rng(0).normal(size=(50, 2))
    >>> kde = KernelDensity(bandwidth=0.5).fit(X)
    >>> net = nc.convert(kde)
    >>> bool(np.allclose(net.score_samples(X), kde.score_samples(X), rtol=1e-12))
    True
    """

    output_symbol = "z"

    def score_samples(self, X) -> np.ndarray:
        """The log density of each row, as the estimator's ``score_samples``.

        Returns
        -------
        numpy.ndarray of shape (n_samples,)
        """
        return self._answer(X, "score_samples")

    def score(self, X, y=None) -> float:
        """The total log density of the rows, as the estimator's ``score``."""
        return float(np.sum(self.score_samples(X)))
