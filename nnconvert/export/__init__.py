"""Exporting a converted network to torch.export (``.pt2``) and ONNX (``.onnx``).

What is exported is :class:`ScoresModule`, a small wrapper around the network whose
``forward(x)`` returns the network's answers from one pass
(:meth:`~nnconvert.network.ConvertedNetwork.output_tensors`). A regressor's are
``predictions`` (``predict``), a transformer's ``transformed`` (``transform``); a
classifier's are two tensors:

``scores``
    scikit-learn's ``decision_function`` (shape ``(n,)`` for two classes, ``(n, C)`` otherwise),
    or ``predict_proba`` for models that have no decision function;
``label_index``
    the index into ``classes_`` of the label ``predict`` returns (int64, shape ``(n,)``), so
    that a runtime without nnconvert still predicts exactly as scikit-learn, ties included.

The batch dimension is dynamic; the number of features is fixed. The class labels and a few
facts about the model travel inside the file as JSON (see :func:`read_metadata`):

* ``.pt2``: an extra file ``nnconvert.json`` in the archive (``torch.export.save``'s
  ``extra_files``); read it back with ``torch.export.load(path, extra_files={"nnconvert.json":
  ""})``.
* ``.onnx``: the model's ``metadata_props``: ``nnconvert`` (the whole JSON) and ``classes``
  (the labels alone, as a JSON list).

A float64 ONNX model computes what the network computes, to rounding (scikit-learn-onnx
cannot write float64 models). torch.onnx (2.13) would round two kinds of float64 scalars to
float32 on the way (``addmm``'s ``alpha``/``beta``, which ONNX's Gemm holds as float32
attributes, and Python-float operands, written as float32 constants); both are repaired
(:func:`_addmm_exact`, :func:`_restore_double_constants`), and every ONNX file is run with
onnxruntime, when installed, against the network before it is written: a translation off by
more than rounding is refused with an :class:`ExportError`.

Layers must be traceable by ``torch.export``: no Python branch on data or on the batch size
(row blocking is skipped under ``torch.compiler.is_exporting()``). A layer that cannot be
traced is named in the error.

TorchScript is not offered: torch deprecates it, and a trace would freeze the batch-size
branches of the kernel layers at the size of the example it was traced with.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..lazy import lazy_names

if TYPE_CHECKING:  # the package imports nothing heavy until export() is called
    import numpy as np
    import torch

    from ..network import ConvertedNetwork

_LAZY = {name: ".common" for name in
         ("metadata", "ScoresModule", "ExportError", "EXPORT_FORMATS", "METADATA_FILE",
          "OUTPUT_NAMES")}

__all__ = [
    "export",
    "read_metadata",
    "labels",
    "metadata",
    "ScoresModule",
    "ExportError",
    "EXPORT_FORMATS",
    "METADATA_FILE",
    "OUTPUT_NAMES",
]


def export(
    net: ConvertedNetwork,
    path: str | os.PathLike,
    *,
    dtype: torch.dtype | None = None,
    opset: int | None = None,
) -> Path:
    """Write a converted network to a file that runs without scikit-learn or nnconvert.

    Parameters
    ----------
    net : ConvertedNetwork
        The result of :func:`nnconvert.convert`.
    path : str or path-like
        Its suffix chooses the format: ``.pt2`` (``torch.export``; load with
        ``torch.export.load(path).module()``) or ``.onnx`` (ONNX, run with onnxruntime).
    dtype : torch.dtype, optional
        Precision of the exported model (``torch.float64`` or ``torch.float32``); by default
        the network's own. float64 reproduces scikit-learn to rounding; float32 is smaller and
        faster and agrees outside a near-tie band.
    opset : int, optional
        ONNX opset version; the exporter's default when omitted.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    TypeError
        ``net`` is not a converted network.
    ValueError
        Unknown suffix or unsupported dtype.
    ExportError
        The exporter failed; the message names the layer that could not be exported.

    Notes
    -----
    The exported function maps ``x`` (float tensor of shape ``(n, n_features_in_)``; the
    codes of categorical columns, see ``net.input_schema``) to a classifier's
    ``(scores, label_index)``: ``scores`` as ``decision_function`` (``predict_proba`` for
    models without one), ``label_index`` the position in ``classes_`` of ``predict``'s label;
    to a regressor's ``predictions``; to a transformer's ``transformed``. The labels, the
    input schema and other facts are stored in the file; :func:`read_metadata` reads them.

    A network converted from a pipeline that starts with a text vectorizer is exported from
    the vectorised matrix on: ``x`` is the document-term matrix (dense, one column per term)
    that ``net.vectorize(documents)`` gives, and the tf-idf weighting, if any, is inside the
    file. Tokenising is not in it (no tensor program splits text into words the way the
    vectorizer's regular expression, n-grams and stop words do); the metadata's
    ``text_input`` names the vectorizer, its parameters and its vocabulary, so that the
    serving side can rebuild the matrix.

    Examples
    --------
    >>> import nnconvert as nc
    >>> from nnconvert.export import read_metadata
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = load_iris(return_X_y=True)
    >>> net = nc.convert(LogisticRegression(max_iter=1000).fit(X, y))
    >>> path = nc.export(net, "iris.pt2")
    >>> read_metadata(path)["kind"]
    'classifier'
    """
    import copy
    import json

    from ..converter import SUPPORTED_DTYPES
    from ..files import output_file
    from ..network import ConvertedNetwork
    from .common import EXPORT_FORMATS, ScoresModule, metadata, sample_input

    if not isinstance(net, ConvertedNetwork):
        raise TypeError(
            f"export() takes a network from nnconvert.convert(), got {type(net).__name__}; "
            "convert the estimator first: nnconvert.export(nnconvert.convert(model), path)"
        )
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".pt":
        raise ValueError(
            "TorchScript (.pt) export is not offered (deprecated in torch); write a .pt2 file "
            "(torch.export) or an .onnx file instead"
        )
    if suffix not in EXPORT_FORMATS:
        raise ValueError(
            f"cannot tell the export format from {path.name!r}: use one of the suffixes "
            f"{', '.join(EXPORT_FORMATS)} ({', '.join(EXPORT_FORMATS.values())})"
        )
    if dtype is not None and dtype not in SUPPORTED_DTYPES:
        raise ValueError(f"dtype must be torch.float64 or torch.float32, got {dtype}")
    output_file(path)
    # export a CPU copy in the requested precision; the caller's network is left untouched
    copy_of_net = copy.deepcopy(net).to("cpu")
    if dtype is not None:
        copy_of_net = copy_of_net.to(dtype)
    model = ScoresModule(copy_of_net).eval()
    x = sample_input(copy_of_net)
    meta = json.dumps(metadata(copy_of_net), default=str)
    if suffix == ".pt2":
        from .torch_export import write_pt2

        write_pt2(model, x, path, meta)
    else:
        from .onnx import write_onnx

        write_onnx(model, x, path, meta, opset)
    return path


def read_metadata(path: str | os.PathLike) -> dict:
    """The metadata :func:`export` stored in a ``.pt2`` or ``.onnx`` file.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    dict
        See :func:`~nnconvert.export.common.metadata`: ``kind``, ``source``,
        ``n_features_in``, ``feature_names_in``, ``dtype``, ``outputs``, ``input_schema``,
        ``version``; a classifier's ``classes`` and ``scores``; a classifier of several
        targets' ``classes`` per target, ``methods`` and ``proba_form``; a clusterer's or an
        outlier detector's ``labels`` and ``methods``.
    """
    import json

    from .common import EXPORT_FORMATS

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise ValueError(f"unknown exported file type {suffix!r}; expected .pt2 or .onnx")
    if suffix == ".onnx":
        from .onnx import read_onnx_metadata as read
    else:
        from .torch_export import read_pt2_metadata as read
    found = read(path)
    if not found:
        raise ValueError(f"{path} has no nnconvert metadata; it was not written by export()")
    return json.loads(found)


def labels(meta: dict, label_index) -> np.ndarray:
    """``predict``'s labels from an exported model's ``label_index`` output and its metadata."""
    import numpy as np

    if "classes" not in meta and "labels" in meta:  # a clusterer's or a detector's
        return np.asarray(meta["labels"], dtype=meta.get("labels_dtype")).take(
            np.asarray(label_index))
    if meta.get("kind") == "multioutput_classifier":  # (n, k): each target its own classes
        index = np.asarray(label_index)
        out = np.empty(index.shape, dtype=meta["predict_dtype"])
        for j, (classes, dtype) in enumerate(zip(meta["classes"], meta["classes_dtype"])):
            out[:, j] = np.asarray(classes, dtype=dtype).take(index[:, j])
        return out
    classes = np.asarray(meta["classes"], dtype=meta.get("classes_dtype"))
    return classes.take(np.asarray(label_index))


__getattr__, __dir__ = lazy_names(__name__, _LAZY, __all__)
