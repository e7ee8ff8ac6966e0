"""Hard cases for a linear classifier, and the networks that solve them.

A linear classifier carves the plane with one hyperplane per class, so each class gets one
convex region. Three two-dimensional problems defeat that (the CS231n notes' examples):

* **XOR**: class 1 in the first and third quadrants, class 0 in the other two;
* **donut**: class 1 where ``1 <= ||x|| <= 2``, class 0 inside and around the ring;
* **three modes**: class 1 in three separate blobs, class 0 everywhere else.

For each, a logistic regression (linear: fails) is fitted next to an extreme learning
machine, a kernel SVM and an MLP (one hidden layer of units or kernels: succeed). Every
model is converted with :func:`nnconvert.convert` and the network is checked against its
original with :func:`nnconvert.verify.compare` on the test points and on a grid that
covers the plane.

Run: ``python examples/hard_cases.py [--seed 0] [--draw DIR]``; :func:`hard_case_models` gives
the fitted models to draw or explore, :func:`draw_networks` draws them.
"""

from __future__ import annotations

import argparse
import re
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.svm import SVC

import nnconvert as nc
from nnconvert.verify import compare

N_PER_CLASS = 300
#: the three blobs of the "three modes" problem
MODES = np.array([[-2.0, -1.5], [2.0, -1.5], [0.0, 2.0]])


def xor(rng: np.random.Generator, n: int = N_PER_CLASS):
    """Uniform on [-1, 1]²; class 1 where both coordinates have the same sign."""
    X = rng.uniform(-1, 1, size=(2 * n, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


def _rejection(rng, n, sample, keep):
    """``n`` points drawn by ``sample(k)`` that satisfy ``keep``."""
    out = np.empty((0, 2))
    while len(out) < n:
        points = sample(4 * n)
        out = np.vstack([out, points[keep(points)]])
    return out[:n]


def donut(rng: np.random.Generator, n: int = N_PER_CLASS):
    """Class 1 where ``1 <= ||x|| <= 2``; class 0 inside (``< 1``) and around (2 to 3) it."""
    disc = lambda k: rng.uniform(-3, 3, size=(k, 2))  # noqa: E731
    radius = lambda p: np.linalg.norm(p, axis=1)  # noqa: E731
    ring = _rejection(rng, n, disc, lambda p: (radius(p) >= 1) & (radius(p) <= 2))
    rest = _rejection(rng, n, disc, lambda p: (radius(p) < 1) | ((radius(p) > 2) & (radius(p) < 3)))
    return np.vstack([rest, ring]), np.repeat([0, 1], n)


def three_modes(rng: np.random.Generator, n: int = N_PER_CLASS):
    """Class 1: three Gaussian blobs; class 0: uniform on the box, away from every blob."""
    blobs = MODES[rng.integers(0, 3, size=n)] + rng.normal(scale=0.45, size=(n, 2))
    box = lambda k: rng.uniform(-4, 4, size=(k, 2))  # noqa: E731
    far = lambda p: np.linalg.norm(p[:, None, :] - MODES, axis=2).min(axis=1) > 1.4  # noqa: E731
    return np.vstack([_rejection(rng, n, box, far), blobs]), np.repeat([0, 1], n)


PROBLEMS = {"XOR": xor, "donut": donut, "three modes": three_modes}


def models(seed: int = 0) -> dict:
    """The four unfitted models, by name: one linear, three with a hidden layer."""
    return {
        "linear (logistic regression)": LogisticRegression(),
        "ELM (100 tanh units)": nc.ELMClassifier(n_hidden=100, activation="tanh",
                                                 weight_scale=2.0, alpha=1e-3,
                                                 random_state=seed),
        "kernel SVM (RBF)": SVC(kernel="rbf", C=10.0),
        "MLP (2 x 16 ReLU)": MLPClassifier((16, 16), solver="lbfgs", max_iter=1000,
                                           random_state=seed),
    }


def hard_case_data(seed: int = 0) -> dict:
    """``{problem: (X_train, X_test, y_train, y_test)}``, 50/50 split."""
    rng = np.random.default_rng(seed)
    data = {}
    for name, make in PROBLEMS.items():
        X, y = make(rng)
        data[name] = train_test_split(X, y, test_size=0.5, random_state=seed, stratify=y)
    return data


def hard_case_models(seed: int = 0) -> dict:
    """Fitted models: ``{problem: {model name: fitted estimator}}``, for diagrams and study."""
    fitted = {}
    for problem, (X_train, _, y_train, _) in hard_case_data(seed).items():
        fitted[problem] = {}
        for name, model in models(seed).items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                fitted[problem][name] = model.fit(X_train, y_train)
    return fitted


def grid(X: np.ndarray, steps: int = 60) -> np.ndarray:
    """A regular grid over the data's bounding box, a little enlarged."""
    low, high = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    axes = [np.linspace(low[i], high[i], steps) for i in range(2)]
    return np.stack(np.meshgrid(*axes), axis=-1).reshape(-1, 2)


def evaluate(seed: int = 0) -> list[dict]:
    """One row per (problem, model): test accuracy and how the converted network agrees."""
    data = hard_case_data(seed)
    rows = []
    for problem, fitted in hard_case_models(seed).items():
        _, X_test, _, y_test = data[problem]
        probes = np.vstack([X_test, grid(X_test)])
        for name, model in fitted.items():
            agreement = compare(model, nc.convert(model), probes)
            rows.append({
                "problem": problem,
                "model": name,
                "accuracy": float(model.score(X_test, y_test)),
                "agrees": agreement.passed,
                "max_rel_diff": max(agreement.max_rel_diff.values()),
                "n_compared": agreement.n_samples,
            })
    return rows


def format_table(rows: list[dict]) -> str:
    """The rows as an aligned text table."""
    width = max(len(r["model"]) for r in rows)
    lines = [f"{'problem':<12} {'model':<{width}}  accuracy  network = model?"]
    for r in rows:
        verdict = (f"yes (max rel. diff {r['max_rel_diff']:.1e} on {r['n_compared']} points)"
                   if r["agrees"] else "NO")
        lines.append(f"{r['problem']:<12} {r['model']:<{width}}  {r['accuracy']:8.3f}  {verdict}")
    return "\n".join(lines)


def draw_networks(directory, seed: int = 0) -> list:
    """Draw every converted network as ``<problem>_<model>.svg`` in ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for problem, fitted in hard_case_models(seed).items():
        for name, model in fitted.items():
            slug = re.sub(r"[^a-z0-9]+", "_", f"{problem} {name}".lower()).strip("_")
            written.append(nc.draw(nc.convert(model)).save(directory / f"{slug}.svg"))
    return written


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="data and model seed (default 0)")
    parser.add_argument("--draw", metavar="DIR", help="also draw every network into DIR")
    args = parser.parse_args(argv)
    print(format_table(evaluate(args.seed)))
    if args.draw:
        for path in draw_networks(args.draw, args.seed):
            print(f"drew {path}")
    print("\nThe linear model is one hyperplane, so it cannot separate these classes; the")
    print("others have a hidden layer, and each converts to a network that is the same function.")


if __name__ == "__main__":
    main()
