"""Zoo entries for CatBoost's models and imbalanced-learn's pipelines and balanced
ensembles. Each library's cases exist only where it is installed (the `catboost` and
`imblearn` extras), so the suite runs without them; the library is imported when a case is
fitted, not when the zoo loads."""

import importlib
import importlib.util

from . import Case


def _make(module: str, name: str, **params):
    return lambda: getattr(importlib.import_module(module), name)(**params)


def _imblearn_pipeline():
    from imblearn.over_sampling import SMOTE
    from imblearn.pipeline import make_pipeline
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), SMOTE(random_state=0),
                         LogisticRegression(max_iter=1000))


#: CatBoost's defaults (1000 iterations, every core) would take seconds a case: small models
_CATBOOST = {"verbose": 0, "random_seed": 0, "thread_count": 1, "allow_writing_files": False}

CASES = []

if importlib.util.find_spec("catboost") is not None:
    CASES += [
        Case("cb-breast_cancer", _make("catboost", "CatBoostClassifier", iterations=40,
                                       depth=4, **_CATBOOST),
             "breast_cancer", tags=("proba", "catboost")),
        Case("cb-wine-str", _make("catboost", "CatBoostClassifier", iterations=30, depth=3,
                                  **_CATBOOST),
             "wine", "str", tags=("proba", "catboost")),
        Case("cb-friedman", _make("catboost", "CatBoostRegressor", iterations=50, depth=5,
                                  **_CATBOOST),
             "friedman", kind="regressor", tags=("catboost",)),
        Case("cb-poisson-diabetes", _make("catboost", "CatBoostRegressor", iterations=40,
                                          depth=4, loss_function="Poisson", **_CATBOOST),
             "diabetes", kind="regressor", tags=("catboost",)),
    ]

if importlib.util.find_spec("imblearn") is not None:
    CASES += [
        Case("imb-pipeline-smote-breast_cancer", _imblearn_pipeline, "breast_cancer",
             tags=("proba", "binary", "imblearn")),
        Case("imb-balanced-rf-wine", _make("imblearn.ensemble",
                                           "BalancedRandomForestClassifier", n_estimators=15,
                                           sampling_strategy="all", replacement=True,
                                           bootstrap=False, random_state=0),
             "wine", tags=("proba", "imblearn")),
        Case("imb-easy-ensemble-iris", _make("imblearn.ensemble", "EasyEnsembleClassifier",
                                             n_estimators=4, random_state=0),
             "iris", "noncontiguous", tags=("proba", "imblearn")),
    ]
