"""Feature selectors as layers: the columns ``get_support()`` keeps, in order.

Every scikit-learn selector (univariate, variance, model-based, recursive, sequential)
answers ``transform`` by ``X[:, get_support()]``; what it learnt is only which columns.
Its ``inverse_transform`` puts them back where they were, zeros in the dropped columns.
"""

from __future__ import annotations

import numpy as np
from sklearn.feature_selection import (
    RFE,
    RFECV,
    GenericUnivariateSelect,
    SelectFdr,
    SelectFpr,
    SelectFromModel,
    SelectFwe,
    SelectKBest,
    SelectPercentile,
    SequentialFeatureSelector,
    VarianceThreshold,
)

from ..errors import ConversionError
from ..fitted import Fitted
from ..layers import PutColumns, SelectColumns
from ..options import Options
from ..registry import converts_inverse, converts_transformer

SELECTORS = (SelectKBest, SelectPercentile, GenericUnivariateSelect, SelectFpr, SelectFdr,
             SelectFwe, VarianceThreshold, SelectFromModel, RFE, RFECV,
             SequentialFeatureSelector)


@converts_transformer(*SELECTORS)
def _selector(selector, options: Options) -> list:
    """A column selection: the columns ``get_support()`` keeps, in order.
    """
    fitted = Fitted(selector)
    n_features = fitted.n_features
    # the mask comes from fitted scores, p-values, a support_ or a model's weights
    support = fitted.array("get_support()", shape=(n_features,), dtype=bool,
                           value=selector.get_support())
    kept = np.flatnonzero(support)
    if kept.size == 0:
        raise ConversionError(
            f"{type(selector).__name__} selected no feature, so its output has no columns "
            "(scikit-learn warns and returns an empty array); loosen its threshold.")
    return [SelectColumns(kept, n_features)]


@converts_inverse(*SELECTORS)
def _selector_inverse(selector, options: Options) -> list:
    support = np.asarray(selector.get_support(), dtype=bool)
    return [PutColumns(np.flatnonzero(support), support.size)]
