"""ConvertedClassifier: a torch module that answers as the scikit-learn classifier it came from."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from sklearn.utils.metaestimators import available_if
from torch import nn

from .base import ConvertedNetwork
from .heads import ClassifierHead

__all__ = ["ConvertedClassifier"]


def _has_proba(net: "ConvertedClassifier") -> bool:
    return net.head.has_proba


def _has_log_proba(net: "ConvertedClassifier") -> bool:
    return net.head.has_log_proba


def _has_decision(net: "ConvertedClassifier") -> bool:
    return net.head.has_decision


# What to use when the estimator lacks a method (scikit-learn leaves it out the same way).
_ABSENT_METHOD_ADVICE = {
    "predict_proba": "use decision_function for scores, or wrap the estimator in "
                     "sklearn.calibration.CalibratedClassifierCV before converting "
                     "for probabilities",
    "decision_function": "use predict_proba",
}


class ConvertedClassifier(ConvertedNetwork):
    """A fitted scikit-learn classifier rebuilt from neural-network layers.

    ``forward`` maps a tensor of features to the raw scores (scikit-learn's
    ``decision_function``, or its ``predict_proba`` for models that have no decision function).
    The scikit-learn style methods take any array-like, check it as scikit-learn would, and
    return numpy arrays of scikit-learn's shapes; ``predict`` returns labels from ``classes_``.

    Build one with :func:`nnconvert.convert`, not directly.

    Parameters
    ----------
    layers : sequence of torch.nn.Module
        The body, applied in order.
    head : ClassifierHead
        Turns the body's output into decision scores, probabilities and class indices.
    classes : array-like
        scikit-learn's ``classes_``.
    n_features_in : int
    feature_names_in : array-like of str or None
    source : str

    Attributes
    ----------
    classes_ : numpy.ndarray
    n_features_in_ : int
    feature_names_in_ : numpy.ndarray
        Only present when the estimator has it.

    Examples
    --------
    >>> import nnconvert as nc
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> X, y = load_iris(return_X_y=True)
    >>> net = nc.convert(SVC().fit(X, y))
    >>> net.decision_function(X[:2]).shape, net.predict(X[:2])
    ((2, 3), array([0, 0]))
    >>> sorted(net.outputs(X[:2], methods=("decision_function", "predict")))
    ['decision_function', 'predict']
    """

    def __init__(self, layers: Sequence[nn.Module], head: ClassifierHead, *, classes,
                 n_features_in: int, feature_names_in=None, source: str):
        super().__init__(layers, head, n_features_in=n_features_in,
                         feature_names_in=feature_names_in, source=source)
        self.classes_ = np.array(classes, copy=True)

    def __getattr__(self, name: str):
        # available_if's AttributeError sends Python to torch's Module.__getattr__, whose message
        # says only that the attribute is missing; say instead what the estimator offers.
        if name in _ABSENT_METHOD_ADVICE:
            raise AttributeError(f"{self.source} has no {name}: "
                                 f"{_ABSENT_METHOD_ADVICE[name]}") from None
        return super().__getattr__(name)

    def _to_numpy(self, method: str, answer: torch.Tensor) -> np.ndarray:
        values = answer.cpu().numpy()
        return self.classes_.take(values) if method == "predict" else values

    @available_if(_has_decision)
    def decision_function(self, X) -> np.ndarray:
        """Decision scores, as the estimator's ``decision_function``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            numpy array, list, pandas dataframe or torch tensor.

        Returns
        -------
        numpy.ndarray of shape (n_samples,) for two classes, else (n_samples, n_classes)
        """
        return self._answer(X, "decision_function")

    @available_if(_has_proba)
    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, as the estimator's ``predict_proba``.

        Only present where the estimator has ``predict_proba``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        numpy.ndarray of shape (n_samples, n_classes)
        """
        return self._answer(X, "predict_proba")

    @available_if(_has_log_proba)
    def predict_log_proba(self, X) -> np.ndarray:
        """Log class probabilities, as the estimator's ``predict_log_proba``.

        Computed in log space as scikit-learn does (not the log of ``predict_proba``), so very
        small probabilities keep their digits. Only present where the estimator has it.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        numpy.ndarray of shape (n_samples, n_classes)
        """
        return self._answer(X, "predict_log_proba")

    def predict(self, X) -> np.ndarray:
        """Class labels from ``classes_``, as the estimator's ``predict``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        numpy.ndarray of shape (n_samples,)
        """
        return self._answer(X, "predict")

    def score(self, X, y, sample_weight=None) -> float:
        """The accuracy of :meth:`predict` on ``X`` against ``y``, as the estimator's
        ``score`` (scikit-learn's ``accuracy_score``)."""
        from sklearn.metrics import accuracy_score  # only for those who score
        if getattr(self, "score_refused", None):
            raise NotImplementedError(self.score_refused)
        return float(accuracy_score(y, self.predict(X), sample_weight=sample_weight))

    output_symbol = "s"  # the scores

    def _output_names(self, n_out: int, labels=None) -> list[str] | None:
        classes = [str(c) for c in (self.classes_ if labels is None else labels)]
        if len(classes) != len(self.classes_):
            raise ValueError(
                f"{len(classes)} class names were given but the network has "
                f"{len(self.classes_)} classes"
            )
        if n_out == len(classes):
            return classes
        if n_out == 1 and len(classes) == 2:
            # one score, positive towards classes_[1]
            return [f"{classes[1]} vs {classes[0]}"]
        return None

    def _title(self) -> str:
        return f"{self.source} as a network, classes_ = {self.classes_.tolist()}:"

    def extra_repr(self) -> str:
        return f"source={self.source!r}, classes={self.classes_.tolist()}, dtype={self.dtype}"
