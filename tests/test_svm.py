"""Kernel SVMs as networks: the layers hold libsvm's parameters, and the network is the SVM.

The zoo (tests/zoo/svm.py) already runs every SVM case through test_conversion's float64 and
float32 checks; this module checks the network's anatomy, the blocked evaluation, gradients,
errors, and hypothesis properties over kernels, hyper-parameters and data.
"""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest
import torch
from equivalence import assert_equivalent
from hypothesis import example, given
from hypothesis import strategies as st
from scipy import sparse
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, NuSVC
from zoo import data, fitted, probe_points

import nnconvert as nc
from nnconvert.families.svm.coupling import PairwiseCoupling, couple
from nnconvert.families.svm.heads import VoteHead
from nnconvert.layers import KernelExpansion, KernelUnits


def _fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # probability=True is deprecated in 1.9
        return model.fit(X, y)


def _expansion(net) -> KernelExpansion:
    (layer,) = [m for m in net.body if isinstance(m, KernelExpansion)]
    return layer


# -- anatomy ----------------------------------------------------------------------------------


def test_one_kernel_unit_per_support_vector_and_one_neuron_per_pair():
    estimator, _, _ = fitted("svc-rbf-digits")
    net = nc.convert(estimator)
    layer = _expansion(net)
    n_sv, n_pairs = len(estimator.support_), 10 * 9 // 2
    assert layer.units.centres.shape == (n_sv, 64)
    np.testing.assert_array_equal(layer.units.centres.numpy(), estimator.support_vectors_)
    assert layer.units.gamma == estimator._gamma
    assert layer.readout.weight.shape == (n_pairs, n_sv)
    np.testing.assert_array_equal(layer.readout.bias.detach().numpy(), estimator.intercept_)
    # pair (i, j) reads only the support vectors of classes i and j
    start = np.concatenate([[0], np.cumsum(estimator.n_support_)])
    weight = layer.readout.weight.detach().numpy()
    i, j = 2, 7
    p = [(a, b) for a in range(10) for b in range(a + 1, 10)].index((i, j))
    own = np.zeros(n_sv, dtype=bool)
    own[start[i]:start[i + 1]] = own[start[j]:start[j + 1]] = True
    assert np.all(weight[p, ~own] == 0)
    np.testing.assert_array_equal(weight[p, start[i]:start[i + 1]],
                                  estimator.dual_coef_[j - 1, start[i]:start[i + 1]])
    np.testing.assert_array_equal(weight[p, start[j]:start[j + 1]],
                                  estimator.dual_coef_[i, start[j]:start[j + 1]])


def test_kernel_units_compute_the_gaussian_bumps():
    estimator, _, X_test = fitted("svc-rbf-iris")
    units = _expansion(nc.convert(estimator)).units
    sv = estimator.support_vectors_
    expected = np.exp(-estimator._gamma * ((X_test[:, None, :] - sv[None]) ** 2).sum(-1))
    got = units(torch.as_tensor(X_test)).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-15)


def test_binary_neuron_is_scikit_learns_decision_with_the_rho_sign_flip():
    estimator, _, X_test = fitted("svc-rbf-breast_cancer-raw-str")
    net = nc.convert(estimator)
    readout = _expansion(net).readout
    # scikit-learn negates libsvm's dual_coef_ and intercept_ (−ρ) for two classes
    np.testing.assert_array_equal(readout.weight.detach().numpy(), estimator.dual_coef_)
    assert readout.bias.item() == estimator.intercept_[0] == -estimator._intercept_[0]
    assert "flips" in readout.describe().bias_note and "+ρ" in readout.describe().bias_note
    assert net.decision_function(X_test).shape == (len(X_test),)


def test_multiclass_bias_is_minus_rho():
    estimator, _, _ = fitted("svc-rbf-iris-ovo-str")
    readout = _expansion(nc.convert(estimator)).readout
    np.testing.assert_array_equal(readout.bias.detach().numpy(), estimator._intercept_)
    assert "−ρ" in readout.describe().bias_note


def test_sigmoid_kernel_svm_is_a_tanh_network():
    estimator, _, _ = fitted("svc-sigmoid-iris-numeric-gamma")
    net = nc.convert(estimator)
    assert "tanh" in _expansion(net).units.describe().activation
    assert "k_j = tanh(γ⟨h1, sv_j⟩ + r)" in net.explain()  # h1: the scaled input


