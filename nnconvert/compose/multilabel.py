"""Classifiers of several targets: one member per target, side by side or in a chain.

``MultiOutputClassifier`` fits one classifier per column of Y: each member is converted
whole (:mod:`.members`) and answers ``predict`` (its class index) and, where every member
has it, ``predict_proba``, side by side; the head
(:class:`~nnconvert.network.multioutput.MultiOutputHead`) stacks the labels and lists the
probabilities, as scikit-learn does.

``ClassifierChain`` feeds member ``j`` the features and what the members before it answered
to ``chain_method`` (``X_aug = [X, f_0, …, f_{j−1}]``): by default their *predictions*,
the labels themselves (``classes_[index]``), else ``predict_proba``'s P(classes_[1]), its
log, or the decision score. Each link of the chain passes its input through and appends its
member's answers and the feature it feeds on; a last selection puts every target's answers
back in target order (the inverse of ``order_``).

:func:`per_target` is the same head for estimators that are one model of several targets
(a multi-output tree, a multilabel MLP, a DummyClassifier on a 2-D y): each target's block of
the body's output is read by a head of its own.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.multioutput import ClassifierChain, MultiOutputClassifier

from ..errors import UnsupportedEstimatorError
from ..fitted import Fitted
from ..layers import ColumnBranches, Layer, LayerDescription, SelectColumns, as_buffer
from ..network.heads import Head
from ..network.multioutput import MultiOutputHead
from ..options import Options
from ..registry import Conversion, converts
from .members import Columns, Member, convert_member, side_by_side

__all__ = ["per_target", "AppendFeature"]


def per_target(heads: list[Head], blocks: list, width: int, methods, *,
               positive_only: bool = False) -> tuple[ColumnBranches, Columns]:
    """One head per target, each reading its block of the body's output.

    Parameters
    ----------
    heads : list of Head
        Each target's classifier head.
    blocks : list of sequences of int
        The columns of the body's output each head reads.
    width : int
        The width of the body's output.
    methods : sequence of str
        What every target answers ("predict_proba", "predict", ...).
    positive_only : bool
        Two-class probabilities as P(classes_[1]) only (the "columns" form).

    Returns
    -------
    (layer, columns)
        The layer that gives the answers side by side, and where they lie.
    """
    members = [Member(f"target {j}", Conversion(layers=[], head=head), methods,
                      n_in=len(block), positive_only=positive_only)
               for j, (head, block) in enumerate(zip(heads, blocks))]
    layer = ColumnBranches([(list(block), [member]) for block, member in zip(blocks, members)],
                           width, title="one head per target")
    return layer, Columns.of(members)


def _members(model, name: str, options: Options) -> tuple[list[Conversion], list]:
    """Every fitted member converted whole, each a classifier of one target."""
    estimators = Fitted(model, name).get("estimators_")
    if not isinstance(estimators, (list, tuple)) or not estimators:
        raise Fitted(model, name).error("estimators_", "is not a non-empty list of estimators")
    conversions, labels = [], []
    for k, estimator in enumerate(estimators):
        where = f"{name} member {k}"
        conversion = convert_member(estimator, options, where)
        if conversion.head.kind != "classifier":
            raise UnsupportedEstimatorError(
                f"{where} is not a classifier of one target ({type(estimator).__name__}); "
                "each member must predict one column of Y.")
        classes = conversion.classes
        labels.append(Fitted(estimator, where).classes() if classes is None
                      else np.array(classes, copy=True))
        conversions.append(conversion)
    return conversions, labels


@converts(MultiOutputClassifier)
def _multi_output_classifier(model: MultiOutputClassifier, options: Options) -> Conversion:
    """One classifier per target, side by side: ``predict`` stacks their labels (numpy's common
    dtype of them, as scikit-learn's ``np.asarray(...).T``), ``predict_proba`` lists their
    probabilities where every member has them (else it is absent, as in scikit-learn).
    """
    n_in = Fitted(model).n_features
    conversions, labels = _members(model, "MultiOutputClassifier", options)
    proba = all("predict_proba" in c.head.methods for c in conversions)
    methods = ("predict_proba", "predict") if proba else ("predict",)
    members = [Member(f"target {k}", c, methods, n_in=n_in) for k, c in enumerate(conversions)]
    layers = side_by_side(members, conversions, n_in, title="one classifier per target",
                          merge=True)
    head = MultiOutputHead(Columns.of(members), labels, proba_form="list" if proba else None)
    return Conversion(layers=layers, head=head, classes=labels)


class AppendFeature(Layer):
    """Passes its input through and appends one column of it, as the next link of a chain
    reads it: a label (``values[index]``), a probability, its log, or a score.

    Parameters
    ----------
    n_in : int
    column : int
        The column appended.
    values : array-like, optional
        The labels a class index stands for (the column is an index); None: as it is.
    log : bool
        Append the log of the column (a probability) instead.
    """

    def __init__(self, n_in: int, column: int, values=None, log: bool = False):
        super().__init__()
        self.n_in, self.column, self.log = int(n_in), int(column), bool(log)
        self.register_buffer("values", None if values is None else
                             as_buffer(np.asarray(values, dtype=np.float64)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = x[:, self.column]
        if self.values is not None:
            f = self.values.to(x.dtype)[f.long()]
        elif self.log:
            f = torch.log(f)
        return torch.cat([x, f.unsqueeze(1)], dim=1)

    def describe(self) -> LayerDescription:
        what = ("classes_[{x}_c]" if self.values is not None else
                "log {x}_c" if self.log else "{x}_c")
        # drawn as a copy of every input and one more edge, from column c to the feature
        weight = np.vstack([np.eye(self.n_in), np.eye(self.n_in)[self.column]])
        return LayerDescription(
            title="the feature the next link reads", n_in=self.n_in, n_out=self.n_in + 1,
            activation="copy", activation_kind="identity",
            formula=f"{{y}} = [{{x}}, {what}]   (c = {self.column})", weight=weight)


def _chain_methods(conversions, chain_method: str) -> tuple[list[str], str, bool]:
    """What each link answers, the method its feature is read from, and whether that
    feature is the log of a probability the head has no log of."""
    heads = [c.head for c in conversions]
    methods = ["predict"]
    if all(h.has_proba for h in heads):
        methods.append("predict_proba")
    if all(h.has_decision for h in heads):
        methods.append("decision_function")
    source, log = chain_method, False
    if chain_method == "predict_log_proba":
        if all(h.has_log_proba for h in heads):  # in log space, as the members compute it
            methods.append("predict_log_proba")
        else:  # scikit-learn's own log of predict_proba
            source, log = "predict_proba", True
    if source not in methods:
        raise UnsupportedEstimatorError(
            f"ClassifierChain(chain_method={chain_method!r}) needs every member to have "
            f"{source}; convert a chain of members that have it.")
    return methods, source, log


@converts(ClassifierChain)
def _classifier_chain(model: ClassifierChain, options: Options) -> Conversion:
    """One classifier per target in the chain's order, each reading the input and what the
    members before it answered to ``chain_method`` (their labels by default): a link per
    member that passes its input through and appends the member's answers and that feature.
    ``predict`` is float64 (n, k), ``predict_proba`` one (n, k) array of P(classes_[1]),
    ``decision_function`` (n, k) where every member has one.
    """
    fitted = Fitted(model)
    n_features = fitted.n_features
    conversions, labels = _members(model, "ClassifierChain", options)
    k = len(conversions)
    order = fitted.indices("order_", k, what=f"the chain has {k} targets", item="link")
    if sorted(order.tolist()) != list(range(k)):
        raise fitted.error("order_", f"is {order.tolist()}, not an order of the {k} targets")
    chain_method = fitted.choice("chain_method_", ["predict", "predict_proba",
                                                   "predict_log_proba", "decision_function"],
                                 value=getattr(model, "chain_method_", "predict"))
    methods, source, log = _chain_methods(conversions, chain_method)
    if not all(len(c) == 2 for c in labels):
        # scikit-learn's chain reads one column per member's answer: two classes each, or
        # labels only (its predict_proba and decision_function fail on more classes)
        if source != "predict":
            raise UnsupportedEstimatorError(
                f"ClassifierChain(chain_method={chain_method!r}) with a member of more than "
                "two classes: scikit-learn itself cannot chain its answers (one column each).")
        methods = ["predict"]
    width, features, answers, layers, links = n_features, [], [], [], []
    for j, conversion in enumerate(conversions):
        member = Member(f"link {j}", conversion, methods, n_in=n_features + j,
                        positive_only=True)
        # the feature: the last column of its method's answer (P or log P of classes_[1])
        ends = np.cumsum([w for w, _ in member.shapes])
        column = int(ends[methods.index(source)]) - 1
        values = labels[j] if source == "predict" else None
        if values is not None and values.dtype.kind not in "biuf":
            raise UnsupportedEstimatorError(
                f"ClassifierChain member {j} has labels {values.tolist()}; the chain feeds "
                "labels to the next members as numbers, so they must be numeric.")
        feature = AppendFeature(member.width(), column, values, log=log)
        links.append(member)
        inputs = list(range(n_features)) + features
        layers.append(ColumnBranches(
            [(list(range(width)), []), (inputs, [member, feature])], width,
            title=f"chain link {j}: [x, f_<{j}] → answers_{j}, f_{j}"))
        answers.append(list(range(width, width + member.width())))
        features.append(width + member.width())
        width += member.width() + 1
    # link j answers target order_[j]: the head reads them in target order
    position = np.empty(k, dtype=np.int64)
    position[order] = np.arange(k)
    members = [links[int(position[target])] for target in range(k)]
    selected = [c for target in range(k) for c in answers[int(position[target])]]
    layers.append(SelectColumns(selected, width))
    head = MultiOutputHead(
        Columns.of(members), [labels[int(position[t])] for t in range(k)],
        proba_form="columns" if "predict_proba" in methods else None,
        decision="decision_function" in methods, log_proba="predict_proba" in methods,
        predict_dtype=np.float64)
    return Conversion(layers=layers, head=head, classes=labels)
