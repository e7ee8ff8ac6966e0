"""Clusterers, mixtures, outlier detectors and densities: exact networks on held-out rows,
rows far outside the training range and rows on ties; explain, draw, export, command line,
refusals and hostile fitted attributes."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch
from command_line import verify_convert_draw
from equivalence import assert_equivalent, exported_outputs
from sklearn.cluster import DBSCAN, OPTICS, AgglomerativeClustering, KMeans, SpectralClustering
from sklearn.decomposition import NMF, LatentDirichletAllocation
from sklearn.manifold import TSNE
from sklearn.mixture import GaussianMixture
from sklearn.neighbors import KernelDensity, LocalOutlierFactor
from zoo import fitted, ids, probe_points

import nnconvert as nc
from nnconvert.export import labels, read_metadata
from nnconvert.export.common import ExportError
from nnconvert.verify import compare
from nnconvert.errors import ConversionError, InvalidModelError, UnsupportedEstimatorError

KINDS = ("clusterer", "outlier_detector", "density")
CASES = [case for kind in KINDS for case in ids(kind=kind)]
NETWORKS = {"clusterer": nc.ConvertedClusterer, "outlier_detector": nc.ConvertedOutlierDetector,
            "density": nc.ConvertedDensity}


def _far(X: np.ndarray, seed: int = 0) -> np.ndarray:
    """Rows far outside the training range: the data's centre plus 100 to 10⁴ spreads."""
    rng = np.random.default_rng(seed)
    scale = np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
    return X.mean(axis=0) + rng.normal(size=(20, X.shape[1])) * scale * \
        np.logspace(2, 4, 20)[:, None]


def test_every_kind_is_in_the_zoo():
    for kind in KINDS:
        assert ids(kind=kind), kind


@pytest.mark.parametrize("case_id", CASES)
def test_exact_in_float64(case_id):
    estimator, X_train, X_test = fitted(case_id)
    net = nc.convert(estimator)
    assert isinstance(net, NETWORKS[net.head.kind])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # exp underflow far away, as sklearn
        for X in (X_test, probe_points(X_train), _far(X_train)):
            assert_equivalent(estimator, net, X)


@pytest.mark.parametrize("case_id", CASES)
def test_float32_agrees_outside_the_tie_band(case_id):
    estimator, X_train, X_test = fitted(case_id)
    net = nc.convert(estimator, dtype=torch.float32)
    report = compare(estimator, net, X_test, rtol=1e-4)
    assert report.n_disagreements == 0, report


@pytest.mark.parametrize("case_id", CASES)
def test_explains_and_draws(case_id):
    estimator, _, _ = fitted(case_id)
    net = nc.convert(estimator)
    text = net.explain()
    assert type(estimator).__name__ in text or "Pipeline" in text
    diagram = nc.draw(net)
    assert diagram.graph.source.count("->") > 0


def test_kmeans_explains_distance_units_and_an_argmin():
    net = nc.convert(fitted("kmeans-wine")[0])
    text = net.explain()
    assert "‖x − c‖²" in text and "argmin" in text and "first index wins a tie" in text


def test_mixture_explains_quadratic_units_and_a_log_sum_exp():
    text = nc.convert(fitted("gmm-full-wine")[0]).explain()
    assert "quadratic units" in text and "log Σ_k exp" in text


def test_isolation_forest_explains_path_lengths():
    text = nc.convert(fitted("isolation-forest-wine")[0]).explain()
    assert "path lengths" in text and "−2^(" in text and "offset_" in text


def test_kmeans_exact_tie_goes_to_the_first_centre_as_scikit_learn():
    X = np.array([[-1.0, 0.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, 0.0], [1.0, 1.0], [1.0, -1.0]])
    km = KMeans(2, n_init=1, random_state=0).fit(X)
    ties = np.array([[0.0, y] for y in (-3.0, -0.5, 0.0, 0.25, 7.0)])  # equidistant exactly
    net = nc.convert(km)
    assert (net.predict(ties) == km.predict(ties)).all()
    assert (net.predict(ties) == 0).all()  # the first centre wins, in both
    assert net.predict(ties).dtype == km.predict(ties).dtype == np.int32


def test_verify_counts_a_near_tie_not_a_disagreement():
    estimator, X_train, _ = fitted("kmeans-wine")
    centres = estimator.cluster_centers_
    midpoints = (centres[0] + centres[1:]) / 2  # on the boundary, to rounding
    report = nc.verify(estimator, nc.convert(estimator), midpoints, progress=False)
    assert report.passed and report.n_disagreements == 0


def test_outlier_predict_is_plus_minus_one_with_the_fitted_offset():
    forest, _, X_test = fitted("isolation-forest-wine")
    net = nc.convert(forest)
    assert set(np.unique(net.predict(X_test))) <= {-1, 1}
    assert net.offset_ == forest.offset_
    np.testing.assert_array_equal(net.decision_function(X_test),
                                  net.score_samples(X_test) - forest.offset_)


