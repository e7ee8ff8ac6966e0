"""Converted unsupervised models against scikit-learn's own methods, and hummingbird-ml beside
where it converts the model.

- IsolationForest (100 trees) ``score_samples`` on 100,000 x 20: target >= 3x scikit-learn.
- KMeans (k=100) ``predict`` on 200,000 x 50: target >= 2x.
- GaussianMixture (full, 10 components) ``score_samples`` on 200,000 x 20: target >= 1x.

Two threads (torch and scikit-learn's OpenMP/BLAS alike); ratios in one run. Also reported:
the largest relative difference and the labels that differ. Run:
``python benchmarks/bench_unsupervised.py`` (``--quick`` scales down).
"""

from __future__ import annotations

import numpy as np
import torch
from harness import print_table, quick_or_full, race, save
from sklearn.cluster import KMeans
from sklearn.ensemble import IsolationForest
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits

import nnconvert as nc

THREADS = 2


def _hummingbird(model):
    """hummingbird-ml's torch conversion, or the reason there is none."""
    try:
        from hummingbird.ml import convert as hb_convert
    except ImportError:
        return None, "hummingbird-ml is not installed"
    try:
        return hb_convert(model, "torch"), None
    except Exception as e:  # noqa: BLE001 - any refusal is reported, not raised
        return None, f"hummingbird-ml refused it: {str(e).splitlines()[0][:80]}"


def _cases(scale: int):
    rng = np.random.default_rng(0)
    fit = rng.normal(size=(20_000, 50))
    return [
        ("IsolationForest(100 trees).score_samples", "score_samples",
         IsolationForest(n_estimators=100, random_state=0), fit[:, :20],
         rng.normal(size=(100_000 // scale, 20))),
        ("KMeans(k=100).predict", "predict", KMeans(100, n_init=1, max_iter=20, random_state=0),
         fit, rng.normal(size=(200_000 // scale, 50))),
        ("GaussianMixture(full, 10).score_samples", "score_samples",
         GaussianMixture(10, covariance_type="full", max_iter=20, random_state=0), fit[:, :20],
         rng.normal(size=(200_000 // scale, 20))),
    ]


def main() -> None:
    scale, rounds = quick_or_full(__doc__)
    torch.set_num_threads(THREADS)
    payload = {"threads": THREADS, "results": {}}
    with threadpool_limits(THREADS):
        for name, method, model, X_fit, X_query in _cases(scale):
            model.fit(X_fit)
            net = nc.convert(model)
            net32 = nc.convert(model, dtype=torch.float32)
            reference = f"scikit-learn {method}"
            contenders = {reference: lambda: getattr(model, method)(X_query),
                          f"nnconvert float64 {method}": lambda: getattr(net, method)(X_query),
                          f"nnconvert float32 {method}": lambda: getattr(net32, method)(X_query)}
            hb, why = _hummingbird(model)
            if hb is not None:
                contenders[f"hummingbird-ml {method}"] = lambda: getattr(hb, method)(X_query)
            results = race(contenders, reference=reference, rounds=rounds)
            print_table(f"{name} on {X_query.shape[0]:,} x {X_query.shape[1]}", results,
                        reference)
            expected, got = getattr(model, method)(X_query), getattr(net, method)(X_query)
            if method == "predict":
                agreement = {"labels_differ": int(np.sum(got != expected))}
            else:
                agreement = {"max_rel_diff": float(np.abs(got - expected).max()
                                                   / np.abs(expected).max())}
            print(f"  {agreement}" + (f"; {why}" if why else ""))
            payload["results"][name] = {**results, **agreement, "hummingbird": why or "ran"}
    save("unsupervised", payload)


if __name__ == "__main__":
    main()
