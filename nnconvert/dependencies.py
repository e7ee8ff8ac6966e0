"""The versions of optional packages that nnconvert's features need, checked before use.

pip resolves whatever the declared ranges allow; an old onnxscript beside a new torch
imports fine and fails deep inside ``torch.onnx`` (``No module named
'onnxscript._framework_apis.torch_2_11'``). Each feature checks its packages here first and
raises a :class:`~nnconvert.errors.DependencyError` that names what is installed and what is
needed. ``pyproject.toml`` declares the same floors (a test keeps the two equal).
"""

from __future__ import annotations

import re
from importlib import metadata

__all__ = ["ONNX_EXPORT", "require"]

#: onnxscript 0.6 is the first to carry the translation API torch 2.11+ imports, and needs
#: onnx 1.17; onnxruntime 1.32 is the first that runs every exported graph on a 0-row batch
#: (1.19, the first built for NumPy 2, to 1.31 fail or crash inside onnxruntime on the
#: k-nearest and HistGradientBoosting graphs: the self-check of an export runs them).
ONNX_EXPORT = {"onnx": "1.17", "onnxscript": "0.6", "onnxruntime": "1.32"}


def _release(version: str) -> tuple[int, ...]:
    """The numeric release of a version string: '0.7.2' -> (0, 7, 2), '1.18.0rc1' -> (1, 18, 0)."""
    match = re.match(r"\d+(\.\d+)*", version)
    return tuple(int(part) for part in match.group(0).split(".")) if match else ()


def require(needs: dict[str, str], feature: str, extra: str) -> None:
    """Raise a DependencyError unless every package in ``needs`` is installed at its floor.

    Parameters
    ----------
    needs : dict of str to str
        Distribution names and their minimum versions.
    feature : str
        What they are needed for, for the message ("ONNX export").
    extra : str
        The extra of nnconvert that installs them.
    """
    from .errors import DependencyError

    problems = []
    for name, floor in needs.items():
        try:
            found = metadata.version(name)
        except metadata.PackageNotFoundError:
            problems.append(f"{name} is not installed")
            continue
        if _release(found) < _release(floor):
            problems.append(f"{name} {found} is installed")
    if problems:
        wanted = " ".join(f"'{name}>={floor}'" for name, floor in needs.items())
        raise DependencyError(
            f"{feature} needs {', '.join(f'{n}>={f}' for n, f in needs.items())}, but "
            f"{'; '.join(problems)}. Install them with: pip install 'nnconvert[{extra}]' "
            f"(or pip install {wanted})"
        )
