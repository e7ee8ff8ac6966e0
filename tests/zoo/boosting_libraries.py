"""Zoo entries for the boosting libraries with converters of their own: XGBoost and
LightGBM. Each library's cases exist only where it is installed (the `boosting` extra), so
the suite runs without them; the library is imported when a case is fitted, not when the
zoo loads."""

import importlib
import importlib.util

from . import Case


def _make(module: str, name: str, **params):
    return lambda: getattr(importlib.import_module(module), name)(**params)


def _one_query_ranker(module: str, name: str, **params):
    """A ranker the zoo can fit with ``fit(X, y)``: every row one query, the class labels
    its relevance grades (a ranker's fit asks for the queries: ``qid`` or ``group``)."""
    def make():
        ranker = getattr(importlib.import_module(module), name)

        class OneQuery(ranker):
            def fit(self, X, y):
                if module == "xgboost":
                    return super().fit(X, y, qid=[0] * len(y))
                return super().fit(X, y, group=[len(y)])

        OneQuery.__name__ = OneQuery.__qualname__ = name
        OneQuery.__module__ = ranker.__module__  # the library (its float32 sums: XGBoost)
        return OneQuery(**params)
    return make


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
        Case("xgb-ranker-wine", _one_query_ranker("xgboost", "XGBRanker", n_estimators=30,
                                                  max_depth=4, n_jobs=1, random_state=0),
             "wine", kind="regressor", tags=("xgboost", "ranker")),
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
        Case("lgbm-ranker-iris", _one_query_ranker("lightgbm", "LGBMRanker", n_estimators=30,
                                                   num_leaves=8, n_jobs=1, verbose=-1,
                                                   random_state=0),
             "iris", kind="regressor", tags=("lightgbm", "ranker")),
    ]
