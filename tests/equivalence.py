"""The assertion every conversion test makes: the network is the estimator, to rounding."""

from __future__ import annotations

import numpy as np
import torch

from nnconvert.verify import compare

#: the project's promise, written here rather than read from the code under test: float64
#: to rounding; float32 within its own precision (labels: outside the tie band)
RTOL = {torch.float64: 1e-9, torch.float32: 1e-4}
#: libraries that add their trees in float32 (XGBoost): a float64 network, which adds them
#: exactly, is held to the rounding of such sums for the zoo's model sizes instead
FLOAT32_SUMS = {"xgboost": 1e-5}


def reference_rtol(estimator, rtol: float) -> float:
    """``rtol``, or the rounding of the estimator's own float32 sums where that is looser."""
    return max(rtol, FLOAT32_SUMS.get(type(estimator).__module__.split(".")[0], 0.0))


#: per kind of network, the methods it must have exactly where its estimator has them
ANSWERS = {"classifier": ("decision_function", "predict_proba", "predict"),
           "regressor": ("predict",), "transformer": ("transform",),
           "clusterer": ("transform", "predict_proba", "score_samples", "predict"),
           "outlier_detector": ("decision_function", "score_samples", "mahalanobis", "predict"),
           "density": ("score_samples",),
           "multioutput_classifier": ("decision_function", "predict_proba", "predict")}


def assert_equivalent(estimator, net, X, *, rtol=None):
    """Assert that every method the estimator has agrees with the network's on ``X``.

    Works for classifiers, regressors and transformers. Also checks that the network has
    exactly the estimator's methods and returns answers of the estimator's dtype kind and
    shape. Returns the :class:`~nnconvert.verify.VerificationReport`.
    """
    rtol = RTOL[net.dtype] if rtol is None else rtol
    rtol = reference_rtol(estimator, rtol)
    answers = ANSWERS[net.head.kind]
    for method in answers:
        assert hasattr(net, method) == hasattr(estimator, method), method
    report = compare(estimator, net, X, rtol=rtol)
    assert not report.problems, report.problems
    for method, diff in report.max_rel_diff.items():
        assert diff <= rtol, f"{method}: relative difference {diff:.3g} > {rtol:g}"
    assert report.n_disagreements == 0, (
        f"{report.n_disagreements} labels differ outside the near-tie band "
        f"(rows {report.disagreeing_rows[:10]})"
    )
    method = answers[-1]
    got, expected = getattr(net, method)(X[:5]), np.asarray(getattr(estimator, method)(X[:5]))
    assert got.dtype.kind == expected.dtype.kind and got.shape == expected.shape
    if method == "predict" and net.head.kind != "regressor":  # labels, in scikit-learn's dtype
        assert got.dtype == expected.dtype
    return report


def exported_outputs(path, X) -> tuple:
    """The outputs of an exported file (``.pt2`` or ``.onnx``) on ``X``, as numpy arrays:
    ``(scores, label_index)`` of a classifier, ``(predictions,)`` or ``(transformed,)``
    otherwise. Skips the test where onnxruntime is missing for an ``.onnx`` file."""
    if str(path).endswith(".pt2"):
        with torch.no_grad():
            out = torch.export.load(path).module()(torch.as_tensor(X))
        return tuple(t.numpy() for t in (out if isinstance(out, tuple) else (out,)))
    import pytest

    ort = pytest.importorskip("onnxruntime")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return tuple(session.run(None, {"x": X}))
