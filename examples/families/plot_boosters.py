"""
Boosters from model files, and rankers
======================================

Models trained with ``xgboost.train`` or ``lightgbm.train`` are often kept as the
libraries' own model files (``booster.save_model("model.json")``, ``"model.txt"``) and
loaded back as a ``Booster``, which has no ``classes_``: its ``predict`` answers numbers
(a probability, a mean, a ranking score) and, with ``output_margin=True`` (XGBoost) or
``raw_score=True`` (LightGBM), the raw sum of the trees. ``nnconvert.convert`` takes the
``Booster`` itself and gives a regressor-like network that answers both, with the same
keywords; ``nnconvert.load_model`` (and the command line) read the model files with the
libraries' own parsers, so no code runs, and check LightGBM's text before LightGBM reads it.
"""

import tempfile
from pathlib import Path

import lightgbm
import numpy as np
import xgboost
from sklearn.datasets import load_breast_cancer, load_diabetes

import nnconvert as nc

X, y = load_breast_cancer(return_X_y=True)
folder = Path(tempfile.mkdtemp())

trained = xgboost.train({"objective": "binary:logistic", "max_depth": 3, "nthread": 1},
                        xgboost.DMatrix(X, y), num_boost_round=20)
trained.save_model(folder / "model.json")
booster = nc.load_model(folder / "model.json")  # an xgboost.Booster
net = nc.convert(booster)
print(type(booster).__name__, "->", type(net).__name__)
print("probability, as Booster.predict:", net.predict(X[:3]))
print("margin, as output_margin=True:  ", net.predict(X[:3], output_margin=True))
print(nc.verify(booster, net, X))  # both answers, at XGBoost's float32 precision

# %%
# A LightGBM ranker: its ``predict`` is the raw score, so its network is a regressor's.
# Inputs as the libraries take them: ±inf is compared with the thresholds like any value.
Xd, yd = load_diabetes(return_X_y=True)
grades = np.digitize(yd, np.quantile(yd, [0.25, 0.5, 0.75]))
ranker = lightgbm.LGBMRanker(n_estimators=20, num_leaves=8, verbose=-1, random_state=0)
ranker.fit(Xd, grades, group=[20] * 22 + [2])
rows = Xd[:4].copy()
rows[0, 2], rows[1, 3] = np.inf, -np.inf
print(nc.convert(ranker).predict(rows), ranker.predict(rows))

# %%
# Three small trees of the Booster, as a network of step units: a decision unit per split,
# a leaf unit per leaf, and the output σ of their sum.
small = xgboost.train({"objective": "binary:logistic", "max_depth": 2, "nthread": 1},
                      xgboost.DMatrix(X, y), num_boost_round=3)
nc.draw(nc.convert(small, tree_form="network"))
