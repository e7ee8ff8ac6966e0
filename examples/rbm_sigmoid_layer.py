"""An RBM's ``transform`` is a sigmoid layer.

A Bernoulli restricted Boltzmann machine learns weights ``W`` and hidden biases ``c`` by
contrastive divergence, a procedure with nothing of a feed-forward network about it. Yet
what it *computes* for new data, ``transform(v) = P(h = 1 | v) = σ(v Wᵀ + c)``, is exactly one
dense layer of sigmoid neurons. This script fits the classic scikit-learn pipeline (digits
scaled to [0, 1], an RBM, a logistic regression), converts it, and shows that the network is
two layers of neurons (sigmoid hidden units, softmax read-out) that agree with scikit-learn
to rounding; then draws it.

Run: ``python examples/rbm_sigmoid_layer.py [--draw FILE.svg]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import BernoulliRBM
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

import nnconvert as nc


def fit_pipeline(seed: int = 0):
    """MinMaxScaler -> BernoulliRBM(32 hidden units) -> LogisticRegression on digits."""
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=seed,
                                                        stratify=y)
    pipe = make_pipeline(MinMaxScaler(), BernoulliRBM(n_components=32, learning_rate=0.05,
                                                      n_iter=10, random_state=seed),
                         LogisticRegression(max_iter=3000))
    return pipe.fit(X_train, y_train), X_test, y_test


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draw", type=Path, help="where to save the diagram (SVG)")
    args = parser.parse_args(argv)
    pipe, X_test, y_test = fit_pipeline()
    net = nc.convert(pipe)
    print(net.explain())
    hidden = nc.convert(pipe[:2])  # the scaler and the RBM alone: its transform
    gap = float(np.abs(hidden.transform(X_test) - pipe[:2].transform(X_test)).max())
    report = nc.verify(pipe, net, X_test)
    print(f"\nRBM transform vs the sigmoid layer: max difference {gap:.1e}")
    print(f"pipeline vs network: passed={report.passed}, "
          f"disagreements={report.n_disagreements}, test accuracy "
          f"{(net.predict(X_test) == y_test).mean():.3f}")
    diagram = nc.draw(net)
    if args.draw:
        print(f"drew {diagram.save(args.draw)}")
    return {"pipeline": pipe, "net": net, "gap": gap, "report": report, "diagram": diagram}


if __name__ == "__main__":
    main()
