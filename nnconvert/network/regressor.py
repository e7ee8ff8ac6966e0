"""ConvertedRegressor: a torch module that predicts like the scikit-learn regressor it came from."""

from __future__ import annotations

import numpy as np

from .base import ConvertedNetwork

__all__ = ["ConvertedRegressor"]


class ConvertedRegressor(ConvertedNetwork):
    """A fitted scikit-learn regressor rebuilt from neural-network layers.

    ``forward`` maps a tensor of features to the predictions; :meth:`predict` takes any
    array-like, checks it as scikit-learn would and returns scikit-learn's shape: (n,) for a
    1-D target, (n, k) for k targets. Build one with :func:`nnconvert.convert`.
    """

    def predict(self, X) -> np.ndarray:
        """Predictions, as the estimator's ``predict``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        numpy.ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        return self._answer(X, "predict")

    output_symbol = "ŷ"

    def _output_names(self, n_out: int, labels=None) -> list[str] | None:
        if labels is not None:
            return super()._output_names(n_out, labels)
        # the target as a formula writes it: y, or y0 … yk for several targets
        return ["y"] if n_out == 1 else [f"y{k}" for k in range(n_out)]

    @property
    def n_outputs_(self) -> int:
        """Number of targets."""
        return self.head.n_outputs
