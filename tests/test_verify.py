"""nc.verify: the verdict, the report, streaming from memory maps and dask, the merge of blocks."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from scipy import sparse
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from zoo import FAMILIES, fitted, probe_points

import nnconvert as nc
from nnconvert.verify.extra import extra_methods
from nnconvert.agreement import score_methods
from nnconvert.verify import compare
from nnconvert.verify.blocks import class_indices, verify_block
from nnconvert.verify.numpy_path import NumpyComparer
from nnconvert.verify.report import Partial, finalize, merge

#: a few cases of every family in the zoo
SAMPLE = [c.id for family in FAMILIES for c in importlib.import_module(f"zoo.{family}").CASES[:2]]


def nudged(net, amount: float, X: np.ndarray):
    """A copy of ``net`` with one weight moved by ``amount``: the first 2-D weight parameter,
    at the input feature that varies most in ``X`` (a weight on a constant pixel would not
    show)."""
    import copy

    net = copy.deepcopy(net)
    for name, param in net.named_parameters():
        if name.endswith("weight") and param.ndim == 2:
            column = int(np.argmax(X.std(axis=0))) if param.shape[1] == X.shape[1] else 0
            with torch.no_grad():
                param[0, column] += amount
            return net
    column = int(np.argmax(X.std(axis=0)))
    for name, buffer in net.named_buffers():  # fixed parameters: centres, means, offsets
        if buffer.is_floating_point() and buffer.ndim in (1, 2) and (
                buffer.shape[-1] == X.shape[1]):
            with torch.no_grad():  # every centre moves: one training row of a k-NN may not show
                buffer[..., column] += amount
            return net
    for name, buffer in net.named_buffers():  # a tree's leaf values, either form
        if buffer.is_floating_point() and name.endswith("value"):
            with torch.no_grad():
                (buffer[..., 0] if buffer.ndim > 1 else buffer).add_(amount)
            return net
    for name, buffer in net.named_buffers():  # a table of outputs
        if buffer.is_floating_point() and buffer.ndim == 2:
            with torch.no_grad():
                buffer[:, 0] += amount
            return net
    raise AssertionError("no weight matrix, per-feature buffer or output table in this network")


def _rounded(value):
    # scikit-learn's own scores change in the last bits with the batch (BLAS picks other
    # kernels), so reports of differently cut blocks agree to 10 digits, not to every bit;
    # differences that are themselves rounding (below 1e-10) count as zero
    if isinstance(value, float):
        return 0.0 if abs(value) < 1e-10 else float(f"{value:.10g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_rounded(v) for v in value)
    return value


def evidence(report):
    """What must not depend on how the rows were cut into blocks."""
    # which row is "worst" is only meaningful when the differences are more than rounding
    noise = all(diff < 1e-10 for diff in report.max_rel_diff.values())
    worst = None if noise else [r.to_dict() for r in report.worst_rows]
    return _rounded((report.passed, report.n_samples, report.n_disagreements, report.near_ties,
                     report.max_abs_diff, report.max_rel_diff, report.tie_band,
                     report.disagreeing_rows.tolist(), worst))


@pytest.mark.parametrize("case_id", SAMPLE)
def test_a_correct_conversion_passes_and_matches_compare(case_id):
    estimator, X_train, X_test = fitted(case_id)
    X = np.vstack([X_test, probe_points(X_train, 100)])
    net = nc.convert(estimator)
    report = nc.verify(estimator, net, X, batch_size=64)
    agreement = compare(estimator, net, X)
    assert report.passed, str(report)
    assert report.n_samples == len(X)
    assert _rounded(report.max_abs_diff) == _rounded(agreement.max_abs_diff)  # BLAS per batch
    assert report.n_disagreements == agreement.n_disagreements == 0
    assert report.near_ties == agreement.near_ties
    # the kind's scores, and inverse_transform, apply, ... where both answer them
    assert set(report.max_abs_diff) == {m for m in score_methods(net.head.kind)
                                        if hasattr(estimator, m) and hasattr(net, m)} | \
        set(extra_methods(estimator, net))


@pytest.mark.parametrize("case_id", SAMPLE)
def test_one_weight_nudged_by_five_hundredths_fails(case_id):
    estimator, _, X_test = fitted(case_id)
    broken = nudged(nc.convert(estimator), 0.05, X_test)
    report = nc.verify(estimator, broken, X_test)
    assert not report.passed, str(report)
    assert max(report.max_rel_diff.values()) > report.rtol
    assert "FAILED" in str(report)


def test_label_flips_are_counted_outside_the_band_with_both_answers():
    # A score error of d can only flip labels within margin d, which the band (2d) covers;
    # flips outside it come from a wrong label rule: here two classes swapped in the head.
    estimator, _, X_test = fitted("logreg-iris-str")
    net = nc.convert(estimator)
    net.classes_ = net.classes_[[1, 0, 2]]
    report = nc.verify(estimator, net, X_test, batch_size=7)
    agreement = compare(estimator, net, X_test)
    assert report.passed is False and report.max_abs_diff["decision_function"] < 1e-12
    assert report.n_disagreements == agreement.n_disagreements > 0
    np.testing.assert_array_equal(report.disagreeing_rows, agreement.disagreeing_rows)
    predicted = estimator.predict(X_test)
    assert set(predicted[report.disagreeing_rows]) == set(estimator.classes_[:2])
    flips = [r for r in report.worst_rows if r.why == "label"]
    assert flips and len(flips) <= 5
    for row in flips:
        assert row.reference_label == predicted[row.index]
        assert row.network_label == net.predict(X_test[row.index:row.index + 1])[0]
        assert row.network_label != row.reference_label
        assert row.margin > report.tie_band
    # the most confident disagreements come first
    assert [r.margin for r in flips] == sorted((r.margin for r in flips), reverse=True)


def test_the_worst_rows_table_heads_labels_as_labels_and_shows_the_scores():
    # issue 18 item 7: a label next to a score difference must not read as a value
    estimator, _, X_test = fitted("logreg-iris-str")
    net = nc.convert(estimator)
    with torch.no_grad():
        net.body[0].bias[0] += 0.5
    report = nc.verify(estimator, net, X_test)
    text = str(report)
    header = next(line for line in text.splitlines() if line.strip().startswith("row"))
    assert "label: est" in header and "label: net" in header
    assert "score: est" in header and "score: net" in header
    row = next(r for r in report.worst_rows if r.why == "decision_function")
    line = next(line for line in text.splitlines() if line.split()[:2] == [str(row.index), row.why])
    reference, network = np.asarray(row.reference_scores), np.asarray(row.network_scores)
    column = int(np.argmax(np.abs(network - reference)))
    assert f"{reference[column]:.5g}" in line and f"{network[column]:.5g}" in line


def test_a_nan_in_the_network_never_passes():
    estimator, _, X_test = fitted("logreg-iris-str")
    net = nc.convert(estimator)
    with torch.no_grad():
        net.body[0].weight[1, 2] = float("nan")
    report = nc.verify(estimator, net, X_test)
    assert not report.passed
    assert report.max_abs_diff["decision_function"] == np.inf
    json.loads(report.to_json())  # infinities are written as strings, still valid JSON


def test_float32_networks_pass_at_their_own_precision_only():
    estimator, _, X_test = fitted("logreg-digits-saga-balanced")
    net = nc.convert(estimator, dtype=torch.float32)
    assert nc.verify(estimator, net, X_test, rtol=1e-4).passed
    assert not nc.verify(estimator, net, X_test, rtol=1e-12).passed


@pytest.mark.parametrize("batch_size", [1, 7, 100, None])
def test_the_report_does_not_depend_on_the_block_size(batch_size):
    estimator, X_train, X_test = fitted("logreg-blobs-newton-cg")
    X = np.vstack([X_test, probe_points(X_train, 300)])
    broken = nudged(nc.convert(estimator), 0.7, X)
    whole = nc.verify(estimator, broken, X, batch_size=len(X))
    assert whole.n_disagreements > 0  # label flips to merge across blocks
    assert evidence(nc.verify(estimator, broken, X, batch_size=batch_size)) == evidence(whole)


def test_a_memory_mapped_file_gives_the_in_memory_report(tmp_path):
    estimator, X_train, _ = fitted("linearsvc-iris-ovr-str")
    X = probe_points(X_train, 5000, seed=3)
    np.save(tmp_path / "X.npy", X)
    mapped = np.load(tmp_path / "X.npy", mmap_mode="r")
    net = nc.convert(estimator)
    assert evidence(nc.verify(estimator, net, mapped, batch_size=333)) == evidence(
        nc.verify(estimator, net, X, batch_size=333))
    assert np.array_equal(mapped, X)  # the pages handed back came back intact


def test_a_memory_mapped_file_is_verified_in_bounded_memory(tmp_path):
    """64 MiB of rows verified in 2 MiB blocks: the process grows by far less than the file."""
    path = tmp_path / "big.npy"
    rows, features = 400_000, 20
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float64, shape=(rows, features))
    rng = np.random.default_rng(0)
    for start in range(0, rows, 50_000):
        out[start:start + 50_000] = rng.standard_normal((50_000, features))
    out.flush()
    del out
    script = textwrap.dedent(f"""
        import resource, numpy as np
        from sklearn.linear_model import LogisticRegression
        import nnconvert as nc
        rng = np.random.default_rng(1)
        Xf = rng.standard_normal((300, {features})); y = (Xf[:, 0] > 0).astype(int)
        est = LogisticRegression().fit(Xf, y); net = nc.convert(est)
        X = np.load({str(path)!r}, mmap_mode="r")
        nc.verify(est, net, X[:20_000], batch_size=12_500)  # warm every code path
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        report = nc.verify(est, net, X, batch_size=12_500)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        assert report.passed and report.n_samples == {rows}
        print((after - before) / 1024)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    grown_mib = float(result.stdout.split()[-1])
    assert grown_mib < 32, f"peak memory grew by {grown_mib:.0f} MiB for a 61 MiB file"


