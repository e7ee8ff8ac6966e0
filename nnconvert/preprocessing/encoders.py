"""scikit-learn's categorical encoders as lookup layers that read category codes.

The network's input schema turns each raw value into its index in the encoder's
``categories_[i]`` (``len(categories_[i])`` for a value never seen at fit time); the layer
looks each code up in a per-feature table of output rows. Tables are registered buffers
indexed by the codes, so the layer has no Python branch on data and exports with
``torch.export``. The tables are built from fitted attributes only, including two private
ones of scikit-learn's ``_BaseEncoder``: ``_default_to_infrequent_mappings`` (category index
to its index after infrequent grouping) and, for ``OneHotEncoder``, ``_drop_idx_after_grouping``.

``TargetEncoder``'s ``transform`` is such a lookup too: each category's ``encodings_`` (one
value, or one per class for a multiclass target), ``target_mean_`` for a category never seen
(or NaN, unless NaN was a category at fit time). ``fit_transform`` cross-fits, so it differs
from ``fit(X, y).transform(X)``: the network is the latter, which is what new data sees.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, TargetEncoder

from ..fitted import Fitted
from ..layers.columns import ColumnSpec
from ..layers.describe import Layer, LayerDescription
from ..options import Options
from ..registry import converts_transformer

__all__ = ["CategoryLookup"]


def _is_missing(value) -> bool:
    try:
        return bool(value != value)  # NaN, the only value not equal to itself
    except (TypeError, ValueError):
        return False


class CategoryLookup(Layer):
    """One table per input column: row ``code`` is what the encoder outputs for that category.

    Parameters
    ----------
    categories : sequence of array-like
        The encoder's ``categories_``: column ``i`` of the input holds indices into
        ``categories[i]``, or ``len(categories[i])`` for an unknown value.
    tables : sequence of array-like
        ``tables[i]`` has shape ``(len(categories[i]) + 1, width_i)``; its last row is the
        output for an unknown value, and for any code outside ``0 … len(categories[i])``.
    allow_unknown : bool
        Whether unknown values are encoded (the last row) rather than refused by the schema.
    title, formula : str
        How descriptions name the layer.
    """

    def __init__(self, categories, tables, *, allow_unknown: bool, title: str, formula: str):
        super().__init__()
        self.categories = tuple(tuple(c) for c in categories)
        self.allow_unknown = bool(allow_unknown)
        self.title = title
        self.formula = formula
        for i, (cats, table) in enumerate(zip(self.categories, tables)):
            table = torch.tensor(np.array(table, dtype=np.float64, copy=True))
            if table.ndim != 2 or table.shape[0] != len(cats) + 1:
                raise ValueError(f"table {i} must have {len(cats) + 1} rows, "
                                 f"got shape {tuple(table.shape)}")
            self.register_buffer(f"table_{i}", table)
        self.register_buffer("n_categories", torch.tensor([len(c) for c in self.categories]))
        # where every table has the same width (a lookup with read-out weights folded in),
        # the tables stacked, and where each one starts, for a single gather
        widths = {t.shape[1] for t in self.tables}
        stacked = torch.cat(self.tables) if len(widths) == 1 and self.tables else None
        self.register_buffer("stacked", stacked)
        self.register_buffer("first_rows", torch.tensor(
            np.r_[0, np.cumsum([len(c) + 1 for c in self.categories])[:-1]]))

    @property
    def tables(self) -> list[torch.Tensor]:
        return [getattr(self, f"table_{i}") for i in range(len(self.categories))]

    @property
    def in_features(self) -> int:
        return len(self.categories)

    @property
    def out_features(self) -> int:
        return sum(t.shape[1] for t in self.tables)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        codes = x.to(torch.long)  # the schema wrote exact small integers
        # a code no category has (a tensor made by hand, a trial input) reads as unknown
        outside = (codes < 0) | (codes > self.n_categories)
        codes = torch.where(outside, self.n_categories.expand_as(codes), codes)
        if self.stacked is not None:  # tables of one width: one gather, no concatenation
            # explicit widths: a 0-row batch has no size to infer a -1 from
            return self.stacked[codes + self.first_rows].reshape(
                codes.shape[0], codes.shape[1] * self.stacked.shape[1])
        return torch.cat([table[codes[:, i]] for i, table in enumerate(self.tables)], dim=1)

    def fold_linear(self, weight: torch.Tensor) -> "CategoryLookup":
        """This lookup with ``weight`` (linear units reading its output, no bias) folded in:
        column ``i``'s table becomes ``table_i Wᵢᵀ``, so each code looks up its share of the
        units' scores (width ``k`` per column, ``n_columns · k`` in all) instead of a one-hot
        row. A one-hot row picks one weight, so its share is that weight exactly."""
        tables, start = [], 0
        for table in self.tables:
            width = table.shape[1]
            tables.append((table @ weight[:, start:start + width].T).detach().cpu().numpy())
            start += width
        return CategoryLookup(self.categories, tables, allow_unknown=self.allow_unknown,
                              title=f"{self.title} (read-out weights folded in)",
                              formula="{y} = [Wᵢ·table_i[{x}_i] for each column i]")

    def input_columns(self) -> tuple:
        return tuple(
            ColumnSpec(kind="categorical", categories=cats,
                       allow_nan=self.allow_unknown or any(_is_missing(c) for c in cats),
                       allow_unknown=self.allow_unknown)
            for cats in self.categories
        )

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title=self.title,
            n_in=self.in_features,
            n_out=self.out_features,
            activation="none",
            formula=self.formula,
            parameters={"categories": [len(c) for c in self.categories]},
        )


def checked_categories(encoder) -> list[np.ndarray]:
    """``categories_``: one 1-D array of distinct values per input feature.

    A repeated category would make the value → code lookup ambiguous (scikit-learn's own
    ``transform`` would code it by its first position, a lookup table by either).
    """
    fitted = Fitted(encoder)
    categories = fitted.get("categories_")
    n_features = fitted.n_features
    if not isinstance(categories, (list, tuple)) or len(categories) != n_features:
        raise fitted.error("categories_", f"is not a list of {n_features} arrays, one per "
                                          "input feature")
    checked = []
    for i, values in enumerate(categories):
        values = np.asarray(values)
        if values.ndim != 1:
            raise fitted.error(f"categories_[{i}]", f"has shape {values.shape}, but a 1-D "
                                                    "array was expected")
        fitted.unique(f"categories_[{i}]", values)
        checked.append(values)
    return checked


def _grouped_indices(encoder, i: int) -> np.ndarray:
    """Each category's index after infrequent categories are grouped into one (scikit-learn's)."""
    n = len(encoder.categories_[i])
    mappings = getattr(encoder, "_default_to_infrequent_mappings", None)
    if mappings is None or mappings[i] is None:
        return np.arange(n)
    # grouped indices address the output columns: never past the categories
    mapping = Fitted(encoder).array(f"_default_to_infrequent_mappings[{i}]", ndim=1,
                                    dtype=np.int64, low=0, high=n - 1, value=mappings[i])
    if len(mapping) == n:
        return mapping
    # OrdinalEncoder leaves its missing-value category out of the grouping (its output is
    # encoded_missing_value anyway): the mapping covers the other categories, in order
    grouped = np.arange(n)
    present = np.array([not _is_missing(c) for c in encoder.categories_[i]])
    grouped[present] = mapping
    return grouped


def _infrequent_index(encoder, i: int) -> int | None:
    """The grouped index of feature ``i``'s infrequent category, or None when it has none."""
    indices = getattr(encoder, "_infrequent_indices", None)
    if indices is None or indices[i] is None:
        return None
    return int(_grouped_indices(encoder, i)[indices[i][0]])


