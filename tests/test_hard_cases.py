"""examples/hard_cases.py: the linear model fails where the hidden-layer models succeed, and
every model's network is the same function."""

from __future__ import annotations

import numpy as np
import pytest

import nnconvert as nc


@pytest.fixture(scope="module")
def hard_cases(load_example):
    return load_example("hard_cases")


@pytest.fixture(scope="module")
def rows(hard_cases):
    return hard_cases.evaluate(seed=0)


def test_problems_are_what_their_names_say(hard_cases):
    rng = np.random.default_rng(1)
    X, y = hard_cases.xor(rng, 200)
    assert ((X[:, 0] * X[:, 1] > 0) == (y == 1)).all()
    X, y = hard_cases.donut(rng, 200)
    radius = np.linalg.norm(X, axis=1)
    assert ((radius >= 1) & (radius <= 2) == (y == 1)).all() and y.mean() == 0.5
    X, y = hard_cases.three_modes(rng, 200)
    nearest = np.linalg.norm(X[y == 1, None, :] - hard_cases.MODES, axis=2).argmin(axis=1)
    assert set(nearest) == {0, 1, 2}


def test_linear_model_fails_and_hidden_layers_succeed(rows):
    assert {r["problem"] for r in rows} == {"XOR", "donut", "three modes"}
    for r in rows:
        if r["model"].startswith("linear"):
            assert r["accuracy"] < 0.7, r
        else:
            assert r["accuracy"] > 0.85, r


def test_every_converted_network_agrees_with_its_model(rows):
    assert len(rows) == 12
    assert all(r["agrees"] and r["max_rel_diff"] <= 1e-9 for r in rows), rows


def test_models_are_exposed_for_diagrams_and_the_table_prints(hard_cases, rows, capsys):
    fitted = hard_cases.hard_case_models(seed=0)
    assert set(fitted) == {"XOR", "donut", "three modes"}
    for models in fitted.values():
        assert len(models) == 4
        for model in models.values():
            assert nc.convert(model).explain()
    table = hard_cases.format_table(rows)
    assert table.count("\n") == 12 and "NO" not in table
    hard_cases.main(["--seed", "0"])
    assert "donut" in capsys.readouterr().out


def test_every_network_is_drawn(hard_cases, tmp_path):
    written = hard_cases.draw_networks(tmp_path)
    assert len(written) == 12  # three problems, four models
    assert (tmp_path / "donut_kernel_svm_rbf.svg").read_text().lstrip().startswith("<?xml")
