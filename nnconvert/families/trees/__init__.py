"""Decision trees and ensembles of them: one room (the traversal layer, the heads, the
converters of classic trees and forests, and of gradient boosting)."""

from . import boosting, sklearn  # noqa: F401
