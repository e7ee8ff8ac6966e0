"""The compiled argmin of the nearest-centre clusterers against the torch path and scikit-learn.

A KMeans / MiniBatchKMeans / MeanShift / Birch network's ``predict`` runs the compiled
k-nearest kernel with k = 1 on the CPU (no rows × centres matrix); ``transform``, export and a
GPU keep the torch path. Both must give scikit-learn's labels: on held-out rows, rows far
outside the training range, rows exactly equidistant to two or four centres (the first
centre wins, as scikit-learn's strict ``<``), data far from the origin (where float32 cannot
rank the centres and the exact distances decide), and in float32 networks.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from sklearn.cluster import Birch, KMeans, MeanShift, MiniBatchKMeans
from sklearn.datasets import load_digits, load_wine, make_blobs
from sklearn.preprocessing import StandardScaler

import nnconvert as nc
from nnconvert.families.clustering import _TAKE, NearestCentreHead
from nnconvert.layers import nearest_kernel

pytestmark = pytest.mark.skipif(nearest_kernel.library() is None,
                                reason="nearest.cpp was not built (no C++ compiler)")


def _both(net, X) -> tuple[np.ndarray, np.ndarray]:
    """``net.predict(X)`` through the compiled argmin, then through the torch path."""
    head, units = net.head, net.body[0]
    assert isinstance(head, NearestCentreHead)
    units.__dict__.pop("_kernel_cache", None)
    try:
        answers = []
        for compiled in (True, False):
            head.compiled = compiled
            answers.append(net.predict(X))
            # the kernel's tables are made by the compiled argmin alone: it did run
            assert hasattr(units, "_kernel_cache") == compiled
            units.__dict__.pop("_kernel_cache", None)
    finally:
        head.compiled = True
    return answers[0], answers[1]


def _kernel(net, X, take: int = _TAKE) -> tuple[np.ndarray, np.ndarray]:
    """The kernel's nearest centre and its unsure rows (redone with every exact distance)."""
    centres = net.body[0].points.to(torch.float64)
    panels, norms = nearest_kernel.packed(centres, (centres * centres).sum(dim=1))
    x = torch.as_tensor(np.asarray(X, dtype=np.float64))
    indices, _, unsure = nearest_kernel.nearest(x, panels, norms, centres, take, 1)
    return indices[:, 0].numpy(), unsure.numpy()


def _unsure(net, X) -> np.ndarray:
    return _kernel(net, X)[1]


def _far(X: np.ndarray, n: int = 40) -> np.ndarray:
    rng = np.random.default_rng(1)
    return X.mean(axis=0) + rng.normal(size=(n, X.shape[1])) * X.std(axis=0) * \
        np.logspace(1, 4, n)[:, None]


def _grid_kmeans(side: int = 3, spacing: float = 4.0, dims: int = 3) -> KMeans:
    """A KMeans whose centres are exactly the points of an integer grid: each cluster is its
    centre ± 1 along every axis (whose mean is the centre, exactly)."""
    centres = np.array(list(itertools.product(range(side), repeat=dims)), float) * spacing
    eye = np.eye(dims)
    X = np.concatenate([centres + s * eye[j] for j in range(dims) for s in (-1.0, 1.0)])
    km = KMeans(len(centres), init=centres, n_init=1).fit(X)
    assert np.array_equal(km.cluster_centers_, centres)
    return km


def _ties(km: KMeans) -> np.ndarray:
    """Rows exactly equidistant (in every floating form) to two or more centres: midpoints of
    neighbouring centres and of grid squares, moved along the tie plane."""
    c = km.cluster_centers_
    rows = []
    for i, j in itertools.combinations(range(len(c)), 2):
        gap = c[j] - c[i]
        if np.count_nonzero(gap) in (1, 2) and np.abs(gap).max() == 4.0:
            mid = (c[i] + c[j]) / 2
            rows.append(mid)
            free = np.flatnonzero(gap == 0)
            if free.size:
                shifted = mid.copy()
                shifted[free[0]] += 0.75
                rows.append(shifted)
    return np.array(rows)


