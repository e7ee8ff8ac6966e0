"""QuantileTransformer as interpolation units between each feature's fitted quantiles.

scikit-learn's ``_transform_col`` maps ``x`` to ``½ (interp(x, q, r) − interp(−x, −q[::-1],
−r[::-1]))``: the mean of ``np.interp`` run upwards and downwards, so that a value repeated
in the data (several equal quantiles) lands in the middle of their references rather than
at one end. Each ``np.interp`` is what numpy computes: the segment ``j`` is the number of
quantiles ``q_i ≤ x`` less one (step units), a value equal to ``q_j`` answers ``r_j``, any
other ``slope_j (x − q_j) + r_j``, and values beyond the ends answer the end's reference.
Then the bounds: ``x = q_0`` gives 0 and ``x = q_last`` gives 1 (``'uniform'``); for
``'normal'`` within 1e-7 of either end (``BOUNDS_THRESHOLD``), and the result goes through
the inverse normal CDF (``ndtri``: Cephes' algorithm, as scipy's, written in elementwise
operations so that it exports to ONNX too), clipped to
``ndtri(1e-7 − ε)`` and its opposite so that no value is infinite. NaN passes through as NaN.
The normal output is computed in float64 even in a float32 network: ``ndtri`` of a float32
probability near 1 is off by up to 1e-3 of the output's scale.

scikit-learn transforms only the stored values of a sparse matrix (its zeros stay 0); the
network reads a sparse matrix as the dense rows it stands for, so its zeros are transformed.
"""

from __future__ import annotations

import numpy as np
import scipy.special
import torch
from sklearn.preprocessing import QuantileTransformer
from sklearn.preprocessing._data import BOUNDS_THRESHOLD

from ..fitted import Fitted
from ..layers import Layer, LayerDescription, as_buffer
from ..layers.columns import ColumnSpec
from ..options import Options
from ..registry import converts_transformer

__all__ = ["QuantileUnits", "interpolate", "ndtri"]


