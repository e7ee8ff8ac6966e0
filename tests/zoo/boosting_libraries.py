"""Zoo entries for the boosting libraries with converters of their own: XGBoost and
LightGBM. Each library's cases exist only where it is installed (the `boosting` extra), so
the suite runs without them; the library is imported when a case is fitted, not when the
zoo loads."""

import importlib
import importlib.util

from . import Case


def _make(module: str, name: str, **params):
    return lambda: getattr(importlib.import_module(module), name)(**params)


CASES = []

if importlib.util.find_spec("xgboost") is not None:
    # XGBoost wants labels 0..C-1, so its classifiers keep the integer labels
    CASES += [
        Case("xgb-breast_cancer", _make("xgboost", "XGBClassifier", n_estimators=40,
                                        max_depth=3, n_jobs=1, random_state=0),
             "breast_cancer", tags=("proba", "xgboost")),
        Case("xgb-wine-softprob", _make("xgboost", "XGBClassifier", n_estimators=30,
                                        max_depth=4, n_jobs=1, random_state=0),
             "wine", tags=("proba", "xgboost")),
        Case("xgb-friedman", _make("xgboost", "XGBRegressor", n_estimators=60, max_depth=4,
                                   n_jobs=1, random_state=0),
             "friedman", kind="regressor", tags=("xgboost",)),
    ]

if importlib.util.find_spec("lightgbm") is not None:
    CASES += [
        Case("lgbm-iris-str", _make("lightgbm", "LGBMClassifier", n_estimators=30,
                                    num_leaves=8, n_jobs=1, verbose=-1, random_state=0),
             "iris", "str", tags=("proba", "lightgbm")),
        Case("lgbm-breast_cancer-noncontiguous",
             _make("lightgbm", "LGBMClassifier", n_estimators=40, n_jobs=1, verbose=-1,
                   random_state=0),
             "breast_cancer", "noncontiguous", tags=("proba", "binary", "lightgbm")),
        Case("lgbm-poisson-diabetes",
             _make("lightgbm", "LGBMRegressor", objective="poisson", n_estimators=50,
                   n_jobs=1, verbose=-1, random_state=0),
             "diabetes", kind="regressor", tags=("lightgbm",)),
    ]
