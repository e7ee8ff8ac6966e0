"""Zoo entries for pipelines and multiclass meta-estimators."""

from sklearn.compose import ColumnTransformer
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression, RidgeClassifier, SGDClassifier
from sklearn.multiclass import OneVsOneClassifier, OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, RobustScaler, StandardScaler
from sklearn.svm import LinearSVC

from . import Case

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
]
