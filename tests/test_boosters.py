"""The libraries' own Booster objects, loaded from model files as users load them, and the
rankers: the network answers what the Booster (or ranker) answers, raw and transformed."""

import numpy as np
import pytest
from equivalence import assert_equivalent, exported_outputs
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris

import nnconvert as nc
from nnconvert.families.trees.boosters import ConvertedBooster

xgb = pytest.importorskip("xgboost")
lgb = pytest.importorskip("lightgbm")


def _with_nan(X, seed=0, fraction=0.1):
    X = X.copy()
    X[np.random.default_rng(seed).random(X.shape) < fraction] = np.nan
    return X


def _relative(got, expected):
    got, expected = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    assert got.shape == expected.shape
    return np.abs(got - expected).max() / max(np.abs(expected).max(), 1e-300)


def _data(task):
    if task == "binary":
        X, y = load_breast_cancer(return_X_y=True)
    elif task == "multiclass":
        X, y = load_iris(return_X_y=True)
    else:
        X, y = load_diabetes(return_X_y=True)
        if task == "logistic":
            y = (y - y.min()) / (y.max() - y.min())
        if task == "binary-raw":
            y = (y > np.median(y)).astype(int)
        if task == "ranking":  # relevance grades 0..3 within queries of 20 rows
            y = np.digitize(y, np.quantile(y, [0.25, 0.5, 0.75]))
    return _with_nan(X[::2]), y[::2], _with_nan(X[1::2], seed=1)


# -- XGBoost --------------------------------------------------------------------------------

XGB_OBJECTIVES = [("binary:logistic", "binary"), ("multi:softprob", "multiclass"),
                  ("multi:softmax", "multiclass"), ("reg:squarederror", "regression"),
                  ("count:poisson", "regression"), ("reg:logistic", "logistic"),
                  ("binary:logitraw", "binary-raw"), ("rank:ndcg", "ranking"),
                  ("rank:pairwise", "ranking")]


