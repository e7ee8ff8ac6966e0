"""
Naive Bayes
===========

Gaussian naive Bayes scores each class by a log prior plus a sum of per-feature Gaussian
log-densities: a **quadratic unit** per class, kept in the difference form
``(x − θ)²/σ²`` (expanding it into ``x²`` and ``x`` terms would cancel digits), then the
softmax of the joint log-likelihood. The discrete models (multinomial, complement,
Bernoulli) are linear units on their fitted log probabilities.
"""

from sklearn.datasets import load_digits, load_wine
from sklearn.naive_bayes import GaussianNB, MultinomialNB

import nnconvert as nc

X, y = load_wine(return_X_y=True)
gaussian = GaussianNB().fit(X, y)
net = nc.convert(gaussian)
print(net.explain())
print(nc.verify(gaussian, net, X, methods=["predict_proba", "predict_log_proba", "predict"]))

# %%
# Multinomial naive Bayes on pixel counts: one linear unit per digit.
digits_X, digits_y = load_digits(return_X_y=True)
multinomial = MultinomialNB().fit(digits_X, digits_y)
print(nc.verify(multinomial, nc.convert(multinomial), digits_X).passed)

# %%
# The Gaussian model: one quadratic unit per class, then the softmax.
nc.draw(net)
