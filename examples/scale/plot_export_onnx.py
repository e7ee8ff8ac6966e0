"""
Exporting to ONNX and serving with onnxruntime
==============================================

``nc.export(net, "model.onnx")`` writes a file that runs without scikit-learn, torch or
nnconvert (the ``onnx`` extra is needed to write it). A classifier's file returns the scores
and the index of ``predict``'s label in ``classes_``; the labels, the input schema and the
kind of model are in its metadata. In float64 the file reproduces scikit-learn to rounding,
and ``export`` checks that with onnxruntime before it writes.
"""

import tempfile
from pathlib import Path

import numpy as np
import onnxruntime
from sklearn.datasets import load_wine
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import nnconvert as nc
from nnconvert.export import labels, read_metadata

wine = load_wine()
X, y = wine.data, wine.target_names[wine.target]
model = make_pipeline(StandardScaler(), SVC(kernel="rbf")).fit(X, y)
net = nc.convert(model)
path = nc.export(net, Path(tempfile.mkdtemp()) / "wine.onnx")

# %%
# Serving: onnxruntime alone, then the labels from the metadata.
session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
scores, label_index = session.run(None, {session.get_inputs()[0].name: X})
meta = read_metadata(path)
print({key: meta[key] for key in ("kind", "classes") if key in meta})
print("labels equal:", (labels(meta, label_index) == model.predict(X)).all())
print("max score difference:", np.abs(scores - model.decision_function(X)).max())

# %%
nc.draw(net)