@converts_transformer(OneHotEncoder)
def _one_hot_encoder(encoder: OneHotEncoder, options: Options) -> list:
    """A lookup layer reading each categorical column's codes: one unit per output column.

    ``drop``, every ``handle_unknown``, infrequent categories; categories arrive as codes through
    the input schema. With ``fuse=True`` a linear layer that reads the one-hot output is split into
    a lookup of each category's weights instead.
    """
    categories = checked_categories(encoder)
    drops = getattr(encoder, "_drop_idx_after_grouping", None)
    tables = []
    for i, cats in enumerate(categories):
        grouped = _grouped_indices(encoder, i)
        n_grouped = int(grouped.max()) + 1 if len(grouped) else 0
        drop = None if drops is None or drops[i] is None else int(drops[i])
        columns = [g for g in range(n_grouped) if g != drop]  # the output columns, in order
        position = {g: j for j, g in enumerate(columns)}
        table = np.zeros((len(cats) + 1, len(columns)))
        for k, g in enumerate(grouped):
            if int(g) in position:
                table[k, position[int(g)]] = 1.0
        unknown = (_infrequent_index(encoder, i)
                   if encoder.handle_unknown in ("infrequent_if_exist", "warn") else None)
        if unknown is not None and unknown in position:
            table[-1, position[unknown]] = 1.0  # unknown values join the infrequent column
        tables.append(table)
    return [CategoryLookup(categories, tables,
                           allow_unknown=encoder.handle_unknown != "error",
                           title="one-hot encoder", formula="{y} = one-hot codes of {x}")]


