"""Where the rows come from: arrays, memory-mapped files, dataframes and dask arrays, in blocks.

Verification holds one block of ``X`` at a time (a dask array without a cluster: one chunk,
computed, then read in blocks). A memory-mapped ``.npy``
(``np.load(path, mmap_mode="r")``) is read block by block, and the pages of each finished
block are handed back to the kernel, so a file larger than memory verifies in constant memory.
"""

from __future__ import annotations

import mmap
from dataclasses import dataclass
from typing import Iterator

import numpy as np
import scipy.sparse

__all__ = ["Source", "as_source", "is_dask_array", "default_batch_size"]

#: bytes of X per block when the caller does not choose
BLOCK_BYTES = 8 << 20


def is_dask_array(X) -> bool:
    """Whether ``X`` is a dask array (checked without importing dask)."""
    return type(X).__module__.startswith("dask.array") and hasattr(X, "chunks")


def default_batch_size(n_features: int) -> int:
    """Rows per block: about 8 MiB of float64 features, and at least 256 rows."""
    return max(256, BLOCK_BYTES // (8 * max(1, n_features)))


def _shape_error(shape, n_features: int) -> ValueError:
    return ValueError(
        f"X must be 2-D with {n_features} feature columns (the network's n_features_in_), "
        f"got shape {tuple(shape)}; reshape it, e.g. X.reshape(-1, {n_features}) for rows."
    )


@dataclass
class Source:
    """Rows of ``X`` with the number of rows known up front.

    Attributes
    ----------
    X : array-like
        numpy array (possibly a memory map), pandas dataframe or dask array.
    n_rows : int
    kind : str
        ``"array"``, ``"memmap"``, ``"frame"``, ``"sparse"`` (scipy.sparse rows), ``"dask"``
        or ``"documents"`` (a sequence of strings, for a network with a text vectorizer).
    """

    X: object
    n_rows: int
    kind: str

    def blocks(self, batch_size: int) -> Iterator[tuple[int, object]]:
        """Yield ``(first_row, block)`` pairs covering the rows in order."""
        if self.kind == "dask":
            yield from self._dask_blocks(batch_size)
            return
        release = _page_releaser(self.X) if self.kind == "memmap" else None
        for start in range(0, self.n_rows, batch_size):
            stop = min(start + batch_size, self.n_rows)
            block = (self.X.iloc[start:stop] if self.kind == "frame" or hasattr(self.X, "iloc")
                     else self.X[start:stop])
            yield start, block
            del block
            if release is not None:
                release(stop)

    def _dask_blocks(self, batch_size: int):
        # one row-chunk in memory at a time, all its columns together
        start = 0
        for i in range(self.X.numblocks[0]):
            chunk = np.asarray(self.X.blocks[i].compute())
            for offset in range(0, chunk.shape[0], batch_size):
                yield start + offset, chunk[offset:offset + batch_size]
            start += chunk.shape[0]


def _page_releaser(X: np.memmap):
    """A function ``release(stop_row)`` that drops the mapped pages of rows before ``stop_row``.

    Pages of a read-only file mapping come back from the file when touched again, so dropping
    them loses nothing; without it they would count against the process until the end.
    Returns None where this does not apply (not a read-only mapping of whole C-ordered rows).
    """
    mapping = getattr(X, "base", None)
    if (not isinstance(mapping, mmap.mmap) or getattr(X, "mode", None) != "r"
            or not X.flags.c_contiguous or not hasattr(mapping, "madvise")):
        return None
    base_address = np.frombuffer(mapping, dtype=np.uint8).ctypes.data
    first_byte = X.ctypes.data - base_address
    row_bytes = X.strides[0]
    released = [0]

    def release(stop_row: int) -> None:
        end = first_byte + stop_row * row_bytes
        end -= end % mmap.PAGESIZE  # the page holding the next row stays
        if end > released[0]:
            try:
                mapping.madvise(mmap.MADV_DONTNEED, released[0], end - released[0])
            except (OSError, ValueError):  # an optimisation only: never fail on it
                return
            released[0] = end

    return release


def _is_sequence_of_documents(X) -> bool:
    if isinstance(X, (list, tuple)):
        return True  # the network's vectorizer checks its elements, naming a bad one
    return (isinstance(X, np.ndarray) or hasattr(X, "iloc")) and not hasattr(X, "columns") \
        and np.ndim(X) == 1


def as_source(X, n_features: int, *, documents: bool = False) -> Source:
    """Wrap ``X`` for block-wise reading, checking that it is 2-D with ``n_features`` columns.

    With ``documents=True`` (a network that vectorises text itself) a 1-D sequence of
    strings (list, tuple, array, pandas Series) is read as documents, a block of them at a
    time; a matrix is read as usual.

    Raises
    ------
    ValueError
        If ``X`` is not 2-D or has another number of columns.
    TypeError
        If ``X`` is not an array, a sparse matrix, a dataframe, a dask array or a nested list
        of numbers.
    """
    if documents and _is_sequence_of_documents(X):
        if isinstance(X, tuple):
            X = list(X)
        return Source(X, len(X), "documents")
    if is_dask_array(X):
        if X.ndim != 2 or X.shape[1] != n_features:
            raise _shape_error(X.shape, n_features)
        if any(np.isnan(c) for c in X.chunks[0]):
            raise ValueError(
                "the dask array's chunk sizes are unknown; call X.compute_chunk_sizes() first."
            )
        return Source(X, int(X.shape[0]), "dask")
    if hasattr(X, "iloc") and hasattr(X, "columns"):
        if X.ndim != 2 or X.shape[1] != n_features:
            raise _shape_error(X.shape, n_features)
        return Source(X, len(X), "frame")
    if scipy.sparse.issparse(X):
        if X.ndim != 2 or X.shape[1] != n_features:
            raise _shape_error(X.shape, n_features)
        # blocks of rows stay sparse (the network reads them sparse or block by block); CSR
        # slices rows without copying the rest, other formats are converted once
        return Source(X if X.format == "csr" else X.tocsr(), int(X.shape[0]), "sparse")
    if not isinstance(X, np.ndarray):
        try:
            X = np.asarray(X)
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"X must be a numpy array, a memory-mapped .npy (np.load(path, mmap_mode='r')),"
                f" a dataframe or a dask array; got {type(X).__name__} ({error})"
            ) from None
    if X.ndim != 2 or X.shape[1] != n_features:
        raise _shape_error(X.shape, n_features)
    kind = "memmap" if isinstance(X, np.memmap) else "array"
    return Source(X, int(X.shape[0]), kind)
