"""Converted regressors against scikit-learn's predict.

- SVR (rbf), about 2,000 support vectors, predict on 20,000 x 50: target >= 8x, as SVC.
- MLPRegressor (100, 100), predict on 200,000 x 50: target >= 1x.

Two threads. Run: ``python benchmarks/bench_regressors.py`` (``--quick`` scales down).
"""

from __future__ import annotations

import numpy as np
import torch
from harness import print_table, quick_or_full, race, save
from sklearn.datasets import make_regression
from sklearn.neural_network import MLPRegressor
from sklearn.svm import SVR
from threadpoolctl import threadpool_limits

import nnconvert as nc

THREADS = 2


def main() -> None:
    scale, rounds = quick_or_full(__doc__)
    torch.set_num_threads(THREADS)
    X, y = make_regression(n_samples=3_000, n_features=50, noise=10.0, random_state=0)
    rng = np.random.default_rng(0)
    cases = {
        "SVR (rbf)": (SVR(C=10.0, epsilon=0.01).fit(X, y),
                      rng.standard_normal((20_000 // scale, 50))),
        "MLPRegressor (100, 100)": (
            MLPRegressor(hidden_layer_sizes=(100, 100), max_iter=50, random_state=0).fit(X, y),
            rng.standard_normal((200_000 // scale, 50))),
    }
    payload = {"threads": THREADS, "results": {}}
    with threadpool_limits(THREADS):
        for name, (model, X_query) in cases.items():
            net = nc.convert(model)
            contenders = {"scikit-learn predict": lambda m=model, q=X_query: m.predict(q),
                          "nnconvert float64 predict": lambda n=net, q=X_query: n.predict(q)}
            results = race(contenders, reference="scikit-learn predict", rounds=rounds)
            extra = (f", {len(model.support_):,} support vectors"
                     if hasattr(model, "support_") else "")
            print_table(f"{name}{extra} on {len(X_query):,} x 50", results,
                        "scikit-learn predict")
            worst = float(np.max(np.abs(net.predict(X_query) - model.predict(X_query))))
            payload["results"][name] = {**results, "max_abs_diff": worst}
            print(f"largest difference: {worst:.3g}")
    save("regressors", payload)


if __name__ == "__main__":
    main()
