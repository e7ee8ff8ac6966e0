"""
A Gaussian process with its standard deviation
==============================================

A Gaussian process regressor's mean is a weighted sum of kernel values: kernel units
centred on the training rows and one read-out neuron. Its standard deviation,
``predict(X, return_std=True)``, is a branch beside the network that computes
``k(x, x) − ‖L⁻¹ k(X_train, x)‖²``; ``forward()`` and export give the mean only.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, WhiteKernel

import nnconvert as nc

rng = np.random.default_rng(0)
X = np.sort(rng.uniform(0, 10, 25))[:, None]
y = np.sin(X[:, 0]) + 0.1 * rng.standard_normal(25)
gp = GaussianProcessRegressor(RBF(1.0) + WhiteKernel(0.01), random_state=0).fit(X, y)
net = nc.convert(gp)

grid = np.linspace(-1, 11, 300)[:, None]
mean, std = net.predict(grid, return_std=True)
print(nc.verify(gp, net, grid, methods=["predict", "predict_std"]))

# %%
# The network's mean and std band, on top of scikit-learn's own (they coincide).
sk_mean, sk_std = gp.predict(grid, return_std=True)
plt.fill_between(grid[:, 0], mean - 2 * std, mean + 2 * std, alpha=0.3, label="network ± 2 std")
plt.plot(grid[:, 0], sk_mean, "k--", label="scikit-learn mean")
plt.plot(grid[:, 0], mean, label="network mean", alpha=0.7)
plt.scatter(X[:, 0], y, s=10, c="k")
plt.legend()

# %%
nc.draw(net)
