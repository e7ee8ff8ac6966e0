"""
Speed-ups against scikit-learn and the peers
============================================

Each script in ``benchmarks/`` times the converted network against the reference in the
same run (scikit-learn, or the boosting library itself) and saves the median of the
per-round ratios to ``benchmarks/results/NAME.json`` (``make bench`` runs them all; they
take minutes, so the site does not). Above 1 the network is faster.

This page plots the JSON files in ``benchmarks/results/`` when the machine that built it
has them; otherwise the figures of the README's benchmark table, committed beside this
script as ``readme_speedups.json``. The output below says which.
"""

import json
from pathlib import Path

import matplotlib.pyplot as plt

# sphinx-gallery runs an example in its folder, without __file__
HERE = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
RESULTS = HERE.parent.parent / "benchmarks" / "results"


def speedups_in(value, path=()):
    """Every ``speedup_vs_reference`` in a results file, named by the keys leading to it."""
    if isinstance(value, dict):
        if "speedup_vs_reference" in value:
            yield " / ".join(path), value["speedup_vs_reference"]
        for key, item in value.items():
            if key != "environment":
                yield from speedups_in(item, (*path, str(key)))


files = sorted(RESULTS.glob("*.json")) if RESULTS.is_dir() else []
rows = [(file.stem, name, ratio) for file in files
        for name, ratio in speedups_in(json.loads(file.read_text()))
        if ratio != 1.0]  # the reference against itself
if rows:
    print(f"from {len(files)} files in benchmarks/results/")
else:
    committed = json.loads((HERE / "readme_speedups.json").read_text())
    rows = [tuple(row) for row in committed["speedups"]]
    print("from the committed figures:", committed["source"])

# %%
benchmarks = sorted({bench for bench, _, _ in rows})
colours = dict(zip(benchmarks, plt.cm.tab10.colors))
fig, ax = plt.subplots(figsize=(8, 0.28 * len(rows) + 1))
for i, (bench, name, ratio) in enumerate(rows):
    ax.barh(i, ratio, color=colours[bench])
    ax.text(ratio * 1.05, i, f"{ratio:.2f}×", va="center", fontsize=7)
ax.set_yticks(range(len(rows)), [f"{bench}: {name}"[:70] for bench, name, _ in rows], fontsize=7)
ax.set_xscale("log")
ax.axvline(1.0, color="k", lw=0.8)
ax.invert_yaxis()
ax.set_xlabel("speed-up against the reference (log scale; > 1: the network is faster)")
fig.tight_layout()
