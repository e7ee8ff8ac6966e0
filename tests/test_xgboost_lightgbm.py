"""XGBoost and LightGBM models convert exactly: their split rules (XGBoost's float32 ``<``,
LightGBM's float64 ``<=``), missing values, categories, base scores, early stopping,
objectives; what they cannot convert is refused by name."""

import json

import numpy as np
import pytest
import torch
from conftest import halves
from equivalence import assert_equivalent, exported_outputs
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine

import nnconvert as nc
from nnconvert.errors import ConversionError

xgb = pytest.importorskip("xgboost")
lgb = pytest.importorskip("lightgbm")

#: XGBoost adds its trees in float32; the network adds them exactly (float64)
XGB_RTOL = 1e-5



def _with_nan(X, fraction=0.1, seed=0):
    X = X.copy()
    X[np.random.default_rng(seed).random(X.shape) < fraction] = np.nan
    return X


def _margin(net, X):
    """The network's raw score (the body's output), as XGBoost's output_margin."""
    with torch.no_grad():
        z = net.body(torch.as_tensor(X, dtype=net.dtype)).numpy()
    return z[:, 0] if z.shape[1] == 1 else z


def _relative(got, expected):
    return np.abs(got - expected).max() / np.abs(expected).max()


# -- XGBoost --------------------------------------------------------------------------------

def _xgb(cls, X, y, **kwargs):
    kwargs = {"n_estimators": 40, "max_depth": 4, "n_jobs": 1, "random_state": 0, **kwargs}
    return cls(**kwargs).fit(X, y)


@pytest.mark.parametrize("base_score", [None, 0.3])
def test_xgb_binary_with_nan(cancer, base_score):
    X, y, held = cancer
    est = _xgb(xgb.XGBClassifier, _with_nan(X), y, base_score=base_score)
    held = _with_nan(held, seed=1)
    net = nc.convert(est)
    assert not hasattr(net, "decision_function")  # nor has XGBClassifier
    assert_equivalent(est, net, held, rtol=XGB_RTOL)
    # the margin, base_score included, is XGBoost's output_margin to float32 rounding
    assert _relative(_margin(net, held), est.predict(held, output_margin=True)) < 1e-6
    assert nc.verify(est, net, held).passed


@pytest.mark.parametrize("objective", ["multi:softprob", "multi:softmax"])
def test_xgb_multiclass(objective):
    X, y, held = halves(*load_wine(return_X_y=True))
    est = _xgb(xgb.XGBClassifier, X, y, objective=objective, base_score=0.2)
    net = nc.convert(est)
    np.testing.assert_array_equal(net.predict(held), est.predict(held))
    assert _relative(net.predict_proba(held), est.predict_proba(held)) < 1e-6
    assert _relative(_margin(net, held), est.predict(held, output_margin=True)) < 1e-6


@pytest.mark.parametrize("objective", ["reg:squarederror", "reg:absoluteerror",
                                       "reg:pseudohubererror", "count:poisson", "reg:gamma",
                                       "reg:tweedie", "reg:logistic"])
def test_xgb_regression_objectives(diabetes, objective):
    X, y, held = diabetes
    if objective == "reg:logistic":  # a target in [0, 1]
        y = (y - y.min()) / (y.max() - y.min())
    est = _xgb(xgb.XGBRegressor, X, y, objective=objective)
    net = nc.convert(est)
    assert_equivalent(est, net, held, rtol=XGB_RTOL)
    assert _relative(_margin(net, held), est.predict(held, output_margin=True)) < 1e-6
    assert nc.verify(est, net, held).passed


def test_xgb_several_targets(diabetes):
    X, y, held = diabetes
    Y = np.c_[y, np.sqrt(y) * X[:, 2] * 100.0]
    est = _xgb(xgb.XGBRegressor, X, Y)
    net = nc.convert(est)
    assert net.predict(held).shape == (len(held), 2)
    assert_equivalent(est, net, held, rtol=XGB_RTOL)
    poisson = _xgb(xgb.XGBRegressor, X, np.c_[y, y], objective="count:poisson")
    with pytest.raises(ConversionError, match="2 targets"):
        nc.convert(poisson)