def test_explain_gives_the_formula_and_the_vote():
    estimator, _, _ = fitted("svc-rbf-wine-break-ties-balanced")
    text = nc.convert(estimator).explain()
    assert "exp(−γ‖h1 − sv_j‖²)" in text
    assert "−ρ" in text
    assert "votes_c" in text and "σ_c / (3(|σ_c| + 1))" in text
    assert "argmax_c decision_function(x)_c" in text  # break_ties: the ovr scores decide


def test_explain_describes_the_probability_coupling():
    estimator, _, _ = fitted("svc-rbf-iris-proba")
    text = nc.convert(estimator).explain()
    assert "1 / (1 + exp(A_ij" in text and "Wu–Lin–Weng" in text


def test_diagram_graph_has_a_unit_per_support_vector_and_a_neuron_per_pair():
    estimator, _, _ = fitted("svc-rbf-iris")
    graph = nc.to_networkx(nc.convert(estimator))
    names = [d.get("name") or "" for _, d in graph.nodes(data=True)]
    assert sum(name.startswith("sv ") for name in names) == len(estimator.support_)
    assert sum(" vs " in name for name in names) == 3


# -- blocks, gradients, devices ---------------------------------------------------------------


@pytest.mark.parametrize("case_id", ["svc-rbf-digits", "svc-poly-wine-auto-coef0",
                                     "svc-sigmoid-iris-numeric-gamma",
                                     "svc-linear-wine-noncontig"])
def test_one_block_and_many_blocks_give_the_same_results(case_id):
    estimator, X_train, X_test = fitted(case_id)
    X = np.vstack([X_test, probe_points(X_train, n=300)])
    net = nc.convert(estimator)
    layer = _expansion(net)
    layer.block_rows = len(X)
    whole = net.decision_function(X)
    # a multi-threaded BLAS may split the sum over support vectors differently for another
    # block height, so blocks agree to rounding (and in every label), not to every bit
    atol = 1e-12 * max(1.0, float(np.abs(whole).max()))
    for rows in (1, 3, 7, 64, None):
        layer.block_rows = rows
        np.testing.assert_allclose(net.decision_function(X), whole, rtol=0, atol=atol)
        np.testing.assert_array_equal(net.predict(X), estimator.predict(X))
    # nor does a row's answer depend on the batch it comes in
    one_by_one = np.concatenate([net.decision_function(X[i:i + 1]) for i in range(20)])
    np.testing.assert_allclose(one_by_one, whole[:20], rtol=0, atol=atol)


def test_block_size_follows_the_byte_budget():
    estimator, _, _ = fitted("svc-rbf-digits")
    layer = _expansion(nc.convert(estimator))
    n_sv = len(estimator.support_)
    x64, x32 = torch.zeros(1, 64, dtype=torch.float64), torch.zeros(1, 64, dtype=torch.float32)
    assert layer.rows_per_block(x64) == layer.block_bytes // (n_sv * 8)
    assert layer.rows_per_block(x32) == 2 * layer.rows_per_block(x64)
    with pytest.raises(ValueError, match="block_rows"):
        KernelExpansion(layer.units, layer.readout, block_rows=0)


def test_gradients_flow_and_match_the_inference_path():
    estimator, _, X_test = fitted("svc-rbf-wine-break-ties-balanced")
    net = nc.convert(estimator)
    _expansion(net).block_rows = 5
    x = torch.as_tensor(X_test).clone().requires_grad_(True)
    scores = net(x)
    scores.sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0
    with torch.no_grad():
        np.testing.assert_allclose(net(x).numpy(), scores.detach().numpy(), rtol=0, atol=1e-12)


def test_kernel_units_outside_an_expansion_keep_their_row_blocks():
    centres = np.random.default_rng(0).standard_normal((30, 4))
    units = KernelUnits(centres, kernel="poly", gamma=0.5, coef0=1.0, degree=3, block_rows=8)
    x = torch.as_tensor(np.random.default_rng(1).standard_normal((50, 4)))
    expected = (0.5 * x.numpy() @ centres.T + 1.0) ** 3
    np.testing.assert_allclose(units(x).numpy(), expected, rtol=1e-13)




# -- probabilities ----------------------------------------------------------------------------


