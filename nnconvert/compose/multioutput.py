"""Multi-output meta-regressors: one member per target, side by side or in a chain.

``MultiOutputRegressor`` fits one regressor per column of Y and stacks their predictions:
each member is converted whole (:mod:`.members`: its layers and its head, so a member's link,
an exp or a weighted median, is part of its answer) and answers its ``predict``, side by
side (members of one linear layer each merge into one, the linear family's fast path). A
``RegressorChain`` feeds each member the features and the predictions of the members before
it (``X_aug = [X, ŷ_0, …, ŷ_{k−1}]``), then puts the columns back in target order (the
inverse of ``order_``): a chain of layers that each pass their input through and append one
prediction, then a column selection.
"""

from __future__ import annotations

import numpy as np
from sklearn.multioutput import MultiOutputRegressor, RegressorChain

from ..errors import UnsupportedEstimatorError
from ..layers import ColumnBranches, SelectColumns
from ..network.heads import RegressionHead
from ..options import Options
from ..registry import Conversion, converts
from .members import Member, convert_member, side_by_side


def _target_member(model, k: int, options: Options, n_in: int) -> tuple[Member, Conversion]:
    """Member ``k`` converted whole, answering its prediction of one target."""
    name = f"{type(model).__name__} member {k}"
    conversion = convert_member(model.estimators_[k], options, name)
    head = conversion.head
    # every member predicts one target, shape (n,): a multi-output member has no column of Y
    if not (isinstance(head, RegressionHead) and head.single):
        raise UnsupportedEstimatorError(
            f"{name} is not a single-target regressor ({type(head).__name__}); each member "
            "must predict one column of Y.")
    return Member(f"target {k}", conversion, ["predict"], n_in=n_in), conversion


@converts(MultiOutputRegressor)
def _multi_output(model: MultiOutputRegressor, options: Options) -> Conversion:
    """One member per target, side by side.
    """
    n_in = model.n_features_in_
    members, conversions = zip(*(_target_member(model, k, options, n_in)
                                 for k in range(len(model.estimators_))))
    layers = side_by_side(members, conversions, n_in, title="one per target", merge=True)
    return Conversion(layers=layers, head=RegressionHead(len(members), single=False))


@converts(RegressorChain)
def _regressor_chain(model: RegressorChain, options: Options) -> Conversion:
    """One member per target in the chain's order, each reading the input and the previous
    members' predictions.
    """
    n_features = model.n_features_in_
    layers = []
    for k in range(len(model.estimators_)):
        width = n_features + k  # the features, then the predictions so far
        member, _ = _target_member(model, k, options, width)
        everything = list(range(width))
        # a branch with no layers passes its columns through; the other appends ŷ_k
        layers.append(ColumnBranches([(everything, []), (everything, [member])],
                                     width, title=f"chain link {k}: [x, ŷ_<{k}] → ŷ_{k}"))
    # Y_chain's column c holds target order_[c]: scikit-learn reorders by the inverse
    inverse = np.empty_like(model.order_)
    inverse[model.order_] = np.arange(len(model.order_))
    layers.append(SelectColumns(n_features + inverse, n_features + len(model.estimators_)))
    return Conversion(layers=layers, head=RegressionHead(len(model.estimators_), single=False))