def _rows_around_thresholds(X, splits, step):
    """A copy of X[0] per split and value: the threshold itself and one step either side."""
    rows = []
    for feature, t in splits:
        for v in step(t):
            row = X[0].copy()
            row[feature] = v
            rows.append(row)
    return np.array(rows)


def test_xgb_compares_float32_strictly_below_the_threshold():
    X, y = load_diabetes(return_X_y=True)
    est = _xgb(xgb.XGBRegressor, X, y, n_estimators=15)
    learner = json.loads(bytes(est.get_booster().save_raw(raw_format="json")))["learner"]
    splits = [(f, np.float32(t)) for tree in learner["gradient_booster"]["model"]["trees"]
              for f, t, left in zip(tree["split_indices"], tree["split_conditions"],
                                    tree["left_children"]) if left >= 0]

    def around(t):  # x == t goes right (x < t goes left), one float32 step either side
        return [float(t), float(np.nextafter(t, np.float32(np.inf))),
                float(np.nextafter(t, np.float32(-np.inf))), float(t) + 1e-12]

    rows = _rows_around_thresholds(X, splits, around)
    net = nc.convert(est)
    expected = est.predict(rows, output_margin=True)
    # a row sent to the other side moves by a whole leaf value, far beyond rounding
    assert _relative(_margin(net, rows), expected) < 1e-6
    for dtype in (torch.float64, torch.float32):
        got = nc.convert(est, dtype=dtype).predict(rows)
        assert _relative(got, est.predict(rows)) < 1e-5


def test_xgb_early_stopping_uses_best_iteration(iris):
    X, y, held = iris
    est = xgb.XGBClassifier(n_estimators=300, max_depth=4, early_stopping_rounds=3,
                            learning_rate=0.5, n_jobs=1, random_state=0)
    est.fit(X, y, eval_set=[(held, load_iris().target[1::2])], verbose=False)
    assert est.best_iteration + 1 < est.get_booster().num_boosted_rounds()
    net = nc.convert(est)
    assert net.body[0].n_trees == 3 * (est.best_iteration + 1)
    assert_equivalent(est, net, held, rtol=XGB_RTOL)


def test_xgb_boosted_forests(cancer):
    X, y, held = cancer
    est = _xgb(xgb.XGBClassifier, X, y, n_estimators=10, num_parallel_tree=4, subsample=0.7)
    net = nc.convert(est)
    assert net.body[0].n_trees == 40
    assert_equivalent(est, net, held, rtol=XGB_RTOL)


def test_xgb_in_a_pipeline_verifies_at_its_precision(cancer):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y, held = cancer
    est = make_pipeline(StandardScaler(), xgb.XGBClassifier(n_estimators=100, n_jobs=1))
    est.fit(X, y)
    assert nc.verify(est, nc.convert(est), held).passed


@pytest.mark.parametrize("cls", [xgb.XGBClassifier, xgb.XGBRegressor])
def test_xgb_dart_weights_its_trees(iris, cls):
    X, y, held = iris
    est = _xgb(cls, X, y, booster="dart", rate_drop=0.3, n_estimators=30)
    net = nc.convert(est)
    assert_equivalent(est, net, held, rtol=XGB_RTOL)
    assert _relative(_margin(net, held), est.predict(held, output_margin=True)) < 1e-6


