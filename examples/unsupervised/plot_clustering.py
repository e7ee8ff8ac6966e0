"""
Clusterers: distance units and an argmin
========================================

Every clusterer that predicts new rows assigns each to its nearest stored centre: a layer of
squared distance units, one per centre, then an argmin. This page runs
``examples/clustering.py``, which fits six of scikit-learn's clusterers on the wine data and
verifies each network.
"""

import sys
import tempfile
from pathlib import Path

import nnconvert as nc

# sphinx-gallery runs an example in its folder, without __file__
here = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
sys.path.insert(0, str(here.parent))  # the scripts in examples/
from clustering import main  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402
from sklearn.datasets import load_wine  # noqa: E402

main(["--draw", tempfile.mkdtemp()])

# %%
# A k-means model of three clusters, drawn.
kmeans = KMeans(3, n_init=3, random_state=0).fit(load_wine().data)
nc.draw(nc.convert(kmeans))