def _xgb_booster(objective, task, tmp_path, fmt):
    X, y, held = _data(task)
    params = {"objective": objective, "max_depth": 4, "nthread": 1, "seed": 0}
    if task == "multiclass":
        params["num_class"] = 3
    train = xgb.DMatrix(X, y)
    if task == "ranking":
        train.set_group([20] * (len(X) // 20) + ([len(X) % 20] if len(X) % 20 else []))
    trained = xgb.train(params, train, num_boost_round=25)
    path = tmp_path / f"model.{fmt}"
    trained.save_model(path)
    return xgb.Booster(model_file=str(path)), held


@pytest.mark.parametrize("fmt", ["json", "ubj"])
@pytest.mark.parametrize("objective, task", XGB_OBJECTIVES)
def test_xgboost_booster_from_a_model_file(tmp_path, objective, task, fmt):
    booster, held = _xgb_booster(objective, task, tmp_path, fmt)
    net = nc.convert(booster)
    assert isinstance(net, ConvertedBooster) and net.head.kind == "regressor"
    dmatrix = xgb.DMatrix(held)
    # what the Booster answers, transformed and raw, in its shapes; XGBoost sums in float32
    # (an exp output's relative error is its margin's absolute error: margins reach 6)
    expected, margin = booster.predict(dmatrix), booster.predict(dmatrix, output_margin=True)
    assert _relative(net.predict(held), expected) < (1e-5 if "poisson" in objective else 1e-6)
    assert _relative(net.predict(held, output_margin=True), margin) < 1e-6
    if objective == "multi:softmax":  # class indices, as floats
        np.testing.assert_array_equal(net.predict(held), expected)
    report = nc.verify(booster, net, held)
    assert report.passed and set(report.max_abs_diff) == {"predict", "predict_raw"}


def test_xgboost_booster_loaded_with_load_model_uses_every_tree(tmp_path):
    # early stopping sets best_iteration; the scikit-learn wrapper stops there, a Booster's
    # predict does not: the network follows the object it is given
    X, y = load_iris(return_X_y=True)
    model = xgb.XGBClassifier(n_estimators=60, early_stopping_rounds=2, learning_rate=0.9,
                              max_depth=3, n_jobs=1, random_state=0)
    model.fit(X[::2], y[::2], eval_set=[(X[1::2], y[1::2])], verbose=False)
    assert model.best_iteration + 1 < model.get_booster().num_boosted_rounds()
    raw = model.get_booster().save_raw(raw_format="ubj")
    booster = xgb.Booster()
    booster.load_model(raw)
    net = nc.convert(booster)
    assert _relative(net.predict(X), booster.inplace_predict(X)) < 1e-6
    assert nc.verify(booster, net, X).passed
    assert_equivalent(model, nc.convert(model), X)  # the wrapper: best_iteration's trees


# -- LightGBM -------------------------------------------------------------------------------

LGBM_OBJECTIVES = [("binary", "binary", {}), ("multiclass", "multiclass", {"num_class": 3}),
                   ("regression", "regression", {}), ("poisson", "regression", {}),
                   ("lambdarank", "ranking", {}),
                   ("binary", "binary", {"boosting": "rf", "bagging_freq": 1,
                                         "bagging_fraction": 0.7}),
                   ("regression", "regression", {"boosting": "rf", "bagging_freq": 1,
                                                 "bagging_fraction": 0.7})]


@pytest.mark.parametrize("source", ["model_file", "model_str"])
@pytest.mark.parametrize("objective, task, extra", LGBM_OBJECTIVES)
def test_lightgbm_booster_from_a_model_file(tmp_path, objective, task, extra, source):
    X, y, held = _data(task)
    params = {"objective": objective, "num_leaves": 8, "verbose": -1, "num_threads": 1,
              "seed": 0, **extra}
    group = [20] * (len(X) // 20) + ([len(X) % 20] if len(X) % 20 else [])
    train = lgb.Dataset(X, y, group=group if task == "ranking" else None)
    trained = lgb.train(params, train, num_boost_round=20)
    if source == "model_file":
        trained.save_model(tmp_path / "model.txt")
        booster = lgb.Booster(model_file=str(tmp_path / "model.txt"))
    else:
        booster = lgb.Booster(model_str=trained.model_to_string())
    net = nc.convert(booster)
    assert _relative(net.predict(held), booster.predict(held)) < 1e-12
    assert _relative(net.predict(held, raw_score=True),
                     booster.predict(held, raw_score=True)) < 1e-12
    report = nc.verify(booster, net, held)
    assert report.passed and set(report.max_abs_diff) == {"predict", "predict_raw"}


# -- rankers --------------------------------------------------------------------------------

def test_rankers_predict_their_raw_scores():
    X, y, held = _data("ranking")
    qid = np.arange(len(X)) // 20
    rankers = [xgb.XGBRanker(n_estimators=30, max_depth=4, n_jobs=1, random_state=0),
               xgb.XGBRanker(n_estimators=30, objective="rank:pairwise", n_jobs=1),
               lgb.LGBMRanker(n_estimators=30, num_leaves=8, n_jobs=1, verbose=-1,
                              random_state=0)]
    for ranker in rankers:
        if isinstance(ranker, lgb.LGBMRanker):
            ranker.fit(X, y, group=np.bincount(qid))
        else:
            ranker.fit(X, y, qid=qid)
        net = nc.convert(ranker)
        assert type(net).__name__ == "ConvertedRegressor"
        assert_equivalent(ranker, net, held)
        assert nc.verify(ranker, net, held).passed
    assert {"XGBRanker", "LGBMRanker"} <= set(nc.supported_estimators())


# -- downstream: export, explain, draw ------------------------------------------------------

@pytest.mark.parametrize("suffix", [".pt2", ".onnx"])
def test_booster_networks_export_both_answers(tmp_path, suffix):
    X, y = load_iris(return_X_y=True)
    X = _with_nan(X)
    xgb_booster = xgb.train({"objective": "multi:softprob", "num_class": 3, "nthread": 1},
                            xgb.DMatrix(X, y), num_boost_round=10)
    lgb_booster = lgb.train({"objective": "multiclass", "num_class": 3, "verbose": -1,
                             "num_threads": 1}, lgb.Dataset(X, y), num_boost_round=10)
    for booster, rtol in ((xgb_booster, 1e-6), (lgb_booster, 1e-12)):
        net = nc.convert(booster)
        path = nc.export(net, tmp_path / f"{type(booster).__module__.split('.')[0]}{suffix}")
        predictions, raw = exported_outputs(path, X)
        assert _relative(predictions, net.predict(X)) < rtol
        assert _relative(raw, net.predict(X, raw_score=True)) < rtol


def test_booster_networks_explain_and_draw(tmp_path):
    X, y, _ = _data("binary")
    booster = xgb.train({"objective": "binary:logistic", "max_depth": 3, "nthread": 1},
                        xgb.DMatrix(X, y), num_boost_round=5)
    net = nc.convert(booster)
    text = net.explain()
    assert "predict(x) = σ(" in text and "output_margin=True" in text
    assert "float32(x_f) ≤ t" in text  # XGBoost's comparison, shown
    path = tmp_path / "booster.svg"
    nc.draw(net).save(path)
    assert path.stat().st_size > 0
