"""Every method scikit-learn answers: ``inverse_transform`` as an inverse network, and a
tree's ``apply`` / ``decision_path`` read off its units.

Two small stories on scikit-learn's wine data:

1. A pipeline ``StandardScaler -> PCA(whiten=True)`` is converted; its ``inverse_transform``
   is a second network (the PCA's components transposed, plus the mean; then the scaler's
   affine map back), built from the same fitted attributes. Moving along the first
   principal component and mapping back shows what a "component" means in the original
   units, and the inverse network reproduces scikit-learn to rounding.
2. A depth-3 decision tree is converted in the network form: one decision unit per split,
   one leaf unit per leaf. ``decision_path(X)`` is read off the network itself (the leaf
   unit that fires and the decision units it listens to), and equals scikit-learn's
   sparse matrix; ``apply(X)`` is the firing leaf.

Run: ``python examples/inverse_and_paths.py [--draw DIR]``; with ``--draw`` the inverse
network and the tree are drawn there (SVG).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from sklearn.datasets import load_wine
from sklearn.decomposition import PCA
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

import nnconvert as nc


def inverse_story(X: np.ndarray) -> dict:
    """Walk along the first whitened component and back to wine measurements."""
    pipe = make_pipeline(StandardScaler(), PCA(n_components=3, whiten=True)).fit(X)
    net = nc.convert(pipe)
    steps = np.zeros((5, 3))
    steps[:, 0] = np.linspace(-2, 2, 5)  # -2 to +2 standard deviations along component 0
    ours, theirs = net.inverse_transform(steps), pipe.inverse_transform(steps)
    return {"pipeline": pipe, "net": net, "steps": steps, "rows": ours,
            "max_rel_diff": float(np.abs(ours - theirs).max() / np.abs(theirs).max())}


def path_story(X: np.ndarray, y: np.ndarray) -> dict:
    """The decision path of a few rows, from the network form of a tree."""
    tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    net = nc.convert(tree, tree_form="network")
    rows = X[::40]
    path, leaves = net.decision_path(rows), net.apply(rows)
    same = (path != tree.decision_path(rows)).nnz == 0 and \
        np.array_equal(leaves, tree.apply(rows))
    return {"tree": tree, "net": net, "path": path, "leaves": leaves, "same": same}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draw", type=Path, help="a folder for the diagrams (SVG)")
    args = parser.parse_args(argv)
    data = load_wine()
    X, y, names = data.data, data.target, data.feature_names

    inverse = inverse_story(X)
    print("Walking along the first whitened principal component, in wine units:")
    shown = [names.index("alcohol"), names.index("flavanoids"), names.index("proline")]
    print("  step   " + "".join(f"{names[j]:>14}" for j in shown))
    for step, row in zip(inverse["steps"][:, 0], inverse["rows"]):
        print(f"  {step:+.1f}   " + "".join(f"{row[j]:14.3f}" for j in shown))
    print(f"inverse network vs scikit-learn: max relative difference "
          f"{inverse['max_rel_diff']:.1e}")
    print(inverse["net"].inverse_network.explain())

    paths = path_story(X, y)
    print("\nDecision paths read off the tree's units (node ids per row):")
    for r, leaf in enumerate(paths["leaves"]):
        nodes = paths["path"][r].indices.tolist()
        print(f"  row {r}: nodes {nodes} -> leaf {leaf}")
    print(f"same as scikit-learn's decision_path and apply: {paths['same']}")

    diagrams = {"inverse": nc.draw(inverse["net"].inverse_network), "tree": nc.draw(paths["net"])}
    if args.draw:
        args.draw.mkdir(parents=True, exist_ok=True)
        for name, diagram in diagrams.items():
            print(f"drew {diagram.save(args.draw / f'{name}.svg')}")
    return {"inverse": inverse, "paths": paths, "diagrams": diagrams}


if __name__ == "__main__":
    main()