@converts_transformer(OrdinalEncoder)
def _ordinal_encoder(encoder: OrdinalEncoder, options: Options) -> list:
    """A lookup layer mapping each category code to its ordinal value; unknown and missing values as
    fitted.
    """
    encodes_unknown = encoder.handle_unknown == "use_encoded_value"
    categories = checked_categories(encoder)
    tables = []
    for i, cats in enumerate(categories):
        values = _grouped_indices(encoder, i).astype(np.float64)
        missing = np.array([_is_missing(c) for c in cats], dtype=bool)
        values[missing] = encoder.encoded_missing_value
        unknown = encoder.unknown_value if encodes_unknown else np.nan  # never read: refused
        tables.append(np.append(values, unknown).reshape(-1, 1))
    return [CategoryLookup(categories, tables, allow_unknown=encodes_unknown,
                           title="ordinal encoder", formula="{y} = category codes of {x}")]


@converts_transformer(TargetEncoder)
def _target_encoder(encoder: TargetEncoder, options: Options) -> list:
    """A lookup layer of ``encodings_``: each category's encoded target (binary, multiclass or
    continuous), the target's mean for a category never seen.

    ``transform`` only: ``fit_transform``'s cross-fitting happens at training time.
    """
    categories = checked_categories(encoder)
    fitted = Fitted(encoder)
    n_features = len(categories)
    encodings_ = fitted.get("encodings_")
    width = len(encodings_) // n_features  # n_classes for multiclass targets, else 1
    if width < 1 or len(encodings_) != width * n_features:
        raise fitted.error("encodings_", f"has {len(encodings_)} arrays, which is not a "
                                         f"multiple of the {n_features} features")
    means = fitted.bias("target_mean_", width)  # a scalar, or one mean per class
    tables = []
    for i, cats in enumerate(categories):
        # multiclass encodings_ run feature by feature, each feature's classes together
        encodings = [fitted.array(f"encodings_[{i * width + c}]", shape=(len(cats),),
                                  value=encodings_[i * width + c]) for c in range(width)]
        tables.append(np.vstack([np.column_stack(encodings), means]))
    return [CategoryLookup(categories, tables, allow_unknown=True,
                           title="target encoder",
                           formula="{y} = the target's mean encoding of each category of {x} "
                                   "(unknown: the target's mean)")]
