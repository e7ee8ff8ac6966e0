"""Verification across a dask.distributed cluster: each worker verifies its chunks of X.

The estimator and the network are sent to every worker once; each row-chunk of the dask
array is verified where it lives, into a :class:`~nnconvert.verify.report.Partial`; the
partials come back as they finish and are merged (a pure, order-free function), so the
verdict is the one an in-memory verification of the same rows gives.
"""

from __future__ import annotations

import numpy as np
from tqdm import tqdm  # plain: in a notebook (not a terminal) it stays silent

from .blocks import verify_blocks
from .comparers import comparer_for
from .report import Partial, merge
from .sources import Source

__all__ = ["current_client", "verify_chunk", "verify_on_cluster"]


def current_client():
    """The dask.distributed client in use, or None (no client, or distributed not installed)."""
    try:
        from distributed import get_client
    except ImportError:
        return None
    try:
        return get_client()
    except ValueError:  # "No clients found"
        return None


def verify_chunk(estimator, net, chunk, first_row: int, methods, batch_size: int,
                 rtol: float = 1e-9) -> Partial:
    """Runs on a worker: verify one in-memory chunk, rows numbered from ``first_row``."""
    chunk = np.asarray(chunk)
    source = Source(chunk, chunk.shape[0], "array")
    part = verify_blocks(estimator, net, source.blocks(batch_size), methods, comparer_for(net),
                         rtol=rtol)
    return part.shifted(first_row)


def verify_on_cluster(client, estimator, net, X, methods, batch_size: int, progress, *,
                      rtol: float = 1e-9) -> Partial:
    """Verify the dask array ``X`` chunk by chunk on ``client``'s workers; the merged partial."""
    from distributed import as_completed

    X = X.rechunk({1: -1})  # a worker needs whole rows
    first_rows = np.concatenate([[0], np.cumsum(X.chunks[0])[:-1]]).astype(int)
    estimator_f, net_f = client.scatter([estimator, net], broadcast=True, hash=False)
    chunks = client.compute(list(X.to_delayed().ravel()))
    futures = [
        client.submit(verify_chunk, estimator_f, net_f, chunk, int(first), methods, batch_size,
                      rtol, pure=False)
        for chunk, first in zip(chunks, first_rows)
    ]
    total = Partial()
    with tqdm(total=int(X.shape[0]), unit="rows", unit_scale=True, desc="verify (dask)",
              disable=None if progress is None else not progress) as bar:
        for future in as_completed(futures):
            part = future.result()
            total = merge(total, part)
            bar.update(part.n_samples)
            future.release()
    for chunk in chunks:
        chunk.release()
    return total
