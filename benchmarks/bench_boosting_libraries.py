"""Converted XGBoost and LightGBM models against the libraries' own predict.

- XGBClassifier, 200 rounds, depth 6, 3 classes (600 trees), fitted on 10,000 x 28,
  predict_proba and predict on 20,000 rows: the target is at least half XGBoost's speed.
- LGBMClassifier, 200 rounds, 3 classes, 63 leaves (LightGBM's default 31 grows to about
  depth 10), the same data.

Two threads (torch, XGBoost's and LightGBM's OpenMP alike). Also reported: the largest
relative difference of the probabilities (XGBoost adds in float32, the network in float64)
and the labels that differ. Run: ``python benchmarks/bench_boosting_libraries.py``
(``--quick`` scales down).
"""

from __future__ import annotations

import numpy as np
import torch
from harness import print_table, quick_or_full, race, save
from sklearn.datasets import make_classification
from threadpoolctl import threadpool_limits

import nnconvert as nc

THREADS = 2


def boosting_problem(scale: int):
    """10,000 training rows of 28 features and 3 classes, then the query rows (20,000 full,
    fewer with ``--quick``): the data every boosting-library benchmark shares."""
    X, y = make_classification(n_samples=10_000 + 20_000 // scale, n_features=28,
                               n_informative=14, n_classes=3, random_state=0)
    return X[:10_000], y[:10_000], X[10_000:]


def _models():
    import lightgbm
    import xgboost

    return {
        "XGBClassifier(200 rounds, depth 6)": xgboost.XGBClassifier(
            n_estimators=200, max_depth=6, n_jobs=THREADS, random_state=0),
        "LGBMClassifier(200 rounds, 63 leaves)": lightgbm.LGBMClassifier(
            n_estimators=200, num_leaves=63, n_jobs=THREADS, verbose=-1, random_state=0),
    }


def main() -> None:
    scale, rounds = quick_or_full(__doc__)
    torch.set_num_threads(THREADS)
    X_fit, y_fit, X_query = boosting_problem(scale)
    payload = {"threads": THREADS, "rows": len(X_query), "results": {}}
    with threadpool_limits(THREADS):
        for name, model in _models().items():
            model.fit(X_fit, y_fit)
            net = nc.convert(model)
            library = type(model).__module__.split(".")[0]
            for method in ("predict_proba", "predict"):
                reference = f"{library} {method}"
                contenders = {reference: lambda m=method: getattr(model, m)(X_query),
                              f"nnconvert float64 {method}": lambda m=method: getattr(net, m)(
                                  X_query)}
                results = race(contenders, reference=reference, rounds=rounds)
                print_table(f"{name}.{method} on {len(X_query):,} x 28", results, reference)
                payload["results"][f"{name}.{method}"] = results
            expected = model.predict_proba(X_query)
            worst = float(np.abs(net.predict_proba(X_query) - expected).max()
                          / np.abs(expected).max())
            differ = int(np.sum(net.predict(X_query) != model.predict(X_query)))
            payload["results"][f"{name}.max_rel_diff_proba"] = worst
            payload["results"][f"{name}.labels_differ"] = differ
            print(f"predict_proba max relative difference: {worst:.2e}; "
                  f"labels differing: {differ}")
    save("boosting_libraries", payload)


if __name__ == "__main__":
    main()
