"""CatBoost's models convert exactly: oblivious trees whose float32 ``x > border`` bits index
the leaves, missing values as the model's nan_mode says, scale and bias, every output;
what cannot be computed exactly (categorical features, non-symmetric trees) is refused with
the reason, and a tampered model file is refused naming the attribute."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from equivalence import assert_equivalent, exported_outputs
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine

import nnconvert as nc
from nnconvert.errors import InvalidModelError, NotFittedError, UnsupportedEstimatorError

cb = pytest.importorskip("catboost")

from nnconvert.families.trees.catboost import catboost_model, oblivious_layer

_FAST = {"verbose": 0, "random_seed": 0, "thread_count": 1, "allow_writing_files": False}


def _fit(cls, X, y, **params):
    return cls(**{"iterations": 30, "depth": 4, **_FAST, **params}).fit(X, y)


def _with_nan(X, fraction=0.1, seed=0):
    X = X.copy()
    X[np.random.default_rng(seed).random(X.shape) < fraction] = np.nan
    return X


def _probes(X, seed=0):
    """Held-out style rows, rows far outside the training range, NaN, ±inf and values
    beyond float32's range (CatBoost rounds them to ±inf as its float32 cast does)."""
    rng = np.random.default_rng(seed)
    low, high = np.nanmin(X, axis=0), np.nanmax(X, axis=0)
    span = np.where(high > low, high - low, 1.0)
    far = rng.uniform(low - 3 * span, high + 3 * span, size=(200, X.shape[1]))
    odd = _with_nan(far[:60], 0.3, seed)
    odd[rng.random(odd.shape) < 0.05] = np.inf
    odd[rng.random(odd.shape) < 0.05] = -np.inf
    odd[rng.random(odd.shape) < 0.05] = 1e300
    return np.vstack([X, far, odd])


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return X[::2], y[::2], X[1::2]


def _raw(net, X):
    with torch.no_grad():
        return net.body(torch.as_tensor(X)).numpy()


@pytest.mark.parametrize("nan_mode", ["Min", "Max"])
def test_binary_with_missing_values(cancer, nan_mode):
    X, y, held = cancer
    est = _fit(cb.CatBoostClassifier, _with_nan(X), y, nan_mode=nan_mode)
    net = nc.convert(est)
    assert not hasattr(net, "decision_function")  # nor has CatBoostClassifier
    rows = _probes(_with_nan(held, seed=1))
    assert_equivalent(est, net, rows)
    np.testing.assert_allclose(net.predict_log_proba(rows), est.predict_log_proba(rows),
                               rtol=1e-12, atol=1e-12)
    # the raw score, scale and bias included, is CatBoost's RawFormulaVal
    np.testing.assert_allclose(_raw(net, rows)[:, 0],
                               est.predict(rows, prediction_type="RawFormulaVal"),
                               rtol=1e-12, atol=1e-12)


def test_missing_values_of_features_that_had_none_in_training_give_bit_zero(cancer):
    X, y, held = cancer
    for mode in ("Min", "Max"):  # no NaN in training: nan_value_treatment 'AsIs'
        est = _fit(cb.CatBoostClassifier, X, y, nan_mode=mode)
        rows = _with_nan(held, 0.4, seed=2)
        assert_equivalent(est, nc.convert(est), rows)


def test_string_labels_and_a_probability_threshold(cancer):
    X, y, held = cancer
    est = _fit(cb.CatBoostClassifier, X, np.where(y == 1, "benign", "malignant"))
    assert_equivalent(est, nc.convert(est), _probes(held))
    est.set_probability_threshold(0.9)
    net = nc.convert(est)
    assert (net.predict(held) == est.predict(held)).all()
    assert (net.predict(held) != np.asarray(est.classes_)[
        (est.predict_proba(held)[:, 1] > 0.5).astype(int)]).any()  # the threshold matters


