"""The compiled k-nearest kernel (``nearest.cpp``): for each query row, the stored points of
smallest fast squared distance, found in one pass over cache-sized tiles of dot products
(:func:`smallest`), and, in the same pass, their exact float64 re-rank into the k nearest
(:func:`nearest`), with the bits of the torch layers' own re-rank.

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

from ..compiled import built_beside, open_library, threads_for

__all__ = ["LANES", "library", "load_library", "nearest", "packed", "runs_on", "smallest"]

#: the version of nearest.cpp's interface this module calls (its nnc_nearest_interface)
_INTERFACE = 3
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
    loaded.nnc_nearest_exact.restype = ctypes.c_int
    loaded.nnc_nearest_exact.argtypes = (
        [ctypes.c_void_p] * 2 + [ctypes.c_int64] * 2 + [ctypes.c_void_p] * 2 + [ctypes.c_int64]
        + [ctypes.c_void_p] + [ctypes.c_int64] * 3 + [ctypes.c_float]
        + [ctypes.c_void_p] * 3 + [ctypes.c_int])
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
        values.data_ptr(), indices.data_ptr(), threads_for(n * n_panels * LANES * d))
    _raise_for(status)
    return values, indices


def _raise_for(status: int) -> None:
    if status == -2:
        raise MemoryError("the compiled nearest-point search ran out of memory")
    if status != 0:
        raise RuntimeError(f"the compiled nearest-point search failed with code {status}")


def nearest(queries: torch.Tensor, panels: torch.Tensor, norms: torch.Tensor,
            points: torch.Tensor, take: int, k: int, spread: float | None = None
            ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """For each row of ``queries``, its ``k`` nearest stored points by exact squared
    euclidean distance: the ``take`` of smallest fast distance (as :func:`smallest` finds
    them), re-ranked in the same pass by their float64 squared distances in the difference
    form (:func:`~nnconvert.layers.distances.distances`, to the bit), equal distances lowest
    point first.

    Parameters
    ----------
    queries : torch.Tensor of shape (n, d), float64, on the CPU
    panels, norms : torch.Tensor
        The stored points and their squared norms, as :func:`packed` returns them.
    points : torch.Tensor of shape (m, d), float64
        The stored points themselves.
    take : int
        Candidates found by the fast distances, ``k <= take <= m``.
    k : int
        Neighbours kept, at least 1.
    spread : float, optional
        The largest of ``norms`` (a caller that keeps it saves a pass over them).

    Returns
    -------
    indices : torch.Tensor of shape (n, k), int64
        The k nearest, nearest first.
    distances : torch.Tensor of shape (n, k), float64
        Their exact squared distances (take ``torch.sqrt`` for the euclidean: it is not
        correctly rounded on every CPU, so the layers take that one too).
    unsure : torch.Tensor of shape (n,), bool
        Rows to search another way: the fast form's rounding could have left a nearer point
        out of the candidates (or found no finite fast distance).

    Examples
    --------
    >>> import torch
    >>> from nnconvert.layers import nearest_kernel
    >>> points = torch.tensor([[0.0, 0.0], [3.0, 0.0], [1.0, 1.0]], dtype=torch.float64)
    >>> panels, norms = nearest_kernel.packed(points, (points * points).sum(1))
    >>> indices, distances, unsure = nearest_kernel.nearest(
    ...     torch.tensor([[2.5, 0.0]], dtype=torch.float64), panels, norms, points, 3, 2)
    >>> indices.tolist(), distances.tolist(), unsure.tolist()
    ([[1, 2]], [[0.25, 3.25]], [False])
    """
    n_panels = panels.shape[0] if panels.dim() == 3 else 0
    d = queries.shape[1] if queries.dim() == 2 else 0
    m = points.shape[0] if points.dim() == 2 else 0
    if not (queries.dtype == points.dtype == torch.float64
            and panels.dtype == norms.dtype == torch.float32 and d > 0
            and points.shape == (m, d) and panels.shape == (n_panels, d, LANES)
            and (n_panels - 1) * LANES < m <= n_panels * LANES
            and norms.shape == (n_panels * LANES,) and 1 <= k <= take <= m):
        raise ValueError(
            f"nearest() takes float64 queries (n, d) and points (m, d), their float32 panels "
            f"(m / 16, d, 16) and norms (m,), with 1 <= k <= take <= m; got "
            f"{tuple(queries.shape)} {queries.dtype}, {tuple(points.shape)} {points.dtype}, "
            f"{tuple(panels.shape)} {panels.dtype}, {tuple(norms.shape)} {norms.dtype}, "
            f"take={take}, k={k}")
    queries, points = queries.contiguous(), points.contiguous()
    panels, norms = panels.contiguous(), norms.contiguous()
    fast = queries.to(torch.float32)
    n = queries.shape[0]
    indices = torch.empty((n, k), dtype=torch.int64)
    exact = torch.empty((n, k), dtype=torch.float64)
    unsure = torch.empty((n,), dtype=torch.bool)
    spread = float(norms[:m].max()) if spread is None else float(spread)
    status = library().nnc_nearest_exact(
        fast.data_ptr(), queries.data_ptr(), n, d, panels.data_ptr(), norms.data_ptr(),
        n_panels, points.data_ptr(), m, take, k, spread, indices.data_ptr(),
        exact.data_ptr(), unsure.data_ptr(), threads_for(n * n_panels * LANES * d))
    _raise_for(status)
    return indices, exact, unsure
