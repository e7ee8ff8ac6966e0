"""The command line's own error: a usage problem to report in one line."""

from __future__ import annotations

__all__ = ["CommandError"]


class CommandError(Exception):
    """An expected failure: its message is printed after ``nnconvert: error:``."""
