"""The demo: fit real models on data scikit-learn ships, convert, verify, explain and draw.

``nnconvert demo`` runs :func:`run_demo`. Each story fits a model on a training split,
converts it, verifies the network against the model on held-out rows it has never seen
(:func:`nnconvert.verify`), prints the equivalence as formulas and draws the network as an
SVG diagram.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

import numpy as np
import torch
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, LinearSVC

from .converter import convert
from .diagram import draw
from .elm import ELMClassifier
from .verify import verify

__all__ = ["run_demo", "demo_models"]


def _split(bunch, labels=None):
    y = bunch.target if labels is None else labels
    return train_test_split(bunch.data, y, test_size=0.3, random_state=0, stratify=y)


def demo_models():
    """``(name, title, estimator, (X_train, X_test, y_train, y_test))`` per story, unfitted."""
    cancer, iris, wine, digits = load_breast_cancer(), load_iris(), load_wine(), load_digits()
    iris_names = np.asarray(iris.target_names)[iris.target]  # string labels, as users have them
    return [
        ("logistic_regression", "Logistic regression = one sigmoid neuron (breast cancer)",
         make_pipeline(StandardScaler(), LogisticRegression()), _split(cancer)),
        ("linear_svm", "Linear SVM = one neuron with no activation, bias −w0 (breast cancer)",
         make_pipeline(StandardScaler(), LinearSVC(C=0.1)), _split(cancer)),
        ("softmax", "Multinomial logistic regression = a softmax layer (iris, string labels)",
         LogisticRegression(max_iter=1000), _split(iris, iris_names)),
        ("rbf_svm", "RBF-kernel SVM = Gaussian units on the support vectors, one-vs-one "
         "neurons and a vote (digits, 10 classes)", SVC(kernel="rbf", gamma="scale"),
         _split(digits)),
        ("elm", "Extreme learning machine = a random hidden layer and a linear read-out (wine)",
         make_pipeline(StandardScaler(), ELMClassifier(n_hidden=40, random_state=0)),
         _split(wine)),
    ]


def run_demo(out: TextIO = sys.stdout, diagrams: str | Path = "demo-diagrams") -> bool:
    """Run every story, printing as it goes and drawing each network into ``diagrams``.

    Returns True when every network agrees with its estimator.
    """
    directory = Path(diagrams)
    directory.mkdir(parents=True, exist_ok=True)
    all_passed = True
    for name, title, estimator, (X_train, X_test, y_train, y_test) in demo_models():
        estimator.fit(X_train, y_train)
        net = convert(estimator, dtype=torch.float64)
        report = verify(estimator, net, X_test, progress=False)
        all_passed &= report.passed
        print(f"\n== {title}", file=out)
        print(net.explain(), file=out)
        accuracy = float(np.mean(net.predict(X_test) == y_test))
        print(f"\n{report}", file=out)
        path = directory / f"{name}.svg"
        draw(net).save(path)
        print(f"test accuracy {accuracy:.3f}; diagram: {path}", file=out)
    print("\nAll networks agree with their estimators." if all_passed
          else "\nSOME NETWORKS DISAGREE: see above.", file=out)
    return all_passed
