"""Gaussian mixtures as networks: quadratic units and a log-sum-exp.

Each mixture component is one quadratic unit, its weighted log-likelihood read through the
fitted precision Cholesky factor; the log-sum-exp of the units is ``score_samples`` (the log
density), their softmax ``predict_proba`` and their argmax ``predict``. Every covariance
type, of ``GaussianMixture`` and ``BayesianGaussianMixture``, is fitted on the iris data,
converted, and verified on held-out rows and on rows far outside the data.

Run: ``python examples/mixtures.py [--draw DIR]``; the last step draws a full-covariance
mixture's network.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from sklearn.datasets import load_iris
from sklearn.mixture import BayesianGaussianMixture, GaussianMixture
from sklearn.model_selection import train_test_split

import nnconvert as nc


def evaluate() -> list[tuple]:
    """``(model, covariance type, max relative difference, labels differing, passed)``."""
    X_train, X_test = train_test_split(load_iris().data, test_size=0.3, random_state=0)
    X_check = np.vstack([X_test, X_test[:10] * 100.0])
    rows = []
    for kind in ("full", "tied", "diag", "spherical"):
        for model in (GaussianMixture(3, covariance_type=kind, random_state=0),
                      BayesianGaussianMixture(n_components=4, covariance_type=kind,
                                              random_state=0)):
            model.fit(X_train)
            report = nc.verify(model, nc.convert(model), X_check, progress=False)
            worst = max(report.max_rel_diff.values())
            rows.append((type(model).__name__, kind, worst, report.n_disagreements,
                         report.passed))
    return rows


def draw(directory) -> Path:
    """Draw a full-covariance GaussianMixture's network into ``directory``."""
    net = nc.convert(GaussianMixture(3, random_state=0).fit(load_iris().data))
    print(net.explain())
    Path(directory).mkdir(parents=True, exist_ok=True)
    return nc.draw(net).save(Path(directory) / "gaussian_mixture.svg")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draw", metavar="DIR", default="drawings",
                        help="where to draw the mixture's network (default: drawings)")
    args = parser.parse_args(argv)
    print(f"{'model':<26s} {'covariance':<10s} {'max rel diff':>12s} {'labels':>6s}  verified")
    for name, kind, worst, differ, passed in evaluate():
        print(f"{name:<26s} {kind:<10s} {worst:12.1e} {differ:>6d}  {'yes' if passed else 'NO'}")
    print(f"drew {draw(args.draw)}")


if __name__ == "__main__":
    main()
