"""k-nearest neighbours: the compiled k-smallest search against scikit-learn and faiss.

KNeighborsClassifier, k=5, brute force, 10,000 training rows x 50 features, 20,000 queries
(issue 28's target: predict >= 2x scikit-learn and >= faiss's exact IndexFlatL2 plus a vote).
Contenders, called in turn: scikit-learn's predict; nnconvert's float64 network, with the
compiled search (the default on the CPU) and with torch's topk (what export and GPUs run);
faiss IndexFlatL2 (float32) searching the 5 nearest, then a NumPy vote. predict_proba the
same way. Labels are compared with scikit-learn's (a row whose 5th and 6th neighbours are
equally far is a near tie, counted apart).

Then ``predict`` again with another process spinning on one of the two cores (a shared
machine: the threads must not collapse), and small batches (1, 10 and 100 rows), quiet and
under that load, where nnconvert's kernel runs on the calling thread alone.

Two threads everywhere (torch, scikit-learn's OpenMP and BLAS, faiss); ``NNCONVERT_THREADS``
caps nnconvert's compiled threads. Run: ``python benchmarks/bench_knn.py`` (``--quick``
scales down).
"""

from __future__ import annotations

import contextlib

import numpy as np
import torch
from harness import busy_core, print_table, quick_or_full, race, save
from sklearn.datasets import make_classification
from sklearn.neighbors import KNeighborsClassifier
from threadpoolctl import threadpool_limits

import nnconvert as nc
from nnconvert.families.neighbors import NeighbourVote, _boundary_ties

THREADS = 2
K = 5


def _faiss_vote(X_fit, y_fit, n_classes):
    """faiss's exact L2 search and a NumPy vote, as a user would pair them; or the error."""
    try:
        import faiss
    except ImportError as error:
        return None, f"faiss not installed ({error}); pip install faiss-cpu"
    faiss.omp_set_num_threads(THREADS)
    index = faiss.IndexFlatL2(X_fit.shape[1])
    index.add(np.ascontiguousarray(X_fit, dtype=np.float32))
    one_hot = np.eye(n_classes)[y_fit]

    def proba(X):
        _, nearest = index.search(np.ascontiguousarray(X, dtype=np.float32), K)
        return one_hot[nearest].mean(axis=1)

    return proba, None


def _with_search(net, compiled: bool, method: str):
    layer = next(m for m in net.modules() if isinstance(m, NeighbourVote))

    def call(X):
        layer.compiled = compiled
        try:
            return getattr(net, method)(X)
        finally:
            layer.compiled = True
    return call