def test_xgb_float32_sums_are_what_verify_allows():
    # XGBoost's own margins are not the exact sum of its float32 leaves: the network's
    # float64 sum is, and verify allows XGBoost's rounding, not more
    X, y = load_diabetes(return_X_y=True)
    est = _xgb(xgb.XGBRegressor, X, y, n_estimators=200, max_depth=6, objective="reg:gamma")
    net = nc.convert(est)
    report = nc.verify(est, net, X)
    assert report.passed
    assert 1e-9 < report.max_rel_diff["predict"] <= report.rtol
    assert report.rtol < 1e-3


@pytest.mark.parametrize("make, match", [
    (lambda: xgb.XGBClassifier(booster="gblinear", n_estimators=5, n_jobs=1), "booster='gblinear'"),
    (lambda: xgb.XGBClassifier(objective="binary:hinge", n_estimators=5), "binary:hinge"),
    (lambda: xgb.XGBClassifier(objective="binary:logitraw", n_estimators=5), "binary:logitraw"),
    (lambda: xgb.XGBRegressor(objective="binary:logistic", n_estimators=5),
     "use XGBClassifier|identity, log or logit link"),
    (lambda: xgb.XGBClassifier(missing=0.0, n_estimators=5, n_jobs=1), "missing=0.0"),
    (lambda: xgb.XGBClassifier(tree_method="hist", multi_strategy="multi_output_tree", n_jobs=1,
                               n_estimators=5), "multi_output_tree"),
])
def test_xgb_refusals_name_the_problem(iris, make, match):
    X, y, held = iris
    if "XGBClassifier" in match:
        y = y / 2.0
    if "binary:" in match:  # XGBClassifier replaces a binary objective for three classes
        y = (y > 0).astype(int)
    est = make().fit(X, y)
    before = est.predict(held)
    with pytest.raises(ConversionError, match=match):
        nc.convert(est)
    np.testing.assert_array_equal(est.predict(held), before)  # the model is untouched


@pytest.mark.parametrize("max_cat_to_onehot", [1, 8])  # partition or one-hot splits
def test_xgb_categorical_splits(max_cat_to_onehot):
    X, y = _with_a_category(*load_iris(return_X_y=True), n_codes=10)
    est = _xgb(xgb.XGBClassifier, X[::2], y[::2], n_estimators=15, enable_categorical=True,
               feature_types=["q"] * 4 + ["c"], tree_method="hist",
               max_cat_to_onehot=max_cat_to_onehot)
    learner = json.loads(bytes(est.get_booster().save_raw(raw_format="json")))["learner"]
    assert any(any(t["split_type"]) for t in learner["gradient_booster"]["model"]["trees"])
    held = X[1::2].copy()
    # in a set goes right, any other code left; NaN to default_left; negative values are
    # invalid (left) unless their float32 is -0.0; fractions truncate; huge codes go left
    values = [0, 1, 4, 6, 9, 12, -1, -0.5, 0.5, 4.7, 300, 1e9, np.nan, -1e-50, -1e-44]
    held[:len(values), -1] = values
    net = nc.convert(est)
    assert_equivalent(est, net, held, rtol=XGB_RTOL)
    assert _relative(_margin(net, held), est.predict(held, output_margin=True)) < 1e-6
    assert "category codes as XGBoost reads them" in net.explain()


def test_xgb_refuses_dataframe_categories():
    pandas = pytest.importorskip("pandas")
    X, y = load_iris(return_X_y=True)
    frame = pandas.DataFrame(X, columns=list("abcd"))
    frame["colour"] = pandas.Categorical(np.array(["red", "green", "blue"])[y])
    est = xgb.XGBClassifier(n_estimators=5, enable_categorical=True, n_jobs=1,
                            tree_method="hist").fit(frame, y)
    with pytest.raises(ConversionError, match="category columns of a DataFrame"):
        nc.convert(est)


# -- LightGBM -------------------------------------------------------------------------------

def _lgbm(cls, X, y, **kwargs):
    kwargs = {"n_estimators": 40, "n_jobs": 1, "verbose": -1, "random_state": 0, **kwargs}
    return cls(**kwargs).fit(X, y)


