"""KNNImputer: distance units to the training rows, the k nearest that have each missing
column, their (weighted) mean; held to scikit-learn on real data with real gaps."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.impute import KNNImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import nnconvert as nc


def _gaps(X, rate, seed=0):
    """``X`` with a fraction of its entries missing, and one column mostly missing."""
    rng = np.random.default_rng(seed)
    X = X.copy()
    X[rng.random(X.shape) < rate] = np.nan
    X[rng.random(len(X)) < 0.9, 2] = np.nan
    return X


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("params", [
    dict(), dict(weights="distance"), dict(n_neighbors=1), dict(n_neighbors=12),
    dict(add_indicator=True, weights="distance"), dict(keep_empty_features=True),
], ids=repr)
def test_knn_imputer_is_scikit_learns(params, dtype):
    if dtype == torch.float32 and params.get("weights") == "distance":
        pytest.skip("1/d of a near-duplicate row turns float32's input rounding into weights "
                    "that differ by a factor: float32 cannot reach 1e-4 there")
    X = _gaps(load_breast_cancer().data, 0.15)
    X[:, 7] = np.where(np.arange(len(X)) % 2 == 0, np.nan, X[:, 7])  # empty in the training half
    imputer = KNNImputer(**params).fit(X[::2])
    net = nc.convert(imputer, dtype=dtype)
    rows = X[1::2]
    kept = rows.copy()
    got, expected = net.transform(rows), imputer.transform(rows)
    np.testing.assert_array_equal(rows, kept)
    assert got.shape == expected.shape
    rtol = 1e-9 if dtype == torch.float64 else 1e-4
    assert np.abs(got - expected).max() <= rtol * np.abs(expected).max()


def test_a_row_with_no_shared_coordinate_takes_the_column_mean():
    X = _gaps(load_wine().data, 0.1)
    imputer = KNNImputer().fit(X)
    row = np.full((1, X.shape[1]), np.nan)
    row[0, 0] = 13.0
    X_train = X.copy()
    X_train[:, 0] = np.nan
    imputer = KNNImputer().fit(np.vstack([X_train, X[:1]]))  # column 0: one training value
    np.testing.assert_allclose(nc.convert(imputer).transform(row), imputer.transform(row),
                               rtol=1e-12)


def test_as_a_pipeline_step_before_a_classifier():
    data = load_breast_cancer()
    X = _gaps(data.data, 0.1)
    pipe = make_pipeline(KNNImputer(n_neighbors=3), StandardScaler(),
                         LogisticRegression(max_iter=5000)).fit(X[::2], data.target[::2])
    net = nc.convert(pipe)
    np.testing.assert_array_equal(net.predict(X[1::2]), pipe.predict(X[1::2]))
    assert "k-NN imputation" in net.explain() and "NN imputation (k = 3)" in nc.draw(net).svg()


def test_what_is_not_converted_is_refused_with_the_reason():
    X = load_wine().data
    with pytest.raises(nc.UnsupportedEstimatorError, match="missing_values=-1"):
        nc.convert(KNNImputer(missing_values=-1).fit(X))
    with pytest.raises(nc.UnsupportedEstimatorError, match="weights"):
        nc.convert(KNNImputer(weights=lambda d: np.ones_like(d)).fit(X))
