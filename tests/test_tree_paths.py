"""apply and decision_path: every zoo model that answers them answers them exactly, in both
tree forms, with scikit-learn's shapes, dtypes and sparse format; the others have neither."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from zoo import BY_ID, CASES, fitted, probe_points

import nnconvert as nc

NUMERIC = [c.id for c in CASES if c.kind in ("classifier", "regressor")
           and c.dataset != "descriptions"]
#: the zoo's scikit-learn models that answer apply (trees, forests, gradient boosting);
#: XGBoost's apply (its own node numbering) is not converted
TREES = [case_id for case_id in NUMERIC if hasattr(BY_ID[case_id].make(), "apply")
         and type(BY_ID[case_id].make()).__module__.startswith("sklearn.")]
#: a model of every other family, and the tree ensembles that have no apply
OTHERS = [case_id for case_id in NUMERIC if case_id not in TREES
          and type(BY_ID[case_id].make()).__module__.startswith("sklearn.")][::4]


def _rows(X_test, X_train, with_nan: bool):
    rows = np.vstack([X_test, probe_points(X_train, 100)])
    if with_nan:  # trees that learnt where missing values go route them
        rows = rows.copy()
        rows[::7, 0] = np.nan
    return rows


def _assert_same_matrix(got, expected):
    assert type(got) is type(expected) and got.shape == expected.shape
    assert got.dtype == expected.dtype and got.format == "csr"
    assert got.indices.dtype == expected.indices.dtype
    assert got.has_sorted_indices
    assert (got != expected).nnz == 0


@pytest.mark.parametrize("tree_form", ["network", "traversal"])
@pytest.mark.parametrize("case_id", TREES)
def test_apply_and_decision_path_are_scikit_learns(case_id, tree_form):
    estimator, X_train, X_test = fitted(case_id)
    assert hasattr(estimator, "apply"), case_id
    try:
        net = nc.convert(estimator, tree_form=tree_form)
    except nc.ConversionError:
        pytest.skip("too large for the network form")
    nan = bool(getattr(net.input_schema.columns[0], "allow_nan", False))
    X = _rows(X_test, X_train, nan)
    expected, got = estimator.apply(X), net.apply(X)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)
    assert hasattr(net, "decision_path") == hasattr(estimator, "decision_path")
    if not hasattr(estimator, "decision_path"):
        return
    expected, got = estimator.decision_path(X), net.decision_path(X)
    if isinstance(expected, tuple):
        _assert_same_matrix(got[0], expected[0])
        np.testing.assert_array_equal(got[1], expected[1])
        assert got[1].dtype == expected[1].dtype
    else:
        _assert_same_matrix(got, expected)


@pytest.mark.parametrize("case_id", OTHERS)
def test_models_without_trees_have_no_decision_path(case_id):
    estimator, _, X_test = fitted(case_id)
    net = nc.convert(estimator)
    assert not hasattr(net, "decision_path")
    if not hasattr(estimator, "apply"):
        with pytest.raises(AttributeError, match="no apply"):
            net.apply(X_test)


def test_apply_with_a_function_is_torchs_module_apply():
    X, y = load_iris(return_X_y=True)
    net = nc.convert(DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y))
    seen = []
    assert net.apply(seen.append) is net
    assert net in seen and len(seen) == len(list(net.modules()))


def test_a_pipeline_has_no_apply_as_in_scikit_learn():
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), DecisionTreeClassifier(random_state=0)).fit(X, y)
    net = nc.convert(pipe)
    assert not hasattr(pipe, "decision_path") and not hasattr(net, "decision_path")
    with pytest.raises(AttributeError):
        net.apply(X)


def test_the_network_forms_path_is_its_firing_leaf_and_the_decision_units_it_reads():
    X, y = load_iris(return_X_y=True)
    tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    net = nc.convert(tree, tree_form="network")
    layer = net.body[0]
    path = net.decision_path(X[:1]).indices.tolist()
    leaf = net.apply(X[:1])[0]
    assert path[-1] == leaf and path[0] == 0
    # the leaf unit's non-zero weights are exactly the splits on its path
    unit = layer.leaf_nodes[0].index(next(n for n in layer.leaf_nodes[0]
                                          if int(layer.table.source[n]) == leaf))
    reads = np.flatnonzero(layer.leaf_weight[0, unit].numpy())
    splits = sorted(int(layer.table.source[layer.split_nodes[0][s]]) for s in reads)
    assert splits == path[:-1]
    assert "decision_path" in net.explain()


def test_paths_of_nan_rows():
    X, y = load_iris(return_X_y=True)
    X = X.copy()
    X[::5, 2] = np.nan  # the tree learns where missing values go
    tree = DecisionTreeRegressor(max_depth=4, random_state=0).fit(X, y)
    for form in ("network", "traversal"):
        net = nc.convert(tree, tree_form=form)
        np.testing.assert_array_equal(net.apply(X), tree.apply(X))
        assert (net.decision_path(X) != tree.decision_path(X)).nnz == 0
        assert isinstance(net.decision_path(X[:1]), scipy.sparse.csr_matrix)


def test_bad_input_gets_the_networks_clear_errors():
    X, y = load_iris(return_X_y=True)
    forest = RandomForestClassifier(3, max_depth=2, random_state=0).fit(X, y)
    net = nc.convert(forest)
    with pytest.raises(ValueError, match="4 features"):
        net.apply(X[:, :3])
    assert not hasattr(nc.convert(LogisticRegression(max_iter=500).fit(X, y)),
                       "decision_path")
