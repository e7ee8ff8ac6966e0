"""What every export shares: the exported module, the metadata, the errors and the quiet.

:class:`ScoresModule` is the function written to a file: features in, the network's answers
out, from one pass (:meth:`~nnconvert.network.ConvertedNetwork.output_tensors`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import warnings

import numpy as np
import torch
from torch import nn

from ..network import ConvertedNetwork

__all__ = ["ExportError", "ScoresModule", "metadata", "EXPORT_FORMATS", "METADATA_FILE",
           "OUTPUT_NAMES", "METHOD_OUTPUT_NAMES", "output_names", "exported_methods",
           "sample_input", "quiet", "first_line"]

#: suffix -> format name
EXPORT_FORMATS = {".pt2": "torch.export", ".onnx": "onnx"}
#: name of the metadata entry inside .pt2 archives
METADATA_FILE = "nnconvert.json"
#: per kind of network, the exported outputs' names
OUTPUT_NAMES = {"classifier": ("scores", "label_index"), "regressor": ("predictions",),
                "transformer": ("transformed",)}
#: the unsupervised kinds export every method their head answers, named thus (floats first,
#: the label index last: the ONNX self-check compares the first output)
METHOD_OUTPUT_NAMES = {"transform": "distances", "predict_proba": "probabilities",
                       "decision_function": "decision", "score_samples": "scores",
                       "mahalanobis": "mahalanobis", "predict": "label_index",
                       "predict_log_proba": "log_probabilities",
                       "predict_raw": "raw_scores"}


class ExportError(RuntimeError):
    """A network (or one of its layers) cannot be written in the requested format."""


class ScoresModule(nn.Module):
    """The exported function: features in, the answers of :data:`OUTPUT_NAMES` out.

    Parameters
    ----------
    net : ConvertedNetwork
    """

    def __init__(self, net: ConvertedNetwork):
        super().__init__()
        self.net = net
        self.output_names = output_names(net.head)
        self.methods = exported_methods(net.head)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        answers = self.net.output_tensors(x, self.methods)
        # a classifier whose only answer is predict exports it twice (scores and label): a
        # copy, as ONNX cannot give one value two output names
        return tuple(answers[m] if m not in self.methods[:i] else answers[m].clone()
                     for i, m in enumerate(self.methods))


def exported_methods(head) -> tuple[str, ...]:
    """The methods behind :func:`output_names`: a classifier's raw scores and its predict,
    every method of the other kinds."""
    return (head.scores_method, "predict") if head.kind == "classifier" else head.methods


def output_names(head) -> tuple[str, ...]:
    """The exported outputs' names: :data:`OUTPUT_NAMES` of the supervised kinds, one per
    method (:data:`METHOD_OUTPUT_NAMES`) for the unsupervised ones; a density's one output
    is its ``log_density``."""
    if head.kind == "regressor" and len(head.methods) > 1:  # a Booster's: and raw scores
        return ("predictions", *(METHOD_OUTPUT_NAMES[m] for m in head.methods[1:]))
    if head.kind in OUTPUT_NAMES:
        return OUTPUT_NAMES[head.kind]
    if head.kind == "density":
        return ("log_density",)
    return tuple(METHOD_OUTPUT_NAMES[m] for m in exported_methods(head))


def metadata(net: ConvertedNetwork) -> dict:
    """What an exported file says about its model (JSON-serialisable).

    Every kind: ``kind``, ``source``, ``n_features_in``, ``feature_names_in``, ``dtype``,
    ``outputs`` and ``input_schema`` (what each input column holds: numbers, or the codes of
    categories, see :class:`~nnconvert.network.schema.InputSchema`). Classifiers add
    ``classes``, ``classes_dtype`` and ``scores``; regressors ``n_outputs``; transformers
    ``feature_names_out``; classifiers of several targets ``classes`` (a list per target:
    ``label_index`` is (n, k)), ``classes_dtype`` (per target), ``predict_dtype``, ``methods``, ``proba_form`` and ``proba_widths`` (where each
    target's probabilities lie in ``probabilities``); clusterers and outlier detectors ``labels`` (what each label index
    stands for), ``labels_dtype`` and ``methods`` (the scikit-learn method of each output);
    densities ``methods``. A network with an input stage (a text vectorizer) adds its
    :meth:`~nnconvert.network.stage.InputStage.metadata` under its ``metadata_key``
    (``text_input``): the file starts at the stage's matrix (tokenising is not a network), so
    this says what makes it (a vectorizer's parameters and vocabulary, term → column).
    """
    names = getattr(net, "feature_names_in_", None)
    kind = net.head.kind
    facts = {
        "producer": "nnconvert",
        "version": _version(),
        "kind": kind,
        "source": net.source,
        "n_features_in": net.n_features_in_,
        "feature_names_in": None if names is None else [str(n) for n in names],
        "dtype": str(net.dtype).replace("torch.", ""),
        "outputs": list(output_names(net.head)),
        "input_schema": net.input_schema.to_dict(),
    }
    if net.input_stage is not None:
        facts[net.input_stage.metadata_key] = net.input_stage.metadata()
    if kind == "classifier":
        facts.update(classes=net.classes_.tolist(), classes_dtype=str(net.classes_.dtype),
                     scores=net.head.scores_method)
    elif kind == "regressor":
        facts["n_outputs"] = net.n_outputs_
    elif kind in ("clusterer", "outlier_detector"):
        facts.update(labels=net.classes_.tolist(), labels_dtype=str(net.classes_.dtype),
                     methods=list(exported_methods(net.head)))
    elif kind == "density":
        facts["methods"] = ["score_samples"]
    elif kind == "multioutput_classifier":  # each target's labels, by the index exported
        head = net.head
        first = net.labels_of(np.zeros((1, head.n_targets), dtype=np.int64))
        facts.update(classes=[labels.tolist() for labels in head.labels],
                     classes_dtype=[str(labels.dtype) for labels in head.labels],
                     predict_dtype=str(first.dtype),
                     methods=list(exported_methods(head)), proba_form=head.proba_form,
                     proba_widths=head.proba_widths() if head.proba_form == "list" else None)
    else:
        try:
            facts["feature_names_out"] = [str(n) for n in net.get_feature_names_out()]
        except AttributeError:
            facts["feature_names_out"] = None
    return facts


def _version() -> str:
    from .. import __version__

    return __version__


def sample_input(net: ConvertedNetwork) -> torch.Tensor:
    # Two or three rows, never as many as there are features: torch.export would otherwise
    # take the batch size and the width for the same symbol.
    rows = 3 if net.n_features_in_ == 2 else 2
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(rows, net.n_features_in_, generator=generator, dtype=net.dtype)
    # a vectorised text matrix holds counts: the log of a sublinear tf is real on them
    return x.abs() if net.input_stage is not None and net.input_stage.nonnegative else x


@contextlib.contextmanager
def quiet():
    """Silence the exporters' chatter (progress lines, deprecation and optional-op warnings)."""
    # onnxscript logs a traceback when it cannot reach an opset: we raise ExportError instead
    names = ("torch.onnx", "torch.export", "torch._export", "onnxscript")
    loggers = [logging.getLogger(n) for n in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings(), open(os.devnull, "w") as devnull, \
                contextlib.redirect_stdout(devnull):
            warnings.simplefilter("ignore")
            yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


def first_line(error: BaseException) -> str:
    """An exporter's error in one line (their messages run to pages of graph dumps): the
    operator the ONNX translation has no function for, where it says so, else the first
    line."""
    lines = str(error).strip().splitlines() or [type(error).__name__]
    missing = [line for line in lines if "No ONNX function found for" in line]
    if missing:
        return missing[0].split(">: ", 1)[-1].split(". Failure message")[0]
    return lines[0]
