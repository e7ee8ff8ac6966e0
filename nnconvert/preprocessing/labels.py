"""LabelEncoder and LabelBinarizer: transformers of labels, as lookup tables.

Both read one 1-D array of labels (``y``), not a matrix of features. The network reads the
labels as one categorical column (the input schema maps each label to its index in
``classes_``), and a lookup table answers: the index itself (LabelEncoder, int64), or the
label's row of ``neg_label`` / ``pos_label`` (LabelBinarizer: one column per class, one column
for two classes; sparse CSR where ``sparse_output=True``). ``transform`` takes the 1-D array
as scikit-learn does.

Unknown labels: LabelEncoder refuses them (scikit-learn's "previously unseen labels"), a
LabelBinarizer writes ``neg_label`` in every column, as scikit-learn's ``label_binarize``
does. A two-class LabelBinarizer given three or more distinct labels at once answers two
columns in scikit-learn (it reads them as a multiclass target): that is refused here, as
a function of the rows cannot depend on which other rows came with them.

``inverse_transform`` maps back to the labels (:class:`LabelDecode`): LabelEncoder's codes
(1-D, integers in range, as scikit-learn demands), LabelBinarizer's rows (the first argmax
of each row; for two classes, the one column above ``(pos_label + neg_label) / 2``, its
default threshold).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse
import torch
from sklearn.preprocessing import LabelBinarizer, LabelEncoder

from ..errors import UnsupportedEstimatorError
from ..fitted import Fitted
from ..layers import Layer, LayerDescription
from ..network.heads import TransformHead
from ..options import Options
from ..registry import Conversion, converts, converts_inverse
from .encoders import CategoryLookup

__all__ = ["LabelLookup", "LabelDecode"]


class LabelLookup(CategoryLookup):
    """A :class:`CategoryLookup` of one column of labels, answering integers.

    Parameters
    ----------
    classes : array-like
        ``classes_``.
    table : array-like of shape (n_classes + 1, width)
        Each class's output row, then the unknown label's.
    kind : {"encoder", "binarizer"}
    sparse_output : bool
    """

    def __init__(self, classes, table, *, kind: str, sparse_output: bool = False):
        words = {"encoder": ("label encoder", "{y} = the index of the label {x} in classes_"),
                 "binarizer": ("label binarizer", "{y} = the label {x}'s row of "
                                                  "pos_label / neg_label")}[kind]
        super().__init__([classes], [table], allow_unknown=kind == "binarizer",
                         title=words[0], formula=words[1])
        self.kind = kind
        self.label_sparse = bool(sparse_output)

    def labels_in(self, y) -> np.ndarray:
        """``y`` (1-D, or a single column) as the one-column matrix the schema reads."""
        array = np.asarray(y, dtype=object) if not hasattr(y, "dtype") else np.asarray(y)
        if array.ndim == 2 and array.shape[1] == 1:
            array = array[:, 0]
        if array.ndim != 1:
            raise ValueError(f"y should be a 1d array, got an array of shape {array.shape} "
                             "instead.")
        if self.kind == "binarizer" and len(self.categories[0]) == 2 \
                and len(set(array.tolist())) > 2:
            raise ValueError(
                "a two-class LabelBinarizer given three or more distinct labels answers two "
                "columns in scikit-learn (it reads them as a multiclass target), which no "
                "per-row network computes: transform rows with at most two distinct labels.")
        return array.reshape(-1, 1)

    def decode(self, values: np.ndarray):
        """Integers, as scikit-learn answers: a 1-D array of codes, or the binarized rows."""
        ints = values.astype(np.int64)
        if self.kind == "encoder":
            return ints[:, 0]
        return scipy.sparse.csr_matrix(ints) if self.label_sparse else ints


def _classes(estimator) -> np.ndarray:
    fitted = Fitted(estimator)
    classes = np.asarray(fitted.get("classes_"))
    if classes.ndim != 1 or len(classes) == 0:
        raise fitted.error("classes_", f"has shape {classes.shape}, but a 1-D array of "
                                       "labels was expected")
    fitted.unique("classes_", classes.tolist())
    return classes


def _network(lookup: LabelLookup) -> Conversion:
    width = lookup.describe().n_out
    return Conversion(layers=[lookup], head=TransformHead(width), n_features_in=1)


@converts(LabelEncoder)
def _label_encoder(encoder: LabelEncoder, options: Options) -> Conversion:
    """A lookup table from each label (one categorical column) to its index in ``classes_``
    (int64).

    Refused: labels never seen in training, with scikit-learn's message.
    """
    classes = _classes(encoder)
    table = np.append(np.arange(len(classes), dtype=np.float64), np.nan).reshape(-1, 1)
    return _network(LabelLookup(classes, table, kind="encoder"))


@converts(LabelBinarizer)
def _label_binarizer(binarizer: LabelBinarizer, options: Options) -> Conversion:
    """A lookup table from each label to its row of ``neg_label`` / ``pos_label`` (one column per
    class, one for two classes; sparse CSR where ``sparse_output=True``).

    Refused: three or more distinct labels given at once to a two-class binarizer (scikit-learn
    would answer another shape, depending on which rows came together).
    """
    kind = Fitted(binarizer).get("y_type_")
    if kind not in ("binary", "multiclass"):
        raise UnsupportedEstimatorError(
            f"LabelBinarizer fitted on a {kind!r} target is not supported: its input is a "
            "matrix of labels, not one label per row; use MultiLabelBinarizer outside the "
            "network.")
    classes = _classes(binarizer)
    neg, pos = float(binarizer.neg_label), float(binarizer.pos_label)
    table = np.full((len(classes) + 1, len(classes)), neg)
    table[np.arange(len(classes)), np.arange(len(classes))] = pos
    if len(classes) == 2:
        table = table[:, 1:]  # one column: positive for classes_[1]
    elif len(classes) == 1:
        table = np.full((2, 1), neg)  # scikit-learn's single class: every label negative
    return _network(LabelLookup(classes, table, kind="binarizer",
                                sparse_output=binarizer.sparse_output))


class LabelDecode(Layer):
    """The index of each row's label in ``classes_``; :meth:`decode` names it.

    Parameters
    ----------
    classes : array-like
        ``classes_``.
    rule : {"code", "argmax", "threshold"}
        Read the code as it is (LabelEncoder: a 1-D input), the first argmax of the row
        (a LabelBinarizer of several classes), or ``1 if x > threshold else 0`` (two classes).
    n_in : int
    threshold : float, default 0.0
    """

    def __init__(self, classes, rule: str, n_in: int, threshold: float = 0.0):
        super().__init__()
        self.classes = np.array(classes, copy=True)
        self.rule, self.n_in, self.threshold = rule, int(n_in), float(threshold)

    def labels_in(self, y) -> np.ndarray:
        """LabelEncoder's codes come 1-D, as scikit-learn takes them; rows pass as they are."""
        if self.rule != "code":
            return y
        array = np.asarray(y)
        if array.ndim == 2 and array.shape[1] == 1:
            array = array[:, 0]
        if array.ndim != 1:
            raise ValueError(f"y should be a 1d array, got an array of shape {array.shape} "
                             "instead.")
        if array.dtype.kind not in "iu" or ((array < 0) | (array >= len(self.classes))).any():
            unseen = np.setdiff1d(array, np.arange(len(self.classes)))
            raise ValueError(f"y contains previously unseen labels: {unseen}")
        return array.reshape(-1, 1).astype(np.float64)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.rule == "argmax":
            return x.argmax(dim=1, keepdim=True).to(x.dtype)  # the first index wins a tie
        if self.rule == "threshold":
            return (x > self.threshold).to(x.dtype)
        return x

    def decode(self, values: np.ndarray) -> np.ndarray:
        """The labels the indices name, of ``classes_``'s dtype."""
        return self.classes[values[:, 0].astype(np.int64)]

    def describe(self) -> LayerDescription:
        words = {"code": "{y} = classes_[{x}]",
                 "argmax": "{y} = classes_[argmax_k {x}_k]   (first index wins a tie)",
                 "threshold": f"{{y}} = classes_[1] if {{x}} > {self.threshold:g} else "
                              "classes_[0]"}[self.rule]
        return LayerDescription(
            title="labels back from their codes", n_in=self.n_in, n_out=1,
            activation="argmax" if self.rule == "argmax" else "none",
            activation_kind="argmax" if self.rule == "argmax" else "identity",
            formula=words)


@converts_inverse(LabelEncoder)
def _label_encoder_inverse(encoder: LabelEncoder, options: Options) -> list:
    return [LabelDecode(_classes(encoder), "code", 1)]


@converts_inverse(LabelBinarizer)
def _label_binarizer_inverse(binarizer: LabelBinarizer, options: Options) -> list:
    classes = _classes(binarizer)
    if len(classes) > 2:
        return [LabelDecode(classes, "argmax", len(classes))]
    threshold = (binarizer.pos_label + binarizer.neg_label) / 2.0  # scikit-learn's default
    return [LabelDecode(classes, "threshold", 1, threshold)]
