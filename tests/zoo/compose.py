"""Zoo entries for the compose room (nnconvert/compose/): pipelines, column transformers and
unions, one-vs-rest and one-vs-one, voting and stacking, calibration, searches, thresholds,
transformed targets, and bagging and AdaBoost of members other than trees."""

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.decomposition import PCA
from sklearn.ensemble import (
    AdaBoostClassifier,
    AdaBoostRegressor,
    BaggingClassifier,
    BaggingRegressor,
    StackingClassifier,
    StackingRegressor,
    VotingClassifier,
    VotingRegressor,
)
from sklearn.linear_model import (
    LinearRegression,
    LogisticRegression,
    Ridge,
    RidgeClassifier,
    SGDClassifier,
)
from sklearn.model_selection import (
    FixedThresholdClassifier,
    GridSearchCV,
    RandomizedSearchCV,
    TunedThresholdClassifierCV,
)
from sklearn.multiclass import OneVsOneClassifier, OneVsRestClassifier
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import (
    MaxAbsScaler,
    MinMaxScaler,
    Normalizer,
    RobustScaler,
    StandardScaler,
)
from sklearn.svm import SVC, SVR, LinearSVC

from . import Case


def _members():
    return [("logreg", make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))),
            ("nb", GaussianNB()), ("svc", SVC(probability=True, random_state=0))]


