"""The one mechanism of every estimator made of estimators: a member converted whole, answering
columns that a parent head reads.

- :func:`convert_member` converts a member (a classifier, a regressor, a pipeline: anything
  :func:`nnconvert.convert` takes) with the caller's options, unchanged, and puts the
  member's name in front of any error it raises.
- :class:`Member` is that member as one layer: its body, then its own head's answers to the
  methods the parent needs (``decision_function``, ``predict_proba``, ``predict``: a class
  index, or a regression output with its link), side by side as columns.
- :func:`side_by_side` puts members beside one another: :class:`~nnconvert.layers.Branches`
  on the whole input, or :class:`~nnconvert.layers.ColumnBranches` on feature subsets
  (bagging). Where the caller allows it and a family has registered a merge of its members'
  bodies (:func:`nnconvert.registry.merges_bodies`: linear members into one linear layer),
  the bodies run merged and each member's head answers from its slice: the same columns.
- :class:`Columns` is how a parent head finds each member's answers in its input.

A new meta-estimator is one converter in :mod:`nnconvert.compose`: ``convert_member`` each
member, ``side_by_side`` them, and a head (or layers) reading ``Columns.split``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Sequence

import torch
from sklearn.exceptions import NotFittedError
from torch import nn

from ..errors import ConversionError
from ..layers import Branches, ColumnBranches, Layer, LayerDescription
from ..options import Options
from ..registry import Conversion, convert_estimator, merged_bodies

__all__ = ["convert_member", "Member", "Columns", "side_by_side"]


def convert_member(estimator, options: Options, name: str) -> Conversion:
    """Convert one member whole (layers and head) with the caller's ``options``.

    Parameters
    ----------
    estimator : fitted estimator
    options : Options
        Passed on as they are: ``tree_form`` and ``fuse`` reach every member.
    name : str
        Where the member sits (``"VotingClassifier member 'rf'"``): the first words of any
        error its conversion raises.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from nnconvert.options import Options
    >>> X, y = load_iris(return_X_y=True)
    >>> tree = DecisionTreeClassifier(max_depth=2).fit(X, y)
    >>> type(convert_member(tree, Options(tree_form="traversal"), "member 0").layers[0]).__name__
    'TreeTraversal'
    """
    try:
        conversion = convert_estimator(estimator, options)
    except (ConversionError, NotFittedError) as error:
        raise type(error)(f"{name}: {error}") from None
    return conversion


def _answer_shapes(body: nn.Module, head, methods, n_in: int,
                   positive_only: bool) -> list[tuple[int, bool]]:
    """``(width, flat)`` of a member's answer to each method: flat answers are 1-D (a binary
    decision, a class index, a single-target prediction) and take one column.

    Read from the member's answers to one row of zeros: its layers and head say what they
    compute, but not always the shape of each answer (a binary head's raw output may be one
    score or two), and a shape read is a shape that cannot disagree with ``forward``.
    """
    with torch.no_grad():
        z = body(torch.zeros(1, n_in, dtype=torch.float64))
        shapes = []
        for method in methods:
            answer = head.answer(z, method)
            width = 1 if answer.ndim == 1 else int(answer.shape[1])
            if positive_only and method == "predict_proba" and width == 2:
                shapes.append((1, True))
            else:
                shapes.append((width, answer.ndim == 1))
    return shapes


class Member(Layer):
    """A member estimator as one layer: its body, then its head's answers as columns.

    Parameters
    ----------
    name : str
    conversion : Conversion
        The member's layers and head (no layers: the head answers from this layer's input).
    methods : sequence of str
        The answers, in order: "decision_function", "predict_proba", "predict_log_proba" or
        "predict" (a class index, or a regressor's prediction with its link).
    n_in : int
        The width of this layer's input.
    positive_only : bool, default False
        A two-class ``predict_proba`` answers P(classes_[1]) only (one column), as
        scikit-learn's stacking, calibration and one-vs-rest read it; more classes answer
        every column.
    """

    def __init__(self, name: str, conversion: Conversion, methods: Sequence[str], *,
                 n_in: int, positive_only: bool = False):
        super().__init__()
        self.name, self.methods = str(name), tuple(methods)
        self.body = nn.Sequential(*conversion.layers)
        self.head = conversion.head
        self.n_in, self.positive_only = int(n_in), bool(positive_only)
        for method in self.methods:
            if method not in self.head.methods:
                raise ConversionError(f"{self.name} has no {method} (it answers "
                                      f"{', '.join(self.head.methods)})")
        self.shapes = _answer_shapes(self.body, self.head, self.methods, self.n_in,
                                     self.positive_only)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.body(x)
        columns = []
        for method, (width, flat) in zip(self.methods, self.shapes):
            answer = self.head.answer(z, method).to(x.dtype)
            if answer.ndim == 1:
                answer = answer.unsqueeze(1)
            columns.append(answer[:, answer.shape[1] - width:])  # positive_only: the last
        return columns[0] if len(columns) == 1 else torch.cat(columns, dim=1)

    def width(self) -> int:
        return sum(width for width, _ in self.shapes)

    def input_columns(self):
        first = self.body[0] if len(self.body) else None
        return first.input_columns() if first is not None else None

    def describe(self) -> LayerDescription:
        head = self.head.describe()
        inner = tuple(layer.describe() for layer in self.body) + (head,)
        answers = ", ".join(self.methods)
        if head.n_out != self.width() or len(self.methods) > 1:
            inner += (LayerDescription(
                title=answers, n_in=head.n_out, n_out=self.width(), activation=answers,
                activation_kind="argmax" if self.methods == ("predict",)
                and self.head.kind == "classifier" else "identity",
                formula=f"{{y}} = [{answers}]"),)
        return LayerDescription(
            title=f"{self.name}: {answers}", n_in=self.n_in, n_out=self.width(),
            activation="branches", activation_kind="branches",
            formula=f"{{y}} = {self.name}.[{answers}]({{x}})"
                    + ("   (P(classes_[1]) of two classes)" if self.positive_only else ""),
            connectivity="branches", branches=(inner,))


@dataclass(frozen=True)
class Columns:
    """Where each member's answers lie in the input of the head that reads them.

    ``shapes[j]`` is member ``j``'s ``(method, width, flat)`` triples, in column order.
    """

    shapes: tuple[tuple[tuple[str, int, bool], ...], ...]

    @classmethod
    def of(cls, members: Sequence[Member]) -> Columns:
        return cls(tuple(tuple((m, w, f) for m, (w, f) in zip(member.methods, member.shapes))
                         for member in members))

    @property
    def width(self) -> int:
        return sum(w for member in self.shapes for _, w, _ in member)

    def __len__(self) -> int:
        return len(self.shapes)

    def split(self, z: torch.Tensor) -> list[dict[str, torch.Tensor]]:
        """Per member, its answers by method (1-D where the member's own answer is)."""
        parts = iter(torch.split(z, [w for member in self.shapes for _, w, _ in member], 1))
        answers = []
        for member in self.shapes:
            mine = {}
            for method, _, flat in member:
                part = next(parts)
                mine[method] = part[:, 0] if flat else part
            answers.append(mine)
        return answers

    def each(self, z: torch.Tensor, method: str) -> list[torch.Tensor]:
        """Every member's answer to ``method``."""
        return [answers[method] for answers in self.split(z)]


def side_by_side(members: Sequence[Member], conversions: Sequence[Conversion], n_in: int, *,
                 title: str, features=None, by_name: bool = False,
                 merge: bool = False) -> list[nn.Module]:
    """The layers that give every member's answers side by side (:class:`Columns` of them).

    Parameters
    ----------
    members, conversions
        The members and the conversions they were built from.
    n_in : int
        The input's width.
    features : sequence of sequences of int, optional
        Each member's input columns (bagging's ``estimators_features_``); None: all.
    by_name : bool
        Whether the parent selects columns by name (a dataframe's may come in any order).
    merge : bool
        Allow a family's registered merge of the bodies (the fast path): the bodies run as
        one, and each member's head answers from its slice, the same columns.
    """
    if merge and features is None:
        merged = merged_bodies(conversions)
        if merged is not None:
            offsets, heads_only = 0, []
            for member, conversion in zip(members, conversions):
                width = conversion.layers[-1].describe().n_out
                alone = Member(member.name, dataclasses.replace(conversion, layers=[]),
                               member.methods, n_in=width, positive_only=member.positive_only)
                heads_only.append((range(offsets, offsets + width), [alone]))
                offsets += width
            return [*merged, ColumnBranches(heads_only, offsets, title=f"{title}: answers")]
    if features is not None or by_name:
        if features is None:
            features = [range(n_in)] * len(members)
        return [ColumnBranches([(list(cols), [m]) for cols, m in zip(features, members)], n_in,
                               title=title, by_name=by_name)]
    return [Branches([[m] for m in members], [m.width() for m in members], title=title)]
