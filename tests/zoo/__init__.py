"""The model zoo: real estimators fitted on real data, shared by every test.

A :class:`Case` names an unfitted estimator, a dataset and a labelling. Families add their
cases in a module of this package (``linear.py``, ``svm.py``, ...) listed in ``FAMILIES``;
``CASES`` gathers them all. A case's ``kind`` is the network it converts to: "classifier"
(the default), "regressor" or "transformer"; regressors fit on regression datasets.
Fitting is cached per test process. Text datasets (``TEXT``) hold documents, not numbers: their
cases are pipelines that start with a vectorizer, carry the tag "text", and only
``ids("text")`` lists them (the numeric tests probe points in a bounding box).
"""

from __future__ import annotations

import functools
import importlib
import importlib.resources
import re
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from sklearn import datasets
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

FAMILIES = ("linear", "compose", "elm", "mlp", "svm", "regression", "preprocessing", "bayes",
            "trees", "neighbors", "boosting_libraries", "catboost_imblearn", "closed_form",
            "meta")
#: zoo modules whose cases read documents, not numbers: in CASES, but not in FAMILIES, which
#: tests sample for numeric probes
TEXT_FAMILIES = ("text",)
#: zoo modules of the unsupervised kinds (clusterer, outlier_detector, density): in CASES,
#: not in FAMILIES, whose first cases the classifier tests sample
UNSUPERVISED_FAMILIES = ("unsupervised",)
#: zoo modules of classifiers of several targets (a 2-D y): in CASES, not in FAMILIES
MULTI_TARGET_FAMILIES = ("multioutput",)


@dataclass(frozen=True)
class Case:
    """One zoo entry: ``make()`` builds the unfitted estimator; ``labels`` relabels y."""

    id: str
    make: Callable
    dataset: str
    labels: str = "int"  # "int", "str" (names) or "noncontiguous" (7 * y - 3)
    tags: tuple[str, ...] = field(default=())
    kind: str = "classifier"  # the network it converts to: "regressor", "transformer"


def _generated_blobs():
    X, y = datasets.make_classification(
        n_samples=600, n_features=8, n_informative=5, n_classes=4, n_clusters_per_class=1,
        random_state=0,
    )
    return X, y, [f"blob{k}" for k in range(4)]


def _loader(name):
    def load():
        bunch = getattr(datasets, f"load_{name}")()
        return bunch.data, bunch.target, [str(t) for t in bunch.target_names]
    return load


def _diabetes():
    X, y = datasets.load_diabetes(return_X_y=True)
    return X, y, None


def _diabetes_two_targets():
    X, y = datasets.load_diabetes(return_X_y=True)
    return X, np.c_[y, np.sqrt(y) * X[:, 2] * 100.0], None


def _friedman():
    X, y = datasets.make_friedman1(n_samples=500, n_features=10, noise=0.5, random_state=0)
    return X, y, None


#: regression datasets: targets are floats, splits are not stratified
REGRESSION = {"diabetes": _diabetes, "diabetes2": _diabetes_two_targets, "friedman": _friedman}

#: the descriptions of scikit-learn's datasets (shipped with it: no download), by topic
TOPICS = {
    "text": ("twenty_newsgroups", "rcv1"),
    "images": ("lfw", "olivetti_faces", "digits"),
    "life": ("breast_cancer", "diabetes", "iris", "wine_data", "linnerud"),
    "places": ("california_housing", "species_distributions", "covtype", "kddcup99"),
}


@functools.cache
def descriptions() -> tuple[list[str], np.ndarray]:
    """Real text: the sentences of scikit-learn's dataset descriptions (its ``descr/*.rst``
    files), labelled by the topic of the dataset they describe; 289 sentences, 4 topics."""
    folder = importlib.resources.files("sklearn.datasets.descr")
    documents, labels = [], []
    for topic, names in TOPICS.items():
        for name in names:
            text = (folder / f"{name}.rst").read_text(encoding="utf-8")
            for sentence in re.split(r"(?<=[.!?])\s+|\n\s*\n", text):
                if len(re.findall(r"[A-Za-z]{2,}", sentence)) >= 5:  # not a table's rule
                    documents.append(" ".join(sentence.split()))
                    labels.append(topic)
    return documents, np.array(labels)


def _iris_targets():
    X, y = datasets.load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])
    long = (X[:, 0] > np.median(X[:, 0])).astype(int)  # a second, independent target
    return X, np.column_stack([y, long]), [names, np.array(["short", "long"])]


