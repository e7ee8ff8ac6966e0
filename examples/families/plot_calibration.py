"""
Calibration
===========

``CalibratedClassifierCV`` fits a classifier on folds and a calibration map on each
held-out fold, then averages the calibrated probabilities. In the network the fold models
sit side by side, each score goes through its map (a Platt sigmoid here; isotonic maps are
ramp units), and the average follows.
"""

from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import load_breast_cancer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

import nnconvert as nc

X, y = load_breast_cancer(return_X_y=True)
model = make_pipeline(StandardScaler(), CalibratedClassifierCV(LinearSVC(), cv=3)).fit(X, y)
net = nc.convert(model)
print(nc.verify(model, net, X))

# %%
nc.draw(net)
