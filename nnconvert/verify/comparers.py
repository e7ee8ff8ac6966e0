"""Which comparison path verifies a network's blocks: the CuPy kernel or NumPy.

Its own module so that the engine (:mod:`.engine`) and the workers of a dask cluster
(:mod:`.distributed`) both import it, and neither imports the other.
"""

from __future__ import annotations

__all__ = ["comparer_for"]


def comparer_for(net):
    """The CuPy path where the network lives on a CUDA device and CuPy sees it, else NumPy."""
    from .cupy_path import CupyComparer, cupy_available  # CuPy loads only when asked for
    from .numpy_path import NumpyComparer

    if net.device.type == "cuda" and cupy_available():
        return CupyComparer()
    return NumpyComparer()
