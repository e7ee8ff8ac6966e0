"""Zoo entries for transformers converted on their own (networks with a ``transform``)."""

from sklearn.decomposition import PCA, IncrementalPCA, TruncatedSVD
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, RobustScaler, StandardScaler

from . import Case


def _transformer(id, make, dataset, *tags):
    return Case(id, make, dataset, tags=tags, kind="transformer")


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
]
