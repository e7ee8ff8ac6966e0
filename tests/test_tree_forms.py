"""Trees take two forms of one function: step units (the network) and a walk (the traversal).

Both must give the same bits on held-out rows, on rows at a split threshold and one float32
step either side, and on NaN rows; 'auto' takes the network while it is small; the network
form is refused, with its size, where it would not fit; the network draws unit by unit.
"""

import numpy as np
import pytest
import skops.io as sio
from equivalence import exported_outputs
from sklearn.base import is_classifier
from sklearn.datasets import load_diabetes, load_iris, load_wine, make_regression
from sklearn.ensemble import (
    AdaBoostClassifier,
    BaggingRegressor,
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.tree import DecisionTreeClassifier, ExtraTreeRegressor

import nnconvert as nc
from nnconvert.cli import main
from nnconvert.families.trees.network import TreeNetwork
from nnconvert.families.trees.traversal import TreeTraversal


def _edge_rows(X, estimator) -> np.ndarray:
    """Rows with one feature at a split threshold of the first tree, or one float32 step off
    (HistGradientBoosting: one float64 step)."""
    if hasattr(estimator, "_predictors"):
        nodes = estimator._predictors[0][0].nodes
        splits = [(n["feature_idx"], n["num_threshold"]) for n in nodes if not n["is_leaf"]]
        step = lambda t, to: np.nextafter(t, to)  # noqa: E731
    else:
        trees = getattr(estimator, "estimators_", [estimator])
        t = np.ravel(trees)[0].tree_
        splits = [(t.feature[n], t.threshold[n]) for n in np.flatnonzero(t.children_left >= 0)]
        step = lambda t, to: float(np.nextafter(np.float32(t), np.float32(to)))  # noqa: E731
    rows = []
    for k, (feature, threshold) in enumerate(splits[:12]):
        for v in (threshold, step(threshold, np.inf), step(threshold, -np.inf)):
            row = X[k % len(X)].copy()
            row[feature] = v
            rows.append(row)
    return np.array(rows)


def _with_nan(X, every: int = 5) -> np.ndarray:
    X = X.copy()
    X[::every, 1] = np.nan
    X[2::every, 3] = np.nan
    return X


FORMS_CASES = {
    "tree-nan": (lambda: DecisionTreeClassifier(max_depth=4, random_state=0), "wine", True),
    "forest-nan": (lambda: RandomForestClassifier(12, max_depth=5, random_state=0), "wine",
                   True),
    "extratrees-regressor": (lambda: ExtraTreesRegressor(8, max_depth=5, random_state=0),
                             "diabetes", False),
    "gradient-boosting": (lambda: GradientBoostingClassifier(n_estimators=15, max_depth=3,
                                                             random_state=0), "wine", False),
    "hist-gradient-boosting": (lambda: HistGradientBoostingRegressor(max_iter=20,
                                                                     random_state=0),
                               "diabetes", True),
    "adaboost": (lambda: AdaBoostClassifier(n_estimators=10, random_state=0), "wine", False),
    "bagging": (lambda: BaggingRegressor(ExtraTreeRegressor(max_depth=4), 6, max_features=0.7,
                                         random_state=0), "diabetes", False),
}


def _data(name):
    return (load_wine if name == "wine" else load_diabetes)(return_X_y=True)


@pytest.mark.parametrize("case", FORMS_CASES)
def test_both_forms_give_the_same_bits(case):
    make, dataset, nan = FORMS_CASES[case]
    X, y = _data(dataset)
    fit_X = _with_nan(X) if nan else X
    estimator = make().fit(fit_X[::2], y[::2])
    rows = np.vstack([X[1::2], _edge_rows(X, estimator)] + ([_with_nan(X[1::2])] if nan else []))
    network = nc.convert(estimator, tree_form="network")
    traversal = nc.convert(estimator, tree_form="traversal")
    assert any(isinstance(m, TreeNetwork) for m in network.modules())
    assert any(isinstance(m, TreeTraversal) for m in traversal.modules())
    for method in ("predict_proba", "decision_function", "predict"):
        if not hasattr(estimator, method):
            continue
        a, b = getattr(network, method)(rows), getattr(traversal, method)(rows)
        assert np.array_equal(a, b), method
        expected = getattr(estimator, method)(rows)
        if method == "predict" and is_classifier(estimator):
            assert np.array_equal(a, expected)
        else:
            assert np.abs(a - expected).max() <= 1e-12 * max(1.0, np.abs(expected).max())


def test_auto_takes_the_network_while_it_is_small():
    X, y = load_iris(return_X_y=True)
    small = nc.convert(DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y))
    assert isinstance(small.body[0], TreeNetwork)
    X, y = make_regression(2000, 6, random_state=0)
    big = RandomForestRegressor(10, random_state=0).fit(X, y)
    assert isinstance(nc.convert(big).body[0], TreeTraversal)


