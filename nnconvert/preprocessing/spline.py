"""SplineTransformer as B-spline basis units: each feature becomes its spline basis values.

A feature's value ``x`` lies in one knot interval ``t_ℓ ≤ x < t_ℓ+1``; ``ℓ`` is the number
of inner knots reached (step units, as KBinsDiscretizer's bins), and there only ``degree + 1``
basis functions are non-zero. Their values come from de Boor's recursion on the ``2·degree``
knots around ``ℓ``, in the order scipy's ``BSpline`` runs it (``_deBoor_D``), so a value on
a knot falls in the interval scipy puts it in and rounds as scipy rounds it.

Extrapolation, as scikit-learn's ``transform`` (``bsplines_[i]`` give the knots):

- ``'continue'``: the end intervals' polynomials carry on (the interval index is clamped);
- ``'periodic'``: ``x`` wraps into ``[t_k, t_n)`` first (numpy's floored remainder), and the
  last ``degree`` basis functions add into the first ones;
- ``'constant'``: beyond the knots the first (last) ``degree`` units keep their values at
  the boundary, the others are 0;
- ``'linear'``: those units continue along their tangent at the boundary (values and slopes
  read from the fitted splines at conversion time);
- ``'error'``: scikit-learn raises ``ValueError`` for a value beyond the knots, and so does
  the network (the same message, naming the feature and its range) when it runs in Python;
  an exported program cannot raise on data, so there the units of that feature are NaN,
  which is what scipy's spline itself answers before scikit-learn checks it.

``handle_missing='zeros'``: a NaN input gives 0 in every unit of its feature. With
``sparse_output=True`` the network still returns a dense array (a torch tensor).
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.preprocessing import SplineTransformer

from ..fitted import Fitted
from ..layers import Layer, LayerDescription, as_buffer
from ..layers.columns import ColumnSpec
from ..options import Options
from ..registry import converts_transformer

__all__ = ["SplineUnits"]

EXTRAPOLATIONS = ("error", "constant", "linear", "continue", "periodic")


class SplineUnits(Layer):
    """``y_(j,s) = B_s(x_j)``: the B-spline basis of each feature on its knots.

    Parameters
    ----------
    knots : array-like of shape (n_features, n_knots_total)
        Each feature's full knot vector ``t`` (``bsplines_[j].t``).
    degree : int
    n_splines : int
        Basis functions per feature in the output (before ``include_bias`` drops one).
    extrapolation : {"error", "constant", "linear", "continue", "periodic"}
    include_bias : bool
        False drops each feature's last basis function.
    edge_values, edge_slopes : array-like of shape (2, n_features, n_splines), optional
        ``'constant'`` and ``'linear'`` only: the basis values and slopes used beyond the
        lower (index 0) and upper (index 1) boundary, zero in the units that do not continue.
    edges : array-like of shape (2, n_features), optional
        ``'constant'`` and ``'linear'`` only: where each feature's lower and upper
        continuation starts (default: its knots ``t_k`` and ``t_n``).
    missing_zeros : bool, default False
        NaN inputs allowed and encoded as 0 in all of their feature's units.
    """

    def __init__(self, knots, *, degree: int, n_splines: int, extrapolation: str,
                 include_bias: bool, edge_values=None, edge_slopes=None, edges=None,
                 missing_zeros: bool = False):
        super().__init__()
        if extrapolation not in EXTRAPOLATIONS:
            raise ValueError(f"extrapolation must be one of {EXTRAPOLATIONS}, "
                             f"got {extrapolation!r}")
        knots = np.asarray(knots, dtype=np.float64)
        self.register_buffer("knots", as_buffer(knots))
        self.degree, self.n_splines = int(degree), int(n_splines)
        self.extrapolation, self.include_bias = extrapolation, bool(include_bias)
        self.missing_zeros = bool(missing_zeros)
        n_basis = knots.shape[1] - self.degree - 1  # scipy's n: t_k … t_n span the data
        self.n_basis = n_basis
        if edge_values is None:
            edge_values = np.zeros((2, knots.shape[0], self.n_splines))
        if edge_slopes is None:
            edge_slopes = np.zeros_like(edge_values)
        self.register_buffer("edge_values", as_buffer(edge_values))
        self.register_buffer("edge_slopes", as_buffer(edge_slopes))
        if edges is None:
            edges = np.stack([knots[:, self.degree], knots[:, n_basis]])
        self.register_buffer("edges", as_buffer(edges))
        kept = [s for s in range(self.n_splines) if include_bias or s != self.n_splines - 1]
        self.register_buffer("kept", torch.as_tensor(kept, dtype=torch.int64))

    @property
    def n_features(self) -> int:
        return self.knots.shape[0]

    def _basis(self, x: torch.Tensor) -> torch.Tensor:
        """The (rows, features, n_splines) basis values, x inside its knots' reach."""
        k, t = self.degree, self.knots.to(x.dtype)
        inner = t[:, k + 1:self.n_basis]  # the knots that move x into a later interval
        ell = k + (x.unsqueeze(2) >= inner).sum(dim=2)  # scipy's interval, clamped at both ends
        rows = t.expand(x.shape[0], *t.shape)
        h = [torch.ones_like(x)]
        for j in range(1, k + 1):  # de Boor's recursion, as scipy's _deBoor_D
            hh, h = h, [torch.zeros_like(x)] + [None] * j
            for n in range(1, j + 1):
                xb = rows.gather(2, (ell + n).unsqueeze(2)).squeeze(2)
                xa = rows.gather(2, (ell + n - j).unsqueeze(2)).squeeze(2)
                gap = xb - xa
                w = torch.where(gap == 0, torch.zeros_like(x),
                                hh[n - 1] / torch.where(gap == 0, torch.ones_like(gap), gap))
                h[n - 1] = h[n - 1] + w * (xb - x)
                h[n] = w * (x - xa)
        columns = torch.arange(self.n_splines, device=x.device)
        out = x.new_zeros((*x.shape, self.n_splines))
        for m, value in enumerate(h):  # basis ℓ − k + m; periodic ones wrap to the first
            column = (ell - k + m) % self.n_splines
            out = out + torch.where(columns == column.unsqueeze(2), value.unsqueeze(2), 0.0)
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        k, t = self.degree, self.knots.to(x.dtype)
        low, high = t[:, k], t[:, self.n_basis]
        missing = torch.isnan(x)
        inside = (x >= low) & (x <= high)
        if self.extrapolation == "error" and not torch.compiler.is_exporting():
            beyond = ~inside & ~missing
            if bool(beyond.any()):
                j = int(beyond.any(dim=0).nonzero()[0])
                raise ValueError(
                    "`X` contains values beyond the limits of the knots: feature "
                    f"{j} must lie in [{float(low[j]):.17g}, {float(high[j]):.17g}] "
                    "(SplineTransformer(extrapolation='error')); refit with another "
                    "extrapolation to transform such rows.")
        if self.extrapolation == "periodic":
            period = high - low
            # numpy's floored remainder: fmod, moved into [0, period) when signs differ
            r = torch.fmod(x - low, torch.where(period > 0, period, 1.0))
            r = torch.where((r != 0) & ((r < 0) != (period < 0)), r + period, r)
            z = torch.where(period > 0, low + r, torch.zeros_like(x))
        elif self.extrapolation in ("constant", "linear"):
            low, high = self.edges.to(x.dtype)
            z = torch.minimum(torch.maximum(x, low), high)
        else:
            z = x
        z = torch.where(missing, low.expand_as(x), z)  # any knot: the units become 0 below
        out = self._basis(z)
        if self.extrapolation in ("constant", "linear"):
            values, slopes = self.edge_values.to(x.dtype), self.edge_slopes.to(x.dtype)
            below = values[0] + (x - low).unsqueeze(2) * slopes[0]
            above = values[1] + (x - high).unsqueeze(2) * slopes[1]
            out = torch.where((x < low).unsqueeze(2), below, out)
            out = torch.where((x > high).unsqueeze(2), above, out)
        elif self.extrapolation == "error":  # exported programs: NaN where Python raises
            out = torch.where((~inside & ~missing).unsqueeze(2), float("nan"), out)
        out = torch.where(missing.unsqueeze(2), 0.0, out)
        # explicit width: a 0-row batch has no size to infer a -1 from
        return out.index_select(2, self.kept).reshape(x.shape[0],
                                                      x.shape[1] * self.kept.shape[0])

    def input_columns(self) -> tuple:
        return tuple(ColumnSpec(allow_nan=self.missing_zeros) for _ in range(self.n_features))

    def describe(self) -> LayerDescription:
        n_out = self.n_features * self.kept.numel()
        return LayerDescription(
            title=f"B-spline basis units (degree {self.degree})", n_in=self.n_features,
            n_out=n_out, activation="B-spline", activation_kind="identity",
            connectivity="dense",
            formula=("{y}_(j,s) = B_s({x}_j), de Boor's recursion on feature j's knots t_j; "
                     f"beyond the knots: {self.extrapolation}"),
            parameters={"degree": self.degree, "knots": self.knots.shape[1],
                        "extrapolation": self.extrapolation})


