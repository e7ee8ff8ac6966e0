"""Multi-output meta-regressors: one member per target, side by side or in a chain.

``MultiOutputRegressor`` fits one regressor per column of Y and stacks their predictions:
the members run side by side (merged into one linear layer when each is one). A
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
from ..registry import Conversion, convert_estimator, converts
from .multiclass import _members, _side_by_side


def _check_members(name: str, heads) -> None:
    # every member predicts one target, shape (n,): a multi-output member has no column of Y
    for k, head in enumerate(heads):
        if not (isinstance(head, RegressionHead) and head.single):
            raise UnsupportedEstimatorError(
                f"{name} member {k} is not a single-target regressor ({type(head).__name__}); "
                "each member must predict one column of Y."
            )


@converts(MultiOutputRegressor)
def _multi_output(model: MultiOutputRegressor, options: Options) -> Conversion:
    """One member per target, side by side.
    """
    layers, heads, widths = _members(model.estimators_, options)
    _check_members("MultiOutputRegressor", heads)
    return Conversion(layers=_side_by_side(layers, widths, "one per target"),
                      head=RegressionHead(len(heads), single=False))


@converts(RegressorChain)
def _regressor_chain(model: RegressorChain, options: Options) -> Conversion:
    """One member per target in the chain's order, each reading the input and the previous
    members' predictions.
    """
    n_features = model.n_features_in_
    layers = []
    for k, member in enumerate(model.estimators_):
        conversion = convert_estimator(member, options)
        _check_members("RegressorChain", [conversion.head])
        width = n_features + k  # the features, then the predictions so far
        everything = list(range(width))
        # a branch with no layers passes its columns through; the other appends ŷ_k
        layers.append(ColumnBranches([(everything, []), (everything, conversion.layers)],
                                     width, title=f"chain link {k}: [x, ŷ_<{k}] → ŷ_{k}"))
    # Y_chain's column c holds target order_[c]: scikit-learn reorders by the inverse
    inverse = np.empty_like(model.order_)
    inverse[model.order_] = np.arange(len(model.order_))
    layers.append(SelectColumns(n_features + inverse, n_features + len(model.estimators_)))
    return Conversion(layers=layers, head=RegressionHead(len(model.estimators_), single=False))
