"""The Tang (2013) example runs, and its sanity checks hold on the real untrained network."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def tang(load_example):
    return load_example("tang_l2svm")


def test_untrained_losses_are_log_c_c_minus_1_and_c(tang):
    X, _, y, _ = tang.digits_split()
    for name, (value, expected, _) in tang.sanity_checks(X, y).items():
        assert value == pytest.approx(expected, rel=1e-3), name


def test_both_heads_train_and_the_table_reports_them(tang):
    errors = tang.compare(seeds=2, epochs=3)
    assert set(errors) == {"softmax", "L2-SVM"}
    for values in errors.values():
        assert len(values) == 2 and all(0.0 <= v < 40.0 for v in values)  # chance is 90%
    table = tang.format_table(errors)
    assert "softmax" in table and "L2-SVM" in table and "±" in table
