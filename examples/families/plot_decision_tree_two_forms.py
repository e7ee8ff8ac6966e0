"""
A decision tree in both forms
=============================

A decision tree becomes two layers of step units: a **decision unit** per split,
``step(t − x_f)``, which is 1 when the row goes left; a **leaf unit** per leaf, which fires
only at the leaf the row reaches (weights +1 where its path goes left, −1 where it goes
right, bias ½ minus the number of left turns); then a read-out of the leaves' class
frequencies. That is ``tree_form='network'``, the form drawn below.
``tree_form='traversal'`` walks every tree level by level over one node table instead, fast
however deep or many the trees. Both compute the same function, to the bit.
"""

import numpy as np
from sklearn.datasets import load_iris
from sklearn.tree import DecisionTreeClassifier

import nnconvert as nc

iris = load_iris()
X, y = iris.data, iris.target_names[iris.target]
tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)

network = nc.convert(tree, tree_form="network")
traversal = nc.convert(tree, tree_form="traversal")
print(network.explain())

# %%
# The two forms give the same bits, and match scikit-learn's probabilities and labels.
same = np.array_equal(network.predict_proba(X), traversal.predict_proba(X))
print("network and traversal identical:", same)
print(nc.verify(tree, network, X))

# %%
# Decision units (``x3 ≤ 0.8``, ...), leaf units, the read-out.
nc.draw(network)
