"""Converted pipelines and wrappers against scikit-learn, end to end.

1. ColumnTransformer(OneHotEncoder on 3 string columns, StandardScaler on 5 numeric
   columns) + LogisticRegression, fitted on 20,000 rows, ``predict`` on a 200,000-row pandas
   DataFrame: the network takes the frame itself, so its input schema (string columns to
   category codes) is timed too. Target: >= 2x scikit-learn. Raced as converted (the exact
   form the diagrams show: the one-hot output is made, 200,000 x 203) and with
   ``fuse=True`` (the read-out folded into the branches: each category looks up its weight).
2. Pipeline(StandardScaler, PCA(20), SVC rbf), fitted on 4,000 x 50 (4 classes),
   ``predict`` on 20,000 rows: the pipeline must keep the kernel SVM's speed-up (>= 8x).
3. CalibratedClassifierCV(LinearSVC, sigmoid, cv=3), fitted on 20,000 x 50 (4 classes),
   ``predict_proba`` on 500,000 rows. Target: >= 1x.

Two threads (torch, and scikit-learn's BLAS and OpenMP through threadpoolctl). Contenders
are called in turn and speed-ups are medians of per-round ratios against scikit-learn in the
same run; answers are checked against scikit-learn's. Run ``python
benchmarks/bench_pipelines.py`` (full) or ``--quick`` (a tenth of the rows, 3 rounds).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import torch
from harness import print_table, quick_or_full, race, save
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_classification
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import SVC, LinearSVC
from threadpoolctl import threadpool_limits

import nnconvert as nc

THREADS = 2
TARGETS = {"column transformer + logistic regression": 2.0, "scaler + PCA + RBF SVC": 8.0,
           "calibrated LinearSVC": 1.0}


def customers(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """A frame like a real project's: 3 string columns (8, 40 and 150 categories) and 5
    numeric ones; the label depends on both."""
    rng = np.random.default_rng(seed)
    cities = np.array([f"city-{k:03d}" for k in range(150)])
    frame = pd.DataFrame({
        "plan": rng.choice(["free", "basic", "plus", "pro", "team", "school", "trial", "gov"],
                           n),
        "country": rng.choice([f"country-{k:02d}" for k in range(40)], n),
        "city": rng.choice(cities, n),
        **{f"x{j}": rng.standard_normal(n) * (j + 1) + j for j in range(5)},
    })
    score = (frame["x0"] - 0.5 * frame["x2"] / 3 + (frame["plan"] == "pro") * 1.5
             - frame["city"].str[-1].astype(int) / 5 + rng.standard_normal(n))
    return frame, (score > score.median()).to_numpy().astype(int)


def column_transformer(scale: int, rounds: int) -> dict:
    train, y = customers(20_000, 0)
    query, _ = customers(200_000 // scale, 1)
    model = make_pipeline(
        ColumnTransformer([("strings", OneHotEncoder(handle_unknown="ignore"),
                            ["plan", "country", "city"]),
                           ("numbers", StandardScaler(), [f"x{j}" for j in range(5)])]),
        LogisticRegression(max_iter=1000)).fit(train, y)
    nets = {"": nc.convert(model), " fuse=True": nc.convert(model, fuse=True)}
    return _race("column transformer + logistic regression", model, nets, query, "predict",
                 rounds)


def scaler_pca_svc(scale: int, rounds: int) -> dict:
    X, y = make_classification(n_samples=4000, n_features=50, n_informative=20, n_classes=4,
                               random_state=0)
    model = make_pipeline(StandardScaler(), PCA(20, random_state=0), SVC()).fit(X, y)
    query = np.random.default_rng(1).standard_normal((20_000 // scale, 50))
    return _race("scaler + PCA + RBF SVC", model, {"": nc.convert(model)}, query, "predict",
                 rounds)


def calibrated_linear_svc(scale: int, rounds: int) -> dict:
    X, y = make_classification(n_samples=20_000 + 500_000 // scale, n_features=50,
                               n_informative=20, n_classes=4, random_state=0)
    model = CalibratedClassifierCV(LinearSVC(), method="sigmoid", cv=3).fit(X[:20_000],
                                                                           y[:20_000])
    return _race("calibrated LinearSVC", model, {"": nc.convert(model)}, X[20_000:],
                 "predict_proba", rounds)


def _race(name: str, model, nets: dict, X, method: str, rounds: int) -> dict:
    """Race scikit-learn's ``method`` against each network's (``nets``: name suffix ->
    network) on ``X``, and check their answers."""
    reference = f"scikit-learn {method}"
    contenders = {reference: lambda: getattr(model, method)(X)}
    contenders.update({f"nnconvert float64{suffix} {method}": lambda n=net: getattr(n, method)(X)
                       for suffix, net in nets.items()})
    results = race(contenders, reference=reference, rounds=rounds)
    print_table(f"{name}: {method} on {len(X):,} rows (target {TARGETS[name]:g}x)", results,
                reference)
    expected = getattr(model, method)(X)
    checks = {}
    for suffix, net in nets.items():
        got = getattr(net, method)(X)
        checks[f"nnconvert float64{suffix}"] = (
            {"labels_differ": int(np.sum(expected != got))} if method == "predict"
            else {"max_abs_diff": float(np.max(np.abs(expected - got)))})
    for contender, check in checks.items():
        print(contender, ", ".join(f"{k}: {v:g}" for k, v in check.items()))
    return {"rows": len(X), "target": TARGETS[name], "checks": checks, "race": results}


def main() -> None:
    scale, rounds = quick_or_full(__doc__)
    torch.set_num_threads(THREADS)
    payload = {"threads": THREADS, "results": {}}
    with threadpool_limits(THREADS), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # LinearSVC's and LogisticRegression's convergence
        for bench in (column_transformer, scaler_pca_svc, calibrated_linear_svc):
            payload["results"][bench.__name__] = bench(scale, rounds)
    save("pipelines", payload)


if __name__ == "__main__":
    main()
