"""The ``inverse_transform`` of the one-hot and ordinal encoders: codes back to categories.

A category is not a number, so the inverse network ends in category *codes* (indices into
``categories_[i]``, −1 for "no category": scikit-learn's None) and its last layer names them
(``decode``), on the numpy side, as the encoder's ``inverse_transform`` returns them: an
array of the categories' common dtype, object where a row holds None.

- One-hot: per input feature, the first argmax of its block of columns (the dropped
  category's columns are absent: a block of zeros means the dropped category, or an unknown
  one, as the encoder's ``drop`` and ``handle_unknown`` say).
- Ordinal: the codes as they are, read with scikit-learn's rules (the missing-value code,
  ``unknown_value``, truncation to int64).

Encoders that group infrequent categories are refused here (their inverse names a category
scikit-learn invents, ``'infrequent_sklearn'``); their forward network is unaffected.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

from ..errors import UnsupportedEstimatorError
from ..fitted import Fitted
from ..layers.columns import ColumnSpec
from ..layers.describe import Layer, LayerDescription
from ..options import Options
from ..registry import converts_inverse

__all__ = ["OneHotDecode", "OrdinalDecode"]

#: the code of "no category" (scikit-learn's None)
NO_CATEGORY = -1


def _categories(encoder) -> list[np.ndarray]:
    fitted = Fitted(encoder)
    categories = fitted.get("categories_")
    if not isinstance(categories, (list, tuple)) or len(categories) != fitted.n_features:
        raise fitted.error("categories_", f"is not a list of {fitted.n_features} arrays")
    for cats in categories:
        fitted.unique("categories_", [c if c == c else "NaN" for c in np.asarray(cats).tolist()])
    return [np.asarray(c) for c in categories]


def _refuse_infrequent(encoder) -> None:
    if getattr(encoder, "_infrequent_enabled", False):
        raise UnsupportedEstimatorError(
            f"{type(encoder).__name__} groups infrequent categories (min_frequency / "
            "max_categories), whose inverse names the category 'infrequent_sklearn': "
            "call the encoder's own inverse_transform.")


def _named(categories: list[np.ndarray], codes: np.ndarray) -> np.ndarray:
    """The categories that ``codes`` (rows × features, −1 for None) name, in scikit-learn's
    dtype: the categories' common dtype, object where a row holds None."""
    dtype = np.result_type(*[c.dtype for c in categories])
    missing = codes == NO_CATEGORY
    out = np.empty(codes.shape, dtype=object if missing.any() else dtype)
    for i, cats in enumerate(categories):
        kept = ~missing[:, i]
        out[kept, i] = cats[codes[kept, i]]
        out[~kept, i] = None
    return out


class OneHotDecode(Layer):
    """Per input feature, the category code its block of one-hot columns stands for.

    Parameters
    ----------
    categories : list of arrays
        The encoder's ``categories_``.
    drops : list of (int or None)
        Per feature, the index of the dropped category (no column), or None.
    zero_rows : str
        What a block summing to 0 means where no category is dropped: ``"none"``
        (``handle_unknown='ignore'``: None) or ``"error"`` (refused, as scikit-learn refuses).
    """

    def __init__(self, categories, drops, *, zero_rows: str):
        super().__init__()
        self.categories = [np.array(c, copy=True) for c in categories]
        self.drops = list(drops)
        self.zero_rows = zero_rows
        self.widths = [len(c) - (d is not None) for c, d in zip(self.categories, self.drops)]

    @property
    def n_in(self) -> int:
        return sum(self.widths)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        codes, start = [], 0
        for width, drop in zip(self.widths, self.drops):
            if width == 0:  # a single category, dropped: every row is that category
                codes.append(x.new_full((x.shape[0],), float(drop)))
                continue
            block = x[:, start:start + width]
            label = block.argmax(dim=1)  # first index wins a tie, as numpy's argmax
            if drop is not None:  # the dropped category has no column: skip its index
                label = label + (label >= drop).to(label.dtype)
            empty = block.sum(dim=1) == 0
            if drop is not None:
                zero = float(drop)
            else:  # None, or NaN that decode() refuses as scikit-learn does
                zero = float(NO_CATEGORY) if self.zero_rows == "none" else float("nan")
            codes.append(torch.where(empty, torch.full_like(block[:, 0], zero),
                                     label.to(x.dtype)))
            start += width
        return torch.stack(codes, dim=1)

    def decode(self, values: np.ndarray) -> np.ndarray:
        """The categories the codes name (see the module)."""
        refused = np.isnan(values).any(axis=1)
        if refused.any():
            raise ValueError(
                f"Samples {np.flatnonzero(refused)} can not be inverted when drop=None and "
                "handle_unknown='error' because they contain all zeros")
        return _named(self.categories, values.astype(np.int64))

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title="one-hot encoder, inverse", n_in=self.n_in, n_out=len(self.categories),
            activation="argmax", activation_kind="argmax",
            formula=("{y}_i = categories_[i][argmax of feature i's one-hot block of {x}] "
                     "(a block of zeros: the dropped category, or None)"),
            parameters={"categories": [len(c) for c in self.categories]})


