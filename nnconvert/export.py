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

import contextlib
import copy
import json
import logging
import os
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .convert import SUPPORTED_DTYPES
from .files import output_file
from .network import ConvertedNetwork

__all__ = [
    "export",
    "read_metadata",
    "labels",
    "ScoresModule",
    "ExportError",
    "EXPORT_FORMATS",
    "METADATA_FILE",
]

#: suffix -> format name
EXPORT_FORMATS = {".pt2": "torch.export", ".onnx": "onnx"}
#: name of the metadata entry inside .pt2 archives
METADATA_FILE = "nnconvert.json"
#: per kind of network, the exported outputs' names
OUTPUT_NAMES = {"classifier": ("scores", "label_index"), "regressor": ("predictions",),
                "transformer": ("transformed",)}


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
        self.output_names = OUTPUT_NAMES[net.head.kind]
        self.methods = _exported_methods(net.head)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        answers = self.net.output_tensors(x, self.methods)
        return tuple(answers[m] for m in self.methods)


def _exported_methods(head) -> tuple[str, ...]:
    """The methods behind :data:`OUTPUT_NAMES`: a classifier's raw scores and its predict."""
    return (head.scores_method, "predict") if head.kind == "classifier" else head.methods


def metadata(net: ConvertedNetwork) -> dict:
    """What an exported file says about its model (JSON-serialisable).

    Every kind: ``kind``, ``source``, ``n_features_in``, ``feature_names_in``, ``dtype``,
    ``outputs`` and ``input_schema`` (what each input column holds: numbers, or the codes of
    categories, see :class:`~nnconvert.network.schema.InputSchema`). Classifiers add
    ``classes``, ``classes_dtype`` and ``scores``; regressors ``n_outputs``; transformers
    ``feature_names_out``.
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
        "outputs": list(OUTPUT_NAMES[kind]),
        "input_schema": net.input_schema.to_dict(),
    }
    if kind == "classifier":
        facts.update(classes=net.classes_.tolist(), classes_dtype=str(net.classes_.dtype),
                     scores=net.head.scores_method)
    elif kind == "regressor":
        facts["n_outputs"] = net.n_outputs_
    else:
        try:
            facts["feature_names_out"] = [str(n) for n in net.get_feature_names_out()]
        except AttributeError:
            facts["feature_names_out"] = None
    return facts


def _version() -> str:
    from . import __version__

    return __version__


def _sample(net: ConvertedNetwork) -> torch.Tensor:
    # Two or three rows, never as many as there are features: torch.export would otherwise
    # take the batch size and the width for the same symbol.
    rows = 3 if net.n_features_in_ == 2 else 2
    generator = torch.Generator().manual_seed(0)
    return torch.randn(rows, net.n_features_in_, generator=generator, dtype=net.dtype)


@contextlib.contextmanager
def _quiet():
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


def _torch_export(module: nn.Module, x: torch.Tensor):
    batch = torch.export.Dim("batch")
    return torch.export.export(module, (x,), dynamic_shapes=({0: batch},), strict=False)


def _layer_name(index: int | None, layer: nn.Module) -> str:
    try:
        title = layer.describe().title
    except Exception:  # noqa: BLE001 - a name is only a courtesy here
        title = getattr(layer, "title", None)
    where = "output head" if index is None else f"layer {index}"
    return f"{where} {type(layer).__name__}" + (f" ({title!r})" if title else "")


def _blame(model: ScoresModule, x: torch.Tensor) -> str | None:
    """The first layer that torch.export cannot trace on its own, with its first error line."""
    net = model.net
    h = net.checked_tensor(x)

    class _Head(nn.Module):
        def __init__(self, head):
            super().__init__()
            self.head = head

        def forward(self, z):
            return tuple(self.head.answer(z, m) for m in _exported_methods(self.head))

    parts = [(i, layer, layer) for i, layer in enumerate(net.body)]
    parts.append((None, net.head, _Head(net.head)))
    for index, layer, runnable in parts:
        try:
            with _quiet():
                _torch_export(runnable, h)
        except Exception as e:  # noqa: BLE001 - any tracing failure is what we are looking for
            return f"{_layer_name(index, layer)}: {_first_line(e).rstrip('.')}"
        with torch.no_grad():
            h = runnable(h) if index is not None else h
    return None


def _first_line(error: BaseException) -> str:
    """An exporter's error in one line (their messages run to pages of graph dumps)."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _fail(model: ScoresModule, x: torch.Tensor, fmt: str, error: Exception) -> ExportError:
    culprit = _blame(model, x)
    first = _first_line(error)
    if culprit is None:
        return ExportError(f"{fmt} export failed: {type(error).__name__}: {first}")
    return ExportError(
        f"{fmt} export failed in {culprit}. That layer needs an export-friendly forward "
        "(no Python branches on the batch size or on data; see torch.compiler.is_exporting())."
    )


