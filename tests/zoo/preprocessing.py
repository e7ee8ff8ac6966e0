"""Zoo entries for the preprocessing room (nnconvert/preprocessing/): transformers converted on
their own (networks with a ``transform``), and pipelines that put them in front of a model
(tagged "steps": selectors, imputation, normalisation, binarisation, random projections,
FastICA, powers, bins, polynomials, kernel PCA, splines, quantiles, target encoders)."""

from sklearn.decomposition import PCA, FastICA, IncrementalPCA, KernelPCA, TruncatedSVD
from sklearn.feature_selection import RFE, SelectFromModel, SelectKBest, VarianceThreshold
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline, make_union
from sklearn.preprocessing import (
    Binarizer,
    KBinsDiscretizer,
    MaxAbsScaler,
    MinMaxScaler,
    Normalizer,
    PolynomialFeatures,
    PowerTransformer,
    QuantileTransformer,
    RobustScaler,
    SplineTransformer,
    StandardScaler,
    TargetEncoder,
)
from sklearn.random_projection import GaussianRandomProjection, SparseRandomProjection
from sklearn.svm import LinearSVC

from . import Case


def _transformer(id, make, dataset, *tags):
    return Case(id, make, dataset, tags=tags, kind="transformer")


def _step(id, make, dataset, *tags):
    return Case(id, make, dataset, tags=("steps", *tags), kind="transformer")


