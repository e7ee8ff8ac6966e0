"""Classifiers of several targets: multi-output trees and forests, k-NN and radius
neighbours, DummyClassifier, the multilabel MLP, MultiOutputClassifier and ClassifierChain.

Exact networks on held-out rows, rows beyond the training range and rows on exact ties;
scikit-learn's shapes and dtypes (a list of probability arrays, or one array; labels in the
estimator's dtype); explain, draw, export, command line; refusals and hostile attributes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from command_line import verify_convert_draw
from equivalence import assert_equivalent, exported_outputs
from sklearn.datasets import load_iris, make_multilabel_classification
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.multioutput import ClassifierChain, MultiOutputClassifier
from sklearn.neighbors import RadiusNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier
from test_errors import Majority
from zoo import fitted, ids, probe_points

import nnconvert as nc
from nnconvert.errors import ConversionError, InvalidModelError, UnsupportedEstimatorError
from nnconvert.export import labels, read_metadata
from nnconvert.verify import compare

CASES = ids(kind="multioutput_classifier")


def _far(X: np.ndarray) -> np.ndarray:
    """Rows far outside the training range: the centre plus 100 to 10⁴ spreads."""
    rng = np.random.default_rng(1)
    scale = np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
    return X.mean(axis=0) + rng.normal(size=(20, X.shape[1])) * scale * \
        np.logspace(2, 4, 20)[:, None]


def _same_shapes(expected, got) -> None:
    """``got`` has scikit-learn's form: a list of arrays of the same shapes, or an array."""
    assert isinstance(got, list) == isinstance(expected, list)
    if isinstance(expected, list):
        assert [a.shape for a in got] == [a.shape for a in expected]
    else:
        assert got.shape == np.asarray(expected).shape


def test_the_zoo_crosses_each_wrapper_with_every_family():
    for wrapper in ("multi-output", "chain"):
        members = {c.split("-", 2 if wrapper == "multi-output" else 1)[-1].rsplit("-", 2)[0]
                   for c in CASES if c.startswith(wrapper + "-")}
        assert {"linear", "tree", "forest", "knn", "bayes", "svc", "mlp"} <= members, members


@pytest.mark.parametrize("case_id", CASES)
def test_exact_in_float64(case_id):
    estimator, X_train, X_test = fitted(case_id)
    net = nc.convert(estimator)
    assert isinstance(net, nc.ConvertedMultiOutputClassifier)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # log(0) of a zero probability
        for X in (X_test, probe_points(X_train, 100), _far(X_train)):
            if "radius" in case_id or "chain" in case_id and "tree" not in case_id:
                X = X[:len(X_test)] if X is not X_test else X
            assert_equivalent(estimator, net, X)
            predict = estimator.predict(X)
            np.testing.assert_array_equal(net.predict(X), predict)
            assert net.predict(X).dtype == predict.dtype
        if hasattr(estimator, "predict_proba"):
            _same_shapes(estimator.predict_proba(X_test), net.predict_proba(X_test))
    classes = estimator.classes_
    assert type(net.classes_) is type(classes)
    for mine, theirs in zip(net.classes_, classes):
        np.testing.assert_array_equal(mine, theirs)


@pytest.mark.parametrize("case_id", CASES[::3])
def test_float32_agrees_outside_the_tie_band(case_id):
    estimator, _, X_test = fitted(case_id)
    report = compare(estimator, nc.convert(estimator, dtype=torch.float32), X_test, rtol=1e-4)
    assert report.n_disagreements == 0, report


@pytest.mark.parametrize("case_id", CASES)
def test_explains_and_draws(case_id):
    estimator, _, _ = fitted(case_id)
    net = nc.convert(estimator)
    text = net.explain()
    assert f"{net.head.n_targets} targets" in text and "predict(x)_j" in text
    source = nc.draw(net).graph.source
    assert source.count("->") > 0 and "target 0" in source


@pytest.mark.parametrize("case_id, suffix", [
    ("multi-tree-str-wine", ".onnx"), ("chain-linear-multilabel", ".onnx"),
    ("multilabel-mlp", ".pt2"), ("multi-knn-iris", ".pt2")])
def test_export_names_the_outputs(case_id, suffix, tmp_path):
    estimator, _, X_test = fitted(case_id)
    net = nc.convert(estimator)
    path = nc.export(net, tmp_path / f"model{suffix}")
    meta = read_metadata(path)
    assert meta["kind"] == "multioutput_classifier"
    assert meta["outputs"][-1] == "label_index" and len(meta["classes"]) == net.head.n_targets
    outputs = exported_outputs(path, X_test)
    assert len(outputs) == len(meta["methods"]) == len(net.methods)
    for method, got in zip(meta["methods"], outputs):
        with torch.no_grad():
            expected = net.output_tensors(torch.as_tensor(X_test), [method])[method].numpy()
        if method == "predict":  # the label index of each target, each in its classes
            np.testing.assert_array_equal(got, expected)
            # every target's labels from its own classes, in scikit-learn's dtype
            got_labels, expected_labels = labels(meta, got), estimator.predict(X_test)
            assert got_labels.dtype == expected_labels.dtype
            np.testing.assert_array_equal(got_labels, expected_labels)
        else:
            np.testing.assert_allclose(got, expected, rtol=1e-10, atol=0)


