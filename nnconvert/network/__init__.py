"""The converted networks: a body of layers and a head, answering as scikit-learn does.

``base`` holds what every kind shares (input checks, one pass for several answers,
``explain()``); ``classifier``, ``regressor`` and ``transformer`` the three supervised kinds,
``multioutput`` classifiers of several targets,
``clusterer``, ``outlier`` and ``density`` the unsupervised ones (``labelled``: what a
clusterer's and a detector's labels share); ``heads``
how a body's output becomes scikit-learn's answers; ``votes`` one-vs-one voting; ``inputs``
the checks of what users pass in.
"""

from .base import ConvertedNetwork
from .classifier import ConvertedClassifier
from .clusterer import ClusterHead, ConvertedClusterer
from .density import ConvertedDensity, DensityHead
from .multioutput import ConvertedMultiOutputClassifier, MultiOutputHead
from .heads import ClassifierHead, Head, RegressionHead, TransformHead
from .outlier import ConvertedOutlierDetector, OutlierHead
from .regressor import ConvertedRegressor
from .transformer import ConvertedTransformer

__all__ = [
    "ConvertedNetwork",
    "ConvertedClassifier",
    "ConvertedRegressor",
    "ConvertedTransformer",
    "ConvertedClusterer",
    "ConvertedOutlierDetector",
    "ConvertedDensity",
    "ConvertedMultiOutputClassifier",
    "MultiOutputHead",
    "ClusterHead",
    "OutlierHead",
    "DensityHead",
    "Head",
    "ClassifierHead",
    "RegressionHead",
    "TransformHead",
]
