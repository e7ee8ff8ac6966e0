"""
A kernel SVM is a network of kernel units
=========================================

An RBF-kernel SVM decides with ``Σ_i α_i·exp(−γ‖x − sv_i‖²) + b``: a sum over its support
vectors. Each term is a unit in a hidden layer, a Gaussian bump centred on one support
vector; the output neurons weigh them with the dual coefficients. For several classes
libsvm trains one such neuron per pair of classes and lets them vote, and so does the network.
"""

from sklearn.datasets import load_iris
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import nnconvert as nc

X, y = load_iris(return_X_y=True)
model = make_pipeline(StandardScaler(), SVC(kernel="rbf", gamma=0.5, C=1.0)).fit(X, y)
net = nc.convert(model)
print(net.explain())

# %%
# As many kernel units as support vectors; three pairwise neurons; a vote.
print("support vectors:", model[-1].n_support_.sum())
print(nc.verify(model, net, X))

# %%
nc.draw(net)
