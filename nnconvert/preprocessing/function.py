"""FunctionTransformer: only the identity (``func=None``) is a network; any other function is
Python code that no layer can be read from."""

from __future__ import annotations

from sklearn.preprocessing import FunctionTransformer

from ..errors import UnsupportedEstimatorError
from ..options import Options
from ..registry import converts_inverse, converts_transformer


@converts_transformer(FunctionTransformer)
def _function_transformer(transformer: FunctionTransformer, options: Options) -> list:
    """No layer: the identity.

    Refused: any ``func``: an arbitrary Python function is not a network.
    """
    if transformer.func is not None:
        raise UnsupportedEstimatorError(
            f"FunctionTransformer(func={getattr(transformer.func, '__name__', transformer.func)!r})"
            " cannot be converted: its function is arbitrary Python code, not a layer nnconvert "
            "can read. Apply it before the network, or express it with supported steps."
        )
    return []  # the identity: its columns pass through unchanged


@converts_inverse(FunctionTransformer)
def _function_transformer_inverse(transformer: FunctionTransformer, options: Options) -> list:
    if transformer.inverse_func is not None:
        raise UnsupportedEstimatorError(
            "FunctionTransformer's inverse_func is arbitrary Python code, not a layer nnconvert "
            "can read: call the estimator's own inverse_transform.")
    return []  # the identity's inverse is the identity
