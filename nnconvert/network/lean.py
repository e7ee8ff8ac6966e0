"""The lean path: the scikit-learn style methods' input check in O(1) Python work where the
input is already what ``forward()`` reads.

A converted network's methods check what they are given as scikit-learn does
(``check_array``, feature names, the schema, the network's precision): about 100 µs of
Python a call, which is most of the time of a one-row prediction. Where the input is a plain
float numpy array or CPU tensor of the right width, for a network that reads plain numbers
(no categories, no names to check, no vectorizer), every one of those
checks has an answer known from a few attributes, except finiteness, which one reduction
answers (a sum is finite only if every term is). :func:`lean_tensor` returns the tensor the
body reads for such an input, sharing its memory where the dtype is already the network's,
and None for anything else, which then takes the full path unchanged, with its messages.
"""

from __future__ import annotations

import warnings
import weakref

import numpy as np
import torch

__all__ = ["lean_tensor"]

_FLOATS = {np.dtype(np.float64): torch.float64, np.dtype(np.float32): torch.float32}


def _network_dtype(net) -> torch.dtype | None:
    """``net.dtype`` (its first floating parameter's, else its first floating buffer's),
    where every floating parameter and buffer is float32 or float64 and all are on the CPU;
    None otherwise (the full path then says what is wrong, as for a network cast to half
    precision). One walk over the modules, where ``net.dtype`` and the precision check
    make several."""
    first_parameter = first_buffer = None
    for module in net.modules():
        for tensors, is_parameter in ((module._parameters, True), (module._buffers, False)):
            for tensor in tensors.values():
                if tensor is None:
                    continue
                if tensor.device.type != "cpu":
                    return None
                if tensor.is_floating_point():
                    if tensor.dtype not in (torch.float32, torch.float64):
                        return None
                    if is_parameter and first_parameter is None:
                        first_parameter = tensor.dtype
                    elif not is_parameter and first_buffer is None:
                        first_buffer = tensor.dtype
    return first_parameter or first_buffer or torch.float64


#: per schema (which does not change once made): whether it reads plain numbers only, and
#: whether some column is read as float32
_PLAIN: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _plain_input(net) -> tuple[bool, bool]:
    """Whether ``net`` reads plain numbers with nothing to check by name (every column
    numeric, no names to compare, no vectorizer in front), and whether some column is cast
    to float32 as scikit-learn's trees cast it (which refuses finite values beyond
    float32's range). Columns where NaN or ±inf are allowed qualify: the lean path takes
    finite rows only, which such columns read as they are."""
    schema = net.input_schema
    plain = _PLAIN.get(schema)
    if plain is None:
        plain = _PLAIN[schema] = (
            schema.all_numeric and not schema.by_name and schema.feature_names is None
            and not getattr(schema, "one_dimensional", False),
            any(getattr(spec, "float32", False) for spec in schema.columns))
    return plain[0] and net.input_stage is None, plain[1]


#: the smallest float64 magnitude that rounds to infinity in float32: halfway between
#: float32's largest (2^128 − 2^104) and 2^128, which rounds up (to even)
_FLOAT32_OVERFLOW = 2.0 ** 128 - 2.0 ** 103


def _within_float32(X) -> bool:
    """Whether every value of the float64 ``X`` stays finite cast to float32 (the cast is
    monotone: the largest magnitude decides)."""
    return max(float(X.max()), -float(X.min())) < _FLOAT32_OVERFLOW


def lean_tensor(net, X, *, check_finite: bool = True) -> torch.Tensor | None:
    """``X`` as the tensor ``net``'s body reads, where ``X`` is a 2-D float32 or float64
    numpy array (exactly ``numpy.ndarray``) or CPU tensor of ``net.n_features_in_`` columns
    and at least one row, all finite, and ``net`` reads plain numbers (see
    :func:`_plain_input`); None for any other input, which the full path checks.

    The result shares ``X``'s memory where ``X`` is already of the network's dtype; it is
    only read. A tensor that requires grad is read detached, as the full path reads it.
    ``check_finite=False`` leaves finiteness to the caller, who must then prove it another
    way before answering (the output of a layer that every input reaches: see
    ``ConvertedNetwork.outputs``), and take the full path where it cannot.

    Examples
    --------
    >>> import numpy as np
    >>> import nnconvert as nc
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from nnconvert.network.lean import lean_tensor
    >>> X, y = load_iris(return_X_y=True)
    >>> net = nc.convert(LogisticRegression(max_iter=500).fit(X, y))
    >>> lean_tensor(net, X[:1]).shape
    torch.Size([1, 4])
    >>> lean_tensor(net, X[:1].tolist()) is None  # a list: the full path checks it
    True
    """
    if type(X) is np.ndarray:
        source = _FLOATS.get(X.dtype)  # the torch dtype it holds
        if source is None or X.ndim != 2 or any(s < 0 for s in X.strides):
            return None  # negative strides: torch cannot wrap them
        with np.errstate(invalid="ignore", over="ignore"):  # inf − inf, overflow: not finite
            if check_finite and not np.isfinite(X.sum()):
                return None
    elif type(X) is torch.Tensor:
        source = X.dtype if X.dtype in (torch.float32, torch.float64) else None
        if (source is None or X.dim() != 2 or X.device.type != "cpu"
                or X.layout != torch.strided
                or check_finite and not bool(torch.isfinite(X.detach().sum()))):
            return None
    else:
        return None
    plain, float32_columns = _plain_input(net)
    if X.shape[0] < 1 or X.shape[1] != net.n_features_in_ or not plain:
        return None
    if float32_columns and source == torch.float64 and not _within_float32(X):
        return None  # the full path names the column beyond float32's range
    dtype = _network_dtype(net)
    if dtype is None:
        return None
    if type(X) is np.ndarray:
        if X.flags.writeable:
            x = torch.from_numpy(X)
        else:
            with warnings.catch_warnings():  # a read-only array is only ever read here
                warnings.filterwarnings("ignore", message="The given NumPy array is not")
                x = torch.from_numpy(X)
    else:
        x = X.detach()
    return x if x.dtype == dtype else x.to(dtype)
