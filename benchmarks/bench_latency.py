"""Per-call latency at 1, 10 and 100 rows: what online serving pays.

Models (make_classification, 20 features, 3 classes): LogisticRegression, the same behind a
StandardScaler (a pipeline, converted by default: one layer per step, run folded), a 200-tree
RandomForestClassifier, an RBF SVC, a KNeighborsClassifier (k=5), and PCA for
``transform``. Each method is timed on the same rows, calls in turn (A B C A B C ...), as
the median over rounds of the mean time of a loop of calls, in microseconds a call.
Contenders: scikit-learn; nnconvert's float64 network (the lean path: a float array of the
right width), beside the same network with torch's threads fixed at two
(``net.num_threads = 2``) where the default chooses them per call; onnxruntime on skl2onnx's float32 model and on nnconvert's own ONNX export
(float64); TL2cgen's compiled C for the forest. A peer that fails is reported with its
error. Issue 28's target: one row <= 50 µs for LogisticRegression, the forest, the RBF SVC
and k-NN.

Two threads (torch, scikit-learn, onnxruntime). Run: ``python benchmarks/bench_latency.py``
(``--quick``: fewer calls a round; ``--busy``: beside a process that keeps one core busy).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import harness
from harness import competing_process, quick_or_full, save
from sklearn.datasets import make_classification
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from threadpoolctl import threadpool_limits

import nnconvert as nc

THREADS = 2
ROWS = (1, 10, 100)


def _models(X, y):
    return {
        "LogisticRegression": (LogisticRegression(max_iter=1000).fit(X, y),
                               ("predict", "predict_proba", "decision_function")),
        "Scaled LogisticRegression": (
            make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X, y),
            ("predict", "predict_proba")),
        "RandomForest(200)": (RandomForestClassifier(200, random_state=0, n_jobs=1).fit(X, y),
                              ("predict", "predict_proba")),
        "SVC(rbf)": (SVC().fit(X[:2000], y[:2000]), ("predict", "decision_function")),
        "KNeighbors(5)": (KNeighborsClassifier(5).fit(X, y), ("predict", "predict_proba")),
        "PCA(10)": (PCA(10, random_state=0).fit(X), ("transform",)),
    }


def _session(path):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = THREADS
    options.inter_op_num_threads = 1
    # onnxruntime's idle threads spin by default, taking a core from whatever runs next
    # (the next contender here, or the caller's own code in a server): they wait asleep
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _skl2onnx(model, n_features, folder: Path):
    """onnxruntime on skl2onnx's float32 model: ``run(X) -> outputs``."""
    from skl2onnx import to_onnx

    onx = to_onnx(model, np.zeros((1, n_features), np.float32),
                  options={id(model): {"zipmap": False}} if hasattr(model, "classes_")
                  else None)
    path = folder / f"skl2onnx-{type(model).__name__}.onnx"
    path.write_bytes(onx.SerializeToString())
    session = _session(path)
    name = session.get_inputs()[0].name
    return lambda X: session.run(None, {name: X.astype(np.float32)})


def _own_onnx(net, folder: Path, label: str):
    """onnxruntime on nnconvert's own ONNX export (float64): ``run(X) -> outputs``."""
    path = folder / f"nnconvert-{label}.onnx"
    nc.export(net, str(path))
    session = _session(path)
    name = session.get_inputs()[0].name
    return lambda X: session.run(None, {name: X})


def _tl2cgen(model, folder: Path):
    import tl2cgen
    import treelite

    library = folder / "forest.so"
    tl2cgen.export_lib(treelite.sklearn.import_model(model), toolchain="gcc",
                       libpath=str(library), params={"parallel_comp": 8}, nthread=THREADS)
    predictor = tl2cgen.Predictor(str(library), nthread=THREADS)
    return lambda X: predictor.predict(tl2cgen.DMatrix(X))


def _peer(make):
    """A peer's call, or the error it failed with (reported, not dropped)."""
    try:
        return make(), None
    except Exception as error:  # a peer that cannot convert this model is a result
        return None, f"{type(error).__name__}: {error}"[:200]


def _time(calls: dict, X, loops: int, rounds: int) -> dict:
    """Median µs a call of each contender on ``X``, calls in turn."""
    failed = {}
    for name, call in calls.items():
        try:
            call(X)
        except Exception as error:
            failed[name] = f"{type(error).__name__}: {error}"[:200]
    times = {name: [] for name in calls if name not in failed}
    for _ in range(rounds):
        for name in times:
            call = calls[name]
            start = time.perf_counter()
            for _ in range(loops):
                call(X)
            times[name].append((time.perf_counter() - start) / loops * 1e6)
    results = {name: {"failed": error} for name, error in failed.items()}
    for name, rounds_us in times.items():
        results[name] = {"median_us": statistics.median(rounds_us), "rounds_us": rounds_us}
    return results


def main() -> None:
    scale, rounds = quick_or_full(__doc__)
    loops = 200 // scale
    torch.set_num_threads(THREADS)
    payload = {"threads": THREADS, "rows": ROWS, "busy": harness.BUSY, "results": {}}
    X, y = make_classification(n_samples=5000, n_features=20, n_informative=10, n_classes=3,
                               random_state=0)
    with threadpool_limits(THREADS), tempfile.TemporaryDirectory() as tmp, \
            competing_process():
        folder = Path(tmp)
        for label, (model, methods) in _models(X, y).items():
            net, fixed = nc.convert(model), nc.convert(model)
            fixed.num_threads = THREADS
            peers = {"onnxruntime (skl2onnx, float32)": _peer(
                         lambda: _skl2onnx(model, X.shape[1], folder)),
                     "onnxruntime (nnconvert export, float64)": _peer(
                         lambda: _own_onnx(net, folder, label.split("(")[0]))}
            if isinstance(model, RandomForestClassifier):
                peers["TL2cgen (gcc -O2)"] = _peer(lambda: _tl2cgen(model, folder))
            for method in methods:
                for n in ROWS:
                    rows = np.ascontiguousarray(X[-n:])
                    calls = {"scikit-learn": getattr(model, method),
                             "nnconvert float64": getattr(net, method),
                             "nnconvert float64, 2 threads fixed": getattr(fixed, method)}
                    for peer, (run, error) in peers.items():
                        calls[peer] = run if run is not None else (
                            lambda X, e=error: (_ for _ in ()).throw(RuntimeError(e)))
                    results = _time(calls, rows, loops, rounds)
                    payload["results"][f"{label}.{method}.{n}"] = results
                    line = "  ".join(
                        f"{name} {r['median_us']:8.1f}" if "median_us" in r
                        else f"{name} failed" for name, r in results.items())
                    print(f"{label:24s} {method:18s} {n:4d} rows (µs/call): {line}")
                    for name, r in results.items():
                        if "failed" in r and n == ROWS[0]:
                            print(f"    {name}: {r['failed']}")
    save("latency", payload)


if __name__ == "__main__":
    main()
