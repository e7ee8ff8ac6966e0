"""Decision trees and ensembles of them: one room (the traversal layer, the heads, the
converters of classic trees and forests, of bagged and boosted trees, and of isolation forests)."""

from . import (  # noqa: F401
    adaboost,
    bagging,
    boosting,
    catboost,
    embedding,
    isolation,
    lightgbm,
    sklearn,
    xgboost,
)
