"""Isotonic regression: piecewise-linear interpolation as a layer of ramp units and a read-out.

``IsotonicRegression.predict`` interpolates linearly between its fitted knots
``(X_thresholds_[j], y_thresholds_[j])`` (scipy's ``interp1d``). Written with one ramp per
segment,

    ŷ(x) = y_0 + Σ_j Δy_j · clamp((x − x_j) / (x_{j+1} − x_j), 0, 1),   Δy_j = y_{j+1} − y_j,

it is a layer of ramp units (a ReLU capped at 1: ``min(ReLU(z), 1)``) read out by one linear
neuron with bias ``y_0``. The capped form is chosen over a sum of plain ReLUs
``Σ (s_j − s_{j−1}) ReLU(x − x_j)`` for exactness: each term stays within ``[0, Δy_j]``, and
Δy_j all have one sign, so rounding errors add up to a few ulps of the target's range,
however close two knots are (scikit-learn merges knots only within 1e-15, and the slope
between such knots is huge). Below ``x_0`` every ramp is exactly 0 and above the last knot
exactly 1, which is ``out_of_bounds='clip'``; ``'nan'`` sets the rows outside
``[x_0, x_K]`` to NaN as scipy does.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.isotonic import IsotonicRegression

from ..errors import ConversionError
from ..fitted import Fitted
from ..layers import Layer, LayerDescription, LinearUnits, as_buffer
from ..network.heads import RegressionHead
from ..options import Options
from ..registry import Conversion, converts

__all__ = ["RampUnits"]


class RampUnits(Layer):
    """One unit per segment of a piecewise-linear function of one input.

    ``y_j = clamp((x − left_j) / (right_j − left_j), 0, 1)``: 0 left of the segment, 1 right
    of it, linear across it. With ``nan_outside=True``, every unit is NaN for inputs outside
    ``[left_0, right_last]`` (scipy's ``interp1d`` fill value).

    Parameters
    ----------
    left, right : array-like of shape (n_segments,)
        Each segment's ends, ``left_j < right_j``.
    nan_outside : bool, default False
    title : str
    """

    def __init__(self, left, right, *, nan_outside: bool = False, title: str = "ramp units"):
        super().__init__()
        self.register_buffer("left", as_buffer(left).reshape(-1))
        right = as_buffer(right).reshape(-1)
        # the width as scipy computes it (x_hi − x_lo), so that x = x_hi gives exactly 1
        self.register_buffer("width", right - self.left)
        # the last knot itself: left + width may round past it
        self.register_buffer("last", right[-1:].clone())
        self.nan_outside = bool(nan_outside)
        self.title = title

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x is (n, 1): it broadcasts against the segments; subtract first, then divide, as
        # scipy does, rather than a folded x·(1/w) − left/w that cancels for narrow segments
        ramps = ((x - self.left) / self.width).clamp(0.0, 1.0)
        if not self.nan_outside:
            return ramps
        outside = (x < self.left[0]) | (x > self.last)
        return torch.where(outside, torch.full_like(ramps, float("nan")), ramps)

    def describe(self) -> LayerDescription:
        formula = "{y}_j = clamp(({x} − x_j) / (x_{{j+1}} − x_j), 0, 1)"
        if self.nan_outside:
            formula += ";  NaN outside [x_0, x_K] (out_of_bounds='nan')"
        return LayerDescription(
            title=self.title,
            n_in=1,
            n_out=self.left.shape[0],
            activation="clamp(·, 0, 1)",
            activation_kind="clip",
            formula=formula,
            connectivity="dense",
            weight=(1.0 / self.width).reshape(-1, 1).cpu().numpy(),
        )


@converts(IsotonicRegression)
def _isotonic(estimator: IsotonicRegression, options: Options) -> Conversion:
    """Ramp units ``clamp((x − x_j)/(x_{j+1} − x_j), 0, 1)`` between the fitted knots, then a
    read-out of the steps: the piecewise-linear interpolation, exact however close two knots are.

    Increasing or decreasing fits; ``out_of_bounds`` clip or nan.
    """
    # no transformer converter: transform() returns shape (n,), which no later pipeline step
    # of scikit-learn accepts, so isotonic regression is only ever a final step
    layers = _layers(estimator)
    # scikit-learn's predict takes a 1-D X (one value per row) as well as one column
    layers[0].reads_one_dimensional_input = True
    return Conversion(layers=layers, head=RegressionHead(1, single=True),
                      # it reads one feature, and scikit-learn sets no n_features_in_
                      n_features_in=1)


def _layers(estimator: IsotonicRegression) -> list:
    fitted = Fitted(estimator)
    x = fitted.array("X_thresholds_", ndim=1)
    if x.size == 0 or np.any(np.diff(x) < 0):
        raise fitted.error("X_thresholds_", "is empty or not sorted, but scikit-learn "
                                            "interpolates between sorted knots")
    y = fitted.array("y_thresholds_", shape=(len(x),))
    out_of_bounds = fitted.choice("out_of_bounds", ["nan", "clip", "raise"])
    # scikit-learn predicts with f_, the interpolant it built from the thresholds at fit time:
    # one that interpolates other knots would answer otherwise than the network (a single
    # knot's f_ is a lambda repeating y_0, which holds no knots to compare)
    interpolant = fitted.get("f_")
    for knots, ours in (("x", x), ("y", y)) if len(x) > 1 else ():
        theirs = getattr(interpolant, knots, None)
        if theirs is None or np.shape(theirs) != ours.shape or \
                not np.array_equal(np.asarray(theirs, dtype=np.float64), ours):
            raise fitted.error("f_", f"interpolates other knots ({knots}) than "
                                     f"{'X' if knots == 'x' else 'y'}_thresholds_")
    increasing = fitted.get("increasing_")  # a numpy bool where increasing='auto' chose it
    increasing = bool(increasing) if isinstance(increasing, np.bool_) else increasing
    direction = ("increasing" if fitted.choice("increasing_", [True, False], value=increasing)
                 else "decreasing")
    # scipy's interp1d was built with bounds_error=True at fit time (out_of_bounds='raise'),
    # even if the parameter was changed since; 'clip' clips before interp1d sees the rows
    raises = out_of_bounds != "clip" and getattr(interpolant, "bounds_error", False)
    if raises:
        raise ConversionError(
            "IsotonicRegression(out_of_bounds='raise') raises for inputs outside "
            f"[{x[0]:g}, {x[-1]:g}], which a network cannot do row by row. Call "
            "estimator.set_params(out_of_bounds='clip') (valid after fitting) or refit with "
            "out_of_bounds='nan', then convert."
        )
    if len(y) == 1:
        # a single knot: scikit-learn predicts the constant y_0 everywhere, even outside
        return [LinearUnits(np.zeros((1, 1)), y, title="constant (a single knot)")]
    # not clipped and not raising: interp1d fills NaN outside the knots (whatever the
    # parameter says now: it is read at predict time for 'clip' only)
    ramps = RampUnits(x[:-1], x[1:], nan_outside=out_of_bounds != "clip",
                      title=f"ramp units, one per segment between {len(x)} knots")
    readout = LinearUnits(
        np.diff(y).reshape(1, -1), y[:1],
        title=f"isotonic read-out ({direction}): y_0 + Σ Δy_j · ramp_j",
        bias_note="b = y_thresholds_[0], the prediction at the first knot",
    )
    return [ramps, readout]
