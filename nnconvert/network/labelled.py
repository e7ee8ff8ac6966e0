"""Networks whose ``predict`` answers a label of a fixed set that is not a class: clusterers
(cluster labels) and outlier detectors (+1 inlier, −1 outlier).

:class:`LabelledNetwork` holds what both share with a classifier's labels: the head's
``predict`` is an index into ``classes_`` (so verify compares labels, with the near-tie band,
exactly as it does a classifier's), and the network maps it to the label, in the dtype
scikit-learn returns (KMeans answers int32, a mixture int64).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from torch import nn

from .base import ConvertedNetwork
from .heads import Head

__all__ = ["LabelledNetwork"]


class LabelledNetwork(ConvertedNetwork):
    """A network whose ``predict`` returns labels from ``classes_``.

    Parameters
    ----------
    layers, head, n_features_in, feature_names_in, source
        As :class:`~nnconvert.network.ConvertedNetwork`.
    classes : array-like
        What ``predict`` returns, by the index the head answers.
    """

    def __init__(self, layers: Sequence[nn.Module], head: Head, *, classes,
                 n_features_in: int, feature_names_in=None, source: str):
        super().__init__(layers, head, n_features_in=n_features_in,
                         feature_names_in=feature_names_in, source=source)
        self.classes_ = np.array(classes, copy=True)

    def _to_numpy(self, method: str, answer: torch.Tensor) -> np.ndarray:
        values = answer.cpu().numpy()
        return self.classes_.take(values) if method == "predict" else values

    def predict(self, X) -> np.ndarray:
        """The labels, as the estimator's ``predict``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        numpy.ndarray of shape (n_samples,)
        """
        return self._answer(X, "predict")

    def extra_repr(self) -> str:
        return f"source={self.source!r}, labels={self.classes_.tolist()}, dtype={self.dtype}"
