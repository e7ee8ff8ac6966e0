"""Converters of scikit-learn's classic trees and forests (DecisionTree, ExtraTree,
RandomForest, ExtraTrees; classifiers and regressors) and the head of a forest classifier."""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.tree import (
    DecisionTreeClassifier,
    DecisionTreeRegressor,
    ExtraTreeClassifier,
    ExtraTreeRegressor,
)

from ...agreement import default_margin
from ...fitted import Fitted
from ...network.heads import FrequencyHead, RegressionHead
from ...registry import Conversion, converts, margin_rule
from .forms import tree_layer
from .paths import TreePaths
from .traversal import float32_threshold


def tree_arrays(tree, classifier: bool, name: str | None = None) -> dict:
    """The node arrays of one fitted ``tree_``, leaf values as scikit-learn's predict reads them.

    ``name`` says how errors name the tree (default: its class), e.g.
    ``"RandomForestClassifier.estimators_[3]"``; :mod:`.structure` checks the arrays when
    the table is built, and the values' shape is checked here, where it is read.
    """
    name = name or type(tree).__name__
    t = Fitted(tree, name).get("tree_")
    fitted = Fitted(t, f"{name}.tree_")
    n = fitted.integer("node_count", low=1)
    value = fitted.array("value", shape=(n, None, None))  # (nodes, outputs, classes)
    if value.shape[1] < 1 or value.shape[2] < 1:
        raise fitted.error("value", f"has shape {value.shape}, but at least one output and "
                                    "one value per node were expected")
    if classifier:
        # each output's frequencies, normalised on their own (a padded class of an output
        # with fewer classes holds 0), outputs side by side: (nodes, outputs × classes)
        total = value.sum(axis=2, keepdims=True)
        total[total == 0] = 1.0
        value = (value / total).reshape(n, -1)
    else:
        value = value[:, :, 0]
    missing = getattr(t, "missing_go_to_left", None)
    return dict(feature=t.feature, threshold=float32_threshold(t.threshold),
                left=t.children_left, right=t.children_right,
                missing_left=np.zeros(n, bool) if missing is None else missing,
                value=value, name=f"{name}.tree_")


def member_names(estimator, trees: list) -> list[str]:
    """How errors name each tree of ``estimator``: itself, or its ``estimators_[i]``."""
    if len(trees) == 1 and trees[0] is estimator:
        return [type(estimator).__name__]
    return [f"{type(estimator).__name__}.estimators_[{i}]" for i in range(len(trees))]


def refuse_multioutput_classifier(estimator):
    if getattr(estimator, "n_outputs_", 1) != 1:
        raise ValueError(f"{type(estimator).__name__} with {estimator.n_outputs_} outputs "
                         "(multi-output classification) is not supported; fit one per target")


def _paths(estimator, layer) -> TreePaths:
    # a forest answers apply (n, trees) and decision_path with n_nodes_ptr; a tree (n,)
    return TreePaths(layer, "forest" if hasattr(estimator, "estimators_") else "tree")


def _classifier(estimator, trees, options):
    arrays = [tree_arrays(t, True, name) for t, name in zip(trees, member_names(estimator, trees))]
    layer = tree_layer(arrays, estimator.n_features_in_, options, scale=1.0 / len(trees),
                       float32_range=True)
    if Fitted(estimator).integer("n_outputs_", low=1) != 1:
        from .multioutput import multi_output_conversion  # one head per output
        return multi_output_conversion(estimator, arrays, layer, _paths(estimator, layer))
    return Conversion(layers=[layer], head=FrequencyHead(len(estimator.classes_),
                                                         "a tree's step units have no gradient"),
                      paths=_paths(estimator, layer))


def _regressor(estimator, trees, options):
    layer = tree_layer([tree_arrays(t, False, name) for t, name in
                        zip(trees, member_names(estimator, trees))],
                       estimator.n_features_in_, options, scale=1.0 / len(trees),
                       float32_range=True)
    k = estimator.n_outputs_
    return Conversion(layers=[layer], head=RegressionHead(k, single=k == 1),
                      paths=_paths(estimator, layer))


@converts(DecisionTreeClassifier, ExtraTreeClassifier)
def _tree_classifier(estimator, options):
    """A tree layer, then the leaf's class frequencies: in the network form a decision unit per split
    ``step(t − x_f)`` and a leaf unit per leaf; in the traversal form a walk of the node table.

    Splits compare ``float32(x_f) ≤ t`` as scikit-learn's trees do; NaN goes where
    ``missing_go_to_left`` says. ``convert(..., tree_form=)`` picks the form: ``'auto'`` takes
    the network while its leaf units hold at most 65,536 weights. Both forms give the same bits.
    Only exact ties of frequencies count as near ties in ``verify``. Fitted on a 2-D y: one
    frequency head per output (``predict`` (n, k), ``predict_proba`` a list).

    Refused: ``tree_form='network'`` beyond 256 MiB of weights (with its size).
    """
    return _classifier(estimator, [estimator], options)


@converts(DecisionTreeRegressor, ExtraTreeRegressor)
def _tree_regressor(estimator, options):
    """A tree layer, then the leaf values; one target or several.

    The same two forms and split rules as the classifier.
    """
    return _regressor(estimator, [estimator], options)


@converts(RandomForestClassifier, ExtraTreesClassifier)
def _forest_classifier(estimator, options):
    """One tree layer for all the trees, then the average of their class frequencies.

    A forest draws its first and last trees and "… N more members". Fitted on a 2-D y: one
    frequency head per output.
    """
    return _classifier(estimator, list(estimator.estimators_), options)


@converts(RandomForestRegressor, ExtraTreesRegressor)
def _forest_regressor(estimator, options):
    """One tree layer for all the trees, then the average of their leaf values; one target or several.
    """
    return _regressor(estimator, list(estimator.estimators_), options)


@margin_rule.register(DecisionTreeClassifier)
@margin_rule.register(ExtraTreeClassifier)
@margin_rule.register(RandomForestClassifier)
@margin_rule.register(ExtraTreesClassifier)
def _frequency_margin(estimator, X, reference: dict) -> np.ndarray:
    """Only exact ties are near ties: tree probabilities are sums of leaf frequencies, so two
    classes either tie (to the rounding of a sum over the trees) or are apart by a whole
    frequency step, far beyond any tolerance; a label flipped there is a real disagreement."""
    margin = default_margin(reference)
    n_trees = len(getattr(estimator, "estimators_", [estimator]))
    return np.where(margin <= 4 * n_trees * np.finfo(np.float64).eps, 0.0, np.inf)
