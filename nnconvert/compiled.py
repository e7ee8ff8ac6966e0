"""Finding and opening the optional compiled parts (the tree walk, the k-nearest search).

``setup.py`` builds each C++ source into a shared library beside the module that calls it;
the library is opened with ctypes (no tie to torch's C++ ABI, and the GIL is released while
it runs). A library that is missing, does not load on this machine or states another
interface version than its caller expects is not used: the caller then runs torch ops.
"""

from __future__ import annotations

import ctypes
import importlib.machinery
from pathlib import Path

__all__ = ["built_beside", "open_library"]


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