def test_mixture_score_and_density_score():
    gmm, _, X_test = fitted("gmm-diag-wine")
    assert nc.convert(gmm).score(X_test) == pytest.approx(gmm.score(X_test), rel=1e-12)
    kde, _, X_test = fitted("kde-gaussian-iris")
    assert nc.convert(kde).score(X_test) == pytest.approx(kde.score(X_test), rel=1e-12)


def test_methods_the_estimator_lacks_are_absent():
    assert not hasattr(nc.convert(fitted("meanshift-iris")[0]), "transform")
    assert not hasattr(nc.convert(fitted("kmeans-wine")[0]), "predict_proba")
    assert hasattr(nc.convert(fitted("elliptic-envelope-iris")[0]), "mahalanobis")
    assert not hasattr(nc.convert(fitted("one-class-svm-iris")[0]), "mahalanobis")


EXPORTS = [(case, suffix) for case in ("kmeans-wine", "gmm-full-wine", "isolation-forest-wine",
                                        "kde-gaussian-iris", "bisecting-kmeans-blobs",
                                        "elliptic-envelope-iris", "birch-global-iris")
           for suffix in (".pt2", ".onnx")] + [("lof-novelty-wine", ".pt2")]


@pytest.mark.parametrize("case_id, suffix", EXPORTS)
def test_export(case_id, suffix, tmp_path):
    estimator, _, X_test = fitted(case_id)
    net = nc.convert(estimator)
    path = nc.export(net, tmp_path / f"model{suffix}")
    outputs = exported_outputs(path, X_test)
    meta = read_metadata(path)
    methods = list(net.methods)
    assert meta["kind"] == net.head.kind and len(outputs) == len(methods)
    for method, got in zip(methods, outputs):
        expected = net.outputs(X_test, (method,))[method]
        if method == "predict":
            np.testing.assert_array_equal(labels(meta, got), expected)
        else:
            np.testing.assert_allclose(got, expected, rtol=1e-10, atol=0)


def test_command_line_verify_convert_draw(tmp_path):
    estimator, _, X_test = fitted("kmeans-wine")
    verify_convert_draw(tmp_path, estimator, X_test)


