"""scikit-learn's scalers as per-feature affine layers (:class:`~nnconvert.layers.AffineScaler`).

Each keeps scikit-learn's own order of operations (``(x − μ) / s`` or ``x · s + m``), so the
layer agrees to rounding; ``fuse=True`` later folds unclipped ones into the next layer. The
inverse of each (its ``inverse_transform``) is the affine map back, in scikit-learn's order
too: ``x · s + μ`` (``(x − m) / s`` for MinMaxScaler, which does not undo its clip).
"""

from __future__ import annotations

import numpy as np
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, RobustScaler, StandardScaler

from ..fitted import Fitted
from ..layers import AffineScaler
from ..options import Options
from ..registry import converts_inverse, converts_transformer


def _ones(n: int) -> np.ndarray:
    return np.ones(n, dtype=np.float64)


def _zeros(n: int) -> np.ndarray:
    return np.zeros(n, dtype=np.float64)


def _vectors(scaler, shift: str, scale: str, use_shift: bool = True,
             use_scale: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The scaler's per-feature shift and scale, checked: (n_features_in_,) each, finite, the
    scale never 0 (scikit-learn stores 1 for a constant feature, and divides by it). An
    option the scaler was fitted without (``with_mean=False``, ...) reads as 0 or 1."""
    fitted = Fitted(scaler)
    n = fitted.n_features
    return (fitted.array(shift, shape=(n,)) if use_shift else _zeros(n),
            fitted.array(scale, shape=(n,), nonzero=True) if use_scale else _ones(n))


@converts_transformer(StandardScaler)
def _standard_scaler(scaler: StandardScaler, options: Options) -> list:
    """An affine layer: ``(x − mean_) / scale_``; ``fuse=True`` folds it into the next layer.
    """
    mean, scale = _vectors(scaler, "mean_", "scale_", scaler.with_mean, scaler.with_std)
    return [AffineScaler(mean, scale, mode="center-divide", title="standard scaler")]


@converts_transformer(RobustScaler)
def _robust_scaler(scaler: RobustScaler, options: Options) -> list:
    """An affine layer: ``(x − center_) / scale_``.
    """
    center, scale = _vectors(scaler, "center_", "scale_", scaler.with_centering,
                             scaler.with_scaling)
    return [AffineScaler(center, scale, mode="center-divide", title="robust scaler")]


@converts_transformer(MaxAbsScaler)
def _max_abs_scaler(scaler: MaxAbsScaler, options: Options) -> list:
    """An affine layer: ``x / max_abs_``.
    """
    clip = (-1.0, 1.0) if getattr(scaler, "clip", False) else None
    zeros, scale = _vectors(scaler, "", "scale_", use_shift=False)
    return [AffineScaler(zeros, scale, mode="center-divide", title="max-abs scaler",
                         clip=clip)]


@converts_transformer(MinMaxScaler)
def _min_max_scaler(scaler: MinMaxScaler, options: Options) -> list:
    """An affine layer: ``x · scale_ + min_``, then a clamp where ``clip=True``.
    """
    clip = scaler.feature_range if scaler.clip else None
    shift, scale = _vectors(scaler, "min_", "scale_")
    return [AffineScaler(shift, scale, mode="multiply-add", title="min-max scaler",
                         clip=clip)]


# -- inverse_transform ----------------------------------------------------------------------

def _centre_and_scale(scaler, centre: str, centring: bool, scaling: bool) -> tuple:
    """The fitted ``(centre, scale)`` of a scaler, zeros / ones where it does not use them."""
    fitted = Fitted(scaler)
    n = fitted.n_features
    offset = fitted.array(centre, shape=(n,)) if centring else _zeros(n)
    scale = fitted.array("scale_", shape=(n,)) if scaling else _ones(n)
    return offset, scale


@converts_inverse(StandardScaler)
def _standard_scaler_inverse(scaler: StandardScaler, options: Options) -> list:
    mean, scale = _centre_and_scale(scaler, "mean_", scaler.with_mean, scaler.with_std)
    return [AffineScaler(mean, scale, mode="multiply-add", title="standard scaler, inverse")]


@converts_inverse(RobustScaler)
def _robust_scaler_inverse(scaler: RobustScaler, options: Options) -> list:
    center, scale = _centre_and_scale(scaler, "center_", scaler.with_centering,
                                      scaler.with_scaling)
    return [AffineScaler(center, scale, mode="multiply-add", title="robust scaler, inverse")]


@converts_inverse(MaxAbsScaler)
def _max_abs_scaler_inverse(scaler: MaxAbsScaler, options: Options) -> list:
    zeros, scale = _centre_and_scale(scaler, "scale_", False, True)
    return [AffineScaler(zeros, scale, mode="multiply-add", title="max-abs scaler, inverse")]


@converts_inverse(MinMaxScaler)
def _min_max_scaler_inverse(scaler: MinMaxScaler, options: Options) -> list:
    minimum, scale = _centre_and_scale(scaler, "min_", True, True)
    return [AffineScaler(minimum, scale, mode="center-divide", title="min-max scaler, inverse")]
