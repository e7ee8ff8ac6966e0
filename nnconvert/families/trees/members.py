"""Ensemble members of any supported kind, side by side: what bagging and AdaBoost use where
their members are not trees (those merge into one traversal layer instead).

Each member is converted on its own (:func:`~nnconvert.registry.convert_estimator`); the
body is a :class:`~nnconvert.layers.ColumnBranches` of them, each reading its own columns,
and the ensemble's head splits the body's output back into the members' outputs and lets
each member's own head answer before it aggregates.
"""

from __future__ import annotations

import torch

from ...layers import ColumnBranches
from ...options import Options
from ...registry import convert_estimator


def side_by_side(estimators, n_features: int, options: Options, *, features=None,
                 title: str, by_name: bool = False) -> tuple[ColumnBranches, list, list[int]]:
    """The members' layers as one :class:`ColumnBranches`, their heads and output widths.

    ``features`` gives each member's input columns (bagging's ``estimators_features_``);
    None means every column.
    """
    conversions = [convert_estimator(e, options) for e in estimators]
    if features is None:
        features = [range(n_features)] * len(conversions)
    branches = [(list(columns), c.layers) for columns, c in zip(features, conversions)]
    widths = [c.layers[-1].describe().n_out for c in conversions]
    layer = ColumnBranches(branches, n_features, title=title, by_name=by_name)
    return layer, [c.head for c in conversions], widths


def member_answers(head, z: torch.Tensor, method: str) -> list[torch.Tensor]:
    """Each member's answer to ``method``: ``z`` split by ``head.widths``, each part answered
    by the matching head of ``head.members``."""
    parts = torch.split(z, head.widths, dim=1)
    return [member.answer(part, method) for member, part in zip(head.members, parts)]
