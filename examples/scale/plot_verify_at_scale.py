"""
Verifying on memory-mapped data and with dask
=============================================

``nc.verify`` reads its rows block by block, so a memory-mapped ``.npy`` file larger than
memory costs only a block at a time. Given a dask array while a ``dask.distributed`` client
is active, it sends the blocks to the workers and merges their reports.
"""

import tempfile
from pathlib import Path

import dask.array as da
import numpy as np
from distributed import Client, LocalCluster
from sklearn.datasets import make_classification
from sklearn.neural_network import MLPClassifier

import nnconvert as nc

X, y = make_classification(n_samples=2000, n_features=20, random_state=0)
model = MLPClassifier((32,), solver="lbfgs", max_iter=500, random_state=0).fit(X, y)
net = nc.convert(model)

# %%
# 200,000 rows on disk, read through a memory map.
folder = Path(tempfile.mkdtemp())
rows = np.lib.format.open_memmap(folder / "X.npy", mode="w+", dtype=np.float64,
                                 shape=(200_000, 20))
rows[:] = np.random.default_rng(0).normal(size=rows.shape)
rows.flush()
report = nc.verify(model, net, np.load(folder / "X.npy", mmap_mode="r"))
print(report)

# %%
# A dask array on a small local cluster (threads in this process): each worker verifies its
# blocks and the reports merge. (Here the array is made from the first 20,000 rows in
# memory; on a real cluster the workers would load their own blocks.)
with LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                  dashboard_address=None) as cluster, Client(cluster):
    chunks = da.from_array(np.asarray(rows[:20_000]), chunks=(5_000, 20))
    print(nc.verify(model, net, chunks))

# %%
nc.draw(net)
