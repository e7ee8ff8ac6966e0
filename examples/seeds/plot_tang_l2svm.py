"""
Tang's L2-SVM top layer
=======================

Tang (2013) replaced the softmax on top of a deep network by one-vs-rest linear SVMs
trained with the squared hinge (an "L2-SVM"), through back-propagation, and reported small
but steady gains. The top layer is then exactly what scikit-learn's
:class:`~sklearn.svm.LinearSVC` fits with its default squared-hinge loss: one neuron per
class, no activation.

This page runs ``examples/tang_l2svm.py`` at a tiny scale (one seed, two epochs, so that
it builds in seconds): first the sanity checks of the untrained losses (``log C`` for the
softmax, ``C − 1`` for the multiclass hinge, ``C`` for the L2-SVM), then the two heads.
Two epochs are far from convergence, so the numbers here say little: run the script itself
for the comparison over five seeds and forty epochs.
"""

import sys
from pathlib import Path

import torch
from sklearn.svm import LinearSVC

import nnconvert as nc

# sphinx-gallery runs an example in its folder, without __file__
here = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
sys.path.insert(0, str(here.parent))  # examples/tang_l2svm.py
from tang_l2svm import compare, digits_split, format_table, mlp, sanity_checks  # noqa: E402

X_train, X_test, y_train, y_test = digits_split()
for name, (value, expected, formula) in sanity_checks(X_train, y_train).items():
    print(f"{name:22s} untrained loss {value:.4f}, expected {formula} = {expected:.4f}")

# %%
# Test error in percent, softmax against L2-SVM top layer.
print(format_table(compare(seeds=1, epochs=2)))

# %%
# The L2-SVM top layer as scikit-learn fits it: a ``LinearSVC`` (squared hinge, one-vs-rest)
# on the hidden features of an (untrained, for brevity) network; converted, it is one layer of
# ten neurons with no activation. Only the first and last units of wide layers are drawn.
features = mlp(seed=0)[:-1]
with torch.no_grad():
    hidden = features(X_train).numpy()
top = LinearSVC(C=0.1).fit(hidden, y_train.numpy())
net = nc.convert(top)
print(nc.verify(top, net, hidden).passed)
nc.draw(net)