def interpolate(x: torch.Tensor, xp: torch.Tensor, fp: torch.Tensor,
                slopes: torch.Tensor) -> torch.Tensor:
    """``np.interp`` per feature, as numpy computes it.

    ``slopes[j] · (x − xp[j]) + fp[j]`` on the segment ``xp[j] ≤ x < xp[j+1]`` (with equal
    ``xp`` values the last of them starts the segment), ``fp[j]`` where ``x == xp[j]``, the
    end values at and beyond the ends; NaN stays NaN.

    Parameters
    ----------
    x : torch.Tensor of shape (n_rows, n_features)
    xp, fp : torch.Tensor of shape (n_features, n_points)
        Each feature's points, ``xp`` non-decreasing, and their values.
    slopes : torch.Tensor of shape (n_features, n_points - 1)
        ``(fp[j+1] − fp[j]) / (xp[j+1] − xp[j])``, computed once as numpy computes them.

    Returns
    -------
    torch.Tensor of shape (n_rows, n_features)
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


#: Cephes' rational approximations of the inverse normal CDF (``ndtri``, as scipy and
#: torch.special compute it): the centre |y − ½| ≤ 3/8, then z = √(−2 log y) below 8, and
#: above
_NDTRI = {
    "P0": (-5.99633501014107895267E1, 9.80010754185999661536E1, -5.66762857469070293439E1,
           1.39312609387279679503E1, -1.23916583867381258016E0),
    "Q0": (1.0, 1.95448858338141759834E0, 4.67627912898881538453E0, 8.63602421390890590575E1,
           -2.25462687854119370527E2, 2.00260212380060660359E2, -8.20372256168333339912E1,
           1.59056225126211695515E1, -1.18331621121330003142E0),
    "P1": (4.05544892305962419923E0, 3.15251094599893866154E1, 5.71628192246421288162E1,
           4.40805073893200834700E1, 1.46849561928858024014E1, 2.18663306850790267539E0,
           -1.40256079171354495875E-1, -3.50424626827848203418E-2, -8.57456785154685413611E-4),
    "Q1": (1.0, 1.57799883256466749731E1, 4.53907635128879210584E1, 4.13172038254672030440E1,
           1.50425385692907503408E1, 2.50464946208309415979E0, -1.42182922854787788574E-1,
           -3.80806407691578277194E-2, -9.33259480895457427372E-4),
    "P2": (3.23774891776946035970E0, 6.91522889068984211695E0, 3.93881025292474443415E0,
           1.33303460815807542389E0, 2.01485389549179081538E-1, 1.23716634817820021358E-2,
           3.01581553508235416007E-4, 2.65806974686737550832E-6, 6.23974539184983293730E-9),
    "Q2": (1.0, 6.02427039364742014255E0, 3.67983563856160859403E0, 1.37702099489081330271E0,
           2.16236993594496635890E-1, 1.34204006088543189037E-2, 3.28014464682127739104E-4,
           2.89247864745380683936E-6, 6.79019408009981274425E-9),
}
_EXP_MINUS_2 = 0.13533528323661269189
_SQRT_2PI = 2.50662827463100050242


def _polynomial(x: torch.Tensor, coefficients) -> torch.Tensor:
    result = torch.zeros_like(x)
    for c in coefficients:  # Horner's rule, as Cephes' polevl
        result = result * x + c
    return result


def ndtri(y: torch.Tensor) -> torch.Tensor:
    """The inverse normal CDF by Cephes' algorithm in elementwise torch operations.

    ``torch.special.ndtri`` computes the same, but neither ONNX nor its exporter knows it;
    these are operations every runtime has (and they agree with scipy's ``ndtri`` to within
    2e-15, more often bit for bit than ``torch.special.ndtri``).

    Parameters
    ----------
    y : torch.Tensor
        Probabilities, float64.

    Returns
    -------
    torch.Tensor
        ``Φ⁻¹(y)``: −inf at 0, +inf at 1, NaN outside [0, 1] and for NaN.
    """
    upper = y > 1 - _EXP_MINUS_2
    t = torch.where(upper, 1 - y, y)
    centre = t > _EXP_MINUS_2
    c = torch.where(centre, t, 0.5) - 0.5  # placeholders keep unused branches finite
    c2 = c * c
    middle = (c + c * (c2 * _polynomial(c2, _NDTRI["P0"]) / _polynomial(c2, _NDTRI["Q0"]))
              ) * _SQRT_2PI
    tail_t = torch.where(centre | (t <= 0), 0.5, t)
    x = torch.sqrt(-2.0 * torch.log(tail_t))
    x0 = x - torch.log(x) / x
    z = 1 / x
    x1 = torch.where(x < 8.0, z * _polynomial(z, _NDTRI["P1"]) / _polynomial(z, _NDTRI["Q1"]),
                     z * _polynomial(z, _NDTRI["P2"]) / _polynomial(z, _NDTRI["Q2"]))
    tail = torch.where(upper, x0 - x1, x1 - x0)
    out = torch.where(centre, middle, tail)
    out = torch.where(y == 0, -torch.inf, torch.where(y == 1, torch.inf, out))
    return torch.where((y < 0) | (y > 1) | torch.isnan(y), torch.nan, out)


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
        tiny = BOUNDS_THRESHOLD - np.spacing(1)  # scikit-learn's clip, by scipy's ndtri
        self.register_buffer("clip", as_buffer(scipy.special.ndtri([tiny, 1 - tiny])))

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
        return ndtri(y).clamp(low, high).where(~torch.isnan(x), x)

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
def _quantile_transformer(transformer: QuantileTransformer, options: Options) -> list:
    """Interpolation units between each feature's fitted quantiles: numpy's ``interp`` run upwards
    and downwards and averaged, as scikit-learn does; then ``ndtri`` for normal output.

    Uniform output is bit-identical, normal output within one ulp (a float32 network computes it
    in float64, since ``ndtri`` near 1 needs it). NaN stays NaN. Sparse input is read as dense
    rows, so its zeros are transformed, where scikit-learn leaves them 0.
    """
    fitted = Fitted(transformer)
    # numpy's interp needs increasing knots: scikit-learn makes the quantiles monotonic
    quantiles = fitted.array("quantiles_", shape=(None, fitted.n_features))
    references = fitted.array("references_", shape=(len(quantiles),), low=0.0, high=1.0)
    for attribute, knots in (("quantiles_", quantiles), ("references_", references)):
        if (np.diff(knots, axis=0) < 0).any():
            raise fitted.error(attribute, "is not sorted along the quantiles, but numpy's "
                                          "interpolation reads increasing knots")
    return [QuantileUnits(quantiles, references, transformer.output_distribution)]
