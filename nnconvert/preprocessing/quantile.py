"""QuantileTransformer as interpolation units between each feature's fitted quantiles.

scikit-learn's ``_transform_col`` maps ``x`` to ``½ (interp(x, q, r) − interp(−x, −q[::-1],
−r[::-1]))``: the mean of ``np.interp`` run upwards and downwards, so that a value repeated
in the data (several equal quantiles) lands in the middle of their references rather than
at one end. Each ``np.interp`` is what numpy computes: the segment ``j`` is the number of
quantiles ``q_i ≤ x`` less one (step units), a value equal to ``q_j`` answers ``r_j``, any
other ``slope_j (x − q_j) + r_j``, and values beyond the ends answer the end's reference.
Then the bounds: ``x = q_0`` gives 0 and ``x = q_last`` gives 1 (``'uniform'``); for
``'normal'`` within 1e-7 of either end (``BOUNDS_THRESHOLD``), and the result goes through
the inverse normal CDF (``ndtri``, Cephes' algorithm as scipy's), clipped to
``ndtri(1e-7 − ε)`` and its opposite so that no value is infinite. NaN passes through as NaN.
The normal output is computed in float64 even in a float32 network: ``ndtri`` of a float32
probability near 1 is off by up to 1e-3 of the output's scale.

scikit-learn transforms only the stored values of a sparse matrix (its zeros stay 0); the
network reads a sparse matrix as the dense rows it stands for, so its zeros are transformed.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.preprocessing import QuantileTransformer
from sklearn.preprocessing._data import BOUNDS_THRESHOLD

from ..layers import Layer, LayerDescription, as_buffer
from ..layers.columns import ColumnSpec
from ..registry import converts_transformer

__all__ = ["QuantileUnits", "interpolate"]


def interpolate(x: torch.Tensor, xp: torch.Tensor, fp: torch.Tensor,
                slopes: torch.Tensor) -> torch.Tensor:
    """``np.interp`` per feature: ``x`` (rows, features), ``xp``, ``fp`` (features, n) with
    ``xp`` non-decreasing, ``slopes`` (features, n − 1) as numpy computes them.

    ``slopes[j] · (x − xp[j]) + fp[j]`` on the segment ``xp[j] ≤ x < xp[j+1]``, ``fp[j]``
    where ``x == xp[j]``, the end values beyond the ends; NaN stays NaN.
    """
    n = xp.shape[1]
    j = (x.unsqueeze(2) >= xp).sum(dim=2) - 1  # the last j with xp[j] ≤ x (numpy's search)
    segment = j.clamp(0, n - 2)
    index = segment.unsqueeze(2)
    rows = (x.shape[0], *xp.shape)
    x0 = xp.expand(rows).gather(2, index).squeeze(2)
    y0 = fp.expand(rows).gather(2, index).squeeze(2)
    slope = slopes.expand(x.shape[0], *slopes.shape).gather(2, index).squeeze(2)
    inside = slope * (x - x0) + y0
    y = torch.where(x == x0, y0, inside)
    y = torch.where(x >= xp[:, -1], fp[:, -1], y)  # at or beyond the last quantile
    return torch.where(x < xp[:, 0], fp[:, 0], y)


def _slopes(xp: np.ndarray, fp: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):  # equal quantiles: never read
        return (fp[:, 1:] - fp[:, :-1]) / (xp[:, 1:] - xp[:, :-1])


class QuantileUnits(Layer):
    """``y_j = F_j(x_j)``: each feature through its empirical CDF (then ``ndtri``).

    Parameters
    ----------
    quantiles : array-like of shape (n_quantiles, n_features)
        The fitted ``quantiles_``.
    references : array-like of shape (n_quantiles,)
        ``references_``: the probabilities of the quantiles.
    output_distribution : {"uniform", "normal"}
    """

    def __init__(self, quantiles, references, output_distribution: str):
        super().__init__()
        q = np.asarray(quantiles, dtype=np.float64).T  # (features, n_quantiles)
        r = np.broadcast_to(np.asarray(references, dtype=np.float64), q.shape)
        up_x, up_y = q, r
        down_x, down_y = -q[:, ::-1], -r[:, ::-1]  # the downward pass, as scikit-learn's
        for name, value in (("up_x", up_x), ("up_y", up_y), ("up_slopes", _slopes(up_x, up_y)),
                            ("down_x", down_x), ("down_y", down_y),
                            ("down_slopes", _slopes(down_x, down_y))):
            self.register_buffer(name, as_buffer(value))
        self.output_distribution = output_distribution
        tiny = BOUNDS_THRESHOLD - np.spacing(1)
        self.register_buffer("clip", torch.special.ndtri(
            torch.tensor([tiny, 1 - tiny], dtype=torch.float64)))

    @property
    def n_features(self) -> int:
        return self.up_x.shape[0]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.output_distribution == "normal" and x.dtype != torch.float64:
            # ndtri's slope near p = 1 is 1/φ(5.2) ≈ 2e6: a probability rounded to float32
            # (steps of 6e-8 there) moves the output by up to 1e-3 of its scale, so this
            # elementwise layer computes in float64 whatever the network's dtype
            return self.forward(x.to(torch.float64)).to(x.dtype)
        t = {name: getattr(self, name).to(x.dtype) for name in (
            "up_x", "up_y", "up_slopes", "down_x", "down_y", "down_slopes")}
        up = interpolate(x, t["up_x"], t["up_y"], t["up_slopes"])
        down = interpolate(-x, t["down_x"], t["down_y"], t["down_slopes"])
        y = 0.5 * (up - down)
        first, last = t["up_x"][:, 0], t["up_x"][:, -1]
        if self.output_distribution == "uniform":
            y = torch.where(x == last, 1.0, y)
            return torch.where(x == first, 0.0, y)
        y = torch.where(x + BOUNDS_THRESHOLD > last, 1.0, y)
        y = torch.where(x - BOUNDS_THRESHOLD < first, 0.0, y)
        low, high = self.clip.to(x.dtype)
        # clamp would turn NaN into a bound; scikit-learn's np.clip keeps it NaN
        return torch.special.ndtri(y).clamp(low, high).where(~torch.isnan(x), x)

    def input_columns(self) -> tuple:
        return tuple(ColumnSpec(allow_nan=True) for _ in range(self.n_features))

    def describe(self) -> LayerDescription:
        cdf = "½(interp({x}_j, q_j, r) − interp(−{x}_j, −q_j↓, −r↓))"
        formula = ("{y}_j = " + cdf if self.output_distribution == "uniform" else
                   "{y}_j = clip(ndtri(" + cdf + "), ±5.2)")
        return LayerDescription(
            title=f"quantile units ({self.output_distribution})", n_in=self.n_features,
            n_out=self.n_features, activation="empirical CDF" + (
                "" if self.output_distribution == "uniform" else ", ndtri"),
            activation_kind="identity", connectivity="elementwise",
            formula=formula + "   (q_j: feature j's fitted quantiles, r: their probabilities)",
            parameters={"quantiles": self.up_x.shape[1]})


@converts_transformer(QuantileTransformer)
def _quantile_transformer(transformer: QuantileTransformer, options: dict) -> list:
    return [QuantileUnits(transformer.quantiles_, transformer.references_,
                          transformer.output_distribution)]
