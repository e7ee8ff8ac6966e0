"""Zoo entries of classifiers of several targets (a 2-D y): multi-output trees and forests,
k-NN and radius neighbours, DummyClassifier, the multilabel MLP, and MultiOutputClassifier
and ClassifierChain crossed with a member of every classifier family.

Kept out of ``FAMILIES`` (whose first cases the classifier tests sample):
:func:`zoo.ids` with ``kind="multioutput_classifier"`` lists them.
"""

from sklearn.dummy import DummyClassifier
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.multioutput import ClassifierChain, MultiOutputClassifier
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, RadiusNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, LinearSVC
from sklearn.tree import DecisionTreeClassifier, ExtraTreeClassifier

from . import Case


def _m(id, make, dataset, labels="int", *tags):
    return Case(id, make, dataset, labels=labels, tags=("multioutput", *tags),
                kind="multioutput_classifier")


#: one member of every classifier family, by name (the wrappers are crossed with each)
MEMBERS = {
    "linear": lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)),
    "linear-svc": lambda: make_pipeline(StandardScaler(), LinearSVC()),  # no predict_proba
    "tree": lambda: DecisionTreeClassifier(max_depth=4, random_state=0),
    "forest": lambda: RandomForestClassifier(8, max_depth=4, random_state=0),
    "knn": lambda: KNeighborsClassifier(5),
    "bayes": GaussianNB,
    "svc": lambda: make_pipeline(StandardScaler(), SVC(probability=True, random_state=0)),
    "mlp": lambda: make_pipeline(StandardScaler(), MLPClassifier(
        (8,), max_iter=400, random_state=0)),
}

CASES = [
    _m("multi-tree-iris", lambda: DecisionTreeClassifier(max_depth=5, random_state=0),
       "iris_targets", "int", "trees"),
    _m("multi-tree-str-wine", lambda: DecisionTreeClassifier(random_state=0),
       "wine_targets", "str", "trees"),
    _m("multi-extra-tree-wine", lambda: ExtraTreeClassifier(random_state=0),
       "wine_targets", "int", "trees"),
    _m("multi-forest-str-iris", lambda: RandomForestClassifier(10, max_depth=4, random_state=0),
       "iris_targets", "str", "trees"),
    _m("multi-extra-trees-wine", lambda: ExtraTreesClassifier(6, random_state=0),
       "wine_targets", "int", "trees"),
    _m("multi-forest-multilabel", lambda: RandomForestClassifier(5, random_state=0),
       "multilabel", "int", "trees"),
    _m("multi-knn-iris", lambda: KNeighborsClassifier(5), "iris_targets", "int", "neighbors"),
    _m("multi-knn-distance-str-wine", lambda: make_pipeline(
        StandardScaler(), KNeighborsClassifier(4, weights="distance")),
       "wine_targets", "str", "neighbors"),
    _m("multi-radius-iris", lambda: RadiusNeighborsClassifier(
        1.0, outlier_label="most_frequent"), "iris_targets", "int", "neighbors"),
    _m("multi-radius-distance-str-iris", lambda: RadiusNeighborsClassifier(
        1.2, weights="distance", outlier_label="most_frequent"), "iris_targets", "str",
       "neighbors"),
    *[_m(f"multi-dummy-{strategy}-str-wine", lambda strategy=strategy: DummyClassifier(
        strategy=strategy), "wine_targets", "str", "dummy")
      for strategy in ("prior", "most_frequent")],
    _m("multi-dummy-constant-iris", lambda: DummyClassifier(
        strategy="constant", constant=[2, 0]), "iris_targets", "int", "dummy"),
    _m("multilabel-mlp", lambda: MLPClassifier((10,), max_iter=500, random_state=0),
       "multilabel", "int", "mlp"),
    _m("multilabel-mlp-scaled", lambda: make_pipeline(StandardScaler(), MLPClassifier(
        (6, 4), activation="tanh", max_iter=500, random_state=0)), "multilabel", "int", "mlp"),
    # the wrappers, crossed with a member of every family
    *[_m(f"multi-output-{name}-str-wine", lambda make=make: MultiOutputClassifier(make()),
         "wine_targets", "str", "wrapper") for name, make in MEMBERS.items()],
    *[_m(f"chain-{name}-multilabel", lambda make=make: ClassifierChain(
        make(), order="random", random_state=0), "multilabel", "int", "wrapper", "chain")
      for name, make in MEMBERS.items()],
    _m("chain-proba-linear-multilabel", lambda: ClassifierChain(
        LogisticRegression(max_iter=2000), chain_method="predict_proba"), "multilabel", "int",
       "wrapper", "chain"),
    _m("chain-log-proba-bayes-multilabel", lambda: ClassifierChain(
        GaussianNB(), chain_method="predict_log_proba", order=[3, 1, 0, 2]), "multilabel",
       "int", "wrapper", "chain"),
    _m("chain-decision-svc-multilabel", lambda: ClassifierChain(
        make_pipeline(StandardScaler(), LinearSVC()), chain_method="decision_function"),
       "multilabel", "int", "wrapper", "chain"),
]
