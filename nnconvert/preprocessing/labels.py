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
"""

from __future__ import annotations

import numpy as np
import scipy.sparse
from sklearn.preprocessing import LabelBinarizer, LabelEncoder

from ..errors import UnsupportedEstimatorError
from ..fitted import Fitted
from ..network.heads import TransformHead
from ..options import Options
from ..registry import Conversion, converts
from .encoders import CategoryLookup

__all__ = ["LabelLookup"]


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