class OrdinalDecode(Layer):
    """The codes pass through; :meth:`decode` names them as the ordinal encoder's inverse.

    Parameters
    ----------
    categories : list of arrays
        The encoder's ``categories_``.
    missing_code : float
        ``encoded_missing_value`` (NaN by default): the code of the missing category, where
        a feature has one.
    unknown_code : float or None
        ``unknown_value`` where ``handle_unknown='use_encoded_value'``: None in the output.
    """

    def __init__(self, categories, *, missing_code: float, unknown_code: float | None):
        super().__init__()
        self.categories = [np.array(c, copy=True) for c in categories]
        self.missing_code = float(missing_code)
        self.unknown_code = None if unknown_code is None else float(unknown_code)

    def input_columns(self) -> tuple:
        return (ColumnSpec(allow_nan=True),) * len(self.categories)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x

    @staticmethod
    def _is(values: np.ndarray, code: float) -> np.ndarray:
        return np.isnan(values) if np.isnan(code) else values == code

    def decode(self, values: np.ndarray) -> np.ndarray:
        """The categories the codes name, by scikit-learn's rules (see the module)."""
        codes = np.empty(values.shape, dtype=np.int64)
        for i, cats in enumerate(self.categories):
            labels = values[:, i].copy()
            missing = [j for j, c in enumerate(cats.tolist()) if c != c]
            if missing:
                labels[self._is(labels, self.missing_code)] = missing[0]
            unknown = (self._is(labels, self.unknown_code) if self.unknown_code is not None
                       else np.zeros(len(labels), bool))
            if np.isnan(labels[~unknown]).any():
                raise ValueError(f"feature {i}: NaN is not the code of any category")
            ints = labels[~unknown].astype(np.int64)
            if ints.size and (ints.max() >= len(cats) or ints.min() < -len(cats)):
                raise ValueError(f"feature {i}: codes from {ints.min()} to {ints.max()} name "
                                 f"no category of the {len(cats)} fitted")
            column = np.full(len(labels), NO_CATEGORY, np.int64)
            column[~unknown] = ints % len(cats)  # negative codes count from the end (numpy)
            codes[:, i] = column
        return _named(self.categories, codes)

    def describe(self) -> LayerDescription:
        n = len(self.categories)
        return LayerDescription(
            title="ordinal encoder, inverse", n_in=n, n_out=n, activation="none",
            connectivity="elementwise",
            formula="{y}_i = categories_[i][int({x}_i)] (named outside the network)")


@converts_inverse(OneHotEncoder)
def _one_hot_inverse(encoder: OneHotEncoder, options: Options) -> list:
    _refuse_infrequent(encoder)
    categories = _categories(encoder)
    fitted = Fitted(encoder)
    raw = getattr(encoder, "_drop_idx_after_grouping", None)
    drops = [None] * len(categories) if raw is None else [
        None if d is None else fitted.integer("drop_idx_", low=0, high=len(c) - 1, value=d)
        for d, c in zip(raw, categories)]
    ignores = encoder.handle_unknown in ("ignore", "infrequent_if_exist", "warn")
    return [OneHotDecode(categories, drops, zero_rows="none" if ignores else "error")]


@converts_inverse(OrdinalEncoder)
def _ordinal_inverse(encoder: OrdinalEncoder, options: Options) -> list:
    _refuse_infrequent(encoder)
    unknown = (encoder.unknown_value if encoder.handle_unknown == "use_encoded_value"
               else None)
    return [OrdinalDecode(_categories(encoder), missing_code=encoder.encoded_missing_value,
                          unknown_code=unknown)]
