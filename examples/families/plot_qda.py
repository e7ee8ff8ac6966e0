"""
Quadratic discriminant analysis
===============================

QDA fits a Gaussian per class with its own covariance, so its boundaries are quadrics. Each
class is one **quadratic unit** ``−½‖(x − μ)R S^−½‖²`` plus its log determinant and log
prior; scikit-learn's log-softmax of these scores gives the probabilities.
"""

from sklearn.datasets import load_iris
from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis

import nnconvert as nc

X, y = load_iris(return_X_y=True)
qda = QuadraticDiscriminantAnalysis(reg_param=0.01).fit(X, y)
net = nc.convert(qda)
print(net.explain())
print(nc.verify(qda, net, X))

# %%
nc.draw(net)
