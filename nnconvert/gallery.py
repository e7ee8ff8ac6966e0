"""The diagram gallery: one small, deterministic example model per family, drawn.

Every example is fitted on a dataset scikit-learn ships (iris, wine, digits, diabetes) with fixed
seeds, converted, and drawn with :func:`nnconvert.draw`. :func:`write_diagrams` writes each
one as ``<name>.svg`` plus its DOT source ``<name>.dot``; the repository's ``diagrams/``
folder is this function's output, and a test regenerates the DOT sources to catch a stale
gallery. Regenerate it with ``nnconvert draw --examples diagrams/``.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
from sklearn import datasets
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.multiclass import OneVsOneClassifier, OneVsRestClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.svm import SVC, LinearSVC

from .converter import convert
from .diagram import Diagram, draw
from .elm import ELMClassifier

__all__ = [
    "Example",
    "EXAMPLES",
    "example",
    "example_names",
    "example_network",
    "example_diagram",
    "write_diagrams",
]


@dataclass(frozen=True)
class Example:
    """One gallery entry.

    Parameters
    ----------
    name : str
        File stem of the diagram (``<name>.svg``, ``<name>.dot``).
    summary : str
        One sentence: what the picture shows.
    dataset : str
        A scikit-learn bundled dataset: "iris", "iris-binary" (versicolor vs virginica),
        "wine", "digits" or "diabetes" (a regression target).
    make : callable
        Builds the unfitted estimator (seeded).
    options : dict
        Extra keyword arguments for :func:`nnconvert.draw`.
    outputs_are_features : bool
        Name the outputs after the dataset's features: a scaler fitted on an array names its
        outputs x0, x1, … where on a dataframe it would use the column names.
    """

    name: str
    summary: str
    dataset: str
    make: Callable
    options: dict = field(default_factory=dict)
    outputs_are_features: bool = False


@functools.cache
def _data(dataset: str) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """``(X, y, feature_names)``: string class labels, so diagrams name the classes, or a
    regression dataset's numeric target."""
    name = "iris" if dataset == "iris-binary" else dataset
    bunch = getattr(datasets, f"load_{name}")()
    X = np.asarray(bunch.data, dtype=np.float64)
    if hasattr(bunch, "target_names"):
        y = np.asarray(bunch.target_names)[bunch.target].astype(str)
    else:
        y = np.asarray(bunch.target, dtype=np.float64)
    if dataset == "iris-binary":
        keep = bunch.target > 0  # versicolor vs virginica: the two classes that overlap
        X, y = X[keep], y[keep]
    names = tuple(str(f).replace(" (cm)", "") for f in bunch.feature_names)
    return X, y, names