@pytest.mark.parametrize("loss", ["MultiClass", "MultiClassOneVsAll"])
def test_multiclass(loss):
    X, y = load_wine(return_X_y=True)
    est = _fit(cb.CatBoostClassifier, X[::2], 7 * y[::2] - 3, loss_function=loss)
    net = nc.convert(est)
    rows = _probes(X[1::2])
    assert_equivalent(est, net, rows)
    assert net.predict(rows).shape == (len(rows), 1)  # CatBoost's column of labels
    np.testing.assert_allclose(net.predict_log_proba(rows), est.predict_log_proba(rows),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(_raw(net, rows),
                               est.predict(rows, prediction_type="RawFormulaVal"),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("loss", ["RMSE", "MAE", "Quantile:alpha=0.8", "Poisson",
                                  "Tweedie:variance_power=1.5"])
def test_regression_losses(loss):
    X, y = load_diabetes(return_X_y=True)
    est = _fit(cb.CatBoostRegressor, X[::2], y[::2], loss_function=loss, depth=5)
    assert_equivalent(est, nc.convert(est), _probes(X[1::2]))


def test_several_targets_and_a_ranker():
    X, y = load_diabetes(return_X_y=True)
    Y = np.c_[y, np.sqrt(y) * 10]
    est = _fit(cb.CatBoostRegressor, X[::2], Y[::2], loss_function="MultiRMSE")
    net = nc.convert(est)
    assert net.predict(X[1::2]).shape == (len(X[1::2]), 2)
    assert_equivalent(est, net, _probes(X[1::2]))
    groups = np.repeat(np.arange(len(X[::2]) // 10 + 1), 10)[:len(X[::2])]
    ranker = cb.CatBoostRanker(iterations=20, depth=3, **_FAST).fit(
        X[::2], (y[::2] > 150).astype(int), group_id=groups)
    assert_equivalent(ranker, nc.convert(ranker), _probes(X[1::2]))


def test_a_learning_rate_scale_and_bias(cancer):
    X, y, held = cancer
    est = _fit(cb.CatBoostRegressor, X, y * 3.0 + 10.0, boost_from_average=True)
    assert est.get_scale_and_bias()[1] != 0.0  # boosting from the average sets a bias
    est.set_scale_and_bias(0.5, 4.0)  # as a user may set them after fitting
    assert_equivalent(est, nc.convert(est), _probes(held))


def test_float32_borders_are_compared_strictly(cancer):
    """Rows exactly on a border, one float32 step either side, and a float64 that rounds
    onto the border in float32: CatBoost's bit is ``float32(x) > border``."""
    X, y, _ = cancer
    est = _fit(cb.CatBoostRegressor, X, y, iterations=10, depth=3)
    model = catboost_model(est)
    rows = []
    for split in model["oblivious_trees"][0]["splits"]:
        flat = model["features_info"]["float_features"][split["float_feature_index"]][
            "flat_feature_index"]
        border = np.float32(split["border"])
        for value in (border, np.nextafter(border, np.float32(np.inf)),
                      np.nextafter(border, np.float32(-np.inf)),
                      float(border) + float(np.spacing(border)) / 4):  # rounds onto it
            row = X[0].copy()
            row[flat] = value
            rows.append(row)
    rows = np.array(rows)
    layer = nc.convert(est).body[0]
    with torch.no_grad():
        leaves = layer.leaf_index(torch.as_tensor(rows)).numpy()
    np.testing.assert_array_equal(leaves, est.calc_leaf_indexes(rows))
    assert len(np.unique(leaves[:, 0])) > 1  # the rows do fall on both sides


def test_categorical_text_and_non_symmetric_models_are_refused(cancer):
    X, y, _ = cancer
    import pandas as pd

    frame = pd.DataFrame(X[:, :4], columns=list("abcd"))
    frame["colour"] = np.where(X[:, 5] > np.median(X[:, 5]), "red", "blue")
    est = _fit(cb.CatBoostClassifier, frame, y, cat_features=["colour"], iterations=5)
    with pytest.raises(UnsupportedEstimatorError, match="categorical features.*hash"):
        nc.convert(est)
    depthwise = _fit(cb.CatBoostClassifier, X, y, grow_policy="Depthwise", iterations=5)
    with pytest.raises(UnsupportedEstimatorError, match="non-symmetric trees.*SymmetricTree"):
        nc.convert(depthwise)
    uncertain = _fit(cb.CatBoostRegressor, X, y, loss_function="RMSEWithUncertainty",
                     iterations=5)
    with pytest.raises(UnsupportedEstimatorError, match="RMSEWithUncertainty"):
        nc.convert(uncertain)
    with pytest.raises(NotFittedError, match="not fitted"):
        nc.convert(cb.CatBoostClassifier())


def _tampered(est, edit):
    model = copy.deepcopy(catboost_model(est))
    edit(model)
    return model


@pytest.mark.parametrize("edit, message", [
    (lambda m: m["oblivious_trees"][1]["splits"][0].update(float_feature_index=99),
     "splits at level 0 reads 99"),
    (lambda m: m["features_info"]["float_features"][0].update(flat_feature_index=-4),
     "flat_feature_index.*reads -4"),
    (lambda m: m["oblivious_trees"][2].update(
        leaf_values=m["oblivious_trees"][2]["leaf_values"][:-1]), "leaf_values has shape"),
    (lambda m: m["oblivious_trees"][0]["leaf_values"].__setitem__(3, float("nan")),
     "NaN or infinite"),
    (lambda m: m["oblivious_trees"][0]["splits"][0].update(border=0.1), "not float32"),
    (lambda m: m["oblivious_trees"][0]["splits"][0].update(split_type="OneHotFeature"),
     "OneHotFeature"),
    (lambda m: m["oblivious_trees"][0]["splits"].extend(
        m["oblivious_trees"][0]["splits"] * 5), "depth up to 16"),
    (lambda m: m.update(scale_and_bias=[float("inf"), [0.0]]), "scale_and_bias"),
    (lambda m: m.update(scale_and_bias=[1.0, [0.0, 1.0, 2.0]]), "scale_and_bias"),
])
def test_a_tampered_model_file_is_refused_naming_the_attribute(cancer, edit, message):
    X, y, _ = cancer
    est = _fit(cb.CatBoostClassifier, X, y, iterations=5, depth=3)
    with pytest.raises(InvalidModelError, match=message):
        oblivious_layer(est, _tampered(est, edit), 1)


def test_trees_of_different_depths_are_padded():
    """A model file may hold trees of different depths (CatBoost's own sum_models does):
    the shallow trees' missing levels give bit 0."""
    X, y = load_iris(return_X_y=True)
    deep = _fit(cb.CatBoostRegressor, X, y, iterations=8, depth=4)
    shallow = _fit(cb.CatBoostRegressor, X, y, iterations=8, depth=2, random_seed=3)
    both = cb.sum_models([deep, shallow])
    model = catboost_model(both)
    assert {len(t["splits"]) for t in model["oblivious_trees"]} == {2, 4}
    layer = oblivious_layer(deep, model, 1)
    rows = _probes(X)
    with torch.no_grad():
        got = layer(torch.as_tensor(rows))[:, 0].numpy()
    np.testing.assert_allclose(got, both.predict(rows, prediction_type="RawFormulaVal"),
                               rtol=1e-12, atol=1e-12)


def test_nothing_the_user_passes_is_modified(cancer):
    X, y, held = cancer
    est = _fit(cb.CatBoostClassifier, X, y, iterations=5)
    before = catboost_model(est)
    rows = held.copy()
    nc.convert(est).predict_proba(rows)
    assert catboost_model(est)["oblivious_trees"] == before["oblivious_trees"]
    assert np.array_equal(rows, held)


def test_explain_and_draw_show_a_few_step_units_a_tree(cancer, tmp_path):
    X, y, _ = cancer
    est = _fit(cb.CatBoostClassifier, X, y, iterations=3, depth=3)
    net = nc.convert(est)
    text = net.explain()
    assert "oblivious trees (3 trees, depth 3)" in text and "float32(x_f) > b" in text
    body = net.body[0].describe()
    trees = body.branches[0][0].branches
    assert [(d.n_out, i.n_out) for d, i in trees] == [(3, 1)] * 3  # 3 bits, one leaf index
    assert trees[0][1].weight.tolist() == [[1.0, 2.0, 4.0]]
    path = tmp_path / "catboost.svg"
    nc.draw(net).save(path)
    assert path.stat().st_size > 0
    assert nc.to_networkx(net).number_of_nodes() > 3 * 3


@pytest.mark.parametrize("suffix", [".pt2", ".onnx"])
def test_export(cancer, tmp_path, suffix):
    X, y, held = cancer
    rows = _probes(_with_nan(held, seed=3))
    for est in (_fit(cb.CatBoostClassifier, _with_nan(X), y, nan_mode="Max"),
                _fit(cb.CatBoostRegressor, X, y * 2.0, loss_function="Poisson")):
        net = nc.convert(est)
        path = nc.export(net, tmp_path / f"{type(est).__name__}{suffix}")
        scores = exported_outputs(path, rows)[0]
        expected = (est.predict_proba(rows) if hasattr(est, "predict_proba")
                    else est.predict(rows))
        assert np.abs(scores - expected).max() <= 1e-9 * np.abs(expected).max()


def test_command_line_converts_and_verifies_a_trusted_file(cancer, tmp_path, monkeypatch,
                                                           capsys):
    import joblib

    from nnconvert.cli import main

    X, y, held = cancer
    monkeypatch.chdir(tmp_path)
    est = _fit(cb.CatBoostClassifier, X, y)
    joblib.dump(est, "model.joblib")
    np.save("X.npy", _with_nan(held, seed=4))
    assert main(["verify", "model.joblib", "--data", "X.npy", "--trust"]) == 0
    assert "PASSED" in capsys.readouterr().out
    assert main(["convert", "model.joblib", "--trust", "-o", "model.pt2"]) == 0
    with torch.no_grad():
        out = torch.export.load("model.pt2").module()(torch.as_tensor(_with_nan(held, seed=4)))
    assert np.array_equal(out[1].numpy(), est.predict(_with_nan(held, seed=4)))


def test_supported_list_names_them():
    assert {"CatBoostClassifier", "CatBoostRegressor", "CatBoostRanker"} <= set(
        nc.supported_estimators())


def test_deep_models_compute_level_by_level_to_the_same_function(cancer, monkeypatch):
    """Where unrolled node tables would be too large the layer computes level-wise: the
    same leaves, the same answers to float64 rounding."""
    from nnconvert.families.trees import oblivious

    X, y, held = cancer
    est = _fit(cb.CatBoostClassifier, _with_nan(X), y, nan_mode="Max", depth=6)
    walked = nc.convert(est)
    monkeypatch.setattr(oblivious, "WALK_NODES", 0)
    levelwise = nc.convert(est)
    assert walked.body[0].walk is not None and levelwise.body[0].walk is None
    assert walked.body[0].leaf_value is None  # the leaf values live in one place
    rows = _probes(_with_nan(held, seed=5))
    assert_equivalent(est, levelwise, rows)
    np.testing.assert_allclose(levelwise.predict_proba(rows), walked.predict_proba(rows),
                               rtol=1e-13, atol=1e-15)


def test_dataframe_columns_are_read_by_name_as_catboost_reads_them():
    import pandas as pd

    data = load_diabetes(as_frame=True)
    X, y = data.data, data.target
    est = _fit(cb.CatBoostRegressor, X.iloc[::2], y.iloc[::2])
    net = nc.convert(est)
    held = X.iloc[1::2]
    shuffled = held[held.columns[::-1]]
    np.testing.assert_allclose(net.predict(shuffled), est.predict(shuffled), rtol=1e-12)
    np.testing.assert_allclose(net.predict(held), est.predict(held), rtol=1e-12)
    assert isinstance(shuffled, pd.DataFrame)