CASES = [
    _transformer("standard-wine", StandardScaler, "wine"),
    _transformer("minmax-clip-breast_cancer", lambda: MinMaxScaler(clip=True), "breast_cancer"),
    _transformer("robust-maxabs-diabetes", lambda: make_pipeline(RobustScaler(), MaxAbsScaler()),
                 "diabetes", "pipeline"),
    _transformer("pca-digits", lambda: PCA(n_components=12), "digits"),
    _transformer("pca-whiten-wine", lambda: PCA(n_components=5, whiten=True), "wine"),
    _transformer("pca-variance-whiten-breast_cancer",
                 lambda: PCA(n_components=0.95, svd_solver="full", whiten=True),
                 "breast_cancer"),
    _transformer("incrementalpca-whiten-digits",
                 lambda: IncrementalPCA(n_components=9, whiten=True), "digits"),
    _transformer("truncatedsvd-digits",
                 lambda: TruncatedSVD(n_components=6, random_state=0), "digits"),
    _transformer("pipe-standard-pca-whiten-breast_cancer",
                 lambda: make_pipeline(StandardScaler(), PCA(n_components=4, whiten=True)),
                 "breast_cancer", "pipeline"),
    _step("gaussian-projection-digits",
                 lambda: GaussianRandomProjection(12, random_state=0), "digits"),
    _step("sparse-projection-breast_cancer",
                 lambda: SparseRandomProjection(6, random_state=0), "breast_cancer"),
    _step("normalizer-l2-wine", Normalizer, "wine"),
    _step("normalizer-max-digits", lambda: Normalizer("max"), "digits"),
    _step("binarizer-digits", lambda: Binarizer(threshold=7.0), "digits"),
    _step("fastica-wine", lambda: make_pipeline(StandardScaler(), FastICA(
        4, random_state=0, max_iter=2000)), "wine", "pipeline"),
    _step("kbest-breast_cancer", lambda: SelectKBest(k=7), "breast_cancer"),
    _step("variance-imputer-diabetes", lambda: make_pipeline(
        SimpleImputer(strategy="median", add_indicator=True), VarianceThreshold(1e-3)),
        "diabetes", "pipeline"),
    Case("pipe-rfe-logreg-wine", lambda: make_pipeline(
        StandardScaler(), RFE(LogisticRegression(max_iter=2000), n_features_to_select=5),
        LogisticRegression(max_iter=2000)), "wine", tags=("steps",)),
    Case("pipe-fromsvc-knn-breast_cancer", lambda: make_pipeline(
        StandardScaler(), SelectFromModel(LinearSVC(C=0.05, penalty="l1", max_iter=5000)),
        KNeighborsClassifier(3)), "breast_cancer", tags=("steps",)),
    _step("poly-interactions-wine", lambda: make_pipeline(
        StandardScaler(), PolynomialFeatures(3, interaction_only=True)), "wine", "pipeline"),
    Case("pipe-poly-logreg-iris", lambda: make_pipeline(
        StandardScaler(), PolynomialFeatures(2), LogisticRegression(max_iter=3000)), "iris",
         tags=("steps",)),
    _step("power-yeo-johnson-wine", PowerTransformer, "wine"),
    Case("pipe-power-logreg-breast_cancer", lambda: make_pipeline(
        PowerTransformer(standardize=False), StandardScaler(),
        LogisticRegression(max_iter=3000)), "breast_cancer", tags=("steps",)),
    _step("bins-quantile-ordinal-wine", lambda: KBinsDiscretizer(
        5, encode="ordinal", strategy="quantile", quantile_method="averaged_inverted_cdf"),
        "wine"),
    Case("pipe-bins-onehot-logreg-iris", lambda: make_pipeline(
        KBinsDiscretizer(4, encode="onehot", strategy="uniform"),
        LogisticRegression(max_iter=2000)), "iris", tags=("steps", "float64-steps")),
    _step("kernel-pca-rbf-wine", lambda: make_pipeline(
        StandardScaler(), KernelPCA(6, kernel="rbf", gamma=0.05)), "wine", "pipeline"),
    _step("kernel-pca-poly-iris", lambda: KernelPCA(4, kernel="poly", degree=2), "iris"),
    # raw breast-cancer columns span six decades: eigenvalues down to 3e-10 of the largest,
    # whose components divide by their root (float32 misses 1e-4), then 368 exact zeros
    _step("kernel-pca-cosine-zero-eig-breast_cancer", lambda: KernelPCA(
        400, kernel="cosine"), "breast_cancer", "ill-conditioned"),
    Case("pipe-kernel-pca-sigmoid-logreg-digits", lambda: make_pipeline(
        StandardScaler(), KernelPCA(12, kernel="sigmoid", gamma=0.002),
        LogisticRegression(max_iter=3000)), "digits", tags=("steps",)),
    _step("spline-periodic-wine", lambda: make_pipeline(StandardScaler(), SplineTransformer(
        n_knots=4, degree=3, extrapolation="periodic")), "wine", "pipeline"),
    _step("spline-quantile-linear-no-bias-diabetes", lambda: SplineTransformer(
        n_knots=6, degree=2, knots="quantile", extrapolation="linear", include_bias=False),
        "diabetes"),
    Case("pipe-spline-constant-logreg-iris", lambda: make_pipeline(
        SplineTransformer(n_knots=5, extrapolation="constant"),
        LogisticRegression(max_iter=3000)), "iris", tags=("steps",)),
    # digits: most pixels repeat (many equal quantiles, the two-way interpolation's case)
    _step("quantile-uniform-digits", lambda: QuantileTransformer(n_quantiles=50),
                 "digits"),
    _step("quantile-normal-breast_cancer", lambda: QuantileTransformer(
        n_quantiles=200, output_distribution="normal"), "breast_cancer"),
    Case("pipe-quantile-normal-logreg-wine", lambda: make_pipeline(
        QuantileTransformer(n_quantiles=60, output_distribution="normal"),
        LogisticRegression(max_iter=3000)), "wine", tags=("steps",)),
    # digits' zero pixels as the missing value: the data the zoo has, with real holes
    _step("missing-indicator-all-digits", lambda: MissingIndicator(
        missing_values=0.0, features="all"), "digits"),
    Case("pipe-impute-union-indicator-logreg-digits", lambda: make_pipeline(
        make_union(SimpleImputer(missing_values=0.0),
                   MissingIndicator(missing_values=0.0, error_on_new=False)),
        StandardScaler(), LogisticRegression(max_iter=3000)), "digits", tags=("steps",)),
    # digits' pixels are categories 0 … 16; probe points (uniform floats) are all unknown
    _step("target-encoder-multiclass-digits", lambda: TargetEncoder(),
                 "digits"),
    _step("target-encoder-continuous-diabetes", lambda: TargetEncoder(
        smooth=5.0), "diabetes"),
    _step("target-encoder-binary-breast_cancer", lambda: TargetEncoder(),
                 "breast_cancer"),
    Case("pipe-target-encoder-logreg-digits", lambda: make_pipeline(
        TargetEncoder(cv=KFold(5, shuffle=True, random_state=0)),
        LogisticRegression(max_iter=3000)), "digits",
         tags=("steps",)),
]
