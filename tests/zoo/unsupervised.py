"""Zoo entries of the unsupervised kinds: clusterers, outlier detectors, densities.

Fitted on the zoo's datasets (their labels are ignored). Kept out of ``FAMILIES`` (whose
first cases the classifier tests sample): :func:`zoo.ids` with ``kind="clusterer"``,
``"outlier_detector"`` or ``"density"`` lists them.
"""

from sklearn.cluster import (
    AffinityPropagation,
    BisectingKMeans,
    Birch,
    KMeans,
    MeanShift,
    MiniBatchKMeans,
)
from sklearn.covariance import EllipticEnvelope
from sklearn.ensemble import IsolationForest
from sklearn.linear_model import SGDOneClassSVM
from sklearn.mixture import BayesianGaussianMixture, GaussianMixture
from sklearn.neighbors import KernelDensity, LocalOutlierFactor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import OneClassSVM

from . import Case


def _c(id, make, dataset, *tags):
    return Case(id, make, dataset, tags=("unsupervised", *tags), kind="clusterer")


def _o(id, make, dataset, *tags):
    return Case(id, make, dataset, tags=("unsupervised", *tags), kind="outlier_detector")


CASES = [
    _c("kmeans-wine", lambda: KMeans(4, n_init=3, random_state=0), "wine"),
    _c("kmeans-digits", lambda: KMeans(10, n_init=2, random_state=0), "digits"),
    _c("minibatch-kmeans-iris", lambda: MiniBatchKMeans(5, n_init=3, random_state=0), "iris"),
    _c("bisecting-kmeans-blobs", lambda: BisectingKMeans(6, random_state=0), "blobs"),
    _c("bisecting-kmeans-largest-iris", lambda: BisectingKMeans(
        5, bisecting_strategy="largest_cluster", random_state=0), "iris"),
    _c("birch-global-iris", lambda: Birch(n_clusters=3, threshold=0.3), "iris"),
    _c("birch-subclusters-iris", lambda: Birch(n_clusters=None, threshold=0.5), "iris"),
    _c("meanshift-iris", lambda: MeanShift(bandwidth=1.0), "iris"),
    _c("affinity-propagation-iris", lambda: AffinityPropagation(random_state=0), "iris"),
    _c("scaled-kmeans-breast-cancer", lambda: make_pipeline(
        StandardScaler(), KMeans(3, n_init=2, random_state=0)), "breast_cancer", "pipeline"),
    *[_c(f"gmm-{kind}-wine", lambda kind=kind: GaussianMixture(
        3, covariance_type=kind, random_state=0), "wine", "mixture")
      for kind in ("full", "tied", "diag", "spherical")],
    *[_c(f"bgmm-{kind}-iris", lambda kind=kind: BayesianGaussianMixture(
        n_components=4, covariance_type=kind, random_state=0), "iris", "mixture")
      for kind in ("full", "tied", "diag", "spherical")],
    _c("bgmm-dirichlet-distribution-blobs", lambda: BayesianGaussianMixture(
        n_components=5, weight_concentration_prior_type="dirichlet_distribution",
        random_state=0), "blobs", "mixture"),
    _o("isolation-forest-wine", lambda: IsolationForest(n_estimators=40, random_state=0),
       "wine", "trees"),
    _o("isolation-forest-features-breast-cancer", lambda: IsolationForest(
        n_estimators=30, max_features=0.5, contamination=0.05, random_state=0),
       "breast_cancer", "trees"),
    _o("one-class-svm-iris", lambda: OneClassSVM(nu=0.1, gamma=0.3), "iris"),
    _o("scaled-one-class-svm-poly-wine", lambda: make_pipeline(
        StandardScaler(), OneClassSVM(kernel="poly", degree=2, nu=0.2)), "wine", "pipeline"),
    _o("sgd-one-class-svm-wine", lambda: make_pipeline(
        StandardScaler(), SGDOneClassSVM(nu=0.2, random_state=0)), "wine", "pipeline"),
    _o("elliptic-envelope-iris", lambda: EllipticEnvelope(random_state=0), "iris"),
    _o("lof-novelty-wine", lambda: LocalOutlierFactor(n_neighbors=15, novelty=True), "wine"),
    _o("lof-novelty-manhattan-iris", lambda: LocalOutlierFactor(
        n_neighbors=5, metric="manhattan", novelty=True, contamination=0.1), "iris"),
    *[Case(f"kde-{kernel}-iris", lambda kernel=kernel: KernelDensity(
        kernel=kernel, bandwidth=0.8), "iris", tags=("unsupervised",), kind="density")
      # compact kernels are tested in test_unsupervised against the exact density: where no
      # training row is within the bandwidth, scikit-learn's tree answers a finite log
      # density from its bounds (the true one is −inf)
      for kernel in ("gaussian", "exponential")],
    Case("kde-gaussian-chebyshev-wine", lambda: KernelDensity(
        bandwidth=40.0, metric="chebyshev"), "wine", tags=("unsupervised",), kind="density"),
]
