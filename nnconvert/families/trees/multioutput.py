"""Classic trees and forests fitted on several targets (a 2-D y): one head per output.

A multi-output tree stores, per node, one block of class frequencies per output (``value``
of shape (nodes, outputs, classes), padded with zeros where an output has fewer classes).
The tree layer reads the blocks side by side (:func:`.sklearn.tree_arrays` normalises each
on its own, as scikit-learn's ``predict_proba`` does); each output's frequency head reads
its block: ``predict_proba`` a list of (n, C_j) arrays, ``predict`` the first argmax per
output, in the dtype of ``classes_[0]`` (scikit-learn fills one array of that dtype).
"""

from __future__ import annotations

import numpy as np

from ...compose.multilabel import per_target
from ...fitted import Fitted
from ...network.heads import FrequencyHead
from ...network.multioutput import MultiOutputHead
from ...registry import Conversion

__all__ = ["multi_output_conversion"]


def output_classes(estimator) -> list[np.ndarray]:
    """Each output's ``classes_``, checked against ``n_outputs_`` and ``n_classes_``."""
    fitted = Fitted(estimator)
    n_outputs = fitted.integer("n_outputs_", low=1)
    classes = fitted.classes_per_output(n_outputs)
    counts = fitted.array("n_classes_", shape=(n_outputs,), dtype=np.int64, low=1)
    for j, (c, count) in enumerate(zip(classes, counts)):
        fitted.same("n_classes_", int(count), len(c), f"for output {j} the count")
    return classes


def multi_output_conversion(estimator, arrays: list[dict], layer, paths) -> Conversion:
    """The conversion of a multi-output tree or forest whose tree layer is ``layer``."""
    classes = output_classes(estimator)
    width = layer.describe().n_out
    padded = max(len(c) for c in classes)
    if width != len(classes) * padded:
        raise Fitted(estimator).error(
            "tree_.value", f"gives {width} leaf values per tree, but {len(classes)} outputs "
                           f"of at most {padded} classes need {len(classes) * padded}")
    blocks = [range(j * padded, j * padded + len(c)) for j, c in enumerate(classes)]
    heads = [FrequencyHead(len(c), "a tree's step units have no gradient") for c in classes]
    answers, columns = per_target(heads, blocks, width, ("predict_proba", "predict"))
    head = MultiOutputHead(columns, classes, proba_form="list", log_proba=True,
                           predict_dtype=classes[0].dtype)
    return Conversion(layers=[layer, answers], head=head, classes=classes, paths=paths)
