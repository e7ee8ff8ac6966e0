"""
A logistic regression is one sigmoid neuron
===========================================

A binary logistic regression computes ``p(y=1 | x) = σ(w·x + b)``: a weighted sum of the
inputs plus a bias, passed through the sigmoid. That is exactly one artificial neuron with a
sigmoid activation, and :func:`nnconvert.convert` builds it from the fitted ``coef_`` and
``intercept_``.
"""

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import nnconvert as nc

X, y = load_breast_cancer(return_X_y=True)
model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
net = nc.convert(model)
print(net.explain())

# %%
# The neuron's weights are the model's coefficients, its bias the intercept; the sigmoid
# of its output is ``predict_proba``'s second column.
logistic = model[-1]
neuron = net.body[-1]  # the last layer: one neuron
print("weights equal coef_:", np.array_equal(neuron.weight.detach().numpy(), logistic.coef_))
print("bias equals intercept_:", np.array_equal(neuron.bias.detach().numpy(),
                                                logistic.intercept_))

# %%
# The network and the model agree on every row, to float64 rounding.
print(nc.verify(model, net, X))

# %%
# The scaler is a layer of its own (``fuse=True`` would fold it into the weights); then
# comes the one neuron.
nc.draw(net)
