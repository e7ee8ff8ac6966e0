"""The compiled k-smallest search (``nearest.cpp``): for each query row, the stored points of
smallest fast squared distance, found in one pass over cache-sized tiles of dot products.

``setup.py`` builds ``nearest.cpp`` into a shared library beside this module; it is loaded
with ctypes, which releases the GIL while it runs. The dot products come from torch's
matrix product, a tile of stored points at a time, into a buffer that stays in cache; the
library keeps every row's smallest as the tiles go by (torch's ``topk`` over the whole
distance block costs four times as much on 10,000 points). Where the library was not built,
or cannot run (a GPU tensor, ``torch.export``, ``torch.compile``), the layers search with
torch ops instead; both searches feed the same exact re-ranking, so they give the same
answers (see :class:`~nnconvert.families.neighbors.NeighbourVote`).
"""

from __future__ import annotations

import ctypes

import torch

from ..compiled import built_beside, open_library

__all__ = ["LANES", "library", "load_library", "packed", "runs_on", "smallest"]

#: the version of nearest.cpp's interface this module calls (its nnc_nearest_interface)
_INTERFACE = 2
#: points per panel (nearest.cpp's kLanes)
LANES = 16

_library = None


def load_library(path) -> ctypes.CDLL | None:
    """The search built at ``path``, its functions' signatures declared; None where it is not
    a library this machine loads, or was built from another version of ``nearest.cpp``."""
    loaded = open_library(path, "nnc_nearest_interface", _INTERFACE)
    if loaded is None:
        return None
    loaded.nnc_nearest_search.restype = ctypes.c_int
    loaded.nnc_nearest_search.argtypes = (
        [ctypes.c_void_p] + [ctypes.c_int64] * 2 + [ctypes.c_void_p] * 2
        + [ctypes.c_int64] * 2 + [ctypes.c_void_p] * 2 + [ctypes.c_int])
    return loaded


def library() -> ctypes.CDLL | None:
    """The built search, or None where ``setup.py`` could not build it (or built it from
    another version of ``nearest.cpp``)."""
    global _library
    if _library is None:
        path = built_beside(__file__, "_nearest")
        _library = (load_library(path) if path is not None else None) or False
    return _library or None


def runs_on(x: torch.Tensor) -> bool:
    """Whether the search can read ``x``: a plain float tensor with its own memory on the
    CPU, outside any tracing (export and compile trace torch ops, which the library is not;
    ``torch.func`` transforms wrap tensors that have no memory of their own)."""
    if not (type(x) is torch.Tensor and x.device.type == "cpu"
            and x.dtype in (torch.float32, torch.float64)
            and not torch.compiler.is_compiling() and not torch.jit.is_tracing()
            and not torch.compiler.is_exporting() and library() is not None):
        return False
    try:
        x.data_ptr()
    except RuntimeError:
        return False
    return True


def packed(points: torch.Tensor, norms: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Stored points as the search reads them: panels of :data:`LANES` points, feature by
    feature (panel p, feature k: points 16p .. 16p + 15 side by side), the last panel padded
    with zero points of norm +inf, which are never kept.

    Parameters
    ----------
    points : torch.Tensor of shape (m, d)
    norms : torch.Tensor of shape (m,)
        Their squared norms ``‖c‖²``.

    Returns
    -------
    panels : torch.Tensor of shape (ceil(m / 16), d, 16), float32
    norms : torch.Tensor of shape (ceil(m / 16) * 16,), float32
    """
    m, d = points.shape
    n_panels = -(-m // LANES)
    padded = torch.zeros((n_panels * LANES, d), dtype=torch.float32)
    padded[:m] = points
    padded_norms = torch.full((n_panels * LANES,), float("inf"), dtype=torch.float32)
    padded_norms[:m] = norms
    return padded.view(n_panels, LANES, d).transpose(1, 2).contiguous(), padded_norms


def smallest(queries: torch.Tensor, panels: torch.Tensor, norms: torch.Tensor, take: int
             ) -> tuple[torch.Tensor, torch.Tensor]:
    """For each row of ``queries``, the ``take`` stored points of smallest ``‖c‖² − 2x·c``.

    Parameters
    ----------
    queries : torch.Tensor of shape (n, d), float32, on the CPU
    panels, norms : torch.Tensor
        The stored points and their squared norms, as :func:`packed` returns them.
    take : int
        How many to keep, at least 1 and at most the number of points.

    Returns
    -------
    values : torch.Tensor of shape (n, take), float32
        ``‖c‖² − 2x·c`` of the kept points, ascending (add ``‖x‖²`` for the squared
        distance).
    indices : torch.Tensor of shape (n, take), int64
        The kept points; -1 in the last places of a row with fewer than ``take`` values
        below +inf (products beyond float32's range: search it another way).

    Examples
    --------
    >>> import torch
    >>> from nnconvert.layers import nearest_kernel
    >>> points = torch.tensor([[0.0, 0.0], [3.0, 0.0], [1.0, 1.0]])
    >>> panels, norms = nearest_kernel.packed(points, (points * points).sum(1))
    >>> values, indices = nearest_kernel.smallest(torch.tensor([[2.5, 0.0]]), panels, norms, 2)
    >>> indices.tolist()
    [[1, 2]]
    """
    n_panels = panels.shape[0] if panels.dim() == 3 else 0
    d = queries.shape[1] if queries.dim() == 2 else 0
    if not (queries.dtype == panels.dtype == norms.dtype == torch.float32 and d > 0
            and panels.shape == (n_panels, d, LANES) and n_panels > 0
            and norms.shape == (n_panels * LANES,) and 1 <= take <= n_panels * LANES):
        raise ValueError(
            f"smallest() takes float32 queries (n, d), panels (m / 16, d, 16) and norms "
            f"(m,) with 1 <= take <= m; got {tuple(queries.shape)} {queries.dtype}, "
            f"{tuple(panels.shape)} {panels.dtype}, {tuple(norms.shape)} {norms.dtype}, "
            f"take={take}")
    queries, panels, norms = queries.contiguous(), panels.contiguous(), norms.contiguous()
    n = queries.shape[0]
    values = torch.empty((n, take), dtype=torch.float32)
    indices = torch.empty((n, take), dtype=torch.int64)
    status = library().nnc_nearest_search(
        queries.data_ptr(), n, d, panels.data_ptr(), norms.data_ptr(), n_panels, take,
        values.data_ptr(), indices.data_ptr(), torch.get_num_threads())
    if status == -2:
        raise MemoryError("the compiled nearest-point search ran out of memory")
    if status != 0:
        raise RuntimeError(f"the compiled nearest-point search failed with code {status}")
    return values, indices
