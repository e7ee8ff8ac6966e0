"""The command line run as a user runs it: a fitted model saved with skops, then
``nnconvert verify``, ``convert`` and ``draw`` on it in a fresh process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest


def verify_convert_draw(folder: Path, estimator, X: np.ndarray, *options: str) -> None:
    """Save ``estimator`` and ``X`` in ``folder``, then run the three commands on them; each
    must exit 0, verify must pass, and convert and draw must write their files."""
    skops = pytest.importorskip("skops.io")
    skops.dump(estimator, folder / "model.skops")
    np.save(folder / "X.npy", X)
    for args in (["verify", "model.skops", "--data", "X.npy"],
                 ["convert", "model.skops", "-o", "model.pt2"],
                 ["draw", "model.skops", "-o", "model.svg"]):
        done = subprocess.run([sys.executable, "-m", "nnconvert", *args, *options], cwd=folder,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr + done.stdout
        assert args[0] != "verify" or "PASSED" in done.stdout, done.stdout
    assert (folder / "model.pt2").exists() and (folder / "model.svg").exists()
