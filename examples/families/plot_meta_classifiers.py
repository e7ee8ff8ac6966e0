"""
Output codes, self-training, label propagation and Gaussian-process classifiers
===============================================================================

Four classifiers built from other models, each a network of parts seen elsewhere:

- ``OutputCodeClassifier``: binary members side by side, then a distance unit per class's
  code word and an argmin;
- ``SelfTrainingClassifier``: the network of the estimator it fitted last;
- ``LabelSpreading``: kernel units on the training rows read out by their label
  distributions, then a normalisation (the knn kernel reuses the k-NN vote);
- ``GaussianProcessClassifier``: kernel units for the Laplace approximation's latent mean
  and variance, then scikit-learn's average of the sigmoid over that Gaussian.

Half of the training labels are hidden (``-1``) for the two semi-supervised models.
"""

import numpy as np
from sklearn.datasets import load_iris
from sklearn.gaussian_process import GaussianProcessClassifier
from sklearn.gaussian_process.kernels import RBF
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.multiclass import OutputCodeClassifier
from sklearn.semi_supervised import LabelSpreading, SelfTrainingClassifier

import nnconvert as nc

X, y = load_iris(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0,
                                                    stratify=y)
hidden = y_train.copy()
hidden[np.random.default_rng(0).random(len(hidden)) < 0.5] = -1

models = {
    "output codes": OutputCodeClassifier(LogisticRegression(max_iter=1000), code_size=2,
                                         random_state=0).fit(X_train, y_train),
    "self-training": SelfTrainingClassifier(LogisticRegression(max_iter=1000)).fit(
        X_train, hidden),
    "label spreading (knn)": LabelSpreading(kernel="knn", n_neighbors=7).fit(X_train, hidden),
    "Gaussian process": GaussianProcessClassifier(1.0 * RBF(1.0), random_state=0).fit(
        X_train, y_train),
}
for name, model in models.items():
    net = nc.convert(model)
    report = nc.verify(model, net, X_test)
    print(f"{name:22s} passed={report.passed}  labels differ on {report.n_disagreements} rows")

# %%
# The Gaussian-process classifier's equivalence, as a formula: one binary model per class,
# each a layer of kernel units answering the latent mean and variance.
gpc = models["Gaussian process"]
print(nc.convert(gpc).explain())

# %%
# A binary Gaussian-process classifier drawn: kernel units on the training rows, then the
# averaged sigmoid.
binary = GaussianProcessClassifier(1.0 * RBF(1.0), random_state=0).fit(
    X_train[:, :2], y_train == 2)
nc.draw(nc.convert(binary))
