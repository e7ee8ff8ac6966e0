"""
Outlier detectors and densities
===============================

An isolation forest is path lengths through its trees; a one-class SVM kernel units and a
neuron; an elliptic envelope one Mahalanobis quadratic unit; a local outlier factor distance
units and local densities; a kernel density a log-sum-exp of kernel units. This page runs
``examples/outliers_and_densities.py``.
"""

import sys
import tempfile
from pathlib import Path

import nnconvert as nc

# sphinx-gallery runs an example in its folder, without __file__
here = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
sys.path.insert(0, str(here.parent))  # the scripts in examples/
from outliers_and_densities import main  # noqa: E402
from sklearn.covariance import EllipticEnvelope  # noqa: E402
from sklearn.datasets import load_wine  # noqa: E402

main(["--draw", tempfile.mkdtemp()])

# %%
# An elliptic envelope: one quadratic unit, then its offset.
envelope = EllipticEnvelope(support_fraction=0.9, random_state=0).fit(load_wine().data)
nc.draw(nc.convert(envelope))