def _export_or_name_the_layer(model: ScoresModule, x: torch.Tensor, fmt: str):
    """torch.export's program for ``model``; on failure an error naming the layer at fault."""
    try:
        with _quiet():
            return _torch_export(model, x)
    except Exception as e:  # noqa: BLE001 - reported with the layer that caused it
        raise _fail(model, x, fmt, e) from None


def _write_pt2(model: ScoresModule, x: torch.Tensor, path: Path, meta: str) -> None:
    program = _export_or_name_the_layer(model, x, "torch.export")
    with _quiet():
        torch.export.save(program, path, extra_files={METADATA_FILE: meta})


def _write_onnx(model: ScoresModule, x: torch.Tensor, path: Path, meta: str,
                opset: int | None) -> None:
    try:
        import onnx
        import onnxscript.optimizer
    except ImportError as e:
        raise ExportError(
            f"ONNX export needs the onnx and onnxscript packages ({e}); "
            "install them with: pip install 'nnconvert[onnx]'"
        ) from None

    # Our own torch.export first: the ONNX exporter would otherwise fall back to strategies
    # that may specialise the batch size silently; this way a failure names its layer.
    exported = _export_or_name_the_layer(model, x, "ONNX")
    with _quiet():
        # ONNX's Gemm holds alpha and beta as float32 attributes: take them out of the GEMM
        exported = exported.run_decompositions({torch.ops.aten.addmm.default: _addmm_exact})
    try:
        with _quiet():
            program = torch.onnx.export(
                exported,
                (x,),
                dynamo=True,
                input_names=["x"],
                output_names=list(model.output_names),
                opset_version=opset,
                optimize=False,  # after the constants are repaired, so none is folded rounded
                verbose=False,
            )
            proto = program.model_proto
            _restore_double_constants(proto, _python_floats(program.exported_program))
            proto = onnxscript.optimizer.optimize(proto)
    except Exception as e:  # noqa: BLE001 - an operator the ONNX translation lacks
        raise ExportError(
            f"ONNX translation failed: {type(e).__name__}: {_first_line(e)}") from None
    written = max((o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")),
                  default=None)
    if opset is not None and written != opset:
        # the exporter falls back to its own opset (with a warning) when it cannot convert
        raise ExportError(
            f"the ONNX exporter could not write opset {opset} (it produced opset {written}); "
            "omit opset to get the exporter's default, or ask for a newer one"
        )
    facts = json.loads(meta)
    props = {"nnconvert": meta}
    if "classes" in facts:
        props["classes"] = json.dumps(facts["classes"])
    onnx.helper.set_model_props(proto, props)
    proto.producer_name = "nnconvert"
    proto.doc_string = f"{facts['source']} converted by nnconvert"
    _check_onnx(proto, model)
    onnx.save(proto, str(path))


def _check_onnx(proto, model: ScoresModule) -> None:
    """Run the ONNX model (when onnxruntime is installed) against the network on probe rows.

    A translation that rounds a float64 constant to float32 (see
    :func:`_restore_double_constants`) shows here as a difference far above rounding, and
    is refused rather than written.
    """
    try:
        import onnxruntime
    except ImportError:
        return
    net = model.net
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(64, net.n_features_in_, generator=generator, dtype=net.dtype)
    with torch.no_grad():
        expected = model(x)[0].double().numpy()
    session = onnxruntime.InferenceSession(proto.SerializeToString(),
                                           providers=["CPUExecutionProvider"])
    got = session.run([model.output_names[0]], {"x": x.numpy()})[0].astype(np.float64)
    scale = max(float(np.max(np.abs(expected))), np.finfo(np.float64).tiny)
    allowed = (1e-10 if net.dtype == torch.float64 else 1e-4) * scale
    worst = float(np.max(np.abs(got - expected)))
    if not worst <= allowed:
        raise ExportError(
            f"the ONNX translation does not compute the network's function: "
            f"{model.output_names[0]} differ by "
            f"{worst:.3g} (allowed {allowed:.3g}) on probe rows. An operator lost precision "
            "or changed meaning in torch.onnx; export to .pt2 instead, and please report it"
        )


def _float32_exact(value) -> bool:
    return float(np.float32(value)) == float(value)


def _addmm_exact(input, mat1, mat2, *, beta=1, alpha=1):
    """``addmm`` whose scalars ONNX would round to float32, as ``(mat1 @ mat2)·α + input·β``.

    The scalars then become tensor constants, which keep their float64 precision.
    """
    if _float32_exact(alpha) and _float32_exact(beta):
        return NotImplemented  # keep the single GEMM
    return torch.mm(mat1, mat2) * alpha + input * beta


def _python_floats(program) -> set[float]:
    """Every Python float in an exported program's graph (the scalars its operators take)."""
    found: set[float] = set()

    def visit(value) -> None:
        if isinstance(value, float):
            found.add(value)
        elif isinstance(value, (list, tuple)):
            for item in value:
                visit(item)
        elif isinstance(value, dict):
            for item in value.values():
                visit(item)

    for module in program.graph_module.modules():
        if isinstance(module, torch.fx.GraphModule):
            for node in module.graph.nodes:
                visit(node.args)
                visit(node.kwargs)
    return found


def _restore_double_constants(proto, floats: set[float]) -> None:
    """Give back float64 scalars the precision the ONNX translation took from them.

    torch.onnx (2.13, with onnxscript's torchlib) writes a Python float operand of a float64
    operation, such as an RBF kernel's γ, as a *float32* Constant followed by a Cast to
    double: the model then computes with γ rounded to float32, 1e-8 away from scikit-learn.
    A float32 scalar Constant read only by Cast/CastLike is put back to float64 when exactly
    one float of the traced graph rounds to it (and is not itself a float32 value).
    """
    import onnx
    from onnx import numpy_helper

    readers: dict[str, list] = {}
    for node in proto.graph.node:
        for name in node.input:
            readers.setdefault(name, []).append(node)
    wide = [v for v in floats if not _float32_exact(v)]
    for node in proto.graph.node:
        if node.op_type != "Constant" or len(node.attribute) != 1:
            continue
        attribute = node.attribute[0]
        if attribute.name != "value" or attribute.t.data_type != onnx.TensorProto.FLOAT:
            continue
        value = numpy_helper.to_array(attribute.t)
        users = readers.get(node.output[0], [])
        if value.size != 1 or not users or any(
            u.op_type not in ("Cast", "CastLike") for u in users
        ):
            continue
        matches = {v for v in wide if np.float32(v) == value.reshape(())}
        if len(matches) == 1:
            exact = np.array(matches.pop(), dtype=np.float64).reshape(value.shape)
            attribute.t.CopyFrom(numpy_helper.from_array(exact, name=attribute.t.name))


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

    Notes
    -----
    The exported function maps ``x`` (float tensor of shape ``(n, n_features_in_)``; the
    codes of categorical columns, see ``net.input_schema``) to a classifier's
    ``(scores, label_index)``: ``scores`` as ``decision_function`` (``predict_proba`` for
    models without one), ``label_index`` the position in ``classes_`` of ``predict``'s label;
    to a regressor's ``predictions``; to a transformer's ``transformed``. The labels, the
    input schema and other facts are stored in the file; :func:`read_metadata` reads them.

    Raises
    ------
    TypeError
        ``net`` is not a converted network.
    ValueError
        Unknown suffix or unsupported dtype.
    ExportError
        The exporter failed; the message names the layer that could not be exported.
    """
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
    x = _sample(copy_of_net)
    meta = json.dumps(metadata(copy_of_net), default=str)
    if suffix == ".pt2":
        _write_pt2(model, x, path, meta)
    else:
        _write_onnx(model, x, path, meta, opset)
    return path


def read_metadata(path: str | os.PathLike) -> dict:
    """The metadata :func:`export` stored in a ``.pt2`` or ``.onnx`` file.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    dict
        ``classes`` (the labels, as JSON values), ``source``, ``n_features_in``,
        ``feature_names_in``, ``dtype``, ``scores`` (which method the scores reproduce),
        ``outputs`` and ``version``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".onnx":
        import onnx

        props = {p.key: p.value for p in onnx.load(str(path), load_external_data=False)
                 .metadata_props}
        if "nnconvert" not in props:
            raise ValueError(f"{path} has no nnconvert metadata; it was not written by export()")
        return json.loads(props["nnconvert"])
    extra = {METADATA_FILE: ""}
    if suffix != ".pt2":
        raise ValueError(f"unknown exported file type {suffix!r}; expected .pt2 or .onnx")
    with _quiet():
        torch.export.load(path, extra_files=extra)
    if not extra[METADATA_FILE]:
        raise ValueError(f"{path} has no nnconvert metadata; it was not written by export()")
    return json.loads(extra[METADATA_FILE])


def labels(meta: dict, label_index) -> np.ndarray:
    """``predict``'s labels from an exported model's ``label_index`` output and its metadata."""
    classes = np.asarray(meta["classes"], dtype=meta.get("classes_dtype"))
    return classes.take(np.asarray(label_index))
