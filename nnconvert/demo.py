"""The demo: fit real models on data scikit-learn ships, convert, check agreement, explain.

``nnconvert demo`` runs :func:`run_demo`. Each story fits a model on a training split, converts
it, and compares the network with the model on held-out rows it has never seen.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

import numpy as np
import torch
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from .agreement import compare
from .convert import convert

__all__ = ["run_demo", "demo_models"]


def demo_models():
    """``(title, estimator, (X_train, X_test, y_train, y_test))`` for each demo story, unfitted."""
    cancer = load_breast_cancer()
    iris = load_iris()
    y_iris = np.asarray(iris.target_names)[iris.target]  # string labels, as users have them
    split = dict(test_size=0.3, random_state=0)
    cancer_split = train_test_split(cancer.data, cancer.target, stratify=cancer.target, **split)
    iris_split = train_test_split(iris.data, y_iris, stratify=y_iris, **split)
    return [
        ("Logistic regression = one sigmoid neuron (breast cancer, 30 features)",
         make_pipeline(StandardScaler(), LogisticRegression()), cancer_split),
        ("Linear SVM = one neuron with no activation, bias −w0 (breast cancer)",
         make_pipeline(StandardScaler(), LinearSVC(C=0.1)), cancer_split),
        ("Multinomial logistic regression = a softmax layer (iris, string labels)",
         LogisticRegression(max_iter=1000), iris_split),
    ]


def run_demo(out: TextIO = sys.stdout) -> bool:
    """Run every demo story, printing as it goes; True when every network agrees exactly."""
    all_passed = True
    for title, estimator, (X_train, X_test, y_train, y_test) in demo_models():
        estimator.fit(X_train, y_train)
        net = convert(estimator, dtype=torch.float64)
        start = time.perf_counter()
        agreement = compare(estimator, net, X_test)
        elapsed = time.perf_counter() - start
        all_passed &= agreement.passed
        print(f"\n== {title}", file=out)
        print(net.explain(), file=out)
        accuracy = float(np.mean(net.predict(X_test) == y_test))
        diffs = ", ".join(f"{m} {d:.1e}" for m, d in agreement.max_abs_diff.items())
        verdict = "AGREES" if agreement.passed else "DISAGREES"
        print(
            f"-> on {agreement.n_samples} held-out rows the network {verdict} with scikit-learn: "
            f"max |diff| {diffs}; {agreement.n_disagreements} label disagreements; "
            f"test accuracy {accuracy:.3f} ({elapsed * 1e3:.0f} ms)",
            file=out,
        )
    print("\nAll networks agree with their estimators." if all_passed
          else "\nSOME NETWORKS DISAGREE: see above.", file=out)
    return all_passed
