"""k-nearest and radius neighbours classifiers fitted on several targets (a 2-D y).

The neighbours are found once; each training row contributes, per target, the indicator of
its class, the indicators of all targets side by side. The vote of the neighbours (uniform
or by inverse distance) divided by their total weight is then, block by block, each target's
``predict_proba``, as scikit-learn computes it per target; each target's frequency head reads
its block (``predict`` its first argmax, scikit-learn's mode with ties to the smallest class).
"""

from __future__ import annotations

import numpy as np

from ..compose.multilabel import per_target
from ..errors import ConversionError
from ..fitted import Fitted
from ..network.heads import FrequencyHead
from ..network.multioutput import MultiOutputHead
from ..registry import Conversion

__all__ = ["multi_output_knn", "multi_output_radius"]


def _indicators(estimator) -> tuple[list[np.ndarray], np.ndarray]:
    """Each target's classes, and per training row its classes' indicators side by side."""
    fitted = Fitted(estimator)
    n_rows = fitted.integer("n_samples_fit_", low=1)
    codes = fitted.array("_y", shape=(n_rows, None), dtype=np.int64, low=0)
    classes = fitted.classes_per_output(codes.shape[1])
    for j, labels in enumerate(classes):
        if codes[:, j].max() >= len(labels):
            raise fitted.error("_y", f"reads class {codes[:, j].max()} of target {j}, which "
                                     f"has {len(labels)} classes")
    return classes, np.hstack([np.eye(len(c))[codes[:, j]] for j, c in enumerate(classes)])


def _conversion(layer, classes, width: int, predict_dtype, check=None) -> Conversion:
    offsets = np.cumsum([0] + [len(c) for c in classes])
    heads = [FrequencyHead(len(c), "a neighbour selection has no gradient", log_proba=False)
             for c in classes]
    answers, columns = per_target(heads, [range(a, b) for a, b in zip(offsets, offsets[1:])],
                                  width, ("predict_proba", "predict"))
    head = MultiOutputHead(columns, classes, proba_form="list", predict_dtype=predict_dtype,
                           check=check)
    return Conversion(layers=[layer, answers], head=head, classes=classes)


def multi_output_knn(estimator) -> Conversion:
    """KNeighborsClassifier on a 2-D y: one vote layer, one frequency head per target."""
    from .neighbors import _vote_layer

    classes, indicators = _indicators(estimator)
    layer = _vote_layer(estimator, indicators, classifier=True)
    # scikit-learn stacks the uniform brute-force answers (numpy's common dtype), and fills an
    # array of classes_[0]'s dtype otherwise
    stacked = estimator.weights == "uniform" and estimator._fit_method == "brute"
    return _conversion(layer, classes, indicators.shape[1],
                       None if stacked else classes[0].dtype)


def multi_output_radius(estimator) -> Conversion:
    """RadiusNeighborsClassifier on a 2-D y: one radius vote, one frequency head per target;
    a row with no neighbour gets each target's outlier label, or scikit-learn's error."""
    from .neighbors import RadiusHead, RadiusVote, _metric, _radius, _training_rows

    classes, indicators = _indicators(estimator)
    outlier = None
    labels = getattr(estimator, "outlier_label_", None)
    if labels is not None:
        labels = Fitted(estimator).per_output("outlier_label_", len(classes))
        parts = []
        for j, (label, c) in enumerate(zip(labels, classes)):
            where = np.flatnonzero(c == label)
            if where.size != 1:
                raise ConversionError(
                    f"RadiusNeighborsClassifier(outlier_label=...) predicts {label!r} for "
                    f"target {j}, which is not one of its classes_; a network answering "
                    "indices into classes_ cannot return it. Use outlier labels among the "
                    "classes, or 'most_frequent'.")
            parts.append(np.eye(len(c))[where[0]])
        outlier = np.concatenate(parts)
    metric, p, parameter = _metric(estimator)
    layer = RadiusVote(_training_rows(estimator), indicators, _radius(estimator),
                       estimator.weights, metric, p, classifier=True, outlier=outlier,
                       parameter=parameter)
    check = RadiusHead(indicators.shape[1], "a within-radius selection has no gradient")
    return _conversion(layer, classes, indicators.shape[1], classes[0].dtype, check=check)
