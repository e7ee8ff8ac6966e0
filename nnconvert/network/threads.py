"""How many threads a call of the scikit-learn style methods runs torch on.

torch splits each operation among its threads (``torch.get_num_threads()``), each taking an
equal share and all waiting for the last: on a small batch the split costs more than it
saves, and on a busy machine (another process on a core, another library's threads still
spinning) one share is late and the whole call waits for it. Measured on two cores with
other work running (``benchmarks/bench_latency.py``), two threads made an RBF SVC's one-row
predict 20× slower and a LogisticRegression's 10-row predict 50× slower than one thread.

So a call whose work is small runs on one thread; a large one on torch's setting, which is
the caller's to choose (``torch.set_num_threads``); and ``net.num_threads`` fixes the count
for every call of one network (1 on a shared server). The caller's setting is restored after
each call. The compiled kernels (the tree walk, the k-nearest search) take their thread
count from torch's setting during the call, so they follow the same choice.
"""

from __future__ import annotations

import contextlib
from typing import Iterator

import torch
from torch import nn

__all__ = ["SINGLE_THREAD_WORK", "work_per_row", "threads_for"]

#: below this many multiply-adds a call (rows × :func:`work_per_row`; about a millisecond
#: on one core) a call runs on one thread: splitting it costs more than it saves
SINGLE_THREAD_WORK = 1 << 22


def work_per_row(body: nn.Module) -> int:
    """An estimate of the multiply-adds one row costs: the number of floating parameter and
    buffer elements the body reads (a dense layer's weights, a kernel layer's centres); an
    overestimate for tree tables, which a row walks a path of, and which the compiled walk
    splits among threads by blocks of rows anyway."""
    return sum(t.numel() for t in (*body.parameters(), *body.buffers())
               if t.is_floating_point())


@contextlib.contextmanager
def threads_for(work: int, fixed: int | None = None) -> Iterator[None]:
    """Run the block on ``fixed`` threads, or one thread where ``work`` (multiply-adds) is
    below :data:`SINGLE_THREAD_WORK`, else on torch's setting; torch's setting is restored
    after.

    Examples
    --------
    >>> import torch
    >>> before = torch.get_num_threads()
    >>> with threads_for(100):
    ...     torch.get_num_threads()
    1
    >>> torch.get_num_threads() == before
    True
    """
    if fixed is not None and (isinstance(fixed, bool) or not isinstance(fixed, int)
                              or fixed < 1):
        raise ValueError(f"num_threads must be a positive int or None (automatic), got "
                         f"{fixed!r}")
    wanted = fixed if fixed is not None else (1 if work < SINGLE_THREAD_WORK else None)
    previous = torch.get_num_threads()
    if wanted is None or wanted == previous:
        yield
        return
    torch.set_num_threads(wanted)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
