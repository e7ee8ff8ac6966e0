"""TransformedTargetRegressor: the regressor's network, then the inverse of the target's
transformation.

``predict`` is ``transformer_.inverse_transform(regressor_.predict(X))``. The inverse of an
affine scaler is the affine map the other way round (StandardScaler's ``x·s + μ``,
MinMaxScaler's ``(x − min)/scale``); ``func=np.log`` with ``inverse_func=np.exp`` is an exp
unit; no ``func`` is the identity. Other inverses are refused with the reason.
"""

from __future__ import annotations

import numpy as np
from sklearn.compose import TransformedTargetRegressor

from ..errors import ConversionError
from ..layers import ActivatedUnits, AffineScaler
from ..network.heads import RegressionHead
from ..options import Options
from ..registry import Conversion, convert_transformer, converts
from .members import Member, convert_member

_FLIPPED = {"center-divide": "multiply-add", "multiply-add": "center-divide"}


def _inverse(regressor: TransformedTargetRegressor, width: int, options: Options) -> list:
    transformer = regressor.transformer_
    if regressor.transformer is None and regressor.func is None:
        return []  # the identity
    if regressor.transformer is None:
        if regressor.inverse_func is np.exp:
            return [ActivatedUnits(np.eye(width), np.zeros(width), activation="exp",
                                   title="inverse of the target's log")]
        raise ConversionError(
            f"TransformedTargetRegressor(inverse_func={regressor.inverse_func!r}) is Python "
            "code, not a network; inverse_func=np.exp (with func=np.log) or a scaler as "
            "transformer convert.")
    layers = convert_transformer(transformer, options)
    if (len(layers) == 1 and isinstance(layers[0], AffineScaler)
            and layers[0].clip is None):
        scaler = layers[0]
        return [AffineScaler(scaler.offset.numpy(), scaler.scale.numpy(),
                             mode=_FLIPPED[scaler.mode],
                             title=f"inverse {scaler.describe().title}")]
    raise ConversionError(
        f"TransformedTargetRegressor(transformer={type(transformer).__name__}(...)): only "
        "unclipped scalers (StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler) have an "
        "inverse nnconvert writes as a layer.")


@converts(TransformedTargetRegressor)
def _transformed_target(regressor: TransformedTargetRegressor, options: Options) -> Conversion:
    """The regressor's network, then the inverse of the target's transform.

    No transform, a scaler, or ``func=np.log, inverse_func=np.exp``.
    """
    conversion = convert_member(regressor.regressor_, options,
                                "TransformedTargetRegressor regressor_")
    member = Member("regressor", conversion, ["predict"], n_in=regressor.n_features_in_)
    width = member.width()
    return Conversion(layers=[member, *_inverse(regressor, width, options)],
                      head=RegressionHead(width, single=regressor._training_dim == 1))
