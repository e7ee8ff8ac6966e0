"""Decision trees and forests of them: one room (the traversal layer, the head, the converters)."""

from . import sklearn  # noqa: F401