def _with_a_category(X, y, seed=0, n_codes=8):
    """X with a category column (codes 0..n_codes-1, some NaN) last, and a target that
    depends on it, so that the trees split on it."""
    rng = np.random.default_rng(seed)
    code = rng.integers(0, n_codes, len(X)).astype(float)
    flip = np.isin(code, [1, 4, 6])
    y = np.where(flip, (y + 1) % 3, y) if y.dtype.kind == "i" else np.where(flip, 1.5 * y, y)
    X = np.c_[X, code]
    X[rng.random(len(X)) < 0.05, -1] = np.nan
    return X, y


def _fit_categorical(cls, X, y, **kwargs):
    est = cls(n_estimators=40, n_jobs=1, verbose=-1, random_state=0, min_data_per_group=5,
              cat_smooth=1.0, **kwargs)
    return est.fit(X, y, categorical_feature=[X.shape[1] - 1])


def _count_splits(est, predicate) -> int:
    def nodes(node):
        if "split_index" in node:
            yield node
            yield from nodes(node["left_child"])
            yield from nodes(node["right_child"])
    return sum(predicate(n) for t in est.booster_.dump_model()["tree_info"]
               for n in nodes(t["tree_structure"]))


@pytest.mark.parametrize("labels", ["int", "str"])
def test_lgbm_binary_with_nan(cancer, labels):
    X, y, held = cancer
    if labels == "str":
        y = np.array(["benign", "malignant"])[y]
    est = _lgbm(lgb.LGBMClassifier, _with_nan(X), y)
    net = nc.convert(est)
    held = _with_nan(held, seed=2)
    assert_equivalent(est, net, held)
    assert net.decision_function(held).shape == (len(held),)
    assert net.predict(held).dtype == est.predict(held).dtype


def test_lgbm_multiclass_with_categories(iris):
    X, y = _with_a_category(*load_iris(return_X_y=True))
    est = _fit_categorical(lgb.LGBMClassifier, X[::2], y[::2])
    assert _count_splits(est, lambda n: n["decision_type"] == "==") > 0
    held = X[1::2].copy()
    # unseen categories (LightGBM sends them right), negative codes, fractions read as
    # their integer part (-0.5 is category 0), codes beyond any bitset
    held[:30, -1] = [9, 7.9, -0.5, -1, -3.2, 0.5, 1.99, 4.0001, 300, 1e12] * 3
    held[30:33, 0] = np.nan
    net = nc.convert(est)
    before = held.copy()
    assert_equivalent(est, net, held)
    np.testing.assert_array_equal(held, before)  # NaN, fractions and all: left as they were
    assert "category codes" in net.explain()


@pytest.mark.parametrize("objective", ["regression", "regression_l1", "huber", "fair",
                                       "quantile", "mape", "poisson", "gamma", "tweedie"])
def test_lgbm_regression_objectives(diabetes, objective):
    X, y, held = diabetes
    est = _lgbm(lgb.LGBMRegressor, _with_nan(X), y, objective=objective)
    net = nc.convert(est)
    assert_equivalent(est, net, _with_nan(held, seed=3))
    if objective in ("poisson", "gamma", "tweedie"):
        assert "exp(" in net.explain()


def test_lgbm_regressor_with_categories(diabetes):
    X, y = _with_a_category(*load_diabetes(return_X_y=True))
    est = _fit_categorical(lgb.LGBMRegressor, X[::2], y[::2])
    assert _count_splits(est, lambda n: n["decision_type"] == "==") > 0
    assert_equivalent(est, nc.convert(est), X[1::2])


