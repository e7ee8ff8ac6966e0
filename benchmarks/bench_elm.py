"""ELMClassifier: fitting at scale, and its converted network against its own predictions.

Full size: 100,000 rows x 100 features, 10 classes, 1,000 hidden units (sigmoid). Reports the
fit time (median over rounds) next to scikit-elm's ELMClassifier with the same number of
neurons where scikit-elm imports, then decision_function and predict of the float64 and float32
networks against the estimator itself, and the label agreement.

Run: ``python benchmarks/bench_elm.py`` (full size, minutes and ~2 GB of memory) or
``python benchmarks/bench_elm.py --quick`` (10,000 x 100, 200 units, seconds).
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import torch
from harness import print_table, race, save
from sklearn.datasets import make_classification

import nnconvert as nc


def peer_elm(n_hidden: int):
    """scikit-elm's ELMClassifier with the same width, or None where it does not import."""
    try:
        from skelm import ELMClassifier
    except ImportError:  # not installed, or 0.21a0 without pyarrow (dask.dataframe)
        return None
    return ELMClassifier(n_neurons=n_hidden, ufunc="sigm", alpha=1.0, random_state=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 x 100, 200 hidden units")
    parser.add_argument("--rows", type=int, help="rows to fit on (default 100,000)")
    parser.add_argument("--hidden", type=int, help="hidden units (default 1,000)")
    parser.add_argument("--rounds", type=int, help="timing rounds (default 3, quick 5)")
    args = parser.parse_args()
    rows = args.rows or (10_000 if args.quick else 100_000)
    hidden = args.hidden or (200 if args.quick else 1_000)
    rounds = args.rounds or (5 if args.quick else 3)

    X, y = make_classification(n_samples=rows, n_features=100, n_informative=40,
                               n_classes=10, n_clusters_per_class=1, random_state=0)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    payload = {"rows": rows, "features": 100, "classes": 10, "hidden": hidden, "results": {}}

    elm = nc.ELMClassifier(n_hidden=hidden, activation="sigmoid", alpha=1.0, random_state=0)
    fits = {"nnconvert ELMClassifier.fit": lambda: elm.fit(X, y)}
    peer = peer_elm(hidden)
    if peer is not None:
        fits["scikit-elm ELMClassifier.fit"] = lambda: peer.fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-elm's dimensionality warning
        results = race(fits, reference="nnconvert ELMClassifier.fit", rounds=rounds, warmup=0)
    print_table(f"fit on {rows:,} x 100, {hidden:,} hidden units", results,
                "nnconvert ELMClassifier.fit")
    if peer is None:
        print("(scikit-elm not importable here: it needs pyarrow through dask.dataframe)")
    payload["results"]["fit"] = results
    payload["train_accuracy"] = float(elm.score(X, y))
    print(f"training accuracy: {payload['train_accuracy']:.3f}")

    nets = {dtype: nc.convert(elm, dtype=dtype) for dtype in (torch.float64, torch.float32)}
    for method in ("decision_function", "predict"):
        reference = f"ELMClassifier.{method}"
        contenders = {reference: lambda m=method: getattr(elm, m)(X)}
        for dtype, net in nets.items():
            label = f"nnconvert {str(dtype).split('.')[-1]} {method}"
            contenders[label] = lambda n=net, m=method: getattr(n, m)(X)
        results = race(contenders, reference=reference, rounds=rounds)
        print_table(f"{method} on {rows:,} x 100", results, reference)
        payload["results"][method] = results
    labels = {str(d): float(np.mean(n.predict(X) == elm.predict(X))) for d, n in nets.items()}
    payload["results"]["label_agreement"] = labels
    print(f"label agreement with the estimator: {labels}")
    save("elm-quick" if args.quick else "elm", payload)


if __name__ == "__main__":
    main()
