"""
XGBoost and LightGBM
====================

The boosting libraries' scikit-learn models convert too (the ``boosting`` extra installs
``xgboost-cpu`` and ``lightgbm``). XGBoost splits on ``x < t`` and sums its trees in float32;
the network sums in float64 and holds the exact sum, so ``verify`` judges XGBoost at the
rounding bound of a float32 sum. LightGBM sums in float64, as the network does.
"""

from lightgbm import LGBMClassifier
from sklearn.datasets import load_breast_cancer
from xgboost import XGBClassifier

import nnconvert as nc

X, y = load_breast_cancer(return_X_y=True)

xgb = XGBClassifier(n_estimators=40, max_depth=3, random_state=0).fit(X, y)
print(nc.verify(xgb, nc.convert(xgb), X))

lgbm = LGBMClassifier(n_estimators=40, num_leaves=8, random_state=0, verbose=-1).fit(X, y)
print(nc.verify(lgbm, nc.convert(lgbm), X))

# %%
# Three small XGBoost trees in the network form.
small = XGBClassifier(n_estimators=3, max_depth=2, random_state=0).fit(X, y)
nc.draw(nc.convert(small, tree_form="network"))
