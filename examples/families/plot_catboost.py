"""
CatBoost and imbalanced-learn
=============================

CatBoost grows *oblivious* trees: every node of a level asks the same question, so a tree
of depth ``d`` is ``d`` step units ``float32(x_f) > b``, and the leaf a row reaches is the
binary number those units write (``Σ 2^l · bit_l``). The network reads CatBoost's own JSON
export (the ``catboost`` extra installs it), with missing values sent the way the model's
``nan_mode`` says. imbalanced-learn's samplers act on the training rows only: a pipeline
converts with them skipped (the ``imblearn`` extra).
"""

import numpy as np
from catboost import CatBoostClassifier
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import make_pipeline
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

import nnconvert as nc

X, y = load_breast_cancer(return_X_y=True)
X_missing = X.copy()
X_missing[np.random.default_rng(0).random(X.shape) < 0.05] = np.nan

model = CatBoostClassifier(iterations=60, depth=4, nan_mode="Max", verbose=0,
                           random_seed=0, allow_writing_files=False).fit(X_missing, y)
print(nc.verify(model, nc.convert(model), X_missing))

resampled = make_pipeline(StandardScaler(), SMOTE(random_state=0),
                          LogisticRegression(max_iter=1000)).fit(X, y)
print(nc.convert(resampled).explain())

# %%
# Two small trees of depth 3: three decision units each, and the leaf index they write.
small = CatBoostClassifier(iterations=2, depth=3, verbose=0, random_seed=0,
                           allow_writing_files=False).fit(X, y)
net = nc.convert(small)
print(net.explain())
nc.draw(net)
