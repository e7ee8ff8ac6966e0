"""Converted linear models against scikit-learn on a large batch.

1,000,000 rows x 100 features, 10 classes. Target: the float64 network's decision_function
at >= 0.9x scikit-learn's speed, predict_proba at >= 1x. Run: ``python benchmarks/bench_linear.py``
(``--rows`` to scale down; ``--busy``: beside a process that keeps one core busy).
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from harness import competing_process, print_table, race, save
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

import nnconvert as nc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--busy", action="store_true",
                        help="beside a process that keeps one core busy")
    args = parser.parse_args()
    with competing_process(args.busy):
        _run(args)


def _run(args) -> None:
    X_fit, y_fit = make_classification(n_samples=20_000, n_features=100, n_informative=40,
                                       n_classes=10, random_state=0)
    X = np.random.default_rng(0).standard_normal((args.rows, 100))
    models = {
        "LogisticRegression": LogisticRegression(max_iter=300).fit(X_fit, y_fit),
        "LinearSVC": LinearSVC(C=0.01).fit(X_fit, y_fit),
    }
    payload = {"rows": args.rows, "features": 100, "classes": 10, "busy": args.busy,
               "results": {}}
    for name, model in models.items():
        nets = {dtype: nc.convert(model, dtype=dtype) for dtype in (torch.float64, torch.float32)}
        methods = ["decision_function"] + (["predict_proba"] if hasattr(model, "predict_proba")
                                           else []) + ["predict"]
        for method in methods:
            contenders = {f"scikit-learn {method}": lambda m=method: getattr(model, m)(X)}
            for dtype, net in nets.items():
                label = f"nnconvert {str(dtype).split('.')[-1]} {method}"
                contenders[label] = lambda n=net, m=method: getattr(n, m)(X)
            results = race(contenders, reference=f"scikit-learn {method}", rounds=args.rounds)
            print_table(f"{name}.{method} on {args.rows:,} x 100", results,
                        f"scikit-learn {method}")
            payload["results"][f"{name}.{method}"] = results
        labels = {str(d): float(np.mean(n.predict(X) == model.predict(X))) for d, n in nets.items()}
        payload["results"][f"{name}.label_agreement"] = labels
        print(f"label agreement with scikit-learn: {labels}")
    save("linear", payload)


if __name__ == "__main__":
    main()