def test_lgbm_compares_float64_thresholds(diabetes):
    X, y, _ = diabetes
    est = _lgbm(lgb.LGBMRegressor, X, y, n_estimators=15)
    splits = []

    def collect(node):
        if "split_index" in node:
            splits.append((node["split_feature"], float(node["threshold"])))
            collect(node["left_child"])
            collect(node["right_child"])
    for tree in est.booster_.dump_model()["tree_info"]:
        collect(tree["tree_structure"])

    def around(t):  # x == t goes left; one float64 step and one float32 step either side
        return [t, np.nextafter(t, np.inf), np.nextafter(t, -np.inf),
                float(np.nextafter(np.float32(t), np.float32(np.inf))),
                float(np.nextafter(np.float32(t), np.float32(-np.inf)))]

    rows = _rows_around_thresholds(X, splits, around)
    # a row routed to another leaf would differ by a leaf value, not by rounding
    assert _relative(nc.convert(est).predict(rows), est.predict(rows)) < 1e-12


def _zero_band_rows(X, feature):
    """Rows whose ``feature`` is 0, ±1e-35 (LightGBM's zero band edge), just outside it,
    NaN, and a tiny normal value."""
    z = float(np.float32(1e-35))
    values = [0.0, -0.0, z, -z, np.nextafter(z, 1), np.nextafter(-z, -1), np.nan, 1e-36,
              -1e-36, 1e-20, -1e-20]
    rows = np.repeat(X[:len(values)], 1, axis=0).copy()
    rows[:, feature] = values
    return rows


@pytest.mark.parametrize("zero_as_missing", [False, True])
@pytest.mark.parametrize("use_missing", [False, True])
def test_lgbm_missing_types(diabetes, zero_as_missing, use_missing):
    X, y, held = diabetes
    # many exact zeros, so that zero gets a bin (and, with zero_as_missing, means missing)
    X = np.where(np.abs(X) < 0.02, 0.0, X)
    X[::9, 1] = np.nan
    est = _lgbm(lgb.LGBMRegressor, X, y, zero_as_missing=zero_as_missing,
                use_missing=use_missing)
    kind = "Zero" if zero_as_missing and use_missing else "NaN" if use_missing else "None"
    assert _count_splits(est, lambda n: n["missing_type"] == kind) > 0
    rows = np.vstack([_zero_band_rows(held, f) for f in range(X.shape[1])] + [held])
    assert_equivalent(est, nc.convert(est), rows)


def test_lgbm_early_stopping_uses_best_iteration(cancer):
    X, y, held = cancer
    y_held = load_breast_cancer().target[1::2]
    est = lgb.LGBMClassifier(n_estimators=400, learning_rate=0.3, n_jobs=1, verbose=-1,
                             random_state=0)
    est.fit(X, y, eval_set=[(held, y_held)], callbacks=[lgb.early_stopping(3, verbose=False)])
    # the sklearn wrapper keeps the trees up to the best iteration only
    assert 0 < est.best_iteration_ < 400
    net = nc.convert(est)
    assert net.body[0].n_trees == est.best_iteration_
    assert_equivalent(est, net, held)


@pytest.mark.parametrize("kwargs", [
    {"boosting_type": "rf", "bagging_freq": 1, "bagging_fraction": 0.7},
    {"boosting_type": "dart"},
    {"data_sample_strategy": "goss"},
])
def test_lgbm_other_boosting_types(iris, diabetes, kwargs):
    X, y, held = iris
    est = _lgbm(lgb.LGBMClassifier, X, y, n_estimators=20, **kwargs)
    assert_equivalent(est, nc.convert(est), held)
    X, y, held = diabetes
    est = _lgbm(lgb.LGBMRegressor, X, y, n_estimators=20, **kwargs)
    assert_equivalent(est, nc.convert(est), held)


def test_lgbm_rf_probabilities_average_but_raw_scores_sum(cancer):
    # LightGBM divides by the iterations in predict_proba, not in decision_function
    X, y, held = cancer
    est = _lgbm(lgb.LGBMClassifier, X, y, n_estimators=20, boosting_type="rf",
                bagging_freq=1, bagging_fraction=0.7)
    net = nc.convert(est)
    assert_equivalent(est, net, held)
    expected = 1 / (1 + np.exp(-est.decision_function(held) / 20))
    np.testing.assert_allclose(net.predict_proba(held)[:, 1], expected, rtol=1e-12)


