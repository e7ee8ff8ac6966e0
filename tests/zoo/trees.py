"""Zoo entries for decision trees and forests (the traversal form)."""

from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor, ExtraTreeClassifier

from . import Case

CASES = [
    Case("tree-depth3-wine", lambda: DecisionTreeClassifier(max_depth=3, random_state=0),
         "wine", "str", tags=("proba",)),
    Case("forest-breast_cancer", lambda: RandomForestClassifier(30, random_state=0),
         "breast_cancer", tags=("proba",)),
    Case("extratree-digits", lambda: ExtraTreeClassifier(random_state=0), "digits",
         "noncontiguous", tags=("proba",)),
    Case("extratrees-iris", lambda: ExtraTreesClassifier(20, max_depth=4, random_state=0),
         "iris", tags=("proba",)),
    Case("tree-diabetes", lambda: DecisionTreeRegressor(max_depth=6, random_state=0),
         "diabetes", kind="regressor"),
    Case("forest-diabetes-two-targets", lambda: RandomForestRegressor(15, random_state=0),
         "diabetes2", tags=("multioutput",), kind="regressor"),
    Case("extratrees-friedman", lambda: ExtraTreesRegressor(10, random_state=0), "friedman",
         kind="regressor"),
]