def test_coupling_recovers_consistent_pairwise_probabilities():
    # r_ij = p_i / (p_i + p_j) is solved exactly by p; libsvm's iteration stops within its
    # tolerance of it
    p = torch.tensor([[0.5, 0.3, 0.15, 0.05], [0.25, 0.25, 0.25, 0.25]], dtype=torch.float64)
    r = p[:, :, None] / (p[:, :, None] + p[:, None, :])
    r[:, torch.arange(4), torch.arange(4)] = 0
    np.testing.assert_allclose(couple(r).numpy(), p.numpy(), atol=5e-3)
    assert torch.allclose(couple(r).sum(dim=1), torch.ones(2, dtype=torch.float64))


def test_platt_pairs_are_clipped_like_libsvm():
    coupling = PairwiseCoupling([1.0], [0.0], n_classes=2)
    r = coupling.pairwise(torch.tensor([[-1000.0], [1000.0], [0.0]], dtype=torch.float64))
    assert r[0, 0, 1] == 1 - 1e-7 and r[1, 0, 1] == 1e-7 and r[2, 0, 1] == 0.5
    assert torch.all(r[:, 1, 0] == 1 - r[:, 0, 1])


def test_predict_uses_the_votes_not_the_probabilities():
    estimator, X_train, X_test = fitted("svc-rbf-digits-ovo-proba")
    net = nc.convert(estimator)
    X = np.vstack([X_test, probe_points(X_train, n=400)])
    by_proba = estimator.classes_[np.argmax(estimator.predict_proba(X), axis=1)]
    labels = net.predict(X)
    np.testing.assert_array_equal(labels, estimator.predict(X))
    assert (by_proba != labels).any(), "the data should hold rows where the two rules differ"


def test_float32_network_couples_in_float64():
    estimator, _, X_test = fitted("svc-rbf-iris-proba")
    net = nc.convert(estimator, dtype=torch.float32)
    proba = net.predict_proba(X_test)
    assert proba.dtype == np.float32
    np.testing.assert_allclose(proba, estimator.predict_proba(X_test), atol=1e-5)


# -- the near-tie band ------------------------------------------------------------------------


def test_vote_margin_is_the_smallest_pair_value_that_can_change_the_label():
    from nnconvert.agreement import reference_margin, reference_outputs

    estimator, X_train, X_test = fitted("svc-rbf-digits")
    X = np.vstack([X_test, probe_points(X_train, n=300)])
    margin = reference_margin(estimator, X, reference_outputs(estimator, X))
    ovo = copy.deepcopy(estimator).set_params(decision_function_shape="ovo")  # pair values
    values = ovo.decision_function(X)
    pairs = [(i, j) for i in range(10) for j in range(i + 1, 10)]
    votes = np.zeros((len(X), 10))
    for p, (i, j) in enumerate(pairs):
        votes[:, i] += values[:, p] > 0
        votes[:, j] += values[:, p] <= 0
    top_two = np.sort(votes, axis=1)[:, -2:]
    lead = top_two[:, 1] - top_two[:, 0]
    assert np.all(np.isinf(margin[lead >= 3]))  # one flipped vote cannot overturn 3
    finite = np.isfinite(margin)
    assert finite.any()
    winner = votes.argmax(axis=1)
    for row in np.flatnonzero(finite)[:50]:
        # the margin is the value of a pair the winner takes part in
        involved = [abs(values[row, p]) for p, (i, j) in enumerate(pairs) if winner[row] in (i, j)]
        assert margin[row] in involved


# -- other inputs and errors ------------------------------------------------------------------


def test_svc_fitted_on_sparse_data():
    X_train, X_test, y_train, _ = data("wine")
    X_train = StandardScaler().fit(X_train).transform(X_train)
    estimator = SVC(kernel="poly", degree=2).fit(sparse.csr_matrix(X_train), y_train)
    assert sparse.issparse(estimator.support_vectors_)
    assert_equivalent(estimator, nc.convert(estimator), X_train[:40])


@pytest.mark.parametrize("kernel", ["precomputed", lambda a, b: a @ b.T])
def test_precomputed_and_callable_kernels_are_refused(kernel):
    X, _, y, _ = data("iris")
    fit_X = X @ X.T if kernel == "precomputed" else X
    estimator = SVC(kernel=kernel).fit(fit_X, y)
    with pytest.raises(nc.ConversionError, match=r"kernel=.*cannot be converted.*Refit"):
        nc.convert(estimator)


