"""Outlier detectors and densities as networks.

An isolation forest is path lengths through its trees and one unit ``−2^(−h/c)``; a one-class
SVM kernel units and a neuron; an elliptic envelope one Mahalanobis quadratic unit; a local
outlier factor distance units to the training rows, the k nearest kept, and their
reachability densities; a kernel density kernel units and a log-sum-exp. Each detector's
head subtracts the fitted ``offset_`` (from ``contamination``) and answers +1 (inlier) or
−1 (outlier). All are fitted on the breast-cancer data (standardised), converted, and
verified on held-out rows and on rows far outside the data.

Run: ``python examples/outliers_and_densities.py [--draw DIR]``; the last step draws the
isolation forest's network (a small one, so that every unit shows).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from sklearn.covariance import EllipticEnvelope
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import IsolationForest
from sklearn.linear_model import SGDOneClassSVM
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KernelDensity, LocalOutlierFactor
from sklearn.preprocessing import StandardScaler
from sklearn.svm import OneClassSVM

import nnconvert as nc


def models() -> dict:
    """The detectors and the density of this example, unfitted."""
    return {
        "IsolationForest": IsolationForest(n_estimators=50, random_state=0),
        "OneClassSVM": OneClassSVM(nu=0.05, gamma=0.02),
        "SGDOneClassSVM": SGDOneClassSVM(nu=0.05, random_state=0),
        "EllipticEnvelope": EllipticEnvelope(support_fraction=0.9, random_state=0),
        "LocalOutlierFactor": LocalOutlierFactor(n_neighbors=20, novelty=True),
        "KernelDensity": KernelDensity(bandwidth=2.0),
    }


def evaluate() -> list[tuple]:
    """``(model, kind, outliers among held-out rows, passed)`` per model."""
    X = StandardScaler().fit_transform(load_breast_cancer().data)
    X_train, X_test = train_test_split(X, test_size=0.3, random_state=0)
    X_check = np.vstack([X_test, X_test[:10] * 1e3])
    rows = []
    for name, model in models().items():
        model.fit(X_train)
        net = nc.convert(model)
        # far from every training row, scikit-learn's KernelDensity answers from its tree's
        # bounds, not the exact sum the network computes (see the report): held-out rows only
        rows_checked = X_test if name == "KernelDensity" else X_check
        report = nc.verify(model, net, rows_checked, progress=False)
        outliers = int((net.predict(X_test) == -1).sum()) if hasattr(net, "predict") else None
        rows.append((name, net.head.kind, outliers, report.passed))
    return rows


def draw(directory) -> Path:
    """Draw a small isolation forest's network (path lengths, score, threshold)."""
    X = StandardScaler().fit_transform(load_breast_cancer().data)[:, :4]
    forest = IsolationForest(n_estimators=3, max_samples=16, random_state=0).fit(X)
    net = nc.convert(forest)
    print(net.explain())
    Path(directory).mkdir(parents=True, exist_ok=True)
    return nc.draw(net).save(Path(directory) / "isolation_forest.svg")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draw", metavar="DIR", default="drawings",
                        help="where to draw the isolation forest (default: drawings)")
    args = parser.parse_args(argv)
    print(f"{'model':<20s} {'kind':<17s} {'outliers':>8s}  verified")
    for name, kind, outliers, passed in evaluate():
        shown = "-" if outliers is None else str(outliers)
        print(f"{name:<20s} {kind:<17s} {shown:>8s}  {'yes' if passed else 'NO'}")
    print(f"drew {draw(args.draw)}")


if __name__ == "__main__":
    main()
