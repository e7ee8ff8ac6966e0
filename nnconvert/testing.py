"""Hypothesis strategies for testing converted networks, and a search for disagreements.

Use them in your own property tests::

    from hypothesis import given
    from nnconvert import testing

    @given(testing.fitted_estimators(families=["linear"]), st.data())
    def test_my_pipeline(fitted, data):
        estimator, X = fitted
        row = data.draw(testing.inputs(X))
        ...

or let :func:`find_disagreement` hunt for an input where a network and its estimator part:
rows of the data, points drawn over the data's range, and points next to the estimator's
decision boundary (found by bisection between two differently labelled rows), where a wrong
bias or a wrong tie rule shows first.
"""

from __future__ import annotations

import random
import warnings
from typing import Callable, Sequence

import numpy as np
from hypothesis import HealthCheck, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample
from sklearn import datasets as sk_datasets
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from .agreement import default_rtol, reference_outputs, score_methods, score_scale
from .converter import supported_estimators
from .verify import compare

__all__ = [
    "REAL_DATASETS",
    "datasets",
    "estimator_factories",
    "fitted_estimators",
    "inputs",
    "boundary_point",
    "boundary_points",
    "documents",
    "find_disagreement",
]

#: The datasets scikit-learn ships that the strategies draw from.
REAL_DATASETS = ("iris", "wine", "breast_cancer", "digits")


# -- data ------------------------------------------------------------------------------------

@st.composite
def datasets(draw, names: Sequence[str] = (*REAL_DATASETS, "generated"),
             max_samples: int = 200):
    """Classification data ``(X, y)``: a real dataset, or a generated one.

    Real datasets are subsampled (stratified) to at most ``max_samples`` rows, so that fits
    stay fast; generated ones draw their features, classes and seed.

    Parameters
    ----------
    names : sequence of str
        Among :data:`REAL_DATASETS` and ``"generated"``.
    max_samples : int
    """
    name = draw(st.sampled_from(list(names)))
    seed = draw(st.integers(0, 2**16))
    if name == "generated":
        n_classes = draw(st.integers(2, 4))
        n_features = draw(st.integers(2, 10))
        X, y = sk_datasets.make_classification(
            n_samples=max_samples, n_features=n_features,
            n_informative=min(n_features, max(2, n_classes)), n_redundant=0,
            n_classes=n_classes, n_clusters_per_class=1, random_state=seed)
        return X.astype(np.float64), y
    if name not in REAL_DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose among {REAL_DATASETS} or "
                         f"'generated'")
    X, y = getattr(sk_datasets, f"load_{name}")(return_X_y=True)
    if len(X) > max_samples:
        from sklearn.model_selection import train_test_split

        X, _, y, _ = train_test_split(X, y, train_size=max_samples, stratify=y,
                                      random_state=seed)
    return np.asarray(X, dtype=np.float64), y


# -- estimators ------------------------------------------------------------------------------

def _scaled(make: Callable) -> Callable:
    # kernels, hidden layers and random features need standardised inputs to fit sensibly
    return lambda seed: make_pipeline(StandardScaler(), make(seed))