CASES = [
    Case("pipe-standard-logreg-breast_cancer",
         lambda: make_pipeline(StandardScaler(), LogisticRegression()), "breast_cancer",
         tags=("proba", "binary", "pipeline")),
    Case("pipe-minmax-clip-linearsvc-wine",
         lambda: make_pipeline(MinMaxScaler(clip=True), LinearSVC()), "wine", "str",
         tags=("pipeline",)),
    Case("pipe-minmax-range-logreg-digits",
         lambda: make_pipeline(MinMaxScaler(feature_range=(-1, 2)),
                               LogisticRegression(max_iter=50)),
         "digits", tags=("proba", "pipeline")),
    Case("pipe-maxabs-robust-sgd-iris",
         lambda: make_pipeline(MaxAbsScaler(), RobustScaler(), SGDClassifier(random_state=0)),
         "iris", tags=("pipeline",)),
    Case("pipe-standard-nomean-passthrough-ridge-blobs",
         lambda: make_pipeline(StandardScaler(with_mean=False), "passthrough", RidgeClassifier()),
         "blobs", tags=("pipeline",)),
    Case("pipe-passthrough-first-logreg-wine",
         lambda: make_pipeline("passthrough", StandardScaler(), LogisticRegression()), "wine",
         tags=("proba", "pipeline")),
    Case("ovr-logreg-iris", lambda: OneVsRestClassifier(LogisticRegression(max_iter=1000)),
         "iris", "str", tags=("proba",)),
    Case("ovr-linearsvc-digits", lambda: OneVsRestClassifier(LinearSVC()), "digits"),
    Case("ovr-logreg-breast_cancer-binary",
         lambda: OneVsRestClassifier(LogisticRegression(max_iter=300)), "breast_cancer",
         tags=("proba", "binary")),
    Case("ovr-pipeline-wine",
         lambda: OneVsRestClassifier(make_pipeline(StandardScaler(), SGDClassifier(
             loss="modified_huber", random_state=0))), "wine", "noncontiguous",
         tags=("proba",)),
    Case("ovo-linearsvc-wine", lambda: OneVsOneClassifier(LinearSVC()), "wine"),
    Case("ovo-logreg-digits", lambda: OneVsOneClassifier(LogisticRegression(max_iter=30)),
         "digits", "str"),
    Case("ovo-ridge-breast_cancer-binary", lambda: OneVsOneClassifier(RidgeClassifier()),
         "breast_cancer", tags=("binary",)),
    Case("pipe-standard-ovr-logreg-blobs",
         lambda: make_pipeline(StandardScaler(), OneVsRestClassifier(LogisticRegression())),
         "blobs", tags=("proba", "pipeline")),
    Case("coltrans-scale-minmax-remainder-logreg-wine",
         lambda: make_pipeline(ColumnTransformer(
             [("a", StandardScaler(), [0, 1, 2, 3]), ("b", MinMaxScaler(), slice(4, 9))],
             remainder="passthrough"), LogisticRegression(max_iter=3000)),
         "wine", "str", tags=("proba", "columns")),
    Case("union-pca-scaler-svc-breast_cancer",
         lambda: make_pipeline(StandardScaler(), FeatureUnion(
             [("pca", PCA(n_components=4)), ("same", "passthrough")],
             transformer_weights={"pca": 2.0}), LinearSVC()),
         "breast_cancer", tags=("binary", "columns")),
    Case("grid-svc-iris-str", lambda: GridSearchCV(SVC(), {"C": [0.1, 1.0, 10.0]}, cv=3),
         "iris", labels="str", tags=("steps", "search")),
    Case("randomized-pipe-logreg-digits", lambda: RandomizedSearchCV(
        make_pipeline(Normalizer(), LogisticRegression(max_iter=3000)),
        {"logisticregression__C": [0.1, 1.0, 10.0]}, n_iter=2, cv=2, random_state=0),
        "digits", tags=("steps", "search")),
    Case("soft-vote-wine", lambda: VotingClassifier(_members(), voting="soft",
                                                    weights=[1.0, 2.0, 0.5]),
         "wine", tags=("steps", "ensemble")),
    Case("hard-vote-iris-str", lambda: VotingClassifier(_members(), voting="hard"), "iris",
         labels="str", tags=("steps", "ensemble")),
    Case("stack-breast_cancer", lambda: StackingClassifier(
        _members(), final_estimator=LogisticRegression(max_iter=2000)), "breast_cancer",
         tags=("steps", "ensemble")),
    Case("stack-passthrough-iris", lambda: StackingClassifier(
        [("svc", LinearSVC()), ("nb", GaussianNB())], passthrough=True,
        final_estimator=LogisticRegression(max_iter=5000)), "iris",
         labels="noncontiguous", tags=("steps", "ensemble")),
    Case("vote-ridge-knn-diabetes", lambda: VotingRegressor(
        [("ridge", Ridge()), ("knn", KNeighborsRegressor())], weights=[2.0, 1.0]),
         "diabetes", tags=("steps", "ensemble"), kind="regressor"),
    Case("stack-ridge-knn-diabetes", lambda: StackingRegressor(
        [("ridge", Ridge()), ("knn", KNeighborsRegressor())],
        final_estimator=LinearRegression(), passthrough=True),
         "diabetes", tags=("steps", "ensemble"), kind="regressor"),
    Case("calibrated-linearsvc-breast_cancer", lambda: CalibratedClassifierCV(
        make_pipeline(StandardScaler(), LinearSVC())), "breast_cancer",
         tags=("steps", "calibration")),
    Case("calibrated-nb-wine-str", lambda: CalibratedClassifierCV(GaussianNB(), cv=3,
                                                                  ensemble=False),
         "wine", labels="str", tags=("steps", "calibration")),
    Case("calibrated-isotonic-svc-iris", lambda: CalibratedClassifierCV(
        make_pipeline(StandardScaler(), SVC()), method="isotonic", cv=3), "iris",
         tags=("steps", "calibration")),
    Case("threshold-logreg-breast_cancer-str", lambda: FixedThresholdClassifier(
        make_pipeline(StandardScaler(), LogisticRegression()), threshold=0.3,
        pos_label="malignant"), "breast_cancer", labels="str", tags=("steps", "threshold")),
    Case("tuned-threshold-svc-breast_cancer", lambda: TunedThresholdClassifierCV(
        make_pipeline(StandardScaler(), LinearSVC()), cv=3), "breast_cancer",
         tags=("steps", "threshold")),
    Case("target-minmax-svr-diabetes", lambda: TransformedTargetRegressor(
        SVR(), transformer=MinMaxScaler()), "diabetes", tags=("steps",), kind="regressor"),
    Case("target-log-ridge-diabetes", lambda: TransformedTargetRegressor(
        Ridge(), func=np.log, inverse_func=np.exp), "diabetes", tags=("steps",),
         kind="regressor"),
    Case("calibrated-temperature-svc-iris-str", lambda: CalibratedClassifierCV(
        make_pipeline(StandardScaler(), SVC()), method="temperature", cv=3), "iris",
         labels="str", tags=("steps", "calibration")),
    Case("calibrated-temperature-linearsvc-breast_cancer", lambda: CalibratedClassifierCV(
        make_pipeline(StandardScaler(), LinearSVC()), method="temperature", ensemble=False),
         "breast_cancer", tags=("steps", "calibration")),
    Case("calibrated-temperature-nb-wine", lambda: CalibratedClassifierCV(
        GaussianNB(), method="temperature", cv=3), "wine", tags=("steps", "calibration")),
    Case("bagging-logreg-wine",
         lambda: BaggingClassifier(make_pipeline(StandardScaler(), LogisticRegression()),
                                   n_estimators=6, max_features=0.6, random_state=0),
         "wine", "str", tags=("proba",)),
    Case("bagging-ridge-friedman",
         lambda: BaggingRegressor(Ridge(), n_estimators=5, max_features=0.6, random_state=0),
         "friedman", kind="regressor"),
    Case("adaboost-logreg-iris",
         lambda: AdaBoostClassifier(LogisticRegression(C=0.05, max_iter=5000), n_estimators=6,
                                    random_state=0),
         "iris", "str", tags=("proba",)),
    Case("adaboost-ridge-friedman",
         lambda: AdaBoostRegressor(Ridge(), n_estimators=8, random_state=0), "friedman",
         kind="regressor"),
]