def test_break_ties_with_ovo_is_refused_like_scikit_learn():
    X, _, y, _ = data("iris")
    estimator = SVC(break_ties=True, decision_function_shape="ovo").fit(X, y)
    with pytest.raises(ValueError, match="break_ties"):
        estimator.predict(X)
    with pytest.raises(nc.ConversionError, match="decision_function_shape='ovr'"):
        nc.convert(estimator)


def test_a_class_libsvm_never_saw_is_refused():
    X, _, y, _ = data("iris")
    weights = np.where(y == 1, 0.0, 1.0)  # class 1 weighs nothing: libsvm drops it
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator = SVC().fit(X, y, sample_weight=weights)
    with pytest.raises(nc.ConversionError, match="3 classes but libsvm trained on only 2"):
        nc.convert(estimator)


def test_unfitted_svc():
    with pytest.raises(nc.NotFittedError, match="NuSVC"):
        nc.convert(NuSVC())


def test_vote_head_rejects_an_unknown_shape():
    with pytest.raises(ValueError, match="'ovr' or 'ovo'"):
        VoteHead(3, shape="ovx")


# -- properties -------------------------------------------------------------------------------


def make_problem(n_samples, n_features, n_informative, n_classes, class_sep, seed, scale, model):
    """Standardized (then scaled) generated data, probe rows around it, an unfitted model."""
    X, y = make_classification(
        n_samples=n_samples, n_features=n_features, n_informative=n_informative,
        n_redundant=0, n_classes=n_classes, n_clusters_per_class=1, class_sep=class_sep,
        random_state=seed,
    )
    X = StandardScaler().fit_transform(X) * scale
    probe = np.random.default_rng(seed).standard_normal((60, n_features)) * X.std() * 1.5
    return X, y, model, probe


@st.composite
def svm_problems(draw):
    """A small classification problem and an SVC or NuSVC to fit on it."""
    n_classes = draw(st.integers(2, 5))
    n_informative = int(np.ceil(np.log2(n_classes))) + draw(st.integers(0, 2))
    n_features = n_informative + draw(st.integers(0, 4))
    params = dict(
        kernel=draw(st.sampled_from(["linear", "poly", "rbf", "sigmoid"])),
        gamma=draw(st.one_of(st.sampled_from(["scale", "auto"]), st.floats(1e-3, 2.0))),
        coef0=draw(st.floats(-1.0, 1.0)),
        degree=draw(st.integers(1, 4)),
        decision_function_shape=draw(st.sampled_from(["ovr", "ovo"])),
        class_weight=draw(st.sampled_from([None, "balanced"])),
        probability=draw(st.booleans()), random_state=0,
    )
    if params["decision_function_shape"] == "ovr":
        params["break_ties"] = draw(st.booleans())
    if draw(st.booleans()):
        model = NuSVC(nu=draw(st.floats(0.05, 0.5)), **params)
    else:
        model = SVC(C=draw(st.floats(0.05, 20.0)), **params)
    return make_problem(
        draw(st.integers(12 * n_classes, 30 * n_classes)), n_features, n_informative,
        n_classes, draw(st.floats(0.3, 2.0)), draw(st.integers(0, 2**16)),
        draw(st.sampled_from([1.0, 0.1, 10.0])), model,
    )


def float64_tolerance(net, X) -> float:
    """1e-9 of the score scale, unless the pair sums themselves cancel badly.

    A pair neuron sums n_SV terms α·k; any two summation orders (libsvm's, a GEMM's) may
    differ by up to about 2·n_SV·ε·Σ|α·k|, which can exceed 1e-9 of the result when large
    coefficients cancel (NuSVC can give |α| ~ 1e8 for scores ~ 1). The tolerance is the
    larger of the two: exact wherever exactness is possible.
    """
    layer = _expansion(net)
    with torch.no_grad():
        k = layer.units(torch.as_tensor(X))
        terms = k.abs() @ layer.readout.weight.abs().T + layer.readout.bias.abs()
        values = layer(torch.as_tensor(X)).abs()
    bound = 2 * layer.units.centres.shape[0] * np.finfo(np.float64).eps * float(terms.max())
    return max(1e-9, bound / max(float(values.max()), np.finfo(np.float64).tiny))


@given(svm_problems())
@example(make_problem(60, 3, 3, 3, 1.0, 3, 1.0, SVC(
    kernel="poly", degree=4, gamma=2.0, coef0=1.0, probability=True, random_state=0)))
