"""
k nearest neighbours
====================

k-NN keeps its training rows. As a network: a layer of **distance units**, one per training
row, then the ``k`` smallest, then a vote (each neighbour counts one, or the inverse of its
distance). Equal distances go to the lowest training row, as scikit-learn's brute force
does; a kd-tree may choose otherwise, and ``verify`` counts such rows as near ties.
"""

from sklearn.datasets import load_iris
from sklearn.neighbors import KNeighborsClassifier

import nnconvert as nc

X, y = load_iris(return_X_y=True)
knn = KNeighborsClassifier(n_neighbors=5, weights="distance").fit(X[::3], y[::3])
net = nc.convert(knn)
print(net.explain())
print(nc.verify(knn, net, X))

# %%
nc.draw(net)