def _linear() -> list[tuple[str, Callable]]:
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.linear_model import LogisticRegression, Perceptron, RidgeClassifier, SGDClassifier
    from sklearn.svm import LinearSVC

    return [
        ("LogisticRegression", _scaled(lambda s: LogisticRegression(max_iter=300))),
        ("LinearSVC", _scaled(lambda s: LinearSVC(C=0.5, max_iter=2000))),
        ("SGDClassifier", lambda s: SGDClassifier(loss="modified_huber", random_state=s)),
        ("RidgeClassifier", lambda s: RidgeClassifier(alpha=1.0)),
        ("Perceptron", lambda s: Perceptron(random_state=s)),
        ("LinearDiscriminantAnalysis",
         lambda s: LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto")),
    ]


def _svm() -> list[tuple[str, Callable]]:
    from sklearn.svm import SVC, NuSVC

    return [
        ("SVC", _scaled(lambda s: SVC(kernel="rbf", C=3.0))),
        ("SVC", _scaled(lambda s: SVC(kernel="poly", degree=2, coef0=1.0))),
        ("SVC", _scaled(lambda s: SVC(kernel="linear", decision_function_shape="ovo"))),
        ("NuSVC", _scaled(lambda s: NuSVC(nu=0.2, kernel="sigmoid", gamma=0.05))),
    ]


def _elm() -> list[tuple[str, Callable]]:
    from .elm import ELMClassifier

    return [("ELMClassifier", _scaled(lambda s: ELMClassifier(n_hidden=30, random_state=s)))]


def _mlp() -> list[tuple[str, Callable]]:
    from sklearn.neural_network import MLPClassifier

    return [("MLPClassifier", _scaled(lambda s: MLPClassifier(
        hidden_layer_sizes=(12,), max_iter=150, random_state=s)))]


def _trees() -> list[tuple[str, Callable]]:
    from sklearn.ensemble import (
        ExtraTreesClassifier,
        GradientBoostingClassifier,
        HistGradientBoostingClassifier,
        RandomForestClassifier,
    )
    from sklearn.tree import DecisionTreeClassifier

    # small enough to fit in a fraction of a second, deep enough for every kind of path
    return [
        ("DecisionTreeClassifier", lambda s: DecisionTreeClassifier(max_depth=6, random_state=s)),
        ("RandomForestClassifier",
         lambda s: RandomForestClassifier(20, max_depth=6, random_state=s)),
        ("ExtraTreesClassifier", lambda s: ExtraTreesClassifier(20, max_depth=6, random_state=s)),
        ("GradientBoostingClassifier",
         lambda s: GradientBoostingClassifier(n_estimators=15, max_depth=3, random_state=s)),
        ("HistGradientBoostingClassifier",
         lambda s: HistGradientBoostingClassifier(max_iter=15, random_state=s)),
    ]


_FAMILIES = {"linear": _linear, "svm": _svm, "elm": _elm, "mlp": _mlp, "trees": _trees}


def estimator_factories(families: Sequence[str] | None = None) -> dict[str, list]:
    """Per family, ``(class name, make(seed))`` pairs of the estimators nnconvert converts.

    A family appears only where its converter is installed (its class names are among
    :func:`nnconvert.supported_estimators`), so strategies never draw what cannot convert.
    """
    wanted = list(_FAMILIES) if families is None else list(families)
    unknown = [f for f in wanted if f not in _FAMILIES]
    if unknown:
        raise ValueError(f"unknown families {unknown}; choose among {list(_FAMILIES)}")
    supported = set(supported_estimators())
    found = {}
    for family in wanted:
        try:
            makers = _FAMILIES[family]()
        except ImportError:
            continue
        makers = [(name, make) for name, make in makers if name in supported]
        if makers:
            found[family] = makers
    return found


@st.composite
def fitted_estimators(draw, families: Sequence[str] | None = None, data=None):
    """A fitted estimator of a supported family and the ``X`` it was fitted on.

    Parameters
    ----------
    families : sequence of str, optional
        Among "linear", "svm", "elm", "mlp", "trees" (default: every one whose converter
        exists).
    data : strategy, optional
        Of ``(X, y)`` pairs; default :func:`datasets`.

    Returns
    -------
    strategy of (estimator, X)
    """
    factories = estimator_factories(families)
    if not factories:
        raise ValueError(f"no converter is installed for the families {families}")
    X, y = draw(data if data is not None else datasets())
    family = draw(st.sampled_from(sorted(factories)))
    _, make = draw(st.sampled_from(factories[family]))
    seed = draw(st.integers(0, 2**16))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator = make(seed).fit(X, y)
    return estimator, X


# -- inputs ----------------------------------------------------------------------------------

def _bounds(X, beyond: float) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or len(X) == 0:
        raise ValueError(f"X must be a non-empty 2-D array of rows, got shape {X.shape}")
    low, high = X.min(axis=0), X.max(axis=0)
    span = high - low
    return low - beyond * span, high + beyond * span


def inputs(X, *, beyond: float = 0.0):
    """Rows (1-D float64 arrays) inside the box the data spans, widened by ``beyond`` spans.

    A constant feature stays constant.
    """
    low, high = _bounds(X, beyond)
    features = [st.just(float(lo)) if lo == hi else
                st.floats(float(lo), float(hi), allow_nan=False, allow_infinity=False)
                for lo, hi in zip(low, high)]
    return st.tuples(*features).map(lambda row: np.array(row, dtype=np.float64))


def boundary_point(estimator, a, b, *, points: int = 64, rounds: int = 10) -> np.ndarray:
    """A point next to the decision boundary on the segment from ``a`` to ``b``.

    ``a`` and ``b`` must be predicted differently. Each round evaluates ``points`` points of
    the current interval in one ``predict`` call and keeps the first change of label from
    ``a``'s; after ``rounds`` rounds the interval is ``(points - 1)**-rounds`` of the segment (to
    float64 resolution). Returns the end on ``a``'s side.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    label = estimator.predict(a[None])[0]
    if not _differs(estimator.predict(b[None]), label)[0]:
        raise ValueError("a and b are predicted alike: there is no boundary between them "
                         "to find; pick rows of different predicted classes")
    low, high = 0.0, 1.0  # label(low) == label(a) != label(high)
    for _ in range(rounds):
        t = np.linspace(low, high, points)
        labels = estimator.predict(a + t[:, None] * (b - a))
        changed = np.flatnonzero(_differs(labels, label))
        first = changed[0] if changed.size else points - 1
        if first == 0:  # cannot happen for t=low, kept for float corner cases
            break
        low, high = t[first - 1], t[first]
        if not low < high:
            break
    return a + low * (b - a)


def _differs(labels: np.ndarray, label) -> np.ndarray:
    """Per row, whether its label differs from ``label`` (any target's, for several)."""
    return (np.asarray(labels) != label).reshape(len(labels), -1).any(axis=1)


def boundary_points(estimator, X):
    """Points next to ``estimator``'s decision boundary, between rows of ``X`` it labels
    differently (see :func:`boundary_point`). Needs two predicted classes among the rows."""
    X = np.asarray(X, dtype=np.float64)
    labels = np.asarray(estimator.predict(X))
    if labels.ndim == 2:  # several targets: rows of one combination of labels form a group
        labels = np.unique(labels.astype(str), axis=0, return_inverse=True)[1].reshape(-1)
    groups = [np.flatnonzero(labels == c) for c in np.unique(labels)]
    if len(groups) < 2:
        raise ValueError("the estimator predicts a single class on X: there is no boundary "
                         "between its rows; pass rows of at least two predicted classes")

    @st.composite
    def draw_point(draw):
        first, second = draw(st.permutations(range(len(groups))))[:2]
        i = draw(st.sampled_from(groups[first]))
        j = draw(st.sampled_from(groups[second]))
        return boundary_point(estimator, X[i], X[j])

    return draw_point()


# -- the search ------------------------------------------------------------------------------

def documents(corpus: Sequence[str]) -> st.SearchStrategy[str]:
    """Documents for a model that reads text: one of ``corpus``, two of them joined, or a
    bag of its words in any order and number (the empty document too), so that rare terms,
    repeated terms and rows with no known term all come up.

    Parameters
    ----------
    corpus : sequence of str
        Real documents (typically the training texts); their words are the vocabulary drawn.
    """
    corpus = [str(d) for d in corpus]
    words = sorted({w for d in corpus for w in d.split()}) or ["word"]
    some = st.sampled_from(corpus)
    bags = st.lists(st.sampled_from(words), max_size=40).map(" ".join)
    return st.one_of(some, st.tuples(some, some).map(" ".join), bags)


class _Checker:
    """Does a row show a disagreement? The one verdict (:func:`nnconvert.verify.compare`) on
    that row alone, its scores judged against the scale of the data's. A row is a document
    where the network reads text."""

    def __init__(self, estimator, net, X, rtol: float):
        self.estimator, self.net, self.rtol = estimator, net, rtol
        self.text = isinstance(X, list)
        # scores are judged against the data's scale: a row near a binary boundary has
        # scores near 0, against which rounding alone would look large
        methods = [m for m in score_methods(net.head.kind) if hasattr(estimator, m)]
        reference = reference_outputs(estimator, X, methods)
        self.scale = {m: score_scale(answer) for m, answer in reference.items()}

    def __call__(self, row: np.ndarray) -> bool:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # feature-name and convergence chatter
            report = compare(self.estimator, self.net, [row] if self.text else row[None],
                             rtol=self.rtol, scale_floor=self.scale)
        return not report.passed


def find_disagreement(estimator, net, X, max_examples: int = 200, *, rtol: float | None = None,
                      seed: int = 0):
    """Search for an input where ``net`` and ``estimator`` disagree; None if none is found.

    Hypothesis draws rows of ``X``, points over the data's range (and a little beyond) and
    points next to the decision boundary; a row disagrees when a score differs by more than
    ``rtol`` times the data's score scale, or the label differs outside the near-tie band.
    The first disagreement found is shrunk to a simpler row before it is returned.

    Parameters
    ----------
    estimator : fitted scikit-learn estimator
    net : ConvertedNetwork
        Its network, of any kind (a density has no labels: only its scores are compared).
    X : array-like of shape (n_samples, n_features)
        Data that sets the range searched (typically the training data).
    max_examples : int, default 200
        Inputs tried before giving up.
    rtol : float, optional
        Default: 1e-9 for float64 networks, 1e-4 for float32 ones.
    seed : int, default 0
        The search is deterministic for a given seed.

    Returns
    -------
    numpy.ndarray of shape (n_features,) or None
        A document (str) instead, where the network runs a text vectorizer and ``X`` holds
        documents: drawn by :func:`documents` from them.

    Examples
    --------
    >>> import nnconvert as nc
    >>> from nnconvert.testing import find_disagreement
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = load_iris(return_X_y=True)
    >>> model = LogisticRegression(max_iter=1000).fit(X, y)
    >>> find_disagreement(model, nc.convert(model), X, max_examples=20) is None
    True
    """
    if rtol is None:
        rtol = default_rtol(getattr(net, "dtype", None))
    stage = getattr(net, "input_stage", None)
    if stage is not None and stage.input_kind == "documents" and stage.accepts(X):
        X = [str(d) for d in X]
        checker = _Checker(estimator, net, X, rtol)
        sources = [documents(X)]
    else:
        X = np.asarray(X, dtype=np.float64)
        checker = _Checker(estimator, net, X, rtol)
        sources = [st.sampled_from(list(X)), inputs(X, beyond=0.1)]
        if hasattr(estimator, "predict") and len(np.unique(estimator.predict(X))) > 1:
            sources.append(boundary_points(estimator, X))
    try:
        return find(
            st.one_of(*sources),
            checker,
            settings=settings(max_examples=max_examples, database=None, deadline=None,
                              suppress_health_check=list(HealthCheck)),
            random=random.Random(seed),
        )
    except NoSuchExample:
        return None
