"""Where nnconvert writes: checked before any work, so a bad path costs nothing."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["output_file"]


def output_file(path: str | os.PathLike) -> Path:
    """``path`` as a file nnconvert may write: its folder exists and it is not a folder.

    Raises
    ------
    ValueError
        Naming the problem and the fix.
    """
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"cannot write {path}: it is a folder; give a file name inside it")
    if not path.parent.is_dir():
        raise ValueError(
            f"cannot write {path}: the folder {str(path.parent)!r} does not exist; create it "
            "first or choose another path"
        )
    return path