def _edges(spline: SplineTransformer, n_splines: int, degree: int) -> tuple[np.ndarray, ...]:
    """Where each feature's continuation starts, and its values and slopes there."""
    n_features = len(spline.bsplines_)
    values = np.zeros((2, n_features, n_splines))
    slopes = np.zeros_like(values)
    edges = np.zeros((2, n_features))
    # scikit-learn's loop over features reads the boundary knots t[d] and t[-d - 1] with a
    # variable d that 'linear' raises by one while it is ≤ 1 (degree 0 and 1 continue two
    # units, the second's slope not being 0) and never resets: with degree ≤ 1 the later
    # features' boundaries move one or two knots inwards. That is the function it computes,
    # so the network follows the same d, feature by feature.
    d = degree
    for j, spl in enumerate(spline.bsplines_):
        edges[:, j] = spl.t[d], spl.t[-d - 1]
        low, high = spl(edges[0, j]), spl(edges[1, j])
        if spline.extrapolation == "linear" and d <= 1:
            d += 1
        values[0, j, :d] = low[:d]
        values[1, j, n_splines - d:] = high[n_splines - d:]
        if spline.extrapolation == "linear":
            slopes[0, j, :d] = spl(edges[0, j], nu=1)[:d]
            slopes[1, j, n_splines - d:] = spl(edges[1, j], nu=1)[n_splines - d:]
    return edges, values, slopes


