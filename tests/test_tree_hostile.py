"""Hostile trees: tampered fitted arrays, edited state_dicts and drawn node tables.

Each ends in one clear :class:`~nnconvert.errors.InvalidModelError` at conversion (or as the
state_dict is loaded), or in scikit-learn's own answer; never a crash, a hang or a silently
wrong network. What could crash (a walk over an edited table, the command line on a
tampered file) runs in a subprocess, so a regression fails a test instead of the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import skops.io as sio
from hypothesis import example, given
from hypothesis import strategies as st
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.ensemble import (
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.tree import DecisionTreeClassifier
from test_boosting import _with_a_category

import nnconvert as nc
from nnconvert.errors import InvalidModelError
from nnconvert.families.trees.structure import checked_tree


def _tamper(tree, field: str, node: int, value) -> None:
    """Write ``value`` into ``field`` of node ``node`` of a fitted ``tree_``, as an edited
    file would hold it (through the pickled state, the only way in)."""
    state = tree.tree_.__getstate__()
    state["nodes"][field][node] = value
    tree.tree_.__setstate__(state)


@pytest.fixture
def cancer_tree():
    X, y = load_breast_cancer(return_X_y=True)
    return DecisionTreeClassifier(max_depth=4, random_state=0).fit(X, y), X


def _inner_and_leaf(tree):
    t = tree.tree_
    inner = int(np.flatnonzero(t.children_left >= 0)[1])
    leaf = int(np.flatnonzero(t.children_left < 0)[0])
    return inner, leaf


@pytest.mark.parametrize("field, value, words", [
    ("feature", 10**6, "reads 1000000, but the model has 30 features (0 to 29)"),
    ("feature", -5, "reads -5, but the model has 30 features"),
    ("feature", 30, "reads 30, but the model has 30 features"),
    ("feature", 2**32 + 1, "reads 4294967297"),
    ("left_child", 10**6, "points at node 1000000, but the tree has"),
    ("left_child", 0, "reached twice from the root"),      # a cycle back to the root
    ("right_child", -1, "has no right child"),             # -1 on an inner node
    ("threshold", np.nan, "is NaN at node"),
])
@pytest.mark.parametrize("form", ["network", "traversal"])
def test_a_tampered_tree_is_refused_at_conversion(cancer_tree, field, value, words, form):
    tree, _ = cancer_tree
    inner, _ = _inner_and_leaf(tree)
    _tamper(tree, field, inner, value)
    with pytest.raises(InvalidModelError, match="DecisionTreeClassifier.tree_") as error:
        nc.convert(tree, tree_form=form)
    assert words in str(error.value)
    assert "corrupt or was edited" in str(error.value)


def test_a_node_whose_children_are_one_node_is_refused(cancer_tree):
    tree, _ = cancer_tree
    inner, _ = _inner_and_leaf(tree)
    _tamper(tree, "right_child", inner, tree.tree_.children_left[inner])
    with pytest.raises(InvalidModelError, match="reached twice"):
        nc.convert(tree)


def test_a_child_that_is_its_own_parent_is_refused(cancer_tree):
    tree, _ = cancer_tree
    inner, _ = _inner_and_leaf(tree)
    _tamper(tree, "left_child", inner, inner)
    with pytest.raises(InvalidModelError, match="reached twice"):
        nc.convert(tree)


def test_a_non_finite_leaf_value_is_refused(cancer_tree):
    tree, _ = cancer_tree
    state = tree.tree_.__getstate__()
    state["values"][_inner_and_leaf(tree)[1], 0, 0] = np.inf
    tree.tree_.__setstate__(state)
    with pytest.raises(InvalidModelError, match="tree_.value holds NaN or infinite"):
        nc.convert(tree)


@pytest.mark.parametrize("max_depth", [0, 1, 2**31 - 1])
def test_the_depth_comes_from_the_structure_not_max_depth(cancer_tree, max_depth):
    tree, X = cancer_tree
    state = tree.tree_.__getstate__()
    state["max_depth"] = max_depth
    tree.tree_.__setstate__(state)
    for form in ("network", "traversal"):
        net = nc.convert(tree, tree_form=form)
        np.testing.assert_array_equal(net.predict(X), tree.predict(X))
        np.testing.assert_allclose(net.predict_proba(X), tree.predict_proba(X), rtol=1e-12)


def test_a_forest_names_the_member_and_node():
    X, y = load_wine(return_X_y=True)
    forest = RandomForestClassifier(6, max_depth=3, random_state=0).fit(X, y)
    _tamper(forest.estimators_[3], "feature", 0, 10**6)
    with pytest.raises(InvalidModelError, match=r"RandomForestClassifier\.estimators_\[3\]\."
                                                r"tree_\.feature at node 0 reads 1000000, but "
                                                r"the model has 13 features"):
        nc.convert(forest)


def test_gradient_boosting_names_stage_and_class():
    X, y = load_iris(return_X_y=True)
    model = GradientBoostingClassifier(n_estimators=4, max_depth=2, random_state=0).fit(X, y)
    _tamper(model.estimators_[2, 1], "left_child", 0, 10**6)
    with pytest.raises(InvalidModelError, match=r"estimators_\[2, 1\]\.tree_\.children_left "
                                                "at node 0 points at node 1000000"):
        nc.convert(model)


def _hist(**kwargs):
    X, y = _with_a_category(*load_iris(return_X_y=True))
    return HistGradientBoostingClassifier(max_iter=3, random_state=0, **kwargs).fit(X, y)


@pytest.mark.parametrize("field, value, words", [
    ("feature_idx", 10**6, "reads 1000000, but the model has 5 features"),
    ("left", 10**6, "points at node 1000000"),
    ("right", 0, "reached twice from the root"),
])
def test_hist_gradient_boosting_predictor_nodes_are_checked(field, value, words):
    model = _hist()
    nodes = model._predictors[1][2].nodes
    nodes[field][0] = value  # these are the arrays a loaded file holds
    with pytest.raises(InvalidModelError, match=r"_predictors\[1\]\[2\]") as error:
        nc.convert(model)
    assert words in str(error.value)


def test_hist_gradient_boosting_bitset_index_is_checked():
    model = _hist(categorical_features=[2])
    for predictor in (p for iteration in model._predictors for p in iteration):
        split = np.flatnonzero(predictor.nodes["is_categorical"] & ~predictor.nodes["is_leaf"]
                               .astype(bool))
        if split.size:
            predictor.nodes["bitset_idx"][split[0]] = 10**6
            break
    else:
        pytest.fail("no categorical split was fitted")
    with pytest.raises(InvalidModelError, match="bitset_idx.*reads 1000000, but there are"):
        nc.convert(model)


# -- a tampered file through load_model and the command line -----------------------------

def _run(code: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONWARNINGS="ignore")
    return subprocess.run([sys.executable, *(["-c", textwrap.dedent(code)] if code else []),
                           *args], env=env, capture_output=True, text=True, timeout=timeout)


TREE_TYPE = "sklearn.tree._tree.Tree"


@pytest.fixture(scope="module")
def tampered_file(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    X, y = load_breast_cancer(return_X_y=True)
    tree = DecisionTreeClassifier(max_depth=4, random_state=0).fit(X, y)
    _tamper(tree, "feature", 0, 10**6)
    sio.dump(tree, d / "tree.skops")
    np.save(d / "X.npy", X[:20])
    return d


def test_a_tampered_skops_file_is_refused_by_load_model_and_convert(tampered_file):
    model = nc.load_model(tampered_file / "tree.skops", trusted_types=[TREE_TYPE])
    with pytest.raises(InvalidModelError, match="reads 1000000, but the model has 30"):
        nc.convert(model)


@pytest.mark.parametrize("command", ["convert", "verify", "explain"])
def test_the_command_line_refuses_a_tampered_file_in_one_line(tampered_file, command):
    out = {"convert": ["-o", str(tampered_file / "x.pt2")],
           "verify": ["--data", str(tampered_file / "X.npy")], "explain": []}[command]
    result = _run("", "-m", "nnconvert", command, str(tampered_file / "tree.skops"),
                  "--trust-type", TREE_TYPE, *out)
    assert result.returncode == 2, result.stderr
    assert "reads 1000000, but the model has 30 features" in result.stderr
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr


# -- edited state_dicts ------------------------------------------------------------------

_EDITED = """
    import numpy as np, torch, nnconvert as nc
    from nnconvert.errors import InvalidModelError
    from sklearn.datasets import load_iris
    from sklearn.ensemble import HistGradientBoostingClassifier, GradientBoostingClassifier
    X, y = load_iris(return_X_y=True)
    code = np.random.default_rng(0).integers(0, 6, len(X)).astype(float)
    y = np.where(np.isin(code, [1, 4]), (y + 1) % 3, y)
    X = np.c_[X, code]
    models = [HistGradientBoostingClassifier(max_iter=3, categorical_features=[4],
                                             random_state=0).fit(X, y),
              GradientBoostingClassifier(n_estimators=3, random_state=0).fit(X, y)]
    for model in models:
        for buffer, value in [("feature", 10**6), ("feature", -1), ("base", 10**6),
                              ("base", -5), ("roots", 10**6), ("category_row", 10**6),
                              ("own_order", 0)]:
            for compiled in (True, False):
                net = nc.convert(model, tree_form="traversal")
                layer = [m for m in net.modules() if hasattr(m, "_compiled_walk")][0]
                if not hasattr(layer, buffer):
                    continue
                layer.compiled = compiled
                state = {k: v.clone() for k, v in net.state_dict().items()}
                key = [k for k in state if k.endswith("." + buffer)][0]
                # the last node, or the first that reads a category row
                at = (int(torch.nonzero(layer.is_categorical)[0]) if buffer == "category_row"
                      else -1)
                state[key].view(-1)[at] = value
                try:
                    net.load_state_dict(state)  # refused as it is loaded
                    print("LOADED", type(model).__name__, buffer, value)
                except InvalidModelError as e:
                    print("REFUSED", str(e).split(".")[1][:30])
                with torch.no_grad():  # the same edit in place, after loading
                    getattr(layer, buffer).view(-1)[at] = value
                try:
                    net.predict(X[:5])
                    print("WALKED", type(model).__name__, buffer, value, compiled)
                except InvalidModelError:
                    print("REFUSED")
    print("DONE")
