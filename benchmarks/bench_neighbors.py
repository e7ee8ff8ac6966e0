"""Converted k-nearest neighbours and naive Bayes against scikit-learn.

- KNeighborsClassifier, k=5, 10,000 training rows x 50 features, 20,000 queries: target
  predict >= 2x scikit-learn's with identical labels (a row whose 5th and 6th neighbours
  are equally far is a near tie, and counted as one), peak extra memory < 300 MiB.
- GaussianNB and MultinomialNB on 1,000,000 rows x 50 features: predict >= 1x.

Two threads (torch and scikit-learn's BLAS alike). Run: ``python benchmarks/bench_neighbors.py``
(``--quick`` scales down).
"""

from __future__ import annotations

import numpy as np
import torch
from harness import peak_extra_mib, print_table, quick_or_full, race, save
from sklearn.datasets import make_classification
from sklearn.naive_bayes import GaussianNB, MultinomialNB
from sklearn.neighbors import KNeighborsClassifier
from threadpoolctl import threadpool_limits

import nnconvert as nc
from nnconvert.verify import compare

THREADS = 2


def _race(title, model, net, X, method, rounds) -> dict:
    contenders = {f"scikit-learn {method}": lambda: getattr(model, method)(X),
                  f"nnconvert float64 {method}": lambda: getattr(net, method)(X)}
    results = race(contenders, reference=f"scikit-learn {method}", rounds=rounds)
    print_table(title, results, f"scikit-learn {method}")
    return results


def main() -> None:
    scale, rounds = quick_or_full(__doc__)
    torch.set_num_threads(THREADS)
    payload = {"threads": THREADS, "results": {}}
    with threadpool_limits(THREADS):
        X, y = make_classification(n_samples=10_000 // scale + 20_000 // scale, n_features=50,
                                   n_informative=20, n_classes=4, random_state=0)
        X_fit, y_fit, X_query = X[:10_000 // scale], y[:10_000 // scale], X[10_000 // scale:]
        knn = KNeighborsClassifier(5).fit(X_fit, y_fit)
        net = nc.convert(knn)
        # first, in a process that has not predicted yet: later rounds reuse freed memory
        extra = peak_extra_mib(lambda: net.predict(X_query))
        title = f"KNeighborsClassifier k=5, {len(X_fit):,} x 50, {len(X_query):,} queries"
        payload["results"]["knn.predict"] = _race(title, knn, net, X_query, "predict", rounds)
        report = compare(knn, net, X_query)
        labels_differ = int(np.sum(net.predict(X_query) != knn.predict(X_query)))
        payload["results"]["knn.agreement"] = {
            "passed": report.passed, "labels_differ": labels_differ,
            "near_ties": report.near_ties, "peak_extra_mib": extra}
        print(f"labels differing: {labels_differ} ({report.near_ties} near ties); verdict "
              f"{'PASSED' if report.passed else 'FAILED'}; peak extra memory {extra:.0f} MiB"
              if extra is not None else "")

        rows = 1_000_000 // scale
        rng = np.random.default_rng(0)
        X_counts = rng.poisson(3.0, size=(rows, 50)).astype(np.float64)
        y_counts = rng.integers(0, 5, size=rows)
        for name, model, data in (("GaussianNB", GaussianNB(), X_counts + rng.standard_normal(
                                      (rows, 50))),
                                  ("MultinomialNB", MultinomialNB(), X_counts)):
            model.fit(data[:50_000], y_counts[:50_000])
            bayes_net = nc.convert(model)
            payload["results"][f"{name}.predict"] = _race(
                f"{name} on {rows:,} x 50", model, bayes_net, data, "predict", rounds)
            payload["results"][f"{name}.labels_differ"] = int(
                np.sum(bayes_net.predict(data) != model.predict(data)))
    save("neighbors", payload)


if __name__ == "__main__":
    main()