def test_a_dask_array_gives_the_in_memory_report():
    da = pytest.importorskip("dask.array")
    estimator, X_train, X_test = fitted("svc-rbf-iris")
    X = np.vstack([X_test, probe_points(X_train, 300)])
    net = nc.convert(estimator)
    lazy = da.from_array(X, chunks=(97, 2))  # chunked along columns too
    with __import__("dask").config.set(scheduler="synchronous"):
        streamed = nc.verify(estimator, net, lazy, batch_size=40)
    assert streamed.backend == "numpy"
    assert evidence(streamed) == evidence(nc.verify(estimator, net, X))


def test_string_labels_unknown_to_the_network_are_disagreements():
    estimator, _, X_test = fitted("logreg-iris-str")
    net = nc.convert(estimator)
    net.classes_ = np.array(["a", "b", "c"], dtype=object)  # a network with the wrong labels
    report = nc.verify(estimator, net, X_test)
    assert report.n_disagreements == len(X_test) and not report.passed
    assert class_indices(np.array(["x", "y"]), np.array(["y", "z", "x"])).tolist() == [1, -1, 0]


def test_the_report_reads_as_a_table_and_serialises():
    estimator, _, X_test = fitted("logreg-wine-noncontig-nointercept")
    report = nc.verify(estimator, nc.convert(estimator), X_test)
    text = str(report)
    assert text.startswith("PASSED: LogisticRegression")
    for word in ("decision_function", "predict_proba", "predict", "rows/s", "max abs diff"):
        assert word in text
    data = json.loads(report.to_json())
    assert data["passed"] is True and data["n_samples"] == len(X_test)
    assert set(data["max_abs_diff"]) == {"decision_function", "predict_proba"}
    assert data["rows_per_s"] > 0 and data["backend"] == "numpy" and data["device"] == "cpu"
    assert isinstance(report.worst_rows[0].reference_label, (int, np.integer))


