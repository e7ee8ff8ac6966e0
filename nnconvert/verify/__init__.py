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

This package's ``__init__`` imports nothing heavy (``import nnconvert`` and ``nnconvert
--help`` stay fast): :func:`verify` and :func:`compare` import the engine when called, and the
other names load on first use.
"""

from __future__ import annotations

from ..lazy import lazy_names

__all__ = ["verify", "compare", "VerificationReport", "Partial", "merge"]

_LAZY = {"VerificationReport": ".report", "Partial": ".report", "merge": ".report"}


def verify(estimator, net, X, *, methods=None, batch_size: int | None = None,
           device=None, rtol: float = 1e-9, progress: bool | None = None):
    """Check, row by row, that a converted network answers exactly like its estimator.

    The estimator answers with its own scikit-learn methods, one block of rows at a time;
    the network answers on its device. Scores must agree within ``rtol`` of the reference's
    scale; labels must agree except inside the near-tie band (where rounding alone can flip
    a label, see :mod:`nnconvert.agreement`).

    Parameters
    ----------
    estimator : fitted scikit-learn estimator
        A classifier, a regressor or a transformer.
    net : ConvertedClassifier, ConvertedRegressor or ConvertedTransformer
        The network converted from ``estimator``.
    X : array-like of shape (n_samples, n_features)
        A numpy array, a memory-mapped ``.npy`` (``np.load(path, mmap_mode="r")``: read block
        by block, in constant memory), a pandas dataframe, or a dask array (verified on the
        dask.distributed cluster of the current client when there is one, else chunk by chunk
        here).
    methods : sequence of str, optional
        The methods to compare: a classifier's "decision_function", "predict_proba",
        "predict_log_proba" and "predict", a regressor's "predict" (and "predict_std", the
        standard deviation of ``predict(X, return_std=True)``, only when named), a
        transformer's "transform"; default: every one the estimator has. ``predict`` is always compared, and so are the scores it is a
        threshold or argmax of (``decision_function``, else ``predict_proba``): a label
        mismatch is judged by how near that score is to a tie.
    batch_size : int, optional
        Rows per block; default: about 8 MiB of features.
    device : str or torch.device, optional
        Where the network runs; default: where its parameters are. On a CUDA device, with
        CuPy installed, the comparison runs as one CUDA kernel per block and method.
    rtol : float, default 1e-9
        Allowed score difference relative to the largest reference score magnitude (use
        about 1e-4 for float32 networks). On float32 ``X`` it is raised to 1e-4: scikit-learn
        then computes in float32, so its answers are only float32-accurate.
    progress : bool, optional
        Show a progress bar; default: only when stderr is a terminal.

    Returns
    -------
    VerificationReport
        ``passed``, counts, differences per method, the worst rows; ``str()`` is a table.

    Raises
    ------
    TypeError
        If ``net`` is not a converted network or ``X`` is not array-like.
    ValueError
        If ``X`` has no rows or the wrong number of columns, or an argument is out of range.
    NotFittedError
        If the estimator is not fitted.

    Examples
    --------
    >>> import nnconvert as nc
    >>> from sklearn.datasets import load_wine
    >>> from sklearn.naive_bayes import GaussianNB
    >>> X, y = load_wine(return_X_y=True)
    >>> model = GaussianNB().fit(X, y)
    >>> report = nc.verify(model, nc.convert(model), X)
    >>> report.passed, report.n_samples, report.n_disagreements
    (True, 178, 0)
    """
    from .engine import run_verify

    return run_verify(_library_model(estimator), net, X, methods=methods,
                      batch_size=batch_size, device=device, rtol=rtol, progress=progress)


def compare(estimator, net, X, *, rtol: float = 1e-9, methods=None,
            scale_floor: dict | None = None):
    """Judge a network against its estimator on rows held in memory, as one block.

    The same judgement as :func:`verify` (the same block function, the same band), without
    streaming, devices or progress: what tests and :mod:`nnconvert.testing` ask.

    Parameters
    ----------
    estimator : fitted scikit-learn estimator
    net : ConvertedNetwork
    X : array-like of shape (n_samples, n_features)
    rtol : float, default 1e-9
    methods : sequence of str, optional
        As for :func:`verify`.
    scale_floor : dict, optional
        Per method, a score scale to judge against at least (the scale of other data: a
        few rows next to a boundary have scores near 0, against which rounding looks large).

    Returns
    -------
    VerificationReport
    """
    from .engine import run_compare

    return run_compare(_library_model(estimator), net, X, rtol=rtol, methods=methods,
                       scale_floor=scale_floor)


def _library_model(estimator):
    """A library's Booster as the estimator-shaped adapter its network was converted from."""
    from ..registry import library_model, load_optional

    load_optional()
    return library_model(estimator)


__getattr__, __dir__ = lazy_names(__name__, _LAZY, __all__)