def test_command_line_verify_convert_draw(tmp_path):
    estimator, _, X_test = fitted("chain-linear-multilabel")
    verify_convert_draw(tmp_path, estimator, X_test)


def test_predict_proba_forms_as_scikit_learn():
    tree, _, X = fitted("multi-tree-iris")
    assert isinstance(nc.convert(tree).predict_proba(X), list)
    mlp, _, X = fitted("multilabel-mlp")
    assert nc.convert(mlp).predict_proba(X).shape == (len(X), 4)
    chain, _, X = fitted("chain-linear-multilabel")
    assert nc.convert(chain).predict_proba(X).shape == (len(X), 4)
    assert nc.convert(chain).decision_function(X).shape == (len(X), 4)


@pytest.mark.parametrize("case_id", ["chain-linear-multilabel", "multi-output-tree-str-wine",
                                     "multilabel-mlp"])
def test_score_is_the_subset_accuracy_and_no_disagreement_is_found(case_id):
    estimator, X_train, X_test = fitted(case_id)
    net = nc.convert(estimator)
    Y = estimator.predict(X_test)
    Y[::3, 0] = Y[1::3, 0]  # some wrong answers to score
    assert net.score(X_test, Y) == estimator.score(X_test, Y)
    assert nc.testing.find_disagreement(estimator, net, X_train, max_examples=15) is None


@pytest.mark.parametrize("case_id", ["multi-output-forest-str-wine", "chain-tree-multilabel",
                                     "multi-forest-str-iris"])
def test_options_reach_every_member(case_id):
    from nnconvert.families.trees.network import TreeNetwork
    from nnconvert.families.trees.traversal import TreeLayer, TreeTraversal

    estimator, _, X_test = fitted(case_id)
    for form, kind in (("traversal", TreeTraversal), ("network", TreeNetwork)):
        net = nc.convert(estimator, tree_form=form)
        layers = [m for m in net.modules() if isinstance(m, TreeLayer)]
        assert layers and all(type(layer) is kind for layer in layers), form
        np.testing.assert_array_equal(net.predict(X_test), estimator.predict(X_test))


@pytest.mark.parametrize("case_id", ["multi-tree-iris", "multi-forest-str-iris"])
def test_trees_of_several_outputs_answer_apply_and_decision_path(case_id):
    estimator, _, X_test = fitted(case_id)
    net = nc.convert(estimator)
    np.testing.assert_array_equal(net.apply(X_test), estimator.apply(X_test))
    got, expected = net.decision_path(X_test), estimator.decision_path(X_test)
    if isinstance(expected, tuple):  # a forest's (indicator, n_nodes_ptr)
        np.testing.assert_array_equal(got[1], expected[1])
        got, expected = got[0], expected[0]
    assert got.shape == expected.shape and (got != expected).nnz == 0


def test_a_radius_with_no_neighbour_is_refused_as_in_scikit_learn():
    X, y = load_iris(return_X_y=True)
    Y = np.column_stack([y, X[:, 0] > 5.8])
    model = RadiusNeighborsClassifier(0.3).fit(X, Y)
    lonely = X[:2] + 5.0
    with pytest.raises(ValueError, match="No neighbors found"):
        model.predict_proba(lonely)
    with pytest.raises(ValueError, match="No neighbors found"):
        nc.convert(model).predict_proba(lonely)


def test_methods_the_estimator_lacks_are_absent():
    without, _, _ = fitted("multi-output-linear-svc-str-wine")
    net = nc.convert(without)
    assert not hasattr(without, "predict_proba") and not hasattr(net, "predict_proba")
    assert not hasattr(net, "decision_function")  # MultiOutputClassifier has none
    chain, _, _ = fitted("chain-tree-multilabel")
    assert not hasattr(nc.convert(chain), "decision_function")