def test_progress_is_shown_on_request_and_silent_otherwise(capsys):
    estimator, _, X_test = fitted("logreg-iris-str")
    net = nc.convert(estimator)
    nc.verify(estimator, net, X_test)  # stderr is not a terminal under pytest: silent
    assert capsys.readouterr().err == ""
    nc.verify(estimator, net, X_test, progress=True, batch_size=10)
    assert "rows" in capsys.readouterr().err


def test_methods_can_be_restricted_but_labels_bring_their_margin_scores():
    estimator, _, X_test = fitted("logreg-iris-str")
    report = nc.verify(estimator, nc.convert(estimator), X_test, methods=["predict_proba"])
    assert set(report.max_abs_diff) == {"predict_proba", "decision_function"} and report.passed


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda e, n, X: nc.verify(e, n, X[:, :3]), ValueError, "features"),
        (lambda e, n, X: nc.verify(e, n, X[0]), ValueError, "2-D"),
        (lambda e, n, X: nc.verify(e, n, X[:0]), ValueError, "no rows"),
        (lambda e, n, X: nc.verify(e, e, X), TypeError, "nnconvert.convert"),
        (lambda e, n, X: nc.verify(clone(e), n, X), nc.NotFittedError, "not fitted"),
        (lambda e, n, X: nc.verify(e, n, X, rtol=0), ValueError, "rtol"),
        (lambda e, n, X: nc.verify(e, n, X, methods=["score"]), ValueError, "unknown"),
        (lambda e, n, X: nc.verify(e, n, X, batch_size=0), ValueError, "batch_size"),
        (lambda e, n, X: nc.verify(e, n, "rows"), ValueError, "2-D"),
        (lambda e, n, X: nc.verify(e, n, X, device="gpu7"), ValueError, "torch device"),
        (lambda e, n, X: nc.verify(e, n, X, device="meta"), ValueError, "no values"),
        (lambda e, n, X: nc.verify(e, n, X, rtol="1e-9"), ValueError, "rtol"),
        (lambda e, n, X: nc.verify(e, n, X, methods=5), TypeError, "list of method names"),
        (lambda e, n, X: nc.verify(e, n, sparse.csr_matrix(X[:, :3])), ValueError, "features"),
    ],
)
def test_bad_arguments_get_clear_errors(call, error, words):
    estimator, _, X_test = fitted("logreg-iris-str")
    with pytest.raises(error, match=words):
        call(estimator, nc.convert(estimator), X_test)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message given without CUDA")