@pytest.mark.parametrize("case_id", ["kde-gaussian-iris", "isolation-forest-wine"])
def test_command_line_verifies_densities_and_detectors(case_id, tmp_path):
    """A density answers score_samples only: the loader accepts it as an estimator."""
    skops = pytest.importorskip("skops.io")
    estimator, _, X_test = fitted(case_id)
    skops.dump(estimator, tmp_path / "model.skops")
    np.save(tmp_path / "X.npy", X_test)
    done = subprocess.run([sys.executable, "-m", "nnconvert", "verify", "model.skops", "--data",
                           "X.npy", "--trust"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0 and "PASSED" in done.stdout, done.stderr + done.stdout


@pytest.mark.parametrize("make", [
    lambda X: DBSCAN().fit(X), lambda X: OPTICS(min_samples=3).fit(X),
    lambda X: SpectralClustering(2, random_state=0).fit(X),
    lambda X: AgglomerativeClustering(2).fit(X),
    lambda X: TSNE(perplexity=5, random_state=0).fit(X),
    lambda X: NMF(2, max_iter=1000).fit(X),
    lambda X: LatentDirichletAllocation(2, random_state=0).fit(X),
])
def test_no_inference_for_new_rows_is_refused_with_the_reason(make):
    X = np.abs(np.random.default_rng(0).normal(size=(40, 3)))
    with pytest.raises(UnsupportedEstimatorError, match="cannot be converted: it"):
        nc.convert(make(X))


def test_lof_without_novelty_is_refused():
    X = np.random.default_rng(0).normal(size=(40, 3))
    with pytest.raises(ConversionError, match="novelty=True"):
        nc.convert(LocalOutlierFactor().fit(X))


def test_kde_with_an_absolute_tolerance_is_refused():
    X = np.random.default_rng(0).normal(size=(40, 3))
    with pytest.raises(ConversionError, match="atol"):
        nc.convert(KernelDensity(atol=1e-3).fit(X))


def test_hostile_attributes_are_refused_and_the_model_untouched():
    km = KMeans(3, n_init=2, random_state=0).fit(np.random.default_rng(0).normal(size=(50, 4)))
    km.cluster_centers_ = km.cluster_centers_[:, :3]
    with pytest.raises(InvalidModelError, match="cluster_centers_"):
        nc.convert(km)
    gmm = GaussianMixture(2, random_state=0).fit(np.random.default_rng(0).normal(size=(50, 3)))
    chol = gmm.precisions_cholesky_.copy()
    gmm.precisions_cholesky_ = -chol
    with pytest.raises(InvalidModelError, match="precisions_cholesky_"):
        nc.convert(gmm)
    np.testing.assert_array_equal(gmm.precisions_cholesky_, -chol)


@pytest.mark.parametrize("kernel", ["tophat", "epanechnikov", "linear", "cosine", "gaussian",
                                    "exponential"])
@pytest.mark.parametrize("metric", ["euclidean", "manhattan", "chebyshev"])
def test_kernel_density_is_the_exact_density(kernel, metric):
    """Against the density summed directly (numpy, independent of nnconvert); scikit-learn
    agrees except on rows its tree bounds answer inexactly (see the zoo's note)."""
    from scipy.special import logsumexp

    _, X_train, X_test = fitted("kmeans-wine")  # any real data: wine, 3 columns
    X_train, X_test = X_train[:, :3], X_test[:, :3]
    n_held_out = len(X_test)
    X_test = np.vstack([X_test, _far(X_train)])  # far rows: against the exact sum only
    h = 25.0
    kde = KernelDensity(kernel=kernel, metric=metric, bandwidth=h).fit(X_train)
    diff = np.abs(X_test[:, None, :] - X_train[None, :, :])
    d = {"euclidean": np.sqrt((diff ** 2).sum(2)), "manhattan": diff.sum(2),
         "chebyshev": diff.max(2)}[metric]
    with np.errstate(divide="ignore", invalid="ignore"):
        log_k = {"gaussian": -0.5 * d ** 2 / h ** 2, "exponential": -d / h,
                 "tophat": np.where(d < h, 0.0, -np.inf),
                 "epanechnikov": np.where(d < h, np.log(1 - d ** 2 / h ** 2), -np.inf),
                 "linear": np.where(d < h, np.log(1 - d / h), -np.inf),
                 "cosine": np.where(d < h, np.log(np.cos(0.5 * np.pi * d / h)), -np.inf)}[kernel]
        exact = logsumexp(log_k, axis=1)
    from nnconvert.families.density import log_kernel_norm

    exact = exact + log_kernel_norm(h, 3, kernel) - np.log(len(X_train))
    got = nc.convert(kde).score_samples(X_test)
    finite = np.isfinite(exact)
    np.testing.assert_array_equal(np.isfinite(got), finite)
    np.testing.assert_allclose(got[finite], exact[finite], rtol=1e-12)
    reference = kde.score_samples(X_test)
    inside = np.isfinite(reference) & finite
    inside[n_held_out:] = False  # there scikit-learn's tree answers from its bounds
    np.testing.assert_allclose(got[inside], reference[inside], rtol=1e-9)


def test_lof_onnx_export_is_refused_clearly(tmp_path):
    pytest.importorskip("onnxscript")
    net = nc.convert(fitted("lof-novelty-wine")[0])
    with pytest.raises(ExportError, match="sort"):
        nc.export(net, tmp_path / "lof.onnx")


@pytest.mark.parametrize("case_id", ["kmeans-wine", "bisecting-kmeans-blobs", "meanshift-iris",
                                     "gmm-full-wine", "isolation-forest-wine",
                                     "one-class-svm-iris", "kde-gaussian-iris"])
def test_hypothesis_finds_no_disagreement(case_id):
    from nnconvert.testing import find_disagreement

    estimator, X_train, _ = fitted(case_id)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert find_disagreement(estimator, nc.convert(estimator), X_train,
                                 max_examples=30) is None


def test_affinity_propagation_without_centres_or_precomputed_is_refused():
    from sklearn.cluster import AffinityPropagation

    X = np.random.default_rng(0).normal(size=(40, 3))
    model = AffinityPropagation(random_state=0).fit(X)
    model.cluster_centers_ = np.empty((0, 3))  # what a fit that did not converge leaves
    with pytest.raises(ConversionError, match="did not converge"):
        nc.convert(model)
    similarities = -((X[:, None] - X[None]) ** 2).sum(axis=2)
    with pytest.raises(ConversionError, match="precomputed"):
        nc.convert(AffinityPropagation(affinity="precomputed", random_state=0).fit(similarities))


@pytest.mark.parametrize("case_id", ["kmeans-wine", "minibatch-kmeans-iris",
                                     "bisecting-kmeans-blobs", "scaled-kmeans-breast-cancer",
                                     "gmm-tied-wine", "bgmm-full-iris"])
def test_score_as_scikit_learn(case_id):
    estimator, X_train, X_test = fitted(case_id)
    net = nc.convert(estimator)
    for X in (X_test, _far(X_train)):
        assert net.score(X) == pytest.approx(estimator.score(X), rel=1e-10)


def test_score_is_absent_where_scikit_learn_has_none():
    for case_id in ("birch-global-iris", "meanshift-iris", "affinity-propagation-iris"):
        estimator = fitted(case_id)[0]
        assert hasattr(nc.convert(estimator), "score") == hasattr(estimator, "score")
