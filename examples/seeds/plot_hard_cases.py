"""
Why a linear classifier fails on XOR, a donut and several modes
===============================================================

A linear classifier gives each class one hyperplane, so each class one convex region. Three
small problems defeat that: XOR (opposite quadrants share a class), a donut (a ring around
the other class) and three separate blobs. One hidden layer carves the plane several ways
and solves all three. The data and models come from ``examples/hard_cases.py``; every model
is converted, and every network agrees with its model.
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt

import nnconvert as nc

# sphinx-gallery runs an example in its folder, without __file__
here = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
sys.path.insert(0, str(here.parent))  # examples/hard_cases.py
from hard_cases import evaluate, format_table, grid, hard_case_data, hard_case_models  # noqa: E402

print(format_table(evaluate(seed=0)))

# %%
# The decision regions of the linear model and of the MLP, computed by their networks.
data, models = hard_case_data(seed=0), hard_case_models(seed=0)
fig, axes = plt.subplots(2, 3, figsize=(10, 6.5))
for column, (problem, (X, _, y, _)) in enumerate(data.items()):
    points = grid(X, steps=80)
    for row, kind in enumerate(["linear (logistic regression)", "MLP (2 x 16 ReLU)"]):
        net = nc.convert(models[problem][kind])
        region = net.predict(points).reshape(80, 80)
        ax = axes[row, column]
        ax.contourf(points[:, 0].reshape(80, 80), points[:, 1].reshape(80, 80), region,
                    alpha=0.3, cmap="coolwarm")
        ax.scatter(X[:, 0], X[:, 1], c=y, s=4, cmap="coolwarm")
        ax.set_title(f"{problem}: {kind}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
fig.tight_layout()

# %%
# The MLP that solves the donut: two inputs, two hidden layers of ReLU units, one sigmoid
# output.
nc.draw(nc.convert(models["donut"]["MLP (2 x 16 ReLU)"]))
