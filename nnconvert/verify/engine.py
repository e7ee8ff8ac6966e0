"""verify(): stream the rows of X through the estimator and the network, block by block."""

from __future__ import annotations

import copy
import numbers
import time

import torch
from tqdm import tqdm  # plain: in a notebook (not a terminal) it stays silent

from ..agreement import (
    OPTIONAL_METHODS,
    PREDICT_STD,
    compares_labels,
    has_method,
    input_rtol,
    margin_method,
    score_methods,
)
from ..errors import NotFittedError
from ..network import ConvertedNetwork
from ..registry import check_is_fitted_any, estimator_name
from .blocks import verify_block, verify_blocks
from .comparers import comparer_for
from .distributed import current_client, verify_on_cluster
from .report import VerificationReport, finalize
from .sources import as_source, default_batch_size

__all__ = ["run_verify", "run_compare", "comparer_for"]


def _checked_methods(estimator, net: ConvertedNetwork, methods) -> list[str]:
    kind = net.head.kind
    known = [*score_methods(kind), *(("predict",) if compares_labels(kind) else ())]
    has = [m for m in known if hasattr(estimator, m)
           and (m not in OPTIONAL_METHODS or m in net.methods)]
    if methods is None:
        return has
    if isinstance(methods, str):
        methods = [methods]
    if not isinstance(methods, (list, tuple)):
        raise TypeError(f"methods must be a list of method names or None, got {methods!r}")
    unknown = [m for m in methods if m not in known]
    if unknown:
        raise ValueError(f"unknown method(s) {unknown}; choose among {known}")
    missing = [m for m in methods if not has_method(estimator, m)]
    if PREDICT_STD in methods and PREDICT_STD not in net.methods:
        raise ValueError(
            f"{net.source}'s network gives no {PREDICT_STD} (predict(X, return_std=True)); "
            "converted BayesianRidge, ARDRegression and GaussianProcessRegressor models do.")
    if missing:
        raise ValueError(
            f"{type(estimator).__name__} has no {', '.join(missing)}; leave methods=None to "
            f"verify every method it has."
        )
    if not compares_labels(kind):
        return list(dict.fromkeys(methods))
    # labels are always compared, and a label mismatch needs its margin's scores
    return list(dict.fromkeys([*methods, margin_method(has), "predict"]))


def _judged_rtol(net: ConvertedNetwork, rtol: float, X, estimator) -> float:
    """:func:`~nnconvert.agreement.input_rtol` of what scikit-learn computes on.

    Numeric data of low precision is judged per block at the precision the reference
    achieved on it (:func:`~nnconvert.agreement.within_reference_precision`), so ``rtol``
    is not loosened for it. Documents have no float64 cast to run the reference on: the
    matrix their vectorizer makes (float32 where its ``dtype`` says so) sets the tolerance.
    """
    if net.input_stage is not None and net.input_stage.accepts(X):
        return input_rtol(rtol, net.input_stage.empty(), estimator)
    return input_rtol(rtol, None, estimator)


def _on_device(net: ConvertedNetwork, device) -> ConvertedNetwork:
    if device is None:
        return net
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(f"device must name a torch device such as 'cpu' or 'cuda:0', "
                         f"got {device!r}") from None
    if device.type == "meta":
        raise ValueError("device='meta' holds no values to verify; use 'cpu' or 'cuda'")
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={str(device)!r}, but torch sees no CUDA device here; leave "
                         f"device=None to verify where the network is (the CPU).")
    if device.type == net.device.type and (device.index is None
                                            or device.index == net.device.index):
        return net
    return copy.deepcopy(net).to(device)  # the caller's network stays where it is


def _check(estimator, net, rtol, batch_size) -> None:
    if not isinstance(net, ConvertedNetwork):
        raise TypeError(
            f"verify() compares a converted network with its estimator, got "
            f"{type(net).__name__}; build the network with nnconvert.convert(estimator)."
        )
    try:
        check_is_fitted_any(estimator)
    except NotFittedError:
        raise NotFittedError(
            f"This {type(estimator).__name__} instance is not fitted yet: there is nothing to "
            f"verify the network against."
        ) from None
    except TypeError:
        raise TypeError(
            f"verify() needs the fitted scikit-learn estimator first, got "
            f"{type(estimator).__name__}."
        ) from None
    if isinstance(rtol, bool) or not isinstance(rtol, numbers.Real) or not rtol > 0:
        raise ValueError(f"rtol must be a positive number, got {rtol!r}")
    if batch_size is not None and (int(batch_size) != batch_size or batch_size < 1):
        raise ValueError(f"batch_size must be a positive integer or None, got {batch_size!r}")


def run_verify(estimator, net: ConvertedNetwork, X, *, methods=None,
               batch_size: int | None = None, device=None, rtol: float = 1e-9,
               progress: bool | None = None) -> VerificationReport:
    """The work of :func:`nnconvert.verify.verify` (documented there)."""
    _check(estimator, net, rtol, batch_size)
    methods = _checked_methods(estimator, net, methods)
    net = _on_device(net, device)
    stage = net.input_stage
    source = as_source(X, net.n_features_in_,
                       documents=stage is not None and stage.input_kind == "documents")
    rtol = _judged_rtol(net, rtol, source.X, estimator)
    if source.n_rows == 0:
        raise ValueError("X has no rows: there is nothing to verify.")
    batch_size = int(batch_size or default_batch_size(net.n_features_in_))
    margin_on = margin_method(methods) if compares_labels(net.head.kind) else None
    started = time.perf_counter()

    client = current_client() if source.kind == "dask" else None
    if client is not None:
        total = verify_on_cluster(client, estimator, net, source.X, methods, batch_size,
                                  progress, rtol=rtol)
        backend = "dask"
    else:
        comparer = comparer_for(net)
        backend = comparer.name
        with tqdm(total=source.n_rows, unit="rows", unit_scale=True, desc="verify",
                  disable=None if progress is None else not progress) as bar:

            def on_block(part, total):
                bar.update(part.n_samples)
                bar.set_postfix(mismatches=int(total.mismatch_rows.size), refresh=False)

            total = verify_blocks(estimator, net, source.blocks(batch_size), methods, comparer,
                                  on_block, rtol=rtol)
    return finalize(total, rtol=rtol, margin_method=margin_on,
                    elapsed_s=time.perf_counter() - started, backend=backend,
                    device=str(net.device), estimator=estimator_name(estimator),
                    kind=net.head.kind)


def run_compare(estimator, net: ConvertedNetwork, X, *, rtol: float = 1e-9, methods=None,
                scale_floor: dict | None = None) -> VerificationReport:
    """The work of :func:`nnconvert.verify.compare` (documented there)."""
    _check(estimator, net, rtol, None)
    methods = _checked_methods(estimator, net, methods)
    rtol = _judged_rtol(net, rtol, X, estimator)
    started = time.perf_counter()
    comparer = comparer_for(net)
    part = verify_block(estimator, net, X, methods, comparer, rtol=rtol)
    if scale_floor:
        part.scale = {m: max(s, scale_floor.get(m, 0.0)) for m, s in part.scale.items()}
    return finalize(part, rtol=rtol,
                    margin_method=margin_method(methods) if compares_labels(net.head.kind)
                    else None,
                    elapsed_s=time.perf_counter() - started, backend=comparer.name,
                    device=str(net.device), estimator=estimator_name(estimator),
                    kind=net.head.kind)
