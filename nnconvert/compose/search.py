"""Hyper-parameter searches: the network of the model they refitted, ``best_estimator_``.

GridSearchCV, RandomizedSearchCV and the successive-halving searches predict with
``best_estimator_`` (refitted on all the data); the network is that estimator's, and the
agreement rules are its rules. A search fitted with ``refit=False`` keeps no fitted model, so
there is nothing to convert.
"""

from __future__ import annotations

import dataclasses

from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.model_selection._search_successive_halving import (
    HalvingGridSearchCV,
    HalvingRandomSearchCV,
)

from ..errors import ConversionError
from ..options import Options
from ..registry import (
    convert_transformer,
    converts,
    converts_transformer,
    has_rule,
    margin_rule,
    score_jump_rule,
)
from .members import convert_member

SEARCHES = (GridSearchCV, RandomizedSearchCV, HalvingGridSearchCV, HalvingRandomSearchCV)


def best_of(search):
    """The search's refitted ``best_estimator_``, or a ConversionError saying why not."""
    if not search.refit or not hasattr(search, "best_estimator_"):
        raise ConversionError(
            f"{type(search).__name__}(refit=False) keeps no fitted model (no best_estimator_), "
            "so there is nothing to convert: fit the search with refit=True, or fit "
            "estimator.set_params(**search.best_params_) yourself and convert that.")
    return search.best_estimator_


@converts(*SEARCHES)
def _search(search, options: Options):
    # a search's predict(X) takes no return_std, whatever its best estimator's does
    """The network of the model the search refitted (``best_estimator_``).

    Refused: ``refit=False``: there is no fitted model to convert.
    """
    best = convert_member(best_of(search), options, f"{type(search).__name__} best_estimator_")
    return dataclasses.replace(best, variance=None)


@converts_transformer(*SEARCHES)
def _search_as_step(search, options: Options) -> list:
    """As a pipeline step: the layers of the transformer the search refitted (``best_estimator_``).

    Refused: ``refit=False``.
    """
    return convert_transformer(best_of(search), options)


@margin_rule.register(GridSearchCV)
@margin_rule.register(RandomizedSearchCV)
@margin_rule.register(HalvingGridSearchCV)
@margin_rule.register(HalvingRandomSearchCV)
def _search_margin(search, X, reference: dict):
    best = search.best_estimator_
    return margin_rule(best, X, reference) if has_rule(margin_rule, best) else None


@score_jump_rule.register(GridSearchCV)
@score_jump_rule.register(RandomizedSearchCV)
@score_jump_rule.register(HalvingGridSearchCV)
@score_jump_rule.register(HalvingRandomSearchCV)
def _search_score_jumps(search, X, reference: dict, rtol: float):
    best = search.best_estimator_
    return score_jump_rule(best, X, reference, rtol) if has_rule(score_jump_rule, best) else None