def test_asking_for_a_gpu_without_one_says_so():
    estimator, _, X_test = fitted("logreg-iris-str")
    with pytest.raises(ValueError, match="no CUDA device"):
        nc.verify(estimator, nc.convert(estimator), X_test, device="cuda")


def test_a_missing_method_is_reported_not_raised():
    estimator, _, X_test = fitted("linearsvc-iris-ovr-str")
    other = LogisticRegression(max_iter=500).fit(X_test, estimator.predict(X_test))
    # a LinearSVC network has no predict_proba, which the logistic regression has
    report = nc.verify(other, nc.convert(estimator), X_test)
    assert not report.passed
    assert any("predict_proba" in p for p in report.problems)


# -- the merge of partial reports ----------------------------------------------------------

def _partials(cuts):
    estimator, X_train, X_test = fitted("logreg-blobs-newton-cg")
    X = np.vstack([X_test, probe_points(X_train, 300)])
    broken = nudged(nc.convert(estimator), 0.7, X)
    methods = ["decision_function", "predict_proba", "predict"]
    bounds = [0, *sorted(set(cuts)), len(X)]
    parts = [verify_block(estimator, broken, X[a:b], methods, NumpyComparer()).shifted(a)
             for a, b in zip(bounds, bounds[1:]) if b > a]
    whole = verify_block(estimator, broken, X, methods, NumpyComparer())
    return parts, whole


def _same(a: Partial, b: Partial) -> bool:
    return (a.n_samples == b.n_samples
            and _rounded((a.max_abs, a.scale)) == _rounded((b.max_abs, b.scale))
            and _rounded([r.to_dict() for r in (*a.worst.values(), *a.examples)])
            == _rounded([r.to_dict() for r in (*b.worst.values(), *b.examples)])
            and np.array_equal(a.mismatch_rows, b.mismatch_rows)
            and np.allclose(a.mismatch_margins, b.mismatch_margins, rtol=1e-9, atol=0))


@given(cuts=st.lists(st.integers(1, 479), max_size=6), order=st.randoms(use_true_random=False))
def test_merging_block_partials_in_any_order_gives_the_whole(cuts, order):
    parts, whole = _partials(cuts)
    order.shuffle(parts)
    total = Partial()
    for part in parts:
        total = merge(part, total) if order.random() < 0.5 else merge(total, part)
    assert _same(total, whole)
    kwargs = dict(rtol=1e-9, margin_method="decision_function", elapsed_s=1.0, backend="numpy",
                  device="cpu", estimator="x")
    assert evidence(finalize(total, **kwargs)) == evidence(finalize(whole, **kwargs))


def test_merge_is_associative_and_has_an_identity():
    (a, b, c), _ = _partials([100, 300])
    assert _same(merge(merge(a, b), c), merge(a, merge(b, c)))
    assert _same(merge(Partial(), a), a) and _same(merge(a, Partial()), a)


