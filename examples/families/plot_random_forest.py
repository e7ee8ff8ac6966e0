"""
A random forest
===============

A forest is many trees read side by side: one tree layer holds all of them, and the network
averages their class frequencies as scikit-learn does. With many trees the ``'auto'`` form
takes the traversal (the network form would hold too many weights); the diagram draws the
first and last trees and says how many more there are.
"""

from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

import nnconvert as nc

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
forest = RandomForestClassifier(n_estimators=50, max_depth=6, random_state=0).fit(X_train, y_train)
net = nc.convert(forest)
print(nc.verify(forest, net, X_test))

# %%
# A small forest in the network form, drawn unit by unit.
small = RandomForestClassifier(n_estimators=3, max_depth=2, random_state=0).fit(X_train, y_train)
nc.draw(nc.convert(small, tree_form="network"))
