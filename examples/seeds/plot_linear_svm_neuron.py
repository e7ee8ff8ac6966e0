"""
A linear SVM is one neuron with no activation
=============================================

A linear SVM separates two classes by the hyperplane ``w·x − w0 = 0`` and predicts the side a
row falls on. As a neuron that is a weighted sum with weights ``w`` and bias ``b = −w0``, and
no activation at all: the decision value itself is the output, its sign the class. The
sign flip is only notation (scikit-learn stores ``intercept_ = −w0`` already), and the
diagram writes it on the unit as ``b = −w0``.
"""

import numpy as np
from sklearn.datasets import load_iris
from sklearn.svm import LinearSVC

import nnconvert as nc

iris = load_iris()
keep = iris.target > 0  # versicolor against virginica: two classes, not separable by hand
X, y = iris.data[keep], iris.target_names[iris.target[keep]]
svm = LinearSVC(C=1.0).fit(X, y)
net = nc.convert(svm)
print(net.explain())

# %%
# The neuron's bias is the intercept, and ``w0`` of the hyperplane is its negative.
w0 = -net.body[-1].bias.item()
print(f"w0 = {w0:.6f}; -w0 = intercept_ = {svm.intercept_[0]:.6f}")

# %%
# The output has no activation: ``decision_function`` is the raw weighted sum, and
# ``predict`` its sign turned into a label. There is no ``predict_proba``, as in
# scikit-learn.
print(np.abs(net.decision_function(X) - svm.decision_function(X)).max())
print((net.predict(X) == svm.predict(X)).all(), hasattr(net, "predict_proba"))

# %%
nc.draw(net)
