"""
Stacking
========

A stacking classifier feeds its members' answers to a final estimator. The network runs the
members side by side, each answering the method scikit-learn stacks
(``predict_proba`` or ``decision_function``), and the final estimator's network reads them.
"""

from sklearn.datasets import load_iris
from sklearn.ensemble import StackingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier

import nnconvert as nc

X, y = load_iris(return_X_y=True)
stack = StackingClassifier(
    [("svm", LinearSVC()), ("bayes", GaussianNB()),
     ("tree", DecisionTreeClassifier(max_depth=2, random_state=0))],
    final_estimator=LogisticRegression(),
).fit(X, y)
net = nc.convert(stack)
print(nc.verify(stack, net, X))

# %%
nc.draw(net)
