"""ONNX: the translation of the traced program, its float64 repairs, and its self-check.

torch.onnx (2.13) rounds two kinds of float64 scalars to float32 on the way (``addmm``'s
``alpha``/``beta``, held as float32 attributes of ONNX's Gemm, and Python-float operands,
written as float32 constants): both are repaired here (:func:`_addmm_exact`,
:func:`_restore_double_constants`), and the model is run with onnxruntime, when installed,
against the network before it is written.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from ..dependencies import ONNX_EXPORT, require
from ..errors import DependencyError
from .common import ExportError, ScoresModule, first_line, quiet
from .torch_export import trace

__all__ = ["write_onnx", "read_onnx_metadata"]


def write_onnx(model: ScoresModule, x: torch.Tensor, path: Path, meta: str,
                opset: int | None) -> None:
    require({name: ONNX_EXPORT[name] for name in ("onnx", "onnxscript")}, "ONNX export", "onnx")
    import onnx
    import onnxscript.optimizer

    # Our own torch.export first: the ONNX exporter would otherwise fall back to strategies
    # that may specialise the batch size silently; this way a failure names its layer.
    exported = trace(model, x, "ONNX")
    with quiet():
        # ONNX's Gemm holds alpha and beta as float32 attributes: take them out of the GEMM
        exported = exported.run_decompositions({torch.ops.aten.addmm.default: _addmm_exact})
    try:
        with quiet():
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
    except ImportError as e:  # a torch newer than the onnxscript its translation imports
        raise DependencyError(
            f"torch {torch.__version__}'s ONNX translation cannot import what it needs "
            f"({first_line(e)}): upgrade onnxscript and onnx (pip install -U onnxscript onnx)"
        ) from None
    except Exception as e:  # noqa: BLE001 - an operator the ONNX translation lacks
        raise ExportError(
            f"ONNX translation failed: {type(e).__name__}: {first_line(e)}") from None
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
    require({"onnxruntime": ONNX_EXPORT["onnxruntime"]}, "checking an ONNX export", "onnx")
    net = model.net
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(64, net.n_features_in_, generator=generator, dtype=net.dtype)
    with torch.no_grad():
        expected = model(x)[0].double().numpy()
    try:
        session = onnxruntime.InferenceSession(proto.SerializeToString(),
                                               providers=["CPUExecutionProvider"])
        got = session.run([model.output_names[0]], {"x": x.numpy()})[0].astype(np.float64)
    except Exception as e:  # noqa: BLE001 - onnxruntime lacks a kernel (Erf of float64)
        raise ExportError(
            f"onnxruntime cannot run the ONNX translation ({first_line(e)}), so it could not "
            "be checked; export to .pt2 instead") from None
    missing = np.isnan(expected)  # no answer (a radius with no neighbour) must stay NaN
    if not np.array_equal(np.isnan(got), missing):
        raise ExportError("the ONNX translation does not compute the network's function: it "
                          "answers NaN on other probe rows than the network; export to .pt2 "
                          "instead, and please report it")
    expected, got = expected[~missing], got[~missing]
    scale = max(float(np.max(np.abs(expected), initial=0.0)), np.finfo(np.float64).tiny)
    allowed = (1e-10 if net.dtype == torch.float64 else 1e-4) * scale
    worst = float(np.max(np.abs(got - expected), initial=0.0))
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


def read_onnx_metadata(path: Path) -> str | None:
    """The metadata JSON stored in an ``.onnx`` model's properties (None when there is none)."""
    import onnx

    props = {p.key: p.value for p in onnx.load(str(path), load_external_data=False)
             .metadata_props}
    return props.get("nnconvert")
