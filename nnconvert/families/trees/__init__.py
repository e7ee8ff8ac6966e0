"""Decision trees and ensembles of them: one room (the traversal layer, the heads, the
converters of classic trees and forests, of bagged and boosted trees)."""

from . import adaboost, bagging, boosting, embedding, lightgbm, sklearn, xgboost  # noqa: F401
