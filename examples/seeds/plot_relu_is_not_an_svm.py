"""
Is a neuron with a ReLU output an SVM?
======================================

No. A ReLU output ``max(0, s)`` looks like the hinge ``max(0, 1 − t·s)``, but the two sit in
different places: the activation shapes the *prediction*, the loss shapes the *training*.
A linear SVM is a neuron with **no activation** trained with the **hinge loss**; the same
neuron trained with the logistic loss ``ln(1 + exp(−t·s))`` is a logistic regression. A
ReLU output would clip every negative score to 0 and lose the side of the hyperplane a row
falls on.

Below, one linear neuron is trained twice with :mod:`nnconvert.losses`, from the same
start, and brought back to scikit-learn with :func:`nnconvert.to_sklearn`.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import make_classification
from sklearn.svm import LinearSVC

import nnconvert as nc
from nnconvert import losses

# %%
# The three curves, as functions of the score ``s`` of a row whose class is positive
# (``t = +1``): each loss is :mod:`nnconvert.losses`' own, evaluated one row at a time.
scores = torch.linspace(-3, 3, 121, dtype=torch.float64)
positive = torch.ones(1)
hinge = [losses.hinge(s[None], positive).item() for s in scores]
logistic = [losses.logistic(s[None], positive).item() for s in scores]
plt.plot(scores, hinge, label="hinge max(0, 1 − t·s): the SVM's loss")
plt.plot(scores, logistic, label="logistic ln(1 + exp(−t·s))")
plt.plot(scores, torch.relu(scores), "--", label="ReLU max(0, s): an activation")
plt.xlabel("score s (t = +1)")
plt.legend()
plt.title("A loss is not an activation")

# %%
# Train one neuron (no activation) with each loss, starting from a converted linear model.
X, y = make_classification(n_samples=400, n_features=4, n_informative=3, n_redundant=0,
                           class_sep=2.0, random_state=0)
start = nc.convert(LinearSVC(C=1.0).fit(X, y))
svm_like = nc.fine_tune(start, X, y, loss="hinge", epochs=20, lr=0.05)
logistic_like = nc.fine_tune(start, X, y, loss="logistic", epochs=20, lr=0.05)

# %%
# What the hinge changes is *which rows matter*. A row whose margin ``t·s`` is at least 1
# adds nothing to the hinge loss and pulls on nothing: only the rows on or inside the
# margin, the support vectors, shape the SVM. Every row adds to the logistic loss.
t = np.where(y == 1, 1.0, -1.0)
for name, net in [("hinge", svm_like), ("logistic", logistic_like)]:
    margins = t * net.decision_function(X)
    pulling = (margins < 1).sum() if name == "hinge" else len(margins)
    print(f"{name:8s}: {pulling} of {len(X)} rows shape the neuron")

# %%
# Either neuron comes back to scikit-learn as a linear estimator with the same decision
# function (:func:`nnconvert.to_sklearn`).
back = nc.to_sklearn(svm_like)
print(type(back).__name__, np.abs(back.decision_function(X) - svm_like.decision_function(X)).max())

# %%
# The hinge-trained neuron, drawn: a weighted sum, a bias, no activation.
nc.draw(svm_like)
