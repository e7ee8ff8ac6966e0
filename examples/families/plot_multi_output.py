"""
Classifiers of several targets
==============================

A classifier fitted on a 2-D ``y`` answers several targets at once. A multi-output tree
stores one block of class frequencies per target in each leaf, so its network is the usual
tree layer followed by **one frequency head per target**: ``predict`` is (n, k) labels, each
column from its own target's classes, and ``predict_proba`` is a list of k arrays, exactly
as scikit-learn returns them.

A ``ClassifierChain`` is a chain of links: each member reads the features and what the
members before it predicted (their labels, as scikit-learn feeds them), appends its own
answers, and passes everything on.
"""

import numpy as np
from sklearn.datasets import load_wine, make_multilabel_classification
from sklearn.linear_model import LogisticRegression
from sklearn.multioutput import ClassifierChain
from sklearn.tree import DecisionTreeClassifier

import nnconvert as nc

X, y = load_wine(return_X_y=True)
strong = np.where(X[:, 0] > np.median(X[:, 0]), "strong", "weak")  # a second target
Y = np.column_stack([np.array(["barolo", "grignolino", "barbera"])[y], strong])
tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, Y)
net = nc.convert(tree)
print(net.predict(X[:3]))
print([p.shape for p in net.predict_proba(X[:3])])
print(nc.verify(tree, net, X))

# %%
# A chain of logistic regressions on three labels, in a random order: the labels each link
# predicts are inputs of the links after it.
Xm, Ym = make_multilabel_classification(n_samples=300, n_features=5, n_classes=3,
                                        random_state=0)
chain = ClassifierChain(LogisticRegression(), order="random", random_state=0).fit(Xm, Ym)
chained = nc.convert(chain)
print(chained.explain())
print(nc.verify(chain, chained, Xm))

# %%
nc.draw(net)
