"""Converted tree ensembles against scikit-learn's predict (issue 14).

- RandomForestClassifier, 200 trees, max_depth 10, fitted on 10,000 x 28 (3 classes):
  predict_proba and predict on 20,000 rows, float64 network. Target: >= 1.5x scikit-learn's
  predict, with identical labels.
- HistGradientBoostingClassifier, 200 iterations (no early stopping), the same data:
  target >= 1x.
- hummingbird-ml's torch backend beside both, where it converts (why not, where it does not).
- Peak memory: predicting 1,000,000 rows with the converted forest adds < 500 MiB.

Two threads (torch, scikit-learn's joblib and BLAS alike). Run:
``python benchmarks/bench_trees.py`` (``--quick``: a tenth of the rows, fit and query alike).
"""

from __future__ import annotations

import numpy as np
import torch
from harness import peak_extra_mib, print_table, quick_or_full, race, save
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from threadpoolctl import threadpool_limits

import nnconvert as nc

THREADS = 2
FIT_ROWS, QUERY_ROWS, MEMORY_ROWS, FEATURES = 10_000, 20_000, 1_000_000, 28
TARGETS = {"RandomForestClassifier": 1.5, "HistGradientBoostingClassifier": 1.0}
MEMORY_TARGET_MIB = 500


def _hummingbird(model):
    """hummingbird-ml's torch backend for ``model``, or the reason it has none."""
    try:
        import hummingbird.ml

        converted = hummingbird.ml.convert(model, "torch", extra_config={"n_threads": THREADS})
    except Exception as error:  # a peer converter that refuses is a result to report
        return None, f"{type(error).__name__}: {error}"[:200]
    finally:
        torch.set_num_threads(THREADS)  # hummingbird sets its own
    return converted, None


def main() -> None:
    scale, rounds = quick_or_full(__doc__)
    torch.set_num_threads(THREADS)
    fit_rows, query_rows = FIT_ROWS // scale, QUERY_ROWS // scale
    X, y = make_classification(n_samples=fit_rows + query_rows, n_features=FEATURES,
                               n_informative=14, n_classes=3, random_state=0)
    X_fit, y_fit, X_query = X[:fit_rows], y[:fit_rows], X[fit_rows:]
    models = {
        "RandomForestClassifier": RandomForestClassifier(
            200, max_depth=10, n_jobs=THREADS, random_state=0),
        "HistGradientBoostingClassifier": HistGradientBoostingClassifier(
            max_iter=200, early_stopping=False, random_state=0),
    }
    payload = {"threads": THREADS, "fit_rows": fit_rows, "query_rows": query_rows,
               "results": {}, "targets": {}}
    rows = []  # (what, figure, target, met)
    with threadpool_limits(THREADS):
        for name, model in models.items():
            model.fit(X_fit, y_fit)
            net = nc.convert(model)
            if name == "RandomForestClassifier":
                # first, in a process that has predicted only ten rows: later calls would
                # reuse freed memory, and the ten rows page in torch's code and start its
                # threads, one-time costs that are not the prediction's (about 600 MiB)
                memory_rows = MEMORY_ROWS // scale
                X_big = np.random.default_rng(1).standard_normal((memory_rows, FEATURES))
                net.predict(X_big[:10])
                extra = peak_extra_mib(lambda: net.predict(X_big))
                del X_big
                payload["results"]["RandomForestClassifier.peak_extra_mib"] = {
                    "rows": memory_rows, "mib": extra, "target_mib": MEMORY_TARGET_MIB}
                if extra is not None:
                    print(f"peak extra memory, predict on {memory_rows:,} rows: {extra:.0f} MiB "
                          f"(target < {MEMORY_TARGET_MIB} MiB)")
                    rows.append((f"RF peak extra memory, {memory_rows:,} rows",
                                 f"{extra:.0f} MiB", f"< {MEMORY_TARGET_MIB} MiB",
                                 extra < MEMORY_TARGET_MIB))
            peer, why = _hummingbird(model)
            if peer is None:
                print(f"\nhummingbird-ml torch on {name}: failed to convert: {why}")
            reference = "scikit-learn predict"
            for method in ("predict_proba", "predict"):
                contenders = {reference: lambda: model.predict(X_query)}
                if method != "predict":
                    contenders[f"scikit-learn {method}"] = lambda m=method: getattr(model, m)(
                        X_query)
                contenders[f"nnconvert float64 {method}"] = lambda m=method: getattr(net, m)(
                    X_query)
                if peer is not None:
                    contenders[f"hummingbird-ml torch {method}"] = (
                        lambda m=method: getattr(peer, m)(X_query))
                results = race(contenders, reference=reference, rounds=rounds)
                if peer is None:
                    results["hummingbird-ml torch " + method] = {"failed": why}
                print_table(f"{name}.{method} on {len(X_query):,} x {FEATURES}", results,
                            reference)
                payload["results"][f"{name}.{method}"] = results
                ours = results[f"nnconvert float64 {method}"]
                if "failed" not in ours:
                    target = TARGETS[name]
                    speedup = ours["speedup_vs_reference"]
                    rows.append((f"{name} {method} vs sklearn predict", f"{speedup:.2f}x",
                                 f">= {target}x", speedup >= target))
                    payload["targets"][f"{name}.{method}"] = {
                        "speedup": speedup, "target": target, "met": speedup >= target}
            expected = model.predict(X_query)
            differ = int(np.sum(net.predict(X_query) != expected))
            payload["results"][f"{name}.labels_differ"] = differ
            rows.append((f"{name} labels differing", f"{differ}", "0", differ == 0))
            print(f"labels differing from scikit-learn: nnconvert {differ}", end="")
            if peer is not None:
                peer_differ = int(np.sum(peer.predict(X_query) != expected))
                payload["results"][f"{name}.hummingbird_labels_differ"] = peer_differ
                print(f", hummingbird-ml {peer_differ}", end="")
            print(f" (of {len(X_query):,})")
    print(f"\n{'target':60s} {'figure':>10s} {'target':>10s}")
    for what, figure, target, met in rows:
        print(f"{what:60s} {figure:>10s} {target:>10s}  {'met' if met else 'MISSED'}")
    payload["summary"] = [{"what": w, "figure": f, "target": t, "met": m}
                          for w, f, t, m in rows]
    save("trees", payload)


if __name__ == "__main__":
    main()