def _checked_knots(spline: SplineTransformer) -> tuple[np.ndarray, int, int]:
    """Each feature's knots (n_features, n_knots_total), the degree and the basis functions
    per feature, read through :class:`~nnconvert.fitted.Fitted`: one B-spline per input
    column, knots finite and increasing and as many for every feature, enough of them for
    the degree, and coefficients of the basis's width (the unit's recursion indexes the knots
    by these numbers)."""
    fitted = Fitted(spline)
    n_features = fitted.n_features
    degree = fitted.integer("degree", low=0)
    bsplines = fitted.get("bsplines_")
    if not isinstance(bsplines, (list, tuple)):
        raise fitted.error("bsplines_", f"is {type(bsplines).__name__}, but a list of "
                                        "scipy BSplines was expected")
    fitted.same("bsplines_", len(bsplines), n_features, "a length of")
    knots = []
    for j, spl in enumerate(bsplines):
        t = fitted.array(f"bsplines_[{j}].t", ndim=1, increasing=True,
                         value=getattr(spl, "t", None))
        if len(t) < 2 * degree + 2 or (knots and len(t) != len(knots[0])):
            raise fitted.error(f"bsplines_[{j}].t", f"has {len(t)} knots, but "
                                                    f"{len(knots[0]) if knots else 2 * degree + 2}"
                                                    f"{'' if knots else ' or more'} were expected")
        fitted.integer(f"bsplines_[{j}].k", low=degree, high=degree,
                       value=getattr(spl, "k", None))
        knots.append(t)
    knots = np.stack(knots)
    n_basis = knots.shape[1] - degree - 1
    coefficients = fitted.array("bsplines_[0].c", ndim=2, value=getattr(bsplines[0], "c", None))
    n_splines = coefficients.shape[1]
    # scikit-learn's periodic basis wraps its last `degree` functions onto its first
    expected = n_basis - degree if spline.extrapolation == "periodic" else n_basis
    fitted.same("bsplines_[0].c", n_splines, expected, "a number of columns of")
    return knots, degree, n_splines


@converts_transformer(SplineTransformer)
def _spline_transformer(spline: SplineTransformer, options: Options) -> list:
    """B-spline basis units by de Boor's recursion, as scipy runs it: equal to the last bit on and
    beside the knots.

    Any degree, ``n_knots``, knots uniform, quantile or an array; extrapolation constant, linear,
    continue, periodic and error (``transform`` raises scikit-learn's ``ValueError``; an exported
    file, which cannot raise, answers NaN); ``include_bias``; ``handle_missing``.
    ``sparse_output`` gives a dense array.
    """
    knots, degree, n_splines = _checked_knots(spline)
    edges, values, slopes = (_edges(spline, n_splines, degree)
                             if spline.extrapolation in ("constant", "linear")
                             else (None, None, None))
    return [SplineUnits(knots, degree=degree, n_splines=n_splines,
                        extrapolation=spline.extrapolation, include_bias=spline.include_bias,
                        edge_values=values, edge_slopes=slopes, edges=edges,
                        missing_zeros=getattr(spline, "handle_missing", "error") == "zeros")]
