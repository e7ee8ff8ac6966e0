"""Finding and opening the optional compiled parts (the tree walk, the k-nearest search).

``setup.py`` builds each C++ source into a shared library beside the module that calls it;
the library is opened with ctypes (no tie to torch's C++ ABI, and the GIL is released while
it runs). A library that is missing, does not load on this machine or states another
interface version than its caller expects is not used: the caller then runs torch ops.

How many threads a call runs on is chosen per call from its work (:func:`threads_for`): a
small batch runs on the calling thread alone (starting a thread costs more than it saves),
a large one on up to ``torch.get_num_threads()`` threads, or on as many as the
``NNCONVERT_THREADS`` environment variable says.
"""

from __future__ import annotations

import ctypes
import importlib.machinery
import os
from pathlib import Path

__all__ = ["THREADS_VARIABLE", "WORK_PER_THREAD", "built_beside", "open_library",
           "threads_for"]

#: the environment variable that caps the compiled parts' threads (a positive integer)
THREADS_VARIABLE = "NNCONVERT_THREADS"
#: the work (multiply-adds, or their like) that is worth starting one more thread for: about
#: a millisecond of one core's vector units. Starting a thread costs tens of microseconds
#: on a quiet machine, but on a busy one the new thread may wait a scheduler's time slice
#: (milliseconds) for a core, and the call waits for it: 100 rows against 10,000 training
#: rows of 50 features took 47 ms on two threads on a loaded machine, 2 ms on one
WORK_PER_THREAD = 50_000_000


def built_beside(module_file: str, stem: str) -> Path | None:
    """The library ``stem`` + this Python's extension suffix beside ``module_file``, if built."""
    here = Path(module_file).parent
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = here / f"{stem}{suffix}"
        if path.exists():
            return path
    return None


def open_library(path, interface_function: str, interface: int) -> ctypes.CDLL | None:
    """The library at ``path`` where it loads here and ``interface_function()`` returns
    ``interface``; None otherwise (a foreign file, or a build from another version of the
    source: reinstall to rebuild it)."""
    try:
        loaded = ctypes.CDLL(str(path))
    except OSError:
        return None
    if not hasattr(loaded, interface_function) or \
            getattr(loaded, interface_function)() != interface:
        return None
    return loaded


def threads_for(work: int) -> int:
    """The threads a compiled call of ``work`` multiply-adds (or the like) runs on: one per
    :data:`WORK_PER_THREAD`, at least 1, at most ``NNCONVERT_THREADS`` where it is set, else
    ``torch.get_num_threads()``.

    The compiled parts hand out their rows in small parts taken in turn, so a thread whose
    core is busy with another process takes fewer of them instead of holding the call back.

    Examples
    --------
    >>> from nnconvert.compiled import threads_for
    >>> threads_for(1_000)  # one row against a few points: the calling thread alone
    1
    """
    import torch  # the command line's --help imports this module without torch

    cap = os.environ.get(THREADS_VARIABLE, "").strip()
    if cap:
        try:
            limit = int(cap)
        except ValueError:
            limit = 0
        if limit < 1:
            raise ValueError(f"{THREADS_VARIABLE}={cap!r}: the most threads nnconvert's "
                             "compiled parts may use must be a positive integer; set it to "
                             "1, 2, ... or unset it (default: torch.get_num_threads())")
    else:
        limit = torch.get_num_threads()
    return int(max(1, min(limit, work // WORK_PER_THREAD)))
