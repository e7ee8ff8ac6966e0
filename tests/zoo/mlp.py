"""Zoo entries for MLPClassifier: every activation, one logistic output unit or a softmax."""

from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from . import Case

CASES = [
    Case("mlp-relu-iris-str",
         lambda: MLPClassifier((10,), max_iter=300, random_state=0), "iris", "str",
         tags=("proba",)),
    Case("mlp-logistic-breast_cancer-binary",
         lambda: make_pipeline(StandardScaler(), MLPClassifier(
             (8,), activation="logistic", max_iter=200, random_state=0)),
         "breast_cancer", tags=("proba",)),
    Case("mlp-tanh-digits",
         lambda: MLPClassifier((16,), activation="tanh", max_iter=40, random_state=0),
         "digits", "noncontiguous", tags=("proba",)),
    Case("mlp-identity-wine",
         lambda: make_pipeline(StandardScaler(), MLPClassifier(
             (6,), activation="identity", max_iter=200, random_state=0)),
         "wine", tags=("proba",)),
    Case("mlp-relu-deep-lbfgs-blobs",
         lambda: MLPClassifier((20, 10, 5), solver="lbfgs", max_iter=200, random_state=0),
         "blobs", tags=("proba",)),
    Case("mlp-tanh-sgd-breast_cancer-str",
         lambda: make_pipeline(StandardScaler(), MLPClassifier(
             (12, 6), activation="tanh", solver="sgd", max_iter=100, random_state=0)),
         "breast_cancer", "str", tags=("proba",)),
]
