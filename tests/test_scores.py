"""score_samples and score: a probabilistic PCA's and a factor analysis's log-likelihood as a
quadratic unit, pipelines of them, and the mean accuracy / R² of classifiers and regressors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.datasets import load_wine
from sklearn.decomposition import PCA, FactorAnalysis, IncrementalPCA, TruncatedSVD
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import QuantileTransformer, StandardScaler
from zoo import fitted, ids

import nnconvert as nc


def _close(got, expected, rtol):
    assert got.shape == expected.shape and got.dtype == expected.dtype
    assert np.abs(got - expected).max() <= rtol * np.abs(expected).max()


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("make", [
    lambda: PCA(n_components=5), lambda: PCA(n_components=4, whiten=True),
    lambda: FactorAnalysis(3, random_state=0),
    lambda: FactorAnalysis(4, rotation="varimax", random_state=0),
    lambda: make_pipeline(StandardScaler(), PCA(n_components=0.9, svd_solver="full")),
    lambda: make_pipeline(StandardScaler(), FactorAnalysis(2, random_state=0)),
], ids=["pca", "pca-whiten", "fa", "fa-varimax", "pipe-pca", "pipe-fa"])
def test_score_samples_and_score_are_scikit_learns(make, dtype):
    X, _ = load_wine(return_X_y=True)
    model = make().fit(X[::2])
    net = nc.convert(model, dtype=dtype)
    rows = np.vstack([X[1::2], X[1::2][:10] * 3.0])  # held out, and far outside
    rtol = 1e-9 if dtype == torch.float64 else 1e-4
    _close(net.score_samples(rows), model.score_samples(rows).astype(net.score_samples(rows).dtype),
           rtol)
    assert net.score(rows) == pytest.approx(model.score(rows), rel=rtol)
    assert "Gaussian log-likelihood" in net.score_network.explain()
    assert "Gaussian log&#45;likelihood" in nc.draw(net.score_network).svg()


def test_transformers_without_score_samples_have_none():
    X, _ = load_wine(return_X_y=True)
    for model in (IncrementalPCA(3).fit(X), TruncatedSVD(3).fit(X),
                  make_pipeline(PCA(3), StandardScaler()).fit(X)):
        net = nc.convert(model)
        assert not hasattr(model, "score_samples") and not hasattr(net, "score_samples")
        with pytest.raises(AttributeError, match="no score_samples"):
            net.score_samples(X)


def test_a_score_nnconvert_does_not_convert_is_refused_with_the_step():
    X, _ = load_wine(return_X_y=True)
    pipe = make_pipeline(QuantileTransformer(n_quantiles=30), PCA(3)).fit(X)
    assert hasattr(pipe, "score_samples")
    np.testing.assert_allclose(nc.convert(pipe).score_samples(X), pipe.score_samples(X),
                               rtol=1e-9)
    pipe = make_pipeline(StandardScaler(), TruncatedSVD(3)).fit(X)
    assert not hasattr(nc.convert(pipe), "score_samples")


def test_a_tampered_precision_is_refused():
    X, _ = load_wine(return_X_y=True)
    pca = PCA(3).fit(X)
    pca.noise_variance_ = np.nan  # a file edited after fitting
    with pytest.raises(nc.InvalidModelError, match="get_precision"):
        nc.convert(pca)


@pytest.mark.parametrize("case_id", ids()[::6] + ids(kind="regressor")[::6])
def test_score_is_accuracy_or_r2_as_scikit_learns(case_id):
    estimator, _, X_test = fitted(case_id)
    net = nc.convert(estimator)
    y = estimator.predict(X_test)
    rng = np.random.default_rng(0)
    y = y.copy()
    flip = rng.random(len(y)) < 0.3
    y[flip] = y[::-1][flip]  # some wrong answers, so the score is not trivially 1
    weights = rng.random(len(y))
    if net.score_refused:  # it scores otherwise (a GLM's D²): refused, not another number
        with pytest.raises(NotImplementedError, match="score"):
            net.score(X_test, y)
        return
    assert net.score(X_test, y) == pytest.approx(estimator.score(X_test, y), rel=1e-12)
    try:
        expected = estimator.score(X_test, y, sample_weight=weights)
    except ValueError:  # a search scores through its scorer: weights need metadata routing
        return
    assert net.score(X_test, y, sample_weight=weights) == pytest.approx(expected, rel=1e-12)
