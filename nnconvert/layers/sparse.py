"""Layers that keep sparse rows sparse: helpers for elementwise and row-wise maps of a torch
sparse CSR tensor.

A vectorised text matrix has tens of thousands of columns and a few dozen non-zeros a row;
densifying it to weight or normalise it would cost rows × vocabulary. A layer whose map sends
0 to 0 (a per-column scaling, a row normalisation, ``1 + log(tf)`` of the stored counts) can
act on the stored values alone and hand a CSR tensor of the same pattern to the next layer.
Such a layer sets ``keeps_sparse = True``; the network passes sparse rows through the leading
layers that keep them sparse to the first layer that multiplies them (``reads_sparse``).
"""

from __future__ import annotations

import warnings
from typing import Callable

import torch

__all__ = ["is_sparse_csr", "map_stored", "row_sums"]


def is_sparse_csr(x: torch.Tensor) -> bool:
    """Whether ``x`` is a torch sparse CSR tensor."""
    return x.layout == torch.sparse_csr


def _rows_of_stored(x: torch.Tensor) -> torch.Tensor:
    """The row of each stored value of a CSR tensor."""
    crow = x.crow_indices()
    counts = crow[1:] - crow[:-1]
    return torch.repeat_interleave(torch.arange(x.shape[0], device=x.device), counts)


def map_stored(x: torch.Tensor,
               values: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]
               ) -> torch.Tensor:
    """A CSR tensor of ``x``'s pattern whose values are ``values(stored, columns, rows)``.

    ``stored`` are ``x``'s stored values, ``columns`` and ``rows`` where each one sits; the
    pattern (``crow_indices``, ``col_indices``) is shared, not copied.
    """
    new = values(x.values(), x.col_indices(), _rows_of_stored(x))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta")
        return torch.sparse_csr_tensor(x.crow_indices(), x.col_indices(), new, size=x.shape,
                                       check_invariants=False)


def row_sums(stored: torch.Tensor, rows: torch.Tensor, n_rows: int) -> torch.Tensor:
    """Per row, the sum of ``stored`` (values of a CSR tensor in row order, ``rows`` theirs)."""
    return torch.zeros(n_rows, dtype=stored.dtype, device=stored.device).index_add_(
        0, rows, stored)