def test_lgbm_float32_networks(cancer):
    X, y, held = cancer
    est = _lgbm(lgb.LGBMClassifier, X, y)
    assert_equivalent(est, nc.convert(est, dtype=torch.float32), held)


@pytest.mark.parametrize("kwargs, match", [
    ({"linear_tree": True}, "linear_tree"),
    ({"objective": "multiclassova"}, "multiclassova"),
    ({"objective": "regression", "reg_sqrt": True}, "reg_sqrt"),
    ({"objective": "binary", "sigmoid": 2.0}, "sigmoid"),
])
def test_lgbm_refusals_name_the_problem(iris, kwargs, match):
    X, y, held = iris
    regression = kwargs.get("objective") == "regression" or "linear_tree" in kwargs
    if kwargs.get("objective") == "binary":
        y = (y > 0).astype(int)
    cls = lgb.LGBMRegressor if regression else lgb.LGBMClassifier
    est = _lgbm(cls, X, y, n_estimators=5, **kwargs)
    before = est.predict(held)
    with pytest.raises(ConversionError, match=match):
        nc.convert(est)
    np.testing.assert_array_equal(est.predict(held), before)


def test_lgbm_refuses_large_category_codes_and_ordered_dataframe_categories(iris):
    X, y = _with_a_category(*load_iris(return_X_y=True))
    X[:, -1] = np.where(np.isnan(X[:, -1]), np.nan, X[:, -1] + 300)  # codes 300..307
    est = _fit_categorical(lgb.LGBMClassifier, X, y)
    with pytest.raises(ConversionError, match="category code 30"):
        nc.convert(est)
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame(load_iris().data, columns=list("abcd"))
    frame["size"] = pandas.Categorical(np.array(["s", "m", "l"])[np.arange(150) % 3],
                                       categories=["s", "m", "l"], ordered=True)
    est = lgb.LGBMClassifier(n_estimators=5, verbose=-1, n_jobs=1).fit(frame, y)
    with pytest.raises(ConversionError, match="ordered"):
        nc.convert(est)


def test_lgbm_dataframe_category_columns():
    pandas = pytest.importorskip("pandas")
    X, y = _with_a_category(*load_iris(return_X_y=True), n_codes=6)
    names = np.array(["red", "green", "blue", "cyan", "plum", "teal"], dtype=object)
    frame = pandas.DataFrame(X[:, :4], columns=list("abcd"))
    colour = np.where(np.isnan(X[:, 4]), None, names[np.nan_to_num(X[:, 4]).astype(int)])
    frame.insert(1, "colour", pandas.Categorical(colour))  # a category column by its dtype
    est = _lgbm(lgb.LGBMClassifier, frame[::2], y[::2], min_data_per_group=5, cat_smooth=1.0)
    assert est.booster_.dump_model()["pandas_categorical"]
    assert _count_splits(est, lambda n: n["decision_type"] == "==") > 0
    held = frame[1::2].copy()
    held["colour"] = held["colour"].cat.add_categories(["gold"])
    held.iloc[:5, 1] = "gold"  # never seen: LightGBM reads NaN, sent right
    held.iloc[5:8, 1] = None
    net = nc.convert(est)
    np.testing.assert_array_equal(net.predict(held), est.predict(held))
    assert np.abs(net.predict_proba(held) - est.predict_proba(held)).max() < 1e-12
    assert np.abs(net.decision_function(held) - est.decision_function(held)).max() < 1e-12


# -- both -----------------------------------------------------------------------------------

