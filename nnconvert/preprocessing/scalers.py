"""scikit-learn's scalers as per-feature affine layers (:class:`~nnconvert.layers.AffineScaler`).

Each keeps scikit-learn's own order of operations (``(x − μ) / s`` or ``x · s + m``), so the
layer agrees to rounding; ``fuse=True`` later folds unclipped ones into the next layer.
"""

from __future__ import annotations

import numpy as np
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, RobustScaler, StandardScaler

from ..layers import AffineScaler
from ..registry import converts_transformer


def _ones(n: int) -> np.ndarray:
    return np.ones(n, dtype=np.float64)


def _zeros(n: int) -> np.ndarray:
    return np.zeros(n, dtype=np.float64)


@converts_transformer(StandardScaler)
def _standard_scaler(scaler: StandardScaler, options: dict) -> list:
    """An affine layer: ``(x − mean_) / scale_``; ``fuse=True`` folds it into the next layer.
    """
    n = scaler.n_features_in_
    mean = scaler.mean_ if scaler.with_mean else _zeros(n)
    scale = scaler.scale_ if scaler.with_std else _ones(n)
    return [AffineScaler(mean, scale, mode="center-divide", title="standard scaler")]


@converts_transformer(RobustScaler)
def _robust_scaler(scaler: RobustScaler, options: dict) -> list:
    """An affine layer: ``(x − center_) / scale_``.
    """
    n = scaler.n_features_in_
    center = scaler.center_ if scaler.with_centering else _zeros(n)
    scale = scaler.scale_ if scaler.with_scaling else _ones(n)
    return [AffineScaler(center, scale, mode="center-divide", title="robust scaler")]


@converts_transformer(MaxAbsScaler)
def _max_abs_scaler(scaler: MaxAbsScaler, options: dict) -> list:
    """An affine layer: ``x / max_abs_``.
    """
    clip = (-1.0, 1.0) if getattr(scaler, "clip", False) else None
    n = scaler.n_features_in_
    return [AffineScaler(_zeros(n), scaler.scale_, mode="center-divide", title="max-abs scaler",
                         clip=clip)]


@converts_transformer(MinMaxScaler)
def _min_max_scaler(scaler: MinMaxScaler, options: dict) -> list:
    """An affine layer: ``x · scale_ + min_``, then a clamp where ``clip=True``.
    """
    clip = scaler.feature_range if scaler.clip else None
    return [AffineScaler(scaler.min_, scaler.scale_, mode="multiply-add", title="min-max scaler",
                         clip=clip)]