def test_exact_ties_go_to_the_first_centre_as_scikit_learn():
    km = _grid_kmeans()
    ties = _ties(km)
    net = nc.convert(km)
    # a tie is unsure with two candidates (every exact distance decides); with four, the
    # two-way ties are re-ranked in the kernel's own pass: both give the first centre
    assert _unsure(net, ties).all()
    nearest, unsure = _kernel(net, ties, take=4)
    assert unsure.any() and not unsure.all()
    assert np.array_equal(nearest[~unsure], km.predict(ties)[~unsure])
    compiled, plain = _both(net, ties)
    expected = km.predict(ties)
    assert np.array_equal(compiled, expected) and np.array_equal(plain, expected)
    assert compiled.dtype == expected.dtype == np.int32
    # and it is the lowest of the equidistant centres, which a wrong tie rule would miss
    d = ((ties[:, None, :] - km.cluster_centers_[None]) ** 2).sum(axis=2)
    assert (d == d.min(axis=1, keepdims=True)).sum(axis=1).min() >= 2
    assert np.array_equal(compiled, d.argmin(axis=1))


def _wine():
    X = StandardScaler().fit_transform(load_wine().data)
    return KMeans(5, n_init=2, random_state=0).fit(X[::2]), X[1::2]


def _digits():
    X = load_digits().data
    return KMeans(100, n_init=1, random_state=0).fit(X[:1200]), X[1200:]


@pytest.mark.parametrize("make", [_wine, _digits], ids=["wine-k5", "digits-k100"])
def test_held_out_and_far_rows(make):
    km, X_test = make()
    net = nc.convert(km)
    assert not _unsure(net, X_test).all()  # most rows are decided in the one pass
    for X in (X_test, _far(X_test)):
        compiled, plain = _both(net, X)
        assert np.array_equal(compiled, km.predict(X))
        assert np.array_equal(compiled, plain)


def test_data_far_from_the_origin_is_ranked_by_exact_distances():
    # offset by 1e8: float32 cannot tell the centres apart, every row is redone exactly
    X, _ = make_blobs(600, n_features=6, centers=8, random_state=0)
    X = X + 1e8
    km = KMeans(8, n_init=2, random_state=0).fit(X[:400])
    net = nc.convert(km)
    assert _unsure(net, X[400:]).all()
    compiled, plain = _both(net, X[400:])
    assert np.array_equal(compiled, km.predict(X[400:]))
    assert np.array_equal(compiled, plain)


def test_float32_network():
    km, X_test = _digits()
    net = nc.convert(km, dtype=torch.float32)
    compiled, plain = _both(net, X_test)
    assert np.array_equal(compiled, plain)
    assert np.array_equal(compiled, km.predict(X_test))
    ties = _ties(_grid_kmeans())
    km32 = _grid_kmeans()
    assert np.array_equal(_both(nc.convert(km32, dtype=torch.float32), ties)[0],
                          km32.predict(ties))


@pytest.mark.parametrize("estimator", [
    MiniBatchKMeans(6, n_init=2, random_state=0, batch_size=64),
    MeanShift(bandwidth=2.0),
    Birch(n_clusters=4, threshold=0.5),
    Birch(n_clusters=None, threshold=0.8),
], ids=["minibatch", "meanshift", "birch-global", "birch-subclusters"])
def test_the_other_nearest_centre_clusterers(estimator):
    X = StandardScaler().fit_transform(load_wine().data)
    estimator.fit(X[::2])
    net = nc.convert(estimator)
    for rows in (X[1::2], _far(X)):
        compiled, plain = _both(net, rows)
        assert np.array_equal(compiled, estimator.predict(rows))
        assert np.array_equal(compiled, plain)
        assert compiled.dtype == estimator.predict(rows).dtype


def test_other_methods_and_gradients_keep_the_torch_path():
    km, X_test = _wine()
    net = nc.convert(km)
    out = net.outputs(X_test, ("transform", "predict"))
    np.testing.assert_allclose(out["transform"], km.transform(X_test), rtol=1e-9, atol=1e-12)
    assert np.array_equal(out["predict"], km.predict(X_test))
    net.body[0].__dict__.pop("_kernel_cache", None)
    x = torch.as_tensor(X_test, dtype=torch.float64).requires_grad_()
    index = net.output_tensors(x, ("predict",))["predict"]
    assert np.array_equal(net.classes_[index.numpy()], km.predict(X_test))
    assert not hasattr(net.body[0], "_kernel_cache")  # a gradient asked: the torch path


def test_verify_checks_the_fused_labels():
    km, X_test = _digits()
    net = nc.convert(km)
    report = nc.verify(km, net, X_test, progress=False)
    assert report.passed and report.n_disagreements == 0
    assert hasattr(net.body[0], "_kernel_cache")  # verify's predict came from the kernel


def test_rows_that_are_not_finite_are_refused_as_before():
    km, X_test = _wine()
    X = X_test.copy()
    X[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        km.predict(X)
    with pytest.raises(ValueError, match="NaN"):
        nc.convert(km).predict(X)
