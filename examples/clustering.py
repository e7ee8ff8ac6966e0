"""Clusterers as networks: distance units and an argmin.

Every clusterer that predicts new rows assigns each to its nearest stored centre, which is a
layer of squared distance units (one per centre) followed by an argmin; ``transform`` is the
square root of the same units. Six scikit-learn clusterers are fitted on the wine data
(standardised), converted with :func:`nnconvert.convert`, and checked against their originals
with :func:`nnconvert.verify` on held-out rows, on points far outside the data and on rows
exactly between two centres (a tie: the first centre wins, in both).

Run: ``python examples/clustering.py [--draw DIR]``; the last step draws the k-means network.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from sklearn.cluster import (
    AffinityPropagation,
    BisectingKMeans,
    Birch,
    KMeans,
    MeanShift,
    MiniBatchKMeans,
)
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import nnconvert as nc


def clusterers() -> dict:
    """The clusterers of this example, unfitted."""
    return {
        "KMeans": KMeans(3, n_init=5, random_state=0),
        "MiniBatchKMeans": MiniBatchKMeans(3, n_init=5, random_state=0),
        "BisectingKMeans": BisectingKMeans(4, random_state=0),
        "Birch": Birch(n_clusters=3, threshold=1.0),
        "MeanShift": MeanShift(bandwidth=2.5),
        "AffinityPropagation": AffinityPropagation(damping=0.9, random_state=0),
    }


def evaluate() -> list[tuple]:
    """``(name, n_clusters, rows checked, passed)`` per clusterer."""
    X = StandardScaler().fit_transform(load_wine().data)
    X_train, X_test = train_test_split(X, test_size=0.3, random_state=0)
    rows = []
    for name, model in clusterers().items():
        model.fit(X_train)
        net = nc.convert(model)
        far = X_test[:10] * 1e4
        centres = getattr(model, "cluster_centers_", None)
        if centres is None:
            centres = model.subcluster_centers_
        between = (centres[0] + centres[1:]) / 2  # on the boundary: ties to rounding
        X_check = np.vstack([X_test, far, between])
        report = nc.verify(model, net, X_check, progress=False)
        rows.append((name, len(net.classes_), len(X_check), report.passed))
    return rows


def draw(directory) -> Path:
    """Draw the k-means network (distance units and an argmin) into ``directory``."""
    X = StandardScaler().fit_transform(load_wine().data)
    net = nc.convert(KMeans(3, n_init=5, random_state=0).fit(X))
    print(net.explain())
    Path(directory).mkdir(parents=True, exist_ok=True)
    return nc.draw(net).save(Path(directory) / "kmeans.svg")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draw", metavar="DIR", default="drawings",
                        help="where to draw the k-means network (default: drawings)")
    args = parser.parse_args(argv)
    print(f"{'clusterer':<22s} {'clusters':>8s} {'rows':>6s}  verified")
    for name, k, n, passed in evaluate():
        print(f"{name:<22s} {k:>8d} {n:>6d}  {'yes' if passed else 'NO'}")
    print(f"drew {draw(args.draw)}")


if __name__ == "__main__":
    main()