def _wine_targets():
    X, y = datasets.load_wine(return_X_y=True)
    strong = (X[:, 0] > np.median(X[:, 0])).astype(int)
    hue = np.digitize(X[:, 10], np.quantile(X[:, 10], [1 / 3, 2 / 3]))
    return X, np.column_stack([y, strong, hue]), [np.array(["c0", "c1", "c2"]),
                                                  np.array(["weak", "strong"]),
                                                  np.array(["pale", "mid", "deep"])]


def _multilabel():
    X, Y = datasets.make_multilabel_classification(n_samples=300, n_features=8, n_classes=4,
                                                   random_state=0)
    # word counts, jittered: whole numbers put many rows at equal distances, which k-NN
    # members inside a chain would resolve as ambiguously as scikit-learn's own paths do
    jitter = np.random.default_rng(0).normal(scale=0.05, size=X.shape)
    return X + jitter, Y, None


#: datasets of several targets (a 2-D y of class indices per column; "str" labels name them
#: from the third element), split 70/30 without stratification
TARGETS = {"iris_targets": _iris_targets, "wine_targets": _wine_targets,
           "multilabel": _multilabel}

#: text datasets: documents (lists of str), stratified 70/30
TEXT = {"descriptions": descriptions}

DATASETS = {
    "iris": _loader("iris"),
    "wine": _loader("wine"),
    "breast_cancer": _loader("breast_cancer"),
    "digits": _loader("digits"),
    "blobs": _generated_blobs,
}


@functools.cache
def data(dataset: str, labels: str = "int"):
    """``(X_train, X_test, y_train, y_test)`` for a dataset, float64, stratified 70/30."""
    if dataset in TEXT:
        documents, y = TEXT[dataset]()
        return train_test_split(documents, y, test_size=0.3, random_state=0, stratify=y)
    if dataset in TARGETS:
        X, Y, names = TARGETS[dataset]()
        if labels == "str":
            Y = np.column_stack([n[Y[:, j]] for j, n in enumerate(names)])
        elif labels != "int":
            raise ValueError(labels)
        return train_test_split(np.asarray(X, dtype=np.float64), Y, test_size=0.3,
                                random_state=0)
    if dataset in REGRESSION:
        X, y, _ = REGRESSION[dataset]()
        return train_test_split(np.asarray(X, dtype=np.float64), y, test_size=0.3,
                                random_state=0)
    X, y, names = DATASETS[dataset]()
    if labels == "str":
        y = np.asarray(names, dtype=object)[y].astype(str)
    elif labels == "noncontiguous":
        y = 7 * y - 3
    elif labels != "int":
        raise ValueError(labels)
    return train_test_split(
        np.asarray(X, dtype=np.float64), y, test_size=0.3, random_state=0, stratify=y
    )


def probe_points(X: np.ndarray, n: int = 200, seed: int = 0) -> np.ndarray:
    """Points spread over (and a little beyond) the data's bounding box."""
    rng = np.random.default_rng(seed)
    low, high = X.min(axis=0), X.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    return rng.uniform(low - 0.25 * span, high + 0.25 * span, size=(n, X.shape[1]))


def _load_cases() -> list[Case]:
    cases: list[Case] = []
    for family in FAMILIES + TEXT_FAMILIES + UNSUPERVISED_FAMILIES + MULTI_TARGET_FAMILIES:
        cases += importlib.import_module(f"{__name__}.{family}").CASES
    ids = [c.id for c in cases]
    duplicated = {i for i in ids if ids.count(i) > 1}
    assert not duplicated, f"duplicate zoo ids: {duplicated}"
    return cases


CASES: list[Case] = _load_cases()
BY_ID = {case.id: case for case in CASES}


@functools.cache
def fitted(case_id: str):
    """``(estimator, X_train, X_test)`` for a zoo case, fitted once per process."""
    case = BY_ID[case_id]
    X_train, X_test, y_train, _ = data(case.dataset, case.labels)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", FutureWarning)  # deprecated estimators still convert
        estimator = case.make()
        estimator.fit(X_train, y_train)
    return estimator, X_train, X_test


def ids(tag: str | None = None, kind: str = "classifier") -> list[str]:
    """Zoo ids of one kind of network, optionally only those carrying ``tag``; cases on
    text datasets only for ``tag="text"``."""
    return [c.id for c in CASES if c.kind == kind and (tag is None or tag in c.tags)
            and (c.dataset not in TEXT or tag == "text")]
