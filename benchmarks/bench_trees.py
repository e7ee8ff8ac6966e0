"""Converted tree ensembles against scikit-learn's predict.

- RandomForestClassifier, 200 trees (max_depth 12), fitted on 20,000 x 50, predict on
  100,000 rows: the target is to beat scikit-learn (> 1x), which no peer converter does
  on a CPU.
- HistGradientBoostingClassifier, 200 iterations, the same data.

Two threads (torch and scikit-learn's joblib alike). Run: ``python benchmarks/bench_trees.py``
(``--quick`` scales down).
"""

from __future__ import annotations

import numpy as np
import torch
from harness import print_table, quick_or_full, race, save
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from threadpoolctl import threadpool_limits

import nnconvert as nc

THREADS = 2


def main() -> None:
    scale, rounds = quick_or_full(__doc__)
    torch.set_num_threads(THREADS)
    X, y = make_classification(n_samples=20_000 + 100_000 // scale, n_features=50,
                               n_informative=20, n_classes=3, random_state=0)
    X_fit, y_fit, X_query = X[:20_000], y[:20_000], X[20_000:]
    models = {
        "RandomForestClassifier(200 trees, depth 12)": RandomForestClassifier(
            200, max_depth=12, n_jobs=THREADS, random_state=0),
        "HistGradientBoostingClassifier(200 iterations)": HistGradientBoostingClassifier(
            max_iter=200, early_stopping=False, random_state=0),
    }
    payload = {"threads": THREADS, "rows": len(X_query), "results": {}}
    with threadpool_limits(THREADS):
        for name, model in models.items():
            model.fit(X_fit, y_fit)
            net = nc.convert(model)
            for method in ("predict_proba", "predict"):
                contenders = {f"scikit-learn {method}": lambda m=method: getattr(model, m)(
                                  X_query),
                              f"nnconvert float64 {method}": lambda m=method: getattr(net, m)(
                                  X_query)}
                results = race(contenders, reference=f"scikit-learn {method}", rounds=rounds)
                print_table(f"{name}.{method} on {len(X_query):,} x 50", results,
                            f"scikit-learn {method}")
                payload["results"][f"{name}.{method}"] = results
            differ = int(np.sum(net.predict(X_query) != model.predict(X_query)))
            payload["results"][f"{name}.labels_differ"] = differ
            print(f"labels differing: {differ}")
    save("trees", payload)


if __name__ == "__main__":
    main()
