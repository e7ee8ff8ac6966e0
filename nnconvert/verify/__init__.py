"""Verification at scale: prove on real data that a network answers like its estimator.

:func:`verify` streams ``X`` (an array, a memory-mapped file or a dask array) block by block,
compares the network's answers with scikit-learn's on the CPU (NumPy) or in one CUDA kernel
(CuPy) and returns a :class:`VerificationReport`. The pieces:

- ``sources``: reading X in blocks, in constant memory;
- ``blocks``: the one judge of a block of rows (both answers, their comparison, the
  block's partial report), for verify, :func:`compare`, dask workers and
  :func:`nnconvert.testing.find_disagreement` alike;
- ``numpy_path`` / ``cupy_path`` (with ``compare.cu``): the comparison itself;
- ``report``: partial reports, their merge, the final report;
- ``distributed``: blocks verified on a dask.distributed cluster.
"""

from .engine import compare, verify
from .report import Partial, VerificationReport, merge

__all__ = ["verify", "compare", "VerificationReport", "Partial", "merge"]
