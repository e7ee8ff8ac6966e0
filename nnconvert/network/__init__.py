"""The converted networks: a body of layers and a head, answering as scikit-learn does.

``base`` holds what every kind shares (input checks, one pass for several answers,
``explain()``); ``classifier``, ``regressor`` and ``transformer`` the three kinds; ``heads``
how a body's output becomes scikit-learn's answers; ``votes`` one-vs-one voting; ``inputs``
the checks of what users pass in.
"""

from .base import ConvertedNetwork
from .classifier import ConvertedClassifier
from .heads import ClassifierHead, Head, RegressionHead, TransformHead
from .regressor import ConvertedRegressor
from .transformer import ConvertedTransformer

__all__ = [
    "ConvertedNetwork",
    "ConvertedClassifier",
    "ConvertedRegressor",
    "ConvertedTransformer",
    "Head",
    "ClassifierHead",
    "RegressionHead",
    "TransformHead",
]
