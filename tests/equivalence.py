"""The assertion every conversion test makes: the network is the estimator, to rounding."""

from __future__ import annotations

import numpy as np
import torch

from nnconvert.agreement import count_label_disagreements, decision_margin, tie_band

RTOL = {torch.float64: 1e-9, torch.float32: 1e-4}


def assert_equivalent(estimator, net, X, *, rtol=None, label_threshold=0.0):
    """Compare every method the estimator has with the network's, on the rows of ``X``.

    Scores (decision_function, predict_proba) must agree within ``rtol`` times their scale;
    labels must agree outside the near-tie band (see :mod:`nnconvert.agreement`). Shapes and
    dtypes of labels must be scikit-learn's. Returns the measured differences.
    """
    rtol = RTOL[net.dtype] if rtol is None else rtol
    measured = {}
    margin_source = None
    for method in ("decision_function", "predict_proba"):
        if not hasattr(estimator, method):
            assert not hasattr(net, method), f"net has {method} but the estimator does not"
            continue
        expected = getattr(estimator, method)(X)
        got = getattr(net, method)(X)
        assert got.shape == expected.shape, (method, got.shape, expected.shape)
        scale = max(float(np.max(np.abs(expected))), np.finfo(float).tiny)
        diff = float(np.max(np.abs(got - expected)))
        measured[method] = diff / scale
        assert diff <= rtol * scale, f"{method}: max |diff| {diff:.3g} > {rtol:g} x {scale:.3g}"
        if margin_source is None:
            margin_source = (expected, got, label_threshold if method == "decision_function" else None)
    expected_labels = estimator.predict(X)
    labels = net.predict(X)
    assert labels.shape == expected_labels.shape
    assert labels.dtype == expected_labels.dtype, (labels.dtype, expected_labels.dtype)
    expected_scores, got_scores, threshold = margin_source
    if threshold is None:  # probabilities: binary labels flip around 0.5, else argmax
        threshold = 0.5
        if expected_scores.ndim == 2 and expected_scores.shape[1] == 2:
            expected_scores, got_scores = expected_scores[:, 1], got_scores[:, 1]
    band = tie_band(expected_scores, got_scores, rtol)
    margin = decision_margin(expected_scores, threshold)
    disagreements, ties = count_label_disagreements(expected_labels, labels, margin, band)
    assert disagreements == 0, f"{disagreements} labels differ outside the tie band {band:.3g}"
    measured["label_flips_in_tie_band"] = ties
    return measured