@pytest.mark.gpu
def test_the_cupy_path_gives_the_numpy_report():
    estimator, X_train, X_test = fitted("logreg-digits-saga-balanced")
    X = np.vstack([X_test, probe_points(X_train, 2000)])
    net = nc.convert(estimator)
    with torch.no_grad():
        net.body[0].bias[4] += 0.3
    on_gpu = nc.verify(estimator, net, X, device="cuda", batch_size=500)
    assert on_gpu.backend == "cupy" and on_gpu.device.startswith("cuda")
    assert evidence(on_gpu)[1:] == evidence(nc.verify(estimator, net, X, batch_size=500))[1:]
    assert net.device.type == "cpu"  # the caller's network stayed where it was


@pytest.mark.gpu
@pytest.mark.parametrize("case_id", ["svc-rbf-iris", "logreg-breast_cancer"])
def test_the_cupy_path_passes_correct_conversions(case_id):
    estimator, _, X_test = fitted(case_id)
    net = nc.convert(estimator).to("cuda")
    report = nc.verify(estimator, net, X_test)
    assert report.passed and report.backend == "cupy"


def test_a_dataframe_with_feature_names_is_verified_by_name():
    pytest.importorskip("pandas")
    from sklearn.datasets import load_wine
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    frame, y = load_wine(return_X_y=True, as_frame=True)
    estimator = make_pipeline(StandardScaler(), LogisticRegression()).fit(frame, y)
    net = nc.convert(estimator)
    report = nc.verify(estimator, net, frame, batch_size=50)
    assert report.passed and report.n_samples == len(frame)
    net.classes_ = net.classes_[[2, 1, 0]]
    assert nc.verify(estimator, net, frame, batch_size=50).n_disagreements > 0
    with pytest.raises(ValueError, match="same order"):  # by name, not by position
        nc.verify(estimator, net, frame[frame.columns[::-1]])


def test_a_labels_only_check_still_judges_mismatches_by_their_margin():
    estimator, _, X_test = fitted("logreg-iris-str")
    report = nc.verify(estimator, nc.convert(estimator), X_test, methods=["predict"])
    assert report.passed and set(report.max_abs_diff) == {"decision_function"}


def test_labels_of_a_different_model_are_disagreements_not_near_ties():
    # scores far apart must not widen the near-tie band until every flipped label fits in it
    estimator, X_train, X_test = fitted("logreg-iris-str")
    X = np.vstack([X_test, probe_points(X_train, 300)])
    other = clone(estimator).set_params(C=1e-3).fit(X_train, estimator.predict(X_train))
    flipped = int((other.predict(X) != estimator.predict(X)).sum())
    assert flipped > 10
    report = nc.verify(other, nc.convert(estimator), X)
    assert not report.passed
    assert report.n_disagreements == flipped and report.near_ties == 0
    agreement = compare(other, nc.convert(estimator), X)
    assert agreement.n_disagreements == flipped and agreement.near_ties == 0


def test_the_default_tolerance_is_the_projects_promise():
    from nnconvert.agreement import default_rtol

    assert default_rtol(torch.float64) == 1e-9 and default_rtol(torch.float32) == 1e-4


@pytest.mark.parametrize("case_id", ["logreg-digits-saga-balanced", "mlp-tanh-digits"])
@pytest.mark.parametrize("form", ["csr", "csc"])
def test_sparse_rows_verify_block_by_block(case_id, form):
    """A sparse matrix verifies as its dense twin does (linear first layers read it sparse,
    hidden layers a block of rows at a time), and a broken network still fails on it."""
    estimator, _, X_test = fitted(case_id)
    net = nc.convert(estimator)
    X = sparse.csr_matrix(X_test).asformat(form)
    report = nc.verify(estimator, net, X, batch_size=50)
    dense = nc.verify(estimator, net, X_test, batch_size=50)
    assert report.passed and report.n_samples == X_test.shape[0]
    assert report.max_rel_diff.keys() == dense.max_rel_diff.keys()
    assert all(report.max_rel_diff[m] <= 1e-9 for m in report.max_rel_diff)
    assert not nc.verify(estimator, nudged(net, 0.05, X_test), X).passed


