"""Zoo entries for the pipeline steps and wrappers of issue 16: selectors, imputation,
normalisation, binarisation, random projections, FastICA and hyper-parameter searches."""

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import TransformedTargetRegressor
from sklearn.decomposition import FastICA, KernelPCA
from sklearn.ensemble import (
    StackingClassifier,
    StackingRegressor,
    VotingClassifier,
    VotingRegressor,
)
from sklearn.feature_selection import RFE, SelectFromModel, SelectKBest, VarianceThreshold
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import (
    FixedThresholdClassifier,
    GridSearchCV,
    KFold,
    RandomizedSearchCV,
    TunedThresholdClassifierCV,
)
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import make_pipeline, make_union
from sklearn.preprocessing import (
    Binarizer,
    KBinsDiscretizer,
    MinMaxScaler,
    Normalizer,
    PolynomialFeatures,
    PowerTransformer,
    QuantileTransformer,
    SplineTransformer,
    StandardScaler,
    TargetEncoder,
)
from sklearn.random_projection import GaussianRandomProjection, SparseRandomProjection
from sklearn.svm import SVC, SVR, LinearSVC

from . import Case


def _members():
    return [("logreg", make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))),
            ("nb", GaussianNB()), ("svc", SVC(probability=True, random_state=0))]


def _transformer(id, make, dataset, *tags):
    return Case(id, make, dataset, tags=("steps", *tags), kind="transformer")


