"""
An RBM's transform is a sigmoid layer
=====================================

A restricted Boltzmann machine is trained by contrastive divergence, nothing like a
feed-forward network; yet its ``transform`` is ``σ(v Wᵀ + c)``, one layer of sigmoid
neurons. This page runs ``examples/rbm_sigmoid_layer.py``.
"""

import sys
from pathlib import Path

# sphinx-gallery runs an example in its folder, without __file__
here = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
sys.path.insert(0, str(here.parent))  # the scripts in examples/
from rbm_sigmoid_layer import main  # noqa: E402

result = main([])
