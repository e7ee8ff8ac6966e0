"""ConvertedTransformer: a torch module that transforms like the scikit-learn transformer."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from torch import nn

from .base import ConvertedNetwork
from .heads import TransformHead

__all__ = ["ConvertedTransformer"]


class ConvertedTransformer(ConvertedNetwork):
    """A fitted scikit-learn transformer (or pipeline of transformers) as layers.

    ``forward`` maps a tensor of features to the transformed features; :meth:`transform`
    takes any array-like, checks it as scikit-learn would and returns a numpy array.
    Build one with :func:`nnconvert.convert`.

    Parameters
    ----------
    layers, head, n_features_in, feature_names_in, source
        As :class:`~nnconvert.network.ConvertedNetwork`.
    feature_names_out : sequence of str or None
        What the transformer's ``get_feature_names_out()`` returns, where it has one.

    Examples
    --------
    >>> import nnconvert as nc
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.decomposition import PCA
    >>> X, _ = load_iris(return_X_y=True)
    >>> net = nc.convert(PCA(n_components=2).fit(X))
    >>> net.transform(X[:3]).shape, list(net.get_feature_names_out())
    ((3, 2), ['pca0', 'pca1'])
    """

    def __init__(self, layers: Sequence[nn.Module], head: TransformHead, *,
                 n_features_in: int, feature_names_in=None, source: str,
                 feature_names_out=None):
        super().__init__(layers, head, n_features_in=n_features_in,
                         feature_names_in=feature_names_in, source=source)
        self._feature_names_out = (None if feature_names_out is None
                                   else np.array(feature_names_out, dtype=object, copy=True))

    def transform(self, X) -> np.ndarray:
        """The transformed features, as the estimator's ``transform``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        numpy.ndarray of shape (n_samples, n_features_out)
        """
        return self._answer(X, "transform")

    def _output_names(self, n_out: int, labels=None) -> list[str] | None:
        if labels is None and self._feature_names_out is not None:
            labels = self._feature_names_out.tolist()
        return super()._output_names(n_out, labels)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """The names of the output features, as the estimator's ``get_feature_names_out()``.

        Raises
        ------
        AttributeError
            If the estimator had no ``get_feature_names_out``.
        """
        if self._feature_names_out is None:
            raise AttributeError(f"{self.source} has no get_feature_names_out")
        return self._feature_names_out.copy()