CASES = [
    _transformer("gaussian-projection-digits",
                 lambda: GaussianRandomProjection(12, random_state=0), "digits"),
    _transformer("sparse-projection-breast_cancer",
                 lambda: SparseRandomProjection(6, random_state=0), "breast_cancer"),
    _transformer("normalizer-l2-wine", Normalizer, "wine"),
    _transformer("normalizer-max-digits", lambda: Normalizer("max"), "digits"),
    _transformer("binarizer-digits", lambda: Binarizer(threshold=7.0), "digits"),
    _transformer("fastica-wine", lambda: make_pipeline(StandardScaler(), FastICA(
        4, random_state=0, max_iter=2000)), "wine", "pipeline"),
    _transformer("kbest-breast_cancer", lambda: SelectKBest(k=7), "breast_cancer"),
    _transformer("variance-imputer-diabetes", lambda: make_pipeline(
        SimpleImputer(strategy="median", add_indicator=True), VarianceThreshold(1e-3)),
        "diabetes", "pipeline"),
    Case("pipe-rfe-logreg-wine", lambda: make_pipeline(
        StandardScaler(), RFE(LogisticRegression(max_iter=2000), n_features_to_select=5),
        LogisticRegression(max_iter=2000)), "wine", tags=("steps",)),
    Case("pipe-fromsvc-knn-breast_cancer", lambda: make_pipeline(
        StandardScaler(), SelectFromModel(LinearSVC(C=0.05, penalty="l1", max_iter=5000)),
        KNeighborsClassifier(3)), "breast_cancer", tags=("steps",)),
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
    _transformer("poly-interactions-wine", lambda: make_pipeline(
        StandardScaler(), PolynomialFeatures(3, interaction_only=True)), "wine", "pipeline"),
    Case("pipe-poly-logreg-iris", lambda: make_pipeline(
        StandardScaler(), PolynomialFeatures(2), LogisticRegression(max_iter=3000)), "iris",
         tags=("steps",)),
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
    _transformer("power-yeo-johnson-wine", PowerTransformer, "wine"),
    Case("pipe-power-logreg-breast_cancer", lambda: make_pipeline(
        PowerTransformer(standardize=False), StandardScaler(),
        LogisticRegression(max_iter=3000)), "breast_cancer", tags=("steps",)),
    _transformer("bins-quantile-ordinal-wine", lambda: KBinsDiscretizer(
        5, encode="ordinal", strategy="quantile", quantile_method="averaged_inverted_cdf"),
        "wine"),
    Case("pipe-bins-onehot-logreg-iris", lambda: make_pipeline(
        KBinsDiscretizer(4, encode="onehot", strategy="uniform"),
        LogisticRegression(max_iter=2000)), "iris", tags=("steps", "float64-steps")),
    _transformer("kernel-pca-rbf-wine", lambda: make_pipeline(
        StandardScaler(), KernelPCA(6, kernel="rbf", gamma=0.05)), "wine", "pipeline"),
    _transformer("kernel-pca-poly-iris", lambda: KernelPCA(4, kernel="poly", degree=2), "iris"),
    # raw breast-cancer columns span six decades: eigenvalues down to 3e-10 of the largest,
    # whose components divide by their root (float32 misses 1e-4), then 368 exact zeros
    _transformer("kernel-pca-cosine-zero-eig-breast_cancer", lambda: KernelPCA(
        400, kernel="cosine"), "breast_cancer", "ill-conditioned"),
    Case("pipe-kernel-pca-sigmoid-logreg-digits", lambda: make_pipeline(
        StandardScaler(), KernelPCA(12, kernel="sigmoid", gamma=0.002),
        LogisticRegression(max_iter=3000)), "digits", tags=("steps",)),
    _transformer("spline-periodic-wine", lambda: make_pipeline(StandardScaler(), SplineTransformer(
        n_knots=4, degree=3, extrapolation="periodic")), "wine", "pipeline"),
    _transformer("spline-quantile-linear-no-bias-diabetes", lambda: SplineTransformer(
        n_knots=6, degree=2, knots="quantile", extrapolation="linear", include_bias=False),
        "diabetes"),
    Case("pipe-spline-constant-logreg-iris", lambda: make_pipeline(
        SplineTransformer(n_knots=5, extrapolation="constant"),
        LogisticRegression(max_iter=3000)), "iris", tags=("steps",)),
    # digits: most pixels repeat (many equal quantiles, the two-way interpolation's case)
    _transformer("quantile-uniform-digits", lambda: QuantileTransformer(n_quantiles=50),
                 "digits"),
    _transformer("quantile-normal-breast_cancer", lambda: QuantileTransformer(
        n_quantiles=200, output_distribution="normal"), "breast_cancer"),
    Case("pipe-quantile-normal-logreg-wine", lambda: make_pipeline(
        QuantileTransformer(n_quantiles=60, output_distribution="normal"),
        LogisticRegression(max_iter=3000)), "wine", tags=("steps",)),
    # digits' zero pixels as the missing value: the data the zoo has, with real holes
    _transformer("missing-indicator-all-digits", lambda: MissingIndicator(
        missing_values=0.0, features="all"), "digits"),
    Case("pipe-impute-union-indicator-logreg-digits", lambda: make_pipeline(
        make_union(SimpleImputer(missing_values=0.0),
                   MissingIndicator(missing_values=0.0, error_on_new=False)),
        StandardScaler(), LogisticRegression(max_iter=3000)), "digits", tags=("steps",)),
    # digits' pixels are categories 0 … 16; probe points (uniform floats) are all unknown
    _transformer("target-encoder-multiclass-digits", lambda: TargetEncoder(),
                 "digits"),
    _transformer("target-encoder-continuous-diabetes", lambda: TargetEncoder(
        smooth=5.0), "diabetes"),
    _transformer("target-encoder-binary-breast_cancer", lambda: TargetEncoder(),
                 "breast_cancer"),
    Case("pipe-target-encoder-logreg-digits", lambda: make_pipeline(
        TargetEncoder(cv=KFold(5, shuffle=True, random_state=0)),
        LogisticRegression(max_iter=3000)), "digits",
         tags=("steps",)),
    Case("calibrated-temperature-svc-iris-str", lambda: CalibratedClassifierCV(
        make_pipeline(StandardScaler(), SVC()), method="temperature", cv=3), "iris",
         labels="str", tags=("steps", "calibration")),
    Case("calibrated-temperature-linearsvc-breast_cancer", lambda: CalibratedClassifierCV(
        make_pipeline(StandardScaler(), LinearSVC()), method="temperature", ensemble=False),
         "breast_cancer", tags=("steps", "calibration")),
    Case("calibrated-temperature-nb-wine", lambda: CalibratedClassifierCV(
        GaussianNB(), method="temperature", cv=3), "wine", tags=("steps", "calibration")),
]