"""


def test_an_edited_state_dict_is_refused_never_walked():
    result = _run(_EDITED, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.split("\n")
    assert lines[-2] == "DONE"
    assert not [line for line in lines if line.startswith(("LOADED", "WALKED"))], result.stdout
    assert sum(line.startswith("REFUSED") for line in lines) >= 40


# -- drawn node tables -------------------------------------------------------------------

def _reference_check(left, right, feature, n_features):
    """Whether the arrays are a tree (a plain recursive definition), and its depth."""
    n = len(left)
    seen = set()

    def visit(node, depth):
        if node in seen or not 0 <= node < n:
            raise ValueError
        seen.add(node)
        if left[node] < 0:
            if right[node] >= 0:
                raise ValueError
            return depth
        if right[node] < 0 or not 0 <= feature[node] < n_features:
            raise ValueError
        return max(visit(left[node], depth + 1), visit(right[node], depth + 1))

    try:
        depth = visit(0, 0)
    except (ValueError, RecursionError):
        return None
    return depth if len(seen) == n else None


@st.composite
def node_tables(draw):
    n = draw(st.integers(1, 12))
    child = st.integers(-2, n + 1)
    left = np.array(draw(st.lists(child, min_size=n, max_size=n)))
    right = np.array(draw(st.lists(child, min_size=n, max_size=n)))
    feature = np.array(draw(st.lists(st.integers(-1, 4), min_size=n, max_size=n)))
    return left, right, feature


@example((np.array([1, -1, -1]), np.array([2, -1, -1]), np.array([0, 0, 0])))
@example((np.array([1, 0, -1]), np.array([2, 0, -1]), np.array([0, 0, 0])))
@example((np.array([1, -1, -1]), np.array([1, -1, -1]), np.array([0, 0, 0])))
@given(node_tables())
def test_drawn_tables_are_accepted_exactly_when_they_are_trees(table):
    left, right, feature = table
    n = len(left)
    arrays = dict(left=left, right=right, feature=feature, threshold=np.zeros(n),
                  missing_left=np.zeros(n, bool), value=np.ones((n, 1)))
    expected = _reference_check(left, right, feature, 3)
    if expected is None:
        with pytest.raises(InvalidModelError):
            checked_tree(arrays, 3, "drawn")
    else:
        order, depth = checked_tree(arrays, 3, "drawn")
        assert depth == expected
        assert sorted(order.tolist()) == list(range(n))


def test_a_deep_comb_is_checked_without_recursion():
    """A 5,000-level comb (each split's right child a leaf): a table no fit makes, but a
    file may hold; the depth and the order come from loops, never recursion."""
    levels = 5_000
    total = 2 * levels + 1
    left, right = -np.ones(total, np.int64), -np.ones(total, np.int64)
    spine = np.arange(levels)
    left[spine] = spine + 1
    right[spine] = levels + 1 + spine
    arrays = dict(left=left, right=right, feature=np.zeros(total, np.int64),
                  threshold=np.zeros(total), missing_left=np.zeros(total, bool),
                  value=np.ones((total, 1)))
    order, depth = checked_tree(arrays, 1, "comb")
    assert depth == levels and sorted(order.tolist()) == list(range(total))


# -- the network form after a state_dict edit ---------------------------------------------

@pytest.mark.parametrize("buffer, value", [
    ("split_feature", 10**6), ("split_feature", -1), ("split_threshold", float("nan")),
    ("leaf_weight", 2.0), ("leaf_bias", 3.0), ("leaf_value", float("inf"))])
def test_the_network_form_refuses_an_edited_state_dict_as_it_is_loaded(buffer, value):
    import io

    import torch

    X, y = load_iris(return_X_y=True)
    forest = RandomForestClassifier(n_estimators=3, max_depth=3, random_state=0).fit(X, y)
    net = nc.convert(forest, tree_form="network")
    state = {k: v.clone() for k, v in net.state_dict().items()}
    key = next(k for k in state if k.endswith("." + buffer))
    state[key].view(-1)[0] = value
    saved = io.BytesIO()
    torch.save(state, saved)
    saved.seek(0)
    loaded = torch.load(saved, weights_only=True)  # the careful way: tensors only
    fresh = nc.convert(forest, tree_form="network")
    with pytest.raises(nc.InvalidModelError, match=rf"TreeNetwork\.{buffer}\b"):
        fresh.load_state_dict(loaded)
    # what was copied in before the refusal is refused again before any forward pass
    with pytest.raises(nc.InvalidModelError, match=rf"TreeNetwork\.{buffer}\b"):
        fresh.predict(X[:4])
    # an edit in place after loading, and a move, are caught at the next forward pass too
    net.load_state_dict(net.state_dict())
    layer = next(m for m in net.modules() if hasattr(m, "split_feature"))
    with torch.no_grad():
        getattr(layer, buffer).view(-1)[0] = value
    with pytest.raises(nc.InvalidModelError, match=rf"TreeNetwork\.{buffer}\b"):
        net.to(torch.float64).apply(X[:4])
