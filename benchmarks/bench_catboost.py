"""Converted CatBoost models against CatBoost's own predict, and the two ways to hold
oblivious trees.

- CatBoostClassifier, 300 iterations, depth 6, 3 classes (MultiClass: one tree of 3-value
  leaves an iteration), fitted on 10,000 x 28; predict_proba and predict on 20,000 rows.
- The two ways the oblivious layer can compute: each tree unrolled into an ordinary node
  table (``2^d − 1`` splits) walked by the compiled traversal (what it does), and level by
  level in torch (``d`` comparisons a tree, the bits' binary number, a look-up: what it
  falls back to for tables too large). The raw scores only, so both do the same work.

Two threads (torch and CatBoost alike). Also reported: the largest relative difference of
the probabilities and the labels that differ. Run: ``python benchmarks/bench_catboost.py``
(``--quick`` scales down).
"""

from __future__ import annotations

import numpy as np
import torch
from bench_boosting_libraries import boosting_problem
from harness import print_table, quick_or_full, race, save
from threadpoolctl import threadpool_limits

import nnconvert as nc
from nnconvert.families.trees import oblivious

THREADS = 2


def main() -> None:
    from catboost import CatBoostClassifier

    scale, rounds = quick_or_full(__doc__)
    torch.set_num_threads(THREADS)
    X_fit, y_fit, X_query = boosting_problem(scale)
    payload = {"threads": THREADS, "rows": len(X_query), "results": {}}
    name = "CatBoostClassifier(300 iterations, depth 6, 3 classes)"
    with threadpool_limits(THREADS):
        model = CatBoostClassifier(iterations=300, depth=6, thread_count=THREADS, verbose=0,
                                   random_seed=0, allow_writing_files=False).fit(X_fit, y_fit)
        net = nc.convert(model)
        for method in ("predict_proba", "predict"):
            reference = f"catboost {method}"
            contenders = {reference: lambda m=method: getattr(model, m)(X_query),
                          f"nnconvert float64 {method}": lambda m=method: getattr(net, m)(
                              X_query)}
            results = race(contenders, reference=reference, rounds=rounds)
            print_table(f"{name}.{method} on {len(X_query):,} x 28", results, reference)
            payload["results"][f"{name}.{method}"] = results
        query = torch.as_tensor(X_query)
        layer = net.body[0]
        oblivious.WALK_NODES = 0  # the same model, computed level by level
        levelwise = nc.convert(model).body[0]
        with torch.no_grad():
            gap = float((layer(query) - levelwise(query)).abs().max())
            reference = "catboost raw scores"
            contenders = {
                reference: lambda: model.predict(X_query, prediction_type="RawFormulaVal"),
                "unrolled node tables, compiled walk": lambda: layer(query),
                "level-wise in torch": lambda: levelwise(query)}
            results = race(contenders, reference=reference, rounds=rounds)
        print_table(f"{name} raw scores on {len(X_query):,} x 28", results, reference)
        print(f"largest difference between the two ways: {gap:.2e} (summation order)")
        payload["results"][f"{name}.raw"] = results
        expected = model.predict_proba(X_query)
        worst = float(np.abs(net.predict_proba(X_query) - expected).max()
                      / np.abs(expected).max())
        differ = int(np.sum(net.predict(X_query) != model.predict(X_query)))
        payload["results"][f"{name}.max_rel_diff_proba"] = worst
        payload["results"][f"{name}.labels_differ"] = differ
        print(f"predict_proba max relative difference: {worst:.2e}; labels differing: {differ}")
    save("catboost", payload)


if __name__ == "__main__":
    main()
