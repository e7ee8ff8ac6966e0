"""torch.export: the ``.pt2`` file, and naming the layer that cannot be traced."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from .common import METADATA_FILE, ExportError, ScoresModule, exported_methods, first_line, quiet

__all__ = ["trace", "write_pt2", "read_pt2_metadata"]


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
            return tuple(self.head.answer(z, m) for m in exported_methods(self.head))

    parts = [(i, layer, layer) for i, layer in enumerate(net.body)]
    parts.append((None, net.head, _Head(net.head)))
    for index, layer, runnable in parts:
        try:
            with quiet():
                _torch_export(runnable, h)
        except Exception as e:  # noqa: BLE001 - any tracing failure is what we are looking for
            return f"{_layer_name(index, layer)}: {first_line(e).rstrip('.')}"
        with torch.no_grad():
            h = runnable(h) if index is not None else h
    return None


def _fail(model: ScoresModule, x: torch.Tensor, fmt: str, error: Exception) -> ExportError:
    culprit = _blame(model, x)
    first = first_line(error)
    if culprit is None:
        return ExportError(f"{fmt} export failed: {type(error).__name__}: {first}")
    return ExportError(
        f"{fmt} export failed in {culprit}. That layer needs an export-friendly forward "
        "(no Python branches on the batch size or on data; see torch.compiler.is_exporting())."
    )


def trace(model: ScoresModule, x: torch.Tensor, fmt: str):
    """torch.export's program for ``model``; on failure an error naming the layer at fault."""
    try:
        with quiet():
            return _torch_export(model, x)
    except Exception as e:  # noqa: BLE001 - reported with the layer that caused it
        raise _fail(model, x, fmt, e) from None


def write_pt2(model: ScoresModule, x: torch.Tensor, path: Path, meta: str) -> None:
    program = trace(model, x, "torch.export")
    try:
        with quiet():
            torch.export.save(program, path, extra_files={METADATA_FILE: meta})
    except RuntimeError as e:
        # torch's archive writer reports a file it cannot open as a RuntimeError ("[enforce
        # fail at inline_container.cc]"): a problem of the user's path, said as one
        raise OSError(f"cannot write {path}: {first_line(e)}") from None


def read_pt2_metadata(path: Path) -> str:
    """The metadata JSON stored in a ``.pt2`` archive ("" when there is none)."""
    extra = {METADATA_FILE: ""}
    with quiet():
        torch.export.load(path, extra_files=extra)
    return extra[METADATA_FILE]
