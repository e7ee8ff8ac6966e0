"""One room per estimator family: its converters, its special layers and heads, its rules.

Importing this package registers every family with :mod:`nnconvert.registry`. A family is a
module (or a small package where it is big) that imports the registry and the generic layers,
never another family's room.
"""

from . import (  # noqa: F401
    bayes,
    clustering,
    density,
    discriminant,
    dummy,
    elm,
    gaussian_process,
    gaussian_process_classifier,
    glm,
    isotonic,
    kernel_ridge,
    linear,
    mixture,
    mlp,
    neighbors,
    outliers,
    random_features,
    semi_supervised,
    svm,
    trees,
)
