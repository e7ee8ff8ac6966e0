"""Every metric scikit-learn's brute-force neighbours accept: converted exactly (k-NN and
radius neighbours, classifiers and regressors, uniform and distance weights), exported, or
refused with the reason; their parameters (V, VI, w, p) checked as a hostile file would
break them.
"""

from __future__ import annotations

import contextlib
import warnings

import numpy as np
import pytest
import torch
from sklearn.datasets import load_wine
from sklearn.neighbors import (
    VALID_METRICS,
    KNeighborsClassifier,
    KNeighborsRegressor,
    RadiusNeighborsRegressor,
)

import nnconvert as nc
from nnconvert.errors import ConversionError, InvalidModelError
from nnconvert.families.neighbour_metrics import BOOLEAN_METRICS

X, Y = load_wine(return_X_y=True)
D = X.shape[1]
_RNG = np.random.default_rng(0)
_A = _RNG.normal(size=(D, D))
PARAMETRISED = {
    "seuclidean": {"V": X.var(axis=0)},
    "mahalanobis": {"VI": _A @ _A.T / D},
    "minkowski, w": {"w": _RNG.uniform(0, 2, D)},
    "minkowski, p=3, w": {"p": 3, "w": _RNG.uniform(0, 2, D)},
    "minkowski, p=1.5": {"p": 1.5},
}
NAMED = ["braycurtis", "canberra", "correlation", "hamming", "cityblock", "l1", "l2",
         "chebyshev", "cosine", "sqeuclidean", "euclidean"]


def _model(cls, metric: str, **kwargs):
    params = PARAMETRISED.get(metric)
    return cls(metric=metric.split(",")[0], metric_params=params, algorithm="brute", **kwargs)


def _rows(metric: str) -> np.ndarray:
    # hamming counts equal values: rounded features make it rank more than ties
    return np.round(X, 0) if metric == "hamming" else X


@pytest.mark.parametrize("metric", [*PARAMETRISED, *NAMED])
@pytest.mark.parametrize("weights", ["uniform", "distance"])
def test_every_metric_converts_exactly(metric, weights):
    rows = _rows(metric)
    for cls, target in ((KNeighborsClassifier, Y), (KNeighborsRegressor, rows[:, 0])):
        model = _model(cls, metric, n_neighbors=5, weights=weights).fit(rows[::2], target[::2])
        report = nc.verify(model, nc.convert(model), np.vstack([rows[1::2], rows[1::2] * 3]))
        assert report.passed and report.n_disagreements == 0, (metric, report)


@pytest.mark.parametrize("metric", ["seuclidean", "mahalanobis", "minkowski, w", "canberra"])
def test_radius_neighbours_with_parametrised_metrics(metric):
    model = _model(RadiusNeighborsRegressor, metric, radius=4.0, weights="distance")
    model.fit(X[::2], X[::2, 1])
    rows = X[1::2]
    net = nc.convert(model)
    # rows with no neighbour in the radius are NaN in both (with scikit-learn's warning)
    with pytest.warns(UserWarning) if np.isnan(model.predict(rows)).any() \
            else contextlib.nullcontext():
        ours = net.predict(rows)
    np.testing.assert_allclose(ours, model.predict(rows), rtol=1e-9, atol=1e-12)


def test_haversine_reads_latitude_and_longitude():
    rng = np.random.default_rng(1)
    places = np.column_stack([rng.uniform(-1.5, 1.5, 400), rng.uniform(-3.1, 3.1, 400)])
    model = KNeighborsRegressor(4, metric="haversine", weights="distance",
                                algorithm="brute").fit(places[:300], places[:300, 0])
    assert nc.verify(model, nc.convert(model), places[300:]).passed
    three = KNeighborsRegressor(3, metric="haversine", algorithm="ball_tree")
    three.fit(places[:50], places[:50, 0])
    three.n_features_in_ = 3  # a file that says otherwise
    with pytest.raises(InvalidModelError, match="haversine reads 2 features"):
        nc.convert(three)


@pytest.mark.parametrize("metric", ["seuclidean", "mahalanobis"])
def test_exported_programs_and_onnx_answer_alike(tmp_path, metric):
    model = _model(KNeighborsClassifier, metric, n_neighbors=5,
                   weights="distance").fit(X[::2], Y[::2])
    net = nc.convert(model)
    program = torch.export.load(str(nc.export(net, tmp_path / "knn.pt2"))).module()
    proba, labels = program(torch.as_tensor(X[1::2]))
    np.testing.assert_allclose(proba.numpy(), model.predict_proba(X[1::2]), rtol=1e-9,
                               atol=1e-12)
    np.testing.assert_array_equal(model.classes_[labels.numpy()], model.predict(X[1::2]))
    ort = pytest.importorskip("onnxruntime")
    path = nc.export(net, tmp_path / "knn.onnx")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    scores, label_index = session.run(None, {"x": X[1::2]})
    np.testing.assert_allclose(scores, model.predict_proba(X[1::2]), rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(model.classes_[label_index], model.predict(X[1::2]))


def test_every_brute_force_metric_converts_or_is_refused_by_name():
    for metric in sorted(VALID_METRICS["brute"]):
        if metric == "precomputed":
            continue
        params = {"seuclidean": PARAMETRISED["seuclidean"],
                  "mahalanobis": PARAMETRISED["mahalanobis"]}.get(metric)
        rows = X[:, :2] if metric == "haversine" else X
        model = KNeighborsClassifier(3, metric=metric, metric_params=params,
                                     algorithm="brute")
        with warnings.catch_warnings():  # scikit-learn's own about boolean data
            warnings.simplefilter("ignore")
            model.fit(rows > 0 if metric in BOOLEAN_METRICS else rows, Y)
        if metric in BOOLEAN_METRICS or metric == "nan_euclidean":
            with pytest.raises(ConversionError, match=f"metric='{metric}'"):
                nc.convert(model)
        else:
            nc.convert(model)


@pytest.mark.parametrize("params, match", [
    ({"V": -X.var(axis=0)}, r"V'\] holds values from -"),
    ({"V": X.var(axis=0)[:5]}, r"V'\] has shape \(5,\)"),
    ({"VI": np.eye(D)[:4]}, r"VI'\] has shape \(4, 13\)"),
    ({"VI": np.full((D, D), np.nan)}, r"VI'\] holds NaN"),
    ({"w": -np.ones(D)}, r"w'\] holds values from -1.0"),
])
def test_hostile_metric_parameters_are_refused_by_name(params, match):
    metric = "seuclidean" if "V" in params else "mahalanobis" if "VI" in params \
        else "minkowski"
    good = {"seuclidean": {"V": X.var(axis=0)}, "mahalanobis": {"VI": np.eye(D)},
            "minkowski": {"w": np.ones(D)}}[metric]
    model = KNeighborsClassifier(3, metric=metric, metric_params=good,
                                 algorithm="brute").fit(X, Y)
    model.effective_metric_params_.update(params)  # as an edited model file would say
    with pytest.raises(InvalidModelError, match=match):
        nc.convert(model)
    assert model.metric_params == good  # nothing the user passed is modified


def test_a_metric_without_its_parameter_is_refused():
    model = KNeighborsClassifier(3, metric="seuclidean", metric_params={"V": X.var(0)},
                                 algorithm="brute").fit(X, Y)
    del model.effective_metric_params_["V"]
    with pytest.raises(ConversionError, match="seuclidean.*without V"):
        nc.convert(model)
