"""
Gaussian mixtures: quadratic units and a log-sum-exp
====================================================

Each component of a mixture is one quadratic unit (its weighted log-likelihood); their
log-sum-exp is ``score_samples``, their softmax ``predict_proba``. This page runs
``examples/mixtures.py``: every covariance type, plain and Bayesian.
"""

import sys
import tempfile
from pathlib import Path

import nnconvert as nc

# sphinx-gallery runs an example in its folder, without __file__
here = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
sys.path.insert(0, str(here.parent))  # the scripts in examples/
from mixtures import main  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.mixture import GaussianMixture  # noqa: E402

main(["--draw", tempfile.mkdtemp()])

# %%
nc.draw(nc.convert(GaussianMixture(3, random_state=0).fit(load_iris().data)))