def test_network_form_refused_with_its_size():
    X, y = make_regression(3000, 5, noise=1.0, random_state=0)
    forest = RandomForestRegressor(40, random_state=0).fit(X, y)
    with pytest.raises(nc.ConversionError, match=r"40 trees × \d+ leaf units × \d+ decision "
                                                 r"units .* MiB .*tree_form='traversal'"):
        nc.convert(forest, tree_form="network")
    assert isinstance(nc.convert(forest, tree_form="auto").body[0], TreeTraversal)


def test_categorical_splits_take_the_traversal():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.integers(0, 4, 300), rng.normal(size=300)]).astype(float)
    y = (X[:, 0] % 2 == 0) ^ (X[:, 1] > 0)
    model = HistGradientBoostingClassifier(max_iter=5, categorical_features=[0],
                                           random_state=0).fit(X, y)
    with pytest.raises(nc.ConversionError, match="category codes.*tree_form='traversal'"):
        nc.convert(model, tree_form="network")
    net = nc.convert(model)
    assert any(isinstance(m, TreeTraversal) for m in net.modules())
    assert np.array_equal(net.predict(X), model.predict(X))


def test_unknown_tree_form_is_named():
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match="tree_form must be one of 'auto', 'network', "
                                         "'traversal', got 'graph'"):
        nc.convert(DecisionTreeClassifier().fit(X, y), tree_form="graph")


def test_a_depth_three_tree_draws_as_decision_and_leaf_units():
    X, y = load_wine(return_X_y=True)
    tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    t = tree.tree_
    source = nc.draw(nc.convert(tree)).source
    for node in np.flatnonzero(t.children_left >= 0):
        assert f"x{t.feature[node]} ≤ {np.float32(t.threshold[node]):.4g}" in source
    for node in np.flatnonzero(t.children_left < 0):
        assert f"leaf {node}" in source
    assert "decision units" in source and "leaf units" in source


def test_a_forest_draws_its_first_and_last_trees():
    X, y = load_iris(return_X_y=True)
    forest = RandomForestClassifier(8, max_depth=2, random_state=0).fit(X, y)
    source = nc.draw(nc.convert(forest)).source
    assert "tree 1: decision units" in source and "tree 8: decision units" in source
    assert "tree 4: decision units" not in source
    assert "… 6 more members" in source


def test_explain_says_what_the_units_compute():
    X, y = load_iris(return_X_y=True)
    text = nc.convert(DecisionTreeClassifier(max_depth=2).fit(X, y)).explain()
    assert "decision units step(t − x_f)" in text and "leaf units: the AND" in text


def test_fine_tune_refuses_step_units_with_the_reason():
    X, y = load_iris(return_X_y=True)
    net = nc.convert(DecisionTreeClassifier(max_depth=2).fit(X, y), tree_form="network")
    with pytest.raises(Exception, match="no gradient"):
        nc.fine_tune(net, X, y)


@pytest.mark.parametrize("form", ["network", "traversal"])
def test_both_forms_export(form, tmp_path):
    X, y = load_wine(return_X_y=True)
    X = _with_nan(X)
    model = RandomForestClassifier(5, max_depth=3, random_state=0).fit(X, y)
    net = nc.convert(model, tree_form=form)
    scores, label_index = exported_outputs(nc.export(net, tmp_path / "forest.pt2"), X)
    assert np.abs(scores - model.predict_proba(X)).max() <= 1e-12
    assert np.array_equal(model.classes_[label_index], model.predict(X))
    pytest.importorskip("onnxruntime")
    nc.export(net, tmp_path / "forest.onnx")  # checks itself against the network


def test_command_line_takes_the_form(tmp_path, capsys):
    X, y = load_iris(return_X_y=True)
    sio.dump(DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y),
             tmp_path / "tree.skops")
    trust = ["--trust-type", "sklearn.tree._tree.Tree"]
    assert main(["explain", str(tmp_path / "tree.skops"), "--tree-form", "traversal",
                 *trust]) == 0
    assert "tree traversal" in capsys.readouterr().out
    assert main(["explain", str(tmp_path / "tree.skops"), "--tree-form", "network",
                 *trust]) == 0
    assert "leaf units" in capsys.readouterr().out
