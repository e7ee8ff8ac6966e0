"""Zoo entries for the boosting libraries with converters of their own: XGBoost and
LightGBM. Each library's cases exist only where it is installed (the `boosting` extra), so
the suite runs without them."""

import importlib.util

from . import Case

CASES = []

if importlib.util.find_spec("xgboost") is not None:
    from xgboost import XGBClassifier, XGBRegressor

    # XGBoost wants labels 0..C-1, so its classifiers keep the integer labels
    CASES += [
        Case("xgb-breast_cancer", lambda: XGBClassifier(n_estimators=40, max_depth=3,
                                                        n_jobs=1, random_state=0),
             "breast_cancer", tags=("proba", "xgboost")),
        Case("xgb-wine-softprob", lambda: XGBClassifier(n_estimators=30, max_depth=4,
                                                        n_jobs=1, random_state=0),
             "wine", tags=("proba", "xgboost")),
        Case("xgb-friedman", lambda: XGBRegressor(n_estimators=60, max_depth=4, n_jobs=1,
                                                  random_state=0),
             "friedman", kind="regressor", tags=("xgboost",)),
    ]

if importlib.util.find_spec("lightgbm") is not None:
    from lightgbm import LGBMClassifier, LGBMRegressor

    CASES += [
        Case("lgbm-iris-str", lambda: LGBMClassifier(n_estimators=30, num_leaves=8,
                                                     n_jobs=1, verbose=-1, random_state=0),
             "iris", "str", tags=("proba", "lightgbm")),
        Case("lgbm-breast_cancer-noncontiguous",
             lambda: LGBMClassifier(n_estimators=40, n_jobs=1, verbose=-1, random_state=0),
             "breast_cancer", "noncontiguous", tags=("proba", "binary", "lightgbm")),
        Case("lgbm-poisson-diabetes",
             lambda: LGBMRegressor(objective="poisson", n_estimators=50, n_jobs=1,
                                   verbose=-1, random_state=0),
             "diabetes", kind="regressor", tags=("lightgbm",)),
    ]
