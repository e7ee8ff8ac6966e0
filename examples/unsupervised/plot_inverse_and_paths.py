"""
Inverse networks and decision paths
===================================

``inverse_transform`` as a network of its own (a whitened PCA walked back to wine units),
and a tree's ``apply`` and ``decision_path`` read off its units. This page runs
``examples/inverse_and_paths.py``.
"""

import sys
from pathlib import Path

# sphinx-gallery runs an example in its folder, without __file__
here = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
sys.path.insert(0, str(here.parent))  # the scripts in examples/
from inverse_and_paths import main  # noqa: E402

result = main([])