@pytest.mark.parametrize("make", [
    lambda: DecisionTreeClassifier(random_state=0),
    lambda: MultiOutputClassifier(DecisionTreeClassifier(random_state=0)),
    lambda: DummyClassifier(strategy="most_frequent"),
], ids=["tree", "multi-output", "dummy"])
def test_label_dtypes_as_scikit_learn(make):
    # strings of different lengths per target (the dtype is the first target's for a tree,
    # numpy's common one for a MultiOutputClassifier, the chosen labels' for a dummy),
    # non-contiguous integers, floats
    X, y = load_iris(return_X_y=True)
    names = np.array(["a", "bb", "c"])[y]
    wide = np.where(X[:, 1] > 3, "wide-sepal", "no")
    for target in (np.column_stack([names, wide]), np.column_stack([wide, names]),
                   np.column_stack([y * 7 - 3, X[:, 0] > 5.8]),
                   np.column_stack([y * 2.0 - 1, X[:, 0] > 5.8]).astype(np.float64)):
        model = make().fit(X, target)
        got, expected = nc.convert(model).predict(X), model.predict(X)
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("chain_method", ["predict", "predict_proba", "decision_function"])
def test_chain_members_at_exact_ties(chain_method):
    # no intercepts: at x = 0 every member's score is 0 exactly (a decision of 0, a
    # probability of 0.5), which scikit-learn's members send to classes_[0]; the links after
    # read that label (or that 0.5, that 0) as scikit-learn feeds it
    X, Y = make_multilabel_classification(n_samples=200, n_features=5, n_classes=3,
                                          random_state=2)
    X = X - X.mean(axis=0)
    chain = ClassifierChain(LogisticRegression(fit_intercept=False), order=[2, 0, 1],
                            chain_method=chain_method).fit(X, Y)
    ties = np.zeros((4, 5))
    ties[2:] = -0.0  # signed zeros too
    net = nc.convert(chain)
    np.testing.assert_array_equal(net.predict(ties), chain.predict(ties))
    assert (net.predict(ties)[:, 2] == 0.0).all()  # the first link, at its tie: classes_[0]
    if chain_method == "predict":  # every link reads 0 and scores 0 exactly
        np.testing.assert_array_equal(net.predict(ties), 0.0)
    np.testing.assert_array_equal(net.predict_proba(ties), chain.predict_proba(ties))
    assert nc.verify(chain, net, np.vstack([ties, X]), progress=False).passed


def test_chain_of_members_of_more_than_two_classes_predicts():
    # scikit-learn chains their labels; its predict_proba fails on them (one column each),
    # so the network answers predict only
    X, Y = load_iris(return_X_y=True)
    Y = np.column_stack([Y, (X[:, 0] > 5.8).astype(int)])
    chain = ClassifierChain(DecisionTreeClassifier(max_depth=3, random_state=0),
                            order=[1, 0]).fit(X, Y)
    net = nc.convert(chain)
    np.testing.assert_array_equal(net.predict(X + 0.05), chain.predict(X + 0.05))
    with pytest.raises(ValueError):
        chain.predict_proba(X)
    assert net.methods == ("predict",)
    with pytest.raises(ConversionError, match="more than two classes"):
        nc.convert(ClassifierChain(DecisionTreeClassifier(max_depth=3), chain_method=
                                   "predict_proba").fit(X, Y))


def test_verify_fails_a_network_that_disagrees():
    chain, _, X_test = fitted("chain-linear-multilabel")
    net = nc.convert(chain)
    with torch.no_grad():
        for parameter in net.parameters():
            parameter.add_(0.5)
    report = nc.verify(chain, net, X_test, progress=False)
    assert not report.passed and report.n_disagreements > 0


def test_refusals_name_the_problem():
    X, Y = make_multilabel_classification(n_samples=80, n_classes=3, random_state=0)
    with pytest.raises(ConversionError, match="random"):
        nc.convert(DummyClassifier(strategy="stratified").fit(X, Y))
    with pytest.raises(UnsupportedEstimatorError, match="member 0.*Majority"):
        nc.convert(MultiOutputClassifier(Majority()).fit(X, Y))


@pytest.mark.parametrize("attribute, value, message", [
    ("order_", [0, 0, 1], "order_"),
    ("order_", [0, 1, 7], "order_"),
    ("chain_method_", "predict_everything", "chain_method_"),
    ("estimators_", [], "estimators_"),
])
def test_hostile_chain_attributes_are_refused(attribute, value, message):
    X, Y = make_multilabel_classification(n_samples=80, n_classes=3, random_state=0)
    chain = ClassifierChain(LogisticRegression()).fit(X, Y)
    setattr(chain, attribute, np.asarray(value) if attribute == "order_" else value)
    with pytest.raises(InvalidModelError, match=message):
        nc.convert(chain)


@pytest.mark.parametrize("attribute", ["classes_", "n_classes_", "class_prior_"])
def test_hostile_per_target_attributes_are_refused(attribute):
    X, Y = make_multilabel_classification(n_samples=80, n_classes=3, random_state=0)
    model = (DummyClassifier() if attribute == "class_prior_" else
             DecisionTreeClassifier(max_depth=3)).fit(X, Y)
    value = getattr(model, attribute)
    setattr(model, attribute, value[:2] if isinstance(value, list) else np.asarray(value)[:2])
    with pytest.raises(InvalidModelError, match=attribute):
        nc.convert(model)
