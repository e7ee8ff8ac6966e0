"""
Gradient boosting
=================

A boosted model is a sum of trees plus a starting value, through a link: the sigmoid for two
classes, the softmax for more. The network is one tree layer that sums the stages, the prior
as its bias, then the link. ``HistGradientBoostingClassifier`` compares in float64 with its
own thresholds and routes missing values as each split learned; the network does the same.
"""

import numpy as np
from sklearn.datasets import load_wine
from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingClassifier

import nnconvert as nc

X, y = load_wine(return_X_y=True)
X = X.copy()
X[::7, 3] = np.nan  # missing values: HistGradientBoosting learns where they go

hist = HistGradientBoostingClassifier(max_iter=30, random_state=0).fit(X, y)
print(nc.verify(hist, nc.convert(hist), X))

# %%
# Classic gradient boosting, three stages of depth-2 trees, in the network form.
X_complete = np.nan_to_num(X)
boosting = GradientBoostingClassifier(n_estimators=3, max_depth=2, random_state=0)
boosting.fit(X_complete, y)
net = nc.convert(boosting, tree_form="network")
print(nc.verify(boosting, net, X_complete).passed)
nc.draw(net)
