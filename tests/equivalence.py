"""The assertion every conversion test makes: the network is the estimator, to rounding."""

from __future__ import annotations

import numpy as np
import torch

from nnconvert.agreement import compare

#: the project's promise, written here rather than read from the code under test: float64
#: to rounding; float32 within its own precision (labels: outside the tie band)
RTOL = {torch.float64: 1e-9, torch.float32: 1e-4}


def assert_equivalent(estimator, net, X, *, rtol=None):
    """Assert that every method the estimator has agrees with the network's on ``X``.

    Also checks that the network has exactly the estimator's methods and returns labels of
    the estimator's dtype. Returns the :class:`~nnconvert.agreement.Agreement`.
    """
    rtol = RTOL[net.dtype] if rtol is None else rtol
    for method in ("decision_function", "predict_proba"):
        assert hasattr(net, method) == hasattr(estimator, method), method
    agreement = compare(estimator, net, X, rtol=rtol)
    for method, diff in agreement.max_rel_diff.items():
        assert diff <= rtol, f"{method}: relative difference {diff:.3g} > {rtol:g}"
    assert agreement.n_disagreements == 0, (
        f"{agreement.n_disagreements} labels differ outside the near-tie band "
        f"(rows {agreement.disagreeing_rows[:10]})"
    )
    labels, expected = net.predict(X[:5]), np.asarray(estimator.predict(X[:5]))
    assert labels.dtype == expected.dtype and labels.shape == expected.shape
    return agreement