def test_float32_input_is_judged_at_the_precision_scikit_learn_computed_in():
    # issue 18 item 2: on float32 X scikit-learn's scaler computes in float32 (about 4e-8
    # relative off float64), the network in float64; a correct conversion must pass
    from sklearn.datasets import load_breast_cancer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = load_breast_cancer(return_X_y=True)
    estimator = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)).fit(X, y)
    net = nc.convert(estimator)
    X32 = X.astype(np.float32)
    report = nc.verify(estimator, net, X32)
    assert report.passed, str(report)
    # the float32 reference is off float64 by more than rounding: the report says by how much
    assert report.reference_spread["decision_function"] > 1e-9 * 10
    assert "low-precision data" in str(report) and "reference_spread" in report.to_dict()
    assert report.rtol == 1e-9  # judged at float64 beyond the reference's own spread
    assert compare(estimator, net, X32).passed
    # float64 input keeps the float64 standard, with nothing to excuse
    assert nc.verify(estimator, net, X).rtol == 1e-9
    assert nc.verify(estimator, net, X).reference_spread == {}
    # a genuinely wrong network still fails on float32 data
    with torch.no_grad():
        net.body[-1].weight[0, 0] *= 1.01
    assert not nc.verify(estimator, net, X32).passed
    assert not compare(estimator, net, X32).passed


def _nudged_logistic(offset: float):
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    estimator = LogisticRegression(max_iter=10000).fit(X / X.std(axis=0), y)
    net = nc.convert(estimator)
    with torch.no_grad():
        net.body[-1].weight += offset
    return estimator, net, X / X.std(axis=0)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_a_network_off_by_5e_5_fails_on_low_precision_rows(dtype):
    """issue 24 item 5: scikit-learn computes a LogisticRegression in float64 whatever the
    data's dtype (float64 weights), so its answers on float32 rows are float64-exact: a
    network whose weights are off by 5e-5 is wrong there too, not excused by a float32 rtol."""
    estimator, net, X = _nudged_logistic(5e-5)
    assert not nc.verify(estimator, net, X).passed
    low = X.astype(dtype)
    report = nc.verify(estimator, net, low)
    assert not report.passed, str(report)
    assert report.reference_spread["decision_function"] == 0.0  # float64-exact reference
    assert not compare(estimator, net, low).passed
    correct, exact_net, _ = _nudged_logistic(0.0)
    assert nc.verify(correct, exact_net, low).passed


def test_a_correct_scaled_logistic_network_passes_on_float16_data():
    """issue 24 item 5: scikit-learn's StandardScaler computes in float16 on float16 data (its
    answers move by ~1e-3 of their scale against float64); the network, exact in float64 on
    the same values, passes, judged at the reference's own precision, and a wrong one fails."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = load_breast_cancer(return_X_y=True)
    estimator = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)).fit(X, y)
    net = nc.convert(estimator)
    X16 = X.astype(np.float16)
    report = nc.verify(estimator, net, X16)
    assert report.passed, str(report)
    assert report.reference_spread["decision_function"] > 1e-6
    with torch.no_grad():
        net.body[-1].weight[0, 0] *= 1.5
    assert not nc.verify(estimator, net, X16).passed


class _Jitter(torch.nn.Module):
    """A test-only layer that adds a different tiny value on every call, as a
    nondeterministic BLAS would."""

    def __init__(self):
        super().__init__()
        self.calls = 0

    def forward(self, z):
        self.calls += 1
        return z + 1e-6 * self.calls


def test_a_network_that_disagrees_with_itself_is_reported_as_nondeterministic():
    # issue 18 item 3: a failing block is run again; two different answers point at the
    # numeric library, not at the conversion
    estimator, _, X_test = fitted("logreg-iris-str")
    net = nc.convert(estimator)
    jitter = _Jitter()
    net.body.append(jitter)
    report = nc.verify(estimator, net, X_test)
    assert not report.passed and jitter.calls >= 2
    assert any("nondeterministic" in p and "MKL_CBWR=COMPATIBLE" in p for p in report.problems)
    assert "MKL_NUM_THREADS=1" in str(report)
    # a deterministic wrong network is not called nondeterministic
    net = nc.convert(estimator)
    with torch.no_grad():
        net.body[0].bias[0] += 1e-6
    report = nc.verify(estimator, net, X_test)
    assert not report.passed and not any("nondeterministic" in p for p in report.problems)
