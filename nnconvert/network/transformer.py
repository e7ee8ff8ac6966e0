"""ConvertedTransformer: a torch module that transforms like the scikit-learn transformer.

Where the transformer has an ``inverse_transform``, the network carries its inverse as a
network of its own (:attr:`ConvertedTransformer.inverse_network`, built by
:mod:`nnconvert.inverse`): layers from the output width back to the input width, which draw
and export like any network.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import scipy.sparse
import torch
from sklearn.utils.metaestimators import available_if
from torch import nn

from ..errors import UnsupportedEstimatorError
from .base import ConvertedNetwork
from .heads import TransformHead

__all__ = ["ConvertedTransformer"]


def _has_inverse(net: "ConvertedTransformer") -> bool:
    return net.inverse_network is not None or net.inverse_refused is not None


def _has_scores(net: "ConvertedTransformer") -> bool:
    return net.score_network is not None or net.score_refused is not None


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

    Attributes
    ----------
    inverse_network : ConvertedTransformer or None
        The network of the estimator's ``inverse_transform`` (from the output width back to
        the input width), where scikit-learn has one and nnconvert converts it.
    inverse_refused : str or None
        Why :meth:`inverse_transform` is refused, where scikit-learn has one that nnconvert
        does not convert.

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
        self.inverse_network: ConvertedTransformer | None = None
        self.inverse_refused: str | None = None
        self.score_network: ConvertedTransformer | None = None
        self.score_refused: str | None = None

    def __getattr__(self, name: str):
        # available_if's AttributeError sends Python to torch's Module.__getattr__, whose
        # message says only that the attribute is missing: say that the estimator has none
        if name in ("inverse_transform", "score_samples", "score"):
            raise AttributeError(f"{self.source} has no {name} (nor has its estimator)") \
                from None
        return super().__getattr__(name)

    @available_if(_has_inverse)
    def inverse_transform(self, X):
        """The estimator's ``inverse_transform``: rows of the output space mapped back.

        Only present where the estimator has ``inverse_transform``. Computed by
        :attr:`inverse_network` (draw it, export it, as any network).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_out)

        Returns
        -------
        numpy.ndarray of shape (n_samples, ``n_features_in_``)
            Of the estimator's dtype: float64, or the categories' own dtype (object where
            a row holds an unknown category, None) for encoders.

        Raises
        ------
        UnsupportedEstimatorError
            Where scikit-learn has an ``inverse_transform`` nnconvert does not convert
            (:attr:`inverse_refused` says which step).

        Examples
        --------
        >>> import numpy as np, nnconvert as nc
        >>> from sklearn.preprocessing import StandardScaler
        >>> X = np.array([[1.0, 2.0], [3.0, 6.0]])
        >>> net = nc.convert(StandardScaler().fit(X))
        >>> net.inverse_transform(net.transform(X))
        array([[1., 2.],
               [3., 6.]])
        """
        if self.inverse_network is None:
            raise UnsupportedEstimatorError(self.inverse_refused)
        return self.inverse_network.transform(X)

    @available_if(_has_scores)
    def score_samples(self, X) -> np.ndarray:
        """Each row's log-likelihood, as the estimator's ``score_samples`` (PCA,
        FactorAnalysis, a pipeline ending in one); computed by :attr:`score_network`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        numpy.ndarray of shape (n_samples,)
        """
        if self.score_network is None:
            raise UnsupportedEstimatorError(self.score_refused)
        return self.score_network.transform(X)[:, 0]

    @available_if(_has_scores)
    def score(self, X, y=None) -> float:
        """The mean log-likelihood of the rows, as the estimator's ``score``."""
        return float(np.mean(self.score_samples(X)))

    def _to_numpy(self, method: str, answer: torch.Tensor) -> np.ndarray:
        values = answer.cpu().numpy()
        # the last layer may write codes that name non-numeric values (an encoder's inverse
        # writes category indices): it turns them into the values, as the estimator returns;
        # a layer whose estimator answers a sparse matrix (RandomTreesEmbedding) says so
        last = self.body[-1] if len(self.body) else None
        if method == "transform" and hasattr(last, "decode"):
            return last.decode(values)
        if method == "transform" and getattr(last, "sparse_output", False):
            return scipy.sparse.csr_matrix(values)
        return values

    def transform(self, X) -> np.ndarray:
        """The transformed features, as the estimator's ``transform``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        numpy.ndarray of shape (n_samples, n_features_out)
        """
        first = self.body[0] if len(self.body) else None
        if hasattr(first, "labels_in"):  # a transformer of labels reads a 1-D y
            X = first.labels_in(X)
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