def main() -> None:
    scale, rounds = quick_or_full(__doc__)
    torch.set_num_threads(THREADS)
    n_fit, n_query = 10_000 // scale, 20_000 // scale
    payload = {"threads": THREADS, "k": K, "training_rows": n_fit, "queries": n_query,
               "results": {}}
    with threadpool_limits(THREADS):
        X, y = make_classification(n_samples=n_fit + n_query, n_features=50,
                                   n_informative=20, n_classes=4, random_state=0)
        X_fit, y_fit, X_query = X[:n_fit], y[:n_fit], X[n_fit:]
        knn = KNeighborsClassifier(K, algorithm="brute").fit(X_fit, y_fit)
        net = nc.convert(knn)
        faiss_proba, faiss_error = _faiss_vote(X_fit, y_fit, len(knn.classes_))
        for method in ("predict", "predict_proba"):
            contenders = {
                f"scikit-learn {method}": lambda m=method: getattr(knn, m)(X_query),
                f"nnconvert float64 {method}, compiled search":
                    lambda m=method: _with_search(net, True, m)(X_query),
                f"nnconvert float64 {method}, torch topk":
                    lambda m=method: _with_search(net, False, m)(X_query),
            }
            name = f"faiss IndexFlatL2 + vote ({method})"
            if faiss_proba is None:
                contenders[name] = lambda e=faiss_error: (_ for _ in ()).throw(ImportError(e))
            elif method == "predict":
                contenders[name] = lambda: knn.classes_[faiss_proba(X_query).argmax(axis=1)]
            else:
                contenders[name] = lambda: faiss_proba(X_query)
            reference = f"scikit-learn {method}"
            results = race(contenders, reference=reference, rounds=rounds)
            print_table(f"KNeighborsClassifier k={K} brute, {n_fit:,} x 50, {n_query:,} "
                        f"queries: {method}", results, reference)
            payload["results"][method] = results
        ties = _boundary_ties(knn, X_query, 1e-9)
        expected = knn.predict(X_query)
        agreement = {"near_ties": int(ties.sum())}
        for label, compiled in (("compiled", True), ("torch", False)):
            got = _with_search(net, compiled, "predict")(X_query)
            agreement[f"labels_differ_{label}"] = int(np.sum(got != expected))
            agreement[f"labels_differ_{label}_outside_ties"] = int(
                np.sum((got != expected) & ~ties))
        if faiss_proba is not None:
            agreement["labels_differ_faiss"] = int(np.sum(
                knn.classes_[faiss_proba(X_query).argmax(axis=1)] != expected))
        same = np.array_equal(_with_search(net, True, "predict_proba")(X_query),
                              _with_search(net, False, "predict_proba")(X_query))
        agreement["compiled_equals_torch_bitwise"] = bool(same)
        payload["results"]["agreement"] = agreement
        print(f"\nagreement with scikit-learn: {agreement}")
        payload["results"].update(_under_load_and_small(knn, net, faiss_proba, X_query,
                                                        rounds))
    save("knn", payload)


def _under_load_and_small(knn, net, faiss_proba, X_query, rounds) -> dict:
    """predict on every query with a competing busy process; then 1, 10 and 100 rows at a
    time (a loop of calls a round), quiet and under that load."""
    results = {}

    def contenders(X):
        found = {"scikit-learn predict": lambda: knn.predict(X),
                 "nnconvert float64 predict": lambda: net.predict(X)}
        if faiss_proba is not None:
            found["faiss IndexFlatL2 + vote"] = \
                lambda: knn.classes_[faiss_proba(X).argmax(axis=1)]
        return found

    with busy_core():
        found = race(contenders(X_query), "scikit-learn predict", rounds=rounds)
    title = f"predict, {len(X_query):,} queries, another process busy on one core"
    print_table(title, found, "scikit-learn predict")
    results["predict_under_load"] = found
    for load in ("quiet", "under load"):
        for n in (1, 10, 100):
            calls = max(1, 200 // n)
            rows = [X_query[i * n:(i + 1) * n] for i in range(calls)]
            looped = {}
            for name in contenders(rows[0]):
                looped[name] = _loop(name, knn, net, faiss_proba, rows)
            with busy_core() if load == "under load" else contextlib.nullcontext():
                found = race(looped, "scikit-learn predict", rounds=rounds)
            for entry in found.values():
                if "median_s" in entry:
                    entry["per_call_us"] = entry["median_s"] / calls * 1e6
            print_table(f"predict, {n} row(s) a call, {calls} calls a round ({load}); "
                        f"per call: " + ", ".join(
                            f"{name} {entry['per_call_us']:.0f} µs"
                            for name, entry in found.items() if "per_call_us" in entry),
                        found, "scikit-learn predict")
            results[f"predict_{n}_rows_{load.replace(' ', '_')}"] = found
    return results


def _loop(name, knn, net, faiss_proba, rows):
    if name.startswith("scikit-learn"):
        return lambda: [knn.predict(X) for X in rows]
    if name.startswith("nnconvert"):
        return lambda: [net.predict(X) for X in rows]
    return lambda: [knn.classes_[faiss_proba(X).argmax(axis=1)] for X in rows]





if __name__ == "__main__":
    main()
