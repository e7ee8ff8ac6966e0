"""The metric of a fitted neighbours estimator, as distance units compute it: its name, its
exponent and its parameter (V, VI or w), read from ``effective_metric_`` and
``effective_metric_params_`` and checked through :class:`~nnconvert.fitted.Fitted`.

scikit-learn's brute force accepts these metrics (``sklearn.neighbors.VALID_METRICS``):
euclidean, sqeuclidean, manhattan (cityblock, l1), chebyshev, minkowski (any p > 0, with
weights ``w`` or without), cosine, seuclidean (``V``), mahalanobis (``VI``), braycurtis,
canberra, correlation, hamming and haversine (two features, latitude and longitude in
radians), each computed here as scikit-learn's ``DistanceMetric``
(scipy's for correlation) computes it, in the difference form. Refused with the reason:
``precomputed`` (no rows to centre units on), ``nan_euclidean`` (it reads missing values,
which a neighbours network refuses) and the boolean metrics (dice, jaccard,
rogerstanimoto, russellrao, sokalsneath, yule), which read every value as ``x != 0``.
"""

from __future__ import annotations

import numpy as np

from ..errors import ConversionError
from ..fitted import Fitted
from ..layers import metric_of

__all__ = ["BOOLEAN_METRICS", "neighbour_metric"]

#: the metrics scikit-learn computes on ``x != 0``: refused
BOOLEAN_METRICS = ("dice", "jaccard", "rogerstanimoto", "russellrao", "sokalsneath", "yule",
                   "sokalmichener", "matching")
#: the metrics read from their name alone, beyond metric_of's
_NAMED = ("braycurtis", "canberra", "correlation", "hamming", "haversine")


def neighbour_metric(estimator) -> tuple[str, float, np.ndarray | None]:
    """``(metric, p, parameter)`` of a fitted neighbours estimator: a key of
    :data:`~nnconvert.layers.METRIC_FORMULAS`, Minkowski's exponent, and the metric's own
    parameter (V of seuclidean, VI of mahalanobis, w of weighted minkowski) or None.

    Raises ConversionError (a metric that cannot be converted, with the reason) or
    InvalidModelError (a parameter that scikit-learn would not have accepted).
    """
    name = type(estimator).__name__
    fitted = Fitted(estimator)
    metric = estimator.effective_metric_
    params = dict(estimator.effective_metric_params_ or {})
    label = "effective_metric_params_"
    if not isinstance(metric, str):
        raise ConversionError(
            f"{name}(metric={metric!r}): a callable or DistanceMetric object is Python code, "
            "not a network; give the metric by its name.")
    if metric in BOOLEAN_METRICS:
        raise ConversionError(
            f"{name}(metric={metric!r}) reads every value as a boolean (x != 0), which "
            "nnconvert does not convert; use a numeric metric (hamming, for one, counts the "
            "features that differ).")
    if metric == "nan_euclidean":
        raise ConversionError(
            f"{name}(metric='nan_euclidean') reads missing values, which a neighbours "
            "network does not take; impute them first (SimpleImputer, KNNImputer) and use "
            "metric='euclidean'.")
    n = fitted.n_features
    p = params.pop("p", estimator.p)
    if metric in ("minkowski", "p") and p is not None:
        p = fitted.number(f"{label}['p']", low=0, strict_low=True, value=p)
    w = params.pop("w", None)
    if metric == "minkowski" and w is not None:
        if p is None or not np.isfinite(p):
            raise ConversionError(f"{name}: minkowski with weights w needs a finite p.")
        w = fitted.array(f"{label}['w']", shape=(n,), low=0, value=w)
        return _only(name, metric, params, "wminkowski", float(p), w)
    if metric == "seuclidean":
        V = params.pop("V", None)
        if V is None:
            raise ConversionError(f"{name}(metric='seuclidean') without V: scikit-learn "
                                  "needs the variances V in metric_params.")
        V = fitted.array(f"{label}['V']", shape=(n,), low=0, strict_low=True, value=V)
        return _only(name, metric, params, "seuclidean", 2.0, V)
    if metric == "mahalanobis":
        if "VI" not in params:  # scikit-learn's predict needs VI too
            raise ConversionError(f"{name}(metric='mahalanobis') needs VI in metric_params "
                                  "(scikit-learn's own predict does).")
        VI = fitted.array(f"{label}['VI']", shape=(n, n), value=params.pop("VI"))
        return _only(name, metric, params, "mahalanobis", 2.0, VI)
    if metric in _NAMED:
        if metric == "haversine" and n != 2:
            raise fitted.error("n_features_in_", f"is {n}, but haversine reads 2 features "
                                                  "(latitude, longitude)")
        return _only(name, metric, params, metric, 2.0, None)
    try:
        found, p = metric_of(metric, p, params)
    except ValueError as e:
        raise ConversionError(f"{name}: {e}") from None
    return found, p, None


def _only(name, metric, params, found, p, parameter):
    """The answer, where no parameter is left unread."""
    if params:
        raise ConversionError(
            f"{name}(metric={metric!r}) with parameters {sorted(params)}: nnconvert reads "
            "only p, w (minkowski), V (seuclidean) and VI (mahalanobis).")
    return found, p, parameter
