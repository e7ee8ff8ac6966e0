"""Where nnconvert writes: checked before any work, so a bad path costs nothing."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["output_file", "output_folder"]


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
    _writable(path.parent, f"cannot write {path}")
    if path.exists() and not os.access(path, os.W_OK):
        raise ValueError(f"cannot write {path}: the file exists and is read-only; choose "
                         "another name or make it writable")
    return path


def output_folder(path: str | os.PathLike) -> Path:
    """``path`` as a folder nnconvert may write files into: it exists and is writable.

    A missing folder is refused, not created, as :func:`output_file` refuses a file in a
    missing folder: a typo in a path should not scatter files somewhere new.

    Raises
    ------
    ValueError
        Naming the problem and the fix.
    """
    path = Path(path)
    if not path.is_dir():
        what = "is a file" if path.exists() else "does not exist"
        raise ValueError(f"cannot write into {str(path)!r}: it {what}; create the folder "
                         "first or choose another one")
    _writable(path, f"cannot write into {str(path)!r}")
    return path


def _writable(folder: Path, prefix: str) -> None:
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(f"{prefix}: the folder {str(folder)!r} is not writable; choose "
                         "another path or change its permissions")
