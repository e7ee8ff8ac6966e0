"""imbalanced-learn's Pipeline and balanced ensembles convert exactly: samplers act on the
training rows only and are skipped; the ensembles convert as their scikit-learn parents."""

from __future__ import annotations

import numpy as np
import pytest
from equivalence import assert_equivalent
from sklearn.datasets import load_wine, make_classification
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

import nnconvert as nc
from nnconvert.errors import UnsupportedEstimatorError

imblearn = pytest.importorskip("imblearn")

from imblearn.ensemble import (
    BalancedBaggingClassifier,
    BalancedRandomForestClassifier,
    EasyEnsembleClassifier,
    RUSBoostClassifier,
)
from imblearn.over_sampling import SMOTE, RandomOverSampler
from imblearn.pipeline import Pipeline, make_pipeline
from imblearn.under_sampling import RandomUnderSampler


@pytest.fixture(scope="module")
def imbalanced():
    X, y = make_classification(n_samples=600, n_features=8, n_informative=5,
                               weights=[0.8, 0.15, 0.05], n_clusters_per_class=1,
                               n_classes=3, random_state=0)
    return X[::2], y[::2], X[1::2]


def _far(X, seed=0):
    rng = np.random.default_rng(seed)
    low, high = X.min(axis=0), X.max(axis=0)
    return np.vstack([X, rng.uniform(low - 3 * (high - low), high + 3 * (high - low),
                                     size=(200, X.shape[1]))])


@pytest.mark.parametrize("make", [
    lambda: make_pipeline(StandardScaler(), SMOTE(random_state=0), LogisticRegression()),
    lambda: make_pipeline(RandomUnderSampler(random_state=0), PCA(4),
                          SVC(random_state=0)),
    lambda: Pipeline([("scale", StandardScaler()), ("over", RandomOverSampler(random_state=0)),
                      ("under", "passthrough"),
                      ("tree", DecisionTreeClassifier(max_depth=5, random_state=0))]),
], ids=["smote-logistic", "under-pca-svc", "over-passthrough-tree"])
def test_pipelines_skip_their_samplers(imbalanced, make):
    X, y, held = imbalanced
    est = make().fit(X, y)
    net = nc.convert(est)
    assert_equivalent(est, net, _far(held))
    layers = net.explain().split("\n", 1)[1]  # after the title, which names every step
    assert "Sampler" not in layers and "SMOTE" not in layers


def test_string_labels_through_a_resampled_pipeline():
    X, y = load_wine(return_X_y=True)
    labels = np.array(["barolo", "grignolino", "barbera"])[y]
    est = make_pipeline(StandardScaler(), SMOTE(random_state=0),
                        LogisticRegression(max_iter=1000)).fit(X[::2], labels[::2])
    assert_equivalent(est, nc.convert(est), _far(X[1::2]))


@pytest.mark.parametrize("make", [
    lambda: BalancedRandomForestClassifier(n_estimators=20, sampling_strategy="all",
                                           replacement=True, bootstrap=False, random_state=0),
    lambda: BalancedBaggingClassifier(n_estimators=6, random_state=0),
    lambda: BalancedBaggingClassifier(estimator=LogisticRegression(), n_estimators=4,
                                      max_features=0.6, random_state=0),
    lambda: EasyEnsembleClassifier(n_estimators=3, random_state=0),
    lambda: RUSBoostClassifier(DecisionTreeClassifier(max_depth=3), n_estimators=10,
                               random_state=0),
], ids=["balanced-rf", "balanced-bagging", "balanced-bagging-logistic", "easy-ensemble",
        "rusboost"])
def test_balanced_ensembles(imbalanced, make):
    X, y, held = imbalanced
    est = make().fit(X, y)
    assert_equivalent(est, nc.convert(est), _far(held))


def test_a_sampler_alone_is_no_model(imbalanced):
    X, y, _ = imbalanced
    with pytest.raises(UnsupportedEstimatorError, match="all 'passthrough'"):
        nc.convert(make_pipeline(SMOTE(random_state=0)).fit(X, y))


def test_supported_list_names_them():
    assert {"BalancedBaggingClassifier", "BalancedRandomForestClassifier",
            "EasyEnsembleClassifier", "RUSBoostClassifier"} <= set(nc.supported_estimators())
