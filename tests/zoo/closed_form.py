"""Zoo entries for the closed-form transformers of issue 27: an RBM, NCA, sparse PCA, factor
analysis, feature agglomeration, the chi² and polynomial kernel approximations, and cross
decomposition (transform through a pipeline ending in 'passthrough'; predict whole)."""

from sklearn.cluster import FeatureAgglomeration
from sklearn.cross_decomposition import CCA, PLSSVD, PLSCanonical
from sklearn.decomposition import FactorAnalysis, MiniBatchSparsePCA, SparsePCA
from sklearn.ensemble import RandomTreesEmbedding
from sklearn.impute import KNNImputer
from sklearn.kernel_approximation import (
    AdditiveChi2Sampler,
    PolynomialCountSketch,
    SkewedChi2Sampler,
)
from sklearn.neighbors import NeighborhoodComponentsAnalysis
from sklearn.neural_network import BernoulliRBM
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from . import Case


def _transformer(id, make, dataset, *tags):
    return Case(id, make, dataset, tags=("closed-form", *tags), kind="transformer")


def _transform_only(estimator):
    """A pipeline ending in 'passthrough': the estimator's transform, not its predict."""
    return Pipeline([("model", estimator), ("out", "passthrough")])


CASES = [
    _transformer("rbm-digits", lambda: make_pipeline(
        MinMaxScaler(), BernoulliRBM(n_components=16, n_iter=5, random_state=0)), "digits",
        "pipeline"),
    _transformer("nca-wine", lambda: make_pipeline(
        StandardScaler(), NeighborhoodComponentsAnalysis(3, max_iter=20, random_state=0)),
        "wine", "pipeline"),
    _transformer("sparsepca-wine", lambda: make_pipeline(
        StandardScaler(), SparsePCA(4, random_state=0)), "wine", "pipeline"),
    _transformer("minibatch-sparsepca-digits",
                 lambda: MiniBatchSparsePCA(6, max_iter=10, random_state=0), "digits"),
    _transformer("factor-analysis-breast_cancer", lambda: make_pipeline(
        StandardScaler(), FactorAnalysis(5, random_state=0)), "breast_cancer", "pipeline"),
    _transformer("factor-analysis-varimax-wine",
                 lambda: FactorAnalysis(3, rotation="varimax", random_state=0), "wine"),
    _transformer("agglomeration-digits", lambda: FeatureAgglomeration(8), "digits"),
    _transformer("skewed-chi2-digits", lambda: SkewedChi2Sampler(
        skewedness=10.0, n_components=20, random_state=0), "digits"),
    _transformer("additive-chi2-iris", lambda: make_pipeline(
        MinMaxScaler(clip=True), AdditiveChi2Sampler()), "iris", "pipeline"),
    _transformer("count-sketch-wine", lambda: make_pipeline(
        StandardScaler(), PolynomialCountSketch(n_components=16, random_state=0)), "wine",
        "pipeline"),
    _transformer("plscanonical-transform-diabetes2",
                 lambda: _transform_only(PLSCanonical(2)), "diabetes2"),
    _transformer("cca-transform-diabetes2", lambda: _transform_only(CCA(2)), "diabetes2"),
    _transformer("plssvd-transform-diabetes2", lambda: _transform_only(PLSSVD(2)), "diabetes2"),
    # dense output, so the zoo's numeric checks read it (the sparse default: its own tests)
    _transformer("knn-imputer-wine", lambda: KNNImputer(n_neighbors=4), "wine"),
    _transformer("trees-embedding-wine", lambda: RandomTreesEmbedding(
        n_estimators=6, max_depth=3, sparse_output=False, random_state=0), "wine"),
    Case("plscanonical-diabetes2", lambda: PLSCanonical(2), "diabetes2",
         tags=("closed-form", "multioutput"), kind="regressor"),
    Case("cca-diabetes2", lambda: CCA(2), "diabetes2", tags=("closed-form", "multioutput"),
         kind="regressor"),
]
