"""Naive Bayes networks: float64 exactness of predict, predict_proba and predict_log_proba."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from equivalence import assert_equivalent
from sklearn.naive_bayes import BernoulliNB, GaussianNB, MultinomialNB
from zoo import fitted, ids, probe_points

import nnconvert as nc
from nnconvert.verify import compare

BAYES = ids("bayes")


def _rows(estimator, X_train, X_test):
    """Held-out, perturbed, training-equal and integer-valued rows (non-negative where the
    model counts)."""
    rng = np.random.default_rng(1)
    perturbed = X_test + rng.normal(scale=1e-3, size=X_test.shape) * (X_test.std(0) + 1e-12)
    rows = [X_test, X_train[:50], np.abs(perturbed), np.round(X_test)]
    if isinstance(estimator, GaussianNB):
        rows.append(probe_points(X_train, 100))
    return np.vstack(rows)


@pytest.mark.parametrize("case_id", BAYES)
def test_float64_exact(case_id):
    estimator, X_train, X_test = fitted(case_id)
    net = nc.convert(estimator)
    X = _rows(estimator, X_train, X_test)
    assert_equivalent(estimator, net, X)
    expected = estimator.predict_log_proba(X)
    got = net.predict_log_proba(X)
    scale = max(1.0, np.max(np.abs(expected[np.isfinite(expected)])))
    assert np.max(np.abs(got - expected)) <= 1e-9 * scale
    assert np.max(np.abs(net.predict_proba(X) - estimator.predict_proba(X))) <= 1e-9
    assert np.array_equal(net.predict(X), estimator.predict(X))
    assert not hasattr(net, "decision_function")


@pytest.mark.parametrize("case_id", BAYES)
def test_float32_labels_outside_tie_band(case_id):
    estimator, X_train, X_test = fitted(case_id)
    """float32 rounds the joint log-likelihood to ~1e-7 of its scale (hundreds on digit
    counts), so probabilities are judged through log-probabilities relative to that scale."""
    net = nc.convert(estimator, dtype=torch.float32)
    agreement = compare(estimator, net, X_test, rtol=1e-4)
    assert agreement.n_disagreements == 0
    jll = estimator.predict_joint_log_proba(X_test)
    scale = max(1.0, np.max(np.abs(jll)))
    got = net.predict_log_proba(X_test)
    assert np.max(np.abs(got - estimator.predict_log_proba(X_test))) <= 1e-5 * scale


def test_log_proba_keeps_digits_where_probability_underflows():
    """Far from every class, p rounds to 0 but log p is finite: log space, as scikit-learn."""
    estimator, X_train, _ = fitted("gaussiannb-iris")
    far = X_train[:5] + 50.0
    net = nc.convert(estimator)
    expected = estimator.predict_log_proba(far)
    assert np.any(estimator.predict_proba(far) == 0) and np.all(np.isfinite(expected))
    np.testing.assert_allclose(net.predict_log_proba(far), expected, rtol=1e-12, atol=0)


def test_gaussian_drawn_as_quadratic_units(tmp_path):
    estimator, _, _ = fitted("gaussiannb-iris")
    net = nc.convert(estimator)
    assert "Gaussian quadratic units" in net.explain()
    svg = nc.draw(net).save(tmp_path / "gnb.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "quadratic units" in svg


def test_bernoulli_binarize_is_a_step_unit():
    estimator, _, X_test = fitted("bernoullinb-digits")
    net = nc.convert(estimator)
    assert "binarize (step units)" in net.explain()
    at_threshold = np.full((3, X_test.shape[1]), 4.0)  # x == threshold binarizes to 0
    assert np.array_equal(net.predict(at_threshold), estimator.predict(at_threshold))
    np.testing.assert_allclose(net.predict_log_proba(at_threshold),
                               estimator.predict_log_proba(at_threshold), rtol=1e-12)


def test_multinomial_refuses_negative_counts_at_fit_as_sklearn():
    """scikit-learn's error comes at fit; a fitted model's predict accepts any row, and so
    does the network (same answer on negative rows)."""
    X = np.array([[1.0, -1.0], [2.0, 0.0]])
    with pytest.raises(ValueError, match="Negative values"):
        MultinomialNB().fit(X, [0, 1])
    model = MultinomialNB().fit(np.abs(X), [0, 1])
    net = nc.convert(model)
    np.testing.assert_allclose(net.predict_log_proba(X), model.predict_log_proba(X), rtol=1e-12)


def test_input_is_not_modified():
    estimator, _, X_test = fitted("bernoullinb-digits")
    X = X_test.copy()
    nc.convert(estimator).predict_proba(X)
    assert np.array_equal(X, X_test)
    assert isinstance(BernoulliNB(), BernoulliNB)


def test_bernoulli_without_binarize_on_binary_data():
    rng = np.random.default_rng(0)
    X = (rng.random((300, 12)) < 0.3).astype(float)
    y = (X[:, 0] + X[:, 3] + rng.random(300) > 1.2).astype(int)
    model = BernoulliNB(binarize=None).fit(X, y)
    net = nc.convert(model)
    assert "binarize" not in net.explain()
    assert_equivalent(model, net, X)
    np.testing.assert_allclose(net.predict_log_proba(X), model.predict_log_proba(X), rtol=1e-12)


def test_complement_on_digit_counts_float64_exact():
    """Word-count-like data (digits: counts 0..16 over 64 features), kept out of the shared
    zoo because float32 rounds its joint log-likelihoods (~hundreds) past the zoo's 1e-4
    probability tolerance."""
    from sklearn.datasets import load_digits
    from sklearn.naive_bayes import ComplementNB
    X, y = load_digits(return_X_y=True)
    model = ComplementNB().fit(X[:1200], y[:1200])
    net = nc.convert(model)
    assert_equivalent(model, net, X[1200:])
    np.testing.assert_allclose(net.predict_log_proba(X), model.predict_log_proba(X),
                               rtol=0, atol=1e-9 * np.abs(model.predict_joint_log_proba(X)).max())


def test_categorical_nb_reads_category_codes_and_refuses_an_unseen_one():
    from sklearn.naive_bayes import CategoricalNB

    X, _ = __import__("sklearn.datasets").datasets.load_digits(return_X_y=True)
    X = (X // 4).astype(np.int64)  # pixel intensities as 5 categories
    y = __import__("sklearn.datasets").datasets.load_digits().target
    model = CategoricalNB(alpha=0.5, min_categories=5).fit(X[::2], y[::2])
    net = nc.convert(model)
    assert_equivalent(model, net, X[1::2])
    np.testing.assert_allclose(net.predict_log_proba(X), model.predict_log_proba(X),
                               rtol=0, atol=1e-9 * np.abs(model.predict_log_proba(X)).max())
    unseen = X[:1].copy()
    unseen[0, 30] = 9
    with pytest.raises(ValueError, match=r"unknown categories \[9\] in column 30"):
        net.predict(unseen)
    with pytest.raises(IndexError):  # scikit-learn refuses it too, less plainly
        model.predict(unseen)