def _library_models():
    X, y, _ = halves(*load_breast_cancer(return_X_y=True))
    Xc, yc = _with_a_category(*load_iris(return_X_y=True))
    return [_xgb(xgb.XGBClassifier, _with_nan(X), y),
            _lgbm(lgb.LGBMClassifier, _with_nan(X), y),
            _fit_categorical(lgb.LGBMClassifier, Xc, yc),
            _xgb(xgb.XGBClassifier, Xc, yc, enable_categorical=True, tree_method="hist",
                 feature_types=["q"] * 4 + ["c"], max_cat_to_onehot=1)]


@pytest.mark.parametrize("suffix", [".pt2", ".onnx"])
def test_library_models_export(tmp_path, suffix):
    X = _with_nan(load_breast_cancer().data[1::2], seed=5)
    Xc, _ = _with_a_category(*load_iris(return_X_y=True), seed=1)
    Xc[::7, -1] = -1.0  # an invalid category
    for est, rows in zip(_library_models(), (X, X, Xc, Xc)):
        net = nc.convert(est)
        path = nc.export(net, tmp_path / f"{type(est).__name__}{len(rows)}{suffix}")
        scores = exported_outputs(path, rows)[0]
        expected = (est.decision_function(rows) if hasattr(net, "decision_function")
                    else est.predict_proba(rows))
        rtol = XGB_RTOL if isinstance(est, xgb.XGBModel) else 1e-9
        assert np.abs(scores - expected).max() <= rtol * np.abs(expected).max()


def test_library_models_explain_and_draw(tmp_path):
    xgb_model, lgbm_model, categorical, _ = _library_models()
    text = nc.convert(xgb_model, tree_form="traversal").explain()
    assert "float32" in text and "tree traversal (40 trees" in text
    text = nc.convert(xgb_model, tree_form="network").explain()
    assert "float32(x_f) ≤ t" in text and "tree network (40 trees" in text
    assert "float32" not in nc.convert(lgbm_model).explain()
    for est in (xgb_model, categorical):
        path = tmp_path / f"{type(est).__name__}.svg"
        nc.draw(nc.convert(est)).save(path)
        assert path.stat().st_size > 0


def test_supported_list_names_them():
    names = nc.supported_estimators()
    assert {"XGBClassifier", "XGBRegressor", "LGBMClassifier", "LGBMRegressor"} <= set(names)


def test_command_line_reads_skops_files_of_both_libraries(tmp_path, monkeypatch, capsys):
    sio = pytest.importorskip("skops.io")
    from nnconvert.cli import main

    monkeypatch.chdir(tmp_path)
    X = _with_nan(load_breast_cancer().data[1::2], seed=6)  # both route missing values
    np.save("X.npy", X)
    for est in _library_models()[:2]:
        name = type(est).__name__
        sio.dump(est, f"{name}.skops")
        # their types are not among skops' trusted ones: the user names them (or --trust)
        assert main(["verify", f"{name}.skops", "--data", "X.npy", "--trust"]) == 0
        assert "PASSED" in capsys.readouterr().out
        assert main(["convert", f"{name}.skops", "--trust", "-o", f"{name}.pt2"]) == 0
        with torch.no_grad():
            out = torch.export.load(f"{name}.pt2").module()(torch.as_tensor(X))
        assert np.array_equal(out[1].numpy(), est.predict(X))  # the label indices
    X[3, 2] = np.inf  # NaN is a missing value, ±inf a value both libraries compare
    X[4, 5] = -np.inf
    np.save("X.npy", X)
    assert main(["verify", f"{name}.skops", "--data", "X.npy", "--trust"]) == 0
    assert "PASSED" in capsys.readouterr().out


def test_a_search_for_disagreement_finds_none(cancer):
    X, y, _ = cancer
    for est in (_xgb(xgb.XGBClassifier, X, y, n_estimators=15),
                _lgbm(lgb.LGBMClassifier, X, y, n_estimators=15)):
        assert nc.testing.find_disagreement(est, nc.convert(est), X, max_examples=60) is None
