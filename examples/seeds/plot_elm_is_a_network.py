"""
An extreme learning machine already is a network
================================================

An ELM draws a hidden layer at random, never trains it, and fits only the linear read-out,
in closed form (ridge regression on the hidden activations). There is nothing to convert:
the network is the model. :class:`nnconvert.ELMClassifier` is a scikit-learn estimator
built that way, and :func:`nnconvert.convert` copies its two layers.
"""

from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import nnconvert as nc

X, y = load_wine(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
elm = make_pipeline(StandardScaler(), nc.ELMClassifier(n_hidden=20, random_state=0))
elm.fit(X_train, y_train)
print("test accuracy:", elm.score(X_test, y_test))

net = nc.convert(elm)
print(nc.verify(elm, net, X_test))

# %%
# The random hidden layer (sigmoid units) and the learned read-out, one neuron per class.
nc.draw(net)
