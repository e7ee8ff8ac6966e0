"""Transformers side by side: ColumnTransformer (each on its columns) and FeatureUnion (each on
all of them), their outputs stacked in scikit-learn's order.

Each transformer becomes one branch of a :class:`~nnconvert.layers.ColumnBranches` layer:
the columns it reads, then its own layers ('passthrough': none; a weight from
``transformer_weights``: a scaling layer after them). 'drop' and transformers that select no
column produce nothing, as in scikit-learn.
"""

from __future__ import annotations

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import FeatureUnion

from ..errors import UnsupportedEstimatorError
from ..fitted import Fitted
from ..layers import AffineScaler, ColumnBranches
from ..options import Options
from ..registry import convert_transformer, converts_transformer


def _branch_layers(owner: str, name: str, transformer, n_columns: int, weight,
                   options: Options) -> list:
    if isinstance(transformer, str) and transformer == "passthrough":
        layers = []
    else:
        try:
            layers = convert_transformer(transformer, options)
        except UnsupportedEstimatorError as error:
            raise UnsupportedEstimatorError(f"{owner} transformer {name!r}: {error}") from None
    if weight is not None:
        width = layers[-1].describe().n_out if layers else n_columns
        layers.append(AffineScaler(np.zeros(width), np.full(width, float(weight)),
                                   mode="multiply-add", title=f"weight {float(weight):g}"))
    return layers


@converts_transformer(ColumnTransformer)
def _column_transformer(ct: ColumnTransformer, options: Options) -> list:
    # the fitted column indices of every transformer, the remainder included: callables,
    # names, slices and masks resolved by scikit-learn itself at fit time (a private
    # attribute: the public transformers_ keep the columns as they were specified)
    """Column branches: each transformer reads its own columns, and the outputs are stacked in
    scikit-learn's order.

    Columns by name, index, slice, mask, callable or ``make_column_selector``; remainder drop,
    passthrough or a transformer; ``transformer_weights``. Fitted on a DataFrame, the network
    takes the columns by name in any order.
    """
    fitted = Fitted(ct)
    n_in = fitted.n_features
    indices = fitted.get("_transformer_to_input_indices")
    outputs = fitted.get("output_indices_")
    weights = ct.transformer_weights or {}
    branches = []
    for k, entry in enumerate(fitted.get("transformers_")):
        if not (isinstance(entry, tuple) and len(entry) == 3 and isinstance(entry[0], str)):
            raise fitted.error(f"transformers_[{k}]", "is not a (name, transformer, columns) "
                                                      "triple")
        name, transformer, _ = entry
        out = outputs.get(name) if isinstance(outputs, dict) else None
        if not isinstance(out, slice) or name not in indices:
            raise fitted.error("output_indices_", f"has no output slice for transformer "
                                                  f"{name!r}")
        if (isinstance(transformer, str) and transformer == "drop") or out.stop == out.start:
            continue  # nothing of it reaches the output
        columns = list(fitted.indices(f"_transformer_to_input_indices[{name!r}]", n_in,
                                      what=f"the model has {n_in} input columns",
                                      item="column", value=indices[name]))
        branches.append((columns, _branch_layers("ColumnTransformer", name, transformer,
                                                 len(columns), weights.get(name), options)))
    return [ColumnBranches(branches, ct.n_features_in_, title="column transformer",
                           by_name=hasattr(ct, "feature_names_in_"))]


@converts_transformer(FeatureUnion)
def _feature_union(union: FeatureUnion, options: Options) -> list:
    """Branches side by side on the same input, their outputs stacked; weights, drop and passthrough.
    """
    n = union.n_features_in_
    weights = union.transformer_weights or {}
    branches = [
        (list(range(n)), _branch_layers("FeatureUnion", name, transformer, n,
                                        weights.get(name), options))
        for name, transformer in union.transformer_list
        if not (isinstance(transformer, str) and transformer == "drop")
    ]
    return [ColumnBranches(branches, n, title="feature union")]