@example(make_problem(43, 1, 1, 2, 1.0, 0, 1.0, NuSVC(  # coefficients ~1e8 that cancel
    kernel="linear", degree=1, nu=0.25, random_state=0)))
def test_float64_network_is_the_svm(problem):
    X, y, model, probe = problem
    try:
        estimator = _fit(model, X, y)
    except ValueError as error:  # infeasible nu, or libsvm's non-finite coefficients
        if "infeasible" in str(error) or "not finite" in str(error):
            return
        raise
    net = nc.convert(estimator)
    rows = np.vstack([X, probe])
    assert_equivalent(estimator, net, rows, rtol=float64_tolerance(net, rows))


def test_the_tolerance_is_1e_9_for_well_conditioned_svms():
    estimator, _, X_test = fitted("svc-rbf-digits")
    assert float64_tolerance(nc.convert(estimator), X_test) == 1e-9


@st.composite
def real_problems(draw):
    """A random subsample of a dataset scikit-learn ships, scaled or raw, and an SVM."""
    X_train, X_test, y_train, _ = data(draw(st.sampled_from(
        ["iris", "wine", "breast_cancer", "digits"])))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    rows = rng.permutation(len(X_train))[:draw(st.integers(60, 200))]
    X, y = X_train[rows], y_train[rows]
    probe = X_test[:80]
    if draw(st.booleans()):
        scaler = StandardScaler().fit(X)
        X, probe = scaler.transform(X), scaler.transform(probe)
    kernel = draw(st.sampled_from(["linear", "poly", "rbf", "sigmoid"]))
    model = draw(st.sampled_from([SVC, NuSVC]))(
        kernel=kernel, gamma=draw(st.sampled_from(["scale", "auto"])),
        degree=draw(st.integers(1, 3)), coef0=draw(st.sampled_from([0.0, 0.5])),
        decision_function_shape=draw(st.sampled_from(["ovr", "ovo"])),
        probability=draw(st.booleans()), random_state=0,
    )
    return X, y, model, probe


@given(real_problems())
def test_float64_network_is_the_svm_on_real_data(problem):
    X, y, model, probe = problem
    if len(np.unique(y)) < 2:
        return
    try:
        estimator = _fit(model, X, y)
    except ValueError as error:
        if "infeasible" in str(error) or "not finite" in str(error):
            return
        raise
    if len(estimator.n_support_) != len(estimator.classes_):
        return
    net = nc.convert(estimator)
    rows = np.vstack([X, probe])
    assert_equivalent(estimator, net, rows, rtol=float64_tolerance(net, rows))


def test_a_vote_that_flips_at_a_near_tie_is_a_near_tie_not_a_failure():
    from nnconvert.verify import compare

    estimator, _, X_test = fitted("svc-rbf-iris")  # 'ovr' scores: votes + confidence
    assert estimator.decision_function_shape == "ovr" and not estimator.break_ties
    ovo = copy.copy(estimator)
    ovo.decision_function_shape = "ovo"
    # a point where pair 0's decision value crosses zero, found by bisection
    values = ovo.decision_function(X_test)
    a, b = X_test[np.argmax(values[:, 0])], X_test[np.argmin(values[:, 0])]
    lo, hi, scale = 0.0, 1.0, np.abs(values).max()
    # close enough that a nudge of 2v is rounding (< 1e-9 of the scale), far enough that the
    # bias can hold it (a nudge below the bias's last bit would change nothing)
    while ovo.decision_function((a + lo * (b - a))[None])[0, 0] > 1e-11 * scale:
        mid = (lo + hi) / 2
        positive = ovo.decision_function((a + mid * (b - a))[None])[0, 0] > 0
        lo, hi = (mid, hi) if positive else (lo, mid)
    x = (a + lo * (b - a))[None]
    v = ovo.decision_function(x)[0, 0]
    assert 0 < v <= 1e-11 * scale
    net = nc.convert(estimator)
    with torch.no_grad():  # move pair 0 by a rounding-sized 2v: its vote at x flips
        _expansion(net).readout.bias[0] -= 2 * v
    X = np.vstack([X_test, x])
    assert abs(net.decision_function(x) - estimator.decision_function(x)).max() > 0.5
    agreement = compare(estimator, net, X)
    assert agreement.passed and agreement.max_rel_diff["decision_function"] < 1e-9
    assert nc.verify(estimator, net, X).passed