EXAMPLES: tuple[Example, ...] = (
    Example(
        "logistic_regression_binary",
        "Logistic regression is one neuron with a sigmoid.",
        "iris-binary", lambda: LogisticRegression(), {"weights": True},
    ),
    Example(
        "linear_svc_binary",
        "A linear SVM is the same neuron with no activation; its bias is −w0.",
        "iris-binary", lambda: LinearSVC(random_state=0, max_iter=20000), {"weights": True},
    ),
    Example(
        "logistic_regression_multinomial",
        "Multinomial logistic regression is a softmax layer, one neuron per class.",
        "iris", lambda: LogisticRegression(max_iter=1000),
    ),
    Example(
        "pipeline_scaler_logistic",
        "A scaler in front is an elementwise affine layer (13 inputs, collapsed).",
        "wine", lambda: make_pipeline(StandardScaler(), LogisticRegression()),
    ),
    Example(
        "one_vs_rest_logistic",
        "One-vs-rest logistic regressions merge into one layer of sigmoids, normalised.",
        "iris", lambda: OneVsRestClassifier(LogisticRegression(max_iter=1000)),
    ),
    Example(
        "one_vs_rest_pipelines",
        "One-vs-rest members that cannot merge run side by side as parallel branches.",
        "iris", lambda: OneVsRestClassifier(make_pipeline(StandardScaler(), LinearSVC(
            random_state=0))),
    ),
    Example(
        "one_vs_one_linear_svc",
        "One-vs-one linear SVMs: one neuron per class pair, then a vote.",
        "iris", lambda: OneVsOneClassifier(LinearSVC(random_state=0, max_iter=20000)),
    ),
    Example(
        "digits_logistic_regression",
        "A wide model: 64 pixel inputs and 10 classes, collapsed to their first and last units.",
        "digits", lambda: make_pipeline(StandardScaler(), LogisticRegression(C=0.1)),
    ),
    Example(
        "mlp_relu",
        "An MLP is already a network: a ReLU hidden layer, then a softmax layer.",
        "iris", lambda: make_pipeline(StandardScaler(), MLPClassifier(
            hidden_layer_sizes=(6,), solver="lbfgs", max_iter=2000, random_state=0)),
        {"weights": True},
    ),
    Example(
        "svc_rbf",
        "An RBF SVM: Gaussian units on the support vectors, one-vs-one neurons, a vote.",
        "iris", lambda: SVC(kernel="rbf", gamma=0.5, C=1.0),
    ),
    Example(
        "elm_sigmoid",
        "An extreme learning machine: a random sigmoid hidden layer and a linear read-out.",
        "iris", lambda: make_pipeline(StandardScaler(), ELMClassifier(
            n_hidden=12, random_state=0)),
    ),
    Example(
        "ridge_regression",
        "A regressor is the same neuron again, its output the prediction y.",
        "diabetes", lambda: make_pipeline(StandardScaler(), Ridge(alpha=1.0)),
    ),
    Example(
        "scalers_pipeline",
        "A pipeline of scalers on its own: elementwise maps, outputs named as it names them.",
        "wine", lambda: make_pipeline(StandardScaler(), MinMaxScaler(feature_range=(-1, 1))),
        outputs_are_features=True,
    ),
)


def example(name: str) -> Example:
    """The gallery entry called ``name``."""
    for entry in EXAMPLES:
        if entry.name == name:
            return entry
    names = ", ".join(e.name for e in EXAMPLES)
    raise KeyError(f"no gallery example {name!r}; the examples are: {names}")


@functools.cache
def _fitted(name: str):
    entry = example(name)
    X, y, _ = _data(entry.dataset)
    with warnings.catch_warnings():
        # the examples are kept small and fast; a not-quite-converged fit still converts
        warnings.simplefilter("ignore", ConvergenceWarning)
        return entry.make().fit(X, y)


def example_network(name: str):
    """The fitted example ``name``, converted (a classifier, regressor or transformer)."""
    return convert(_fitted(name))


def example_diagram(name: str) -> Diagram:
    """The gallery diagram ``name``, drawn with the dataset's feature names."""
    entry = example(name)
    _, _, feature_names = _data(entry.dataset)
    options = dict(entry.options)
    if entry.outputs_are_features:
        options["output_names"] = feature_names
    return draw(example_network(name), feature_names=feature_names, **options)


def example_names() -> list[str]:
    """The names of the gallery's examples (each one's estimator is one nnconvert converts)."""
    return [e.name for e in EXAMPLES]


def write_diagrams(directory, only: list[str] | None = None) -> list[Path]:
    """Draw every gallery example into ``directory`` as ``<name>.svg`` and ``<name>.dot``.

    Parameters
    ----------
    directory : str or os.PathLike
        Created if missing.
    only : list of str, optional
        Only these examples (default: all that this installation converts).

    Returns
    -------
    list of pathlib.Path
        The files written, SVG then DOT for each example, in gallery order.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in example_names() if only is None else only:
        diagram = example_diagram(name)
        written.append(diagram.save(directory / f"{name}.svg"))
        written.append(diagram.save(directory / f"{name}.dot"))
    return written
