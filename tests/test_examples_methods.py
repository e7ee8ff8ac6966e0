"""The inverse/decision-path and RBM examples run, and what they print is true."""

from __future__ import annotations


def test_inverse_and_paths_example(load_example, tmp_path):
    example = load_example("inverse_and_paths")
    result = example.main(["--draw", str(tmp_path)])
    assert result["inverse"]["max_rel_diff"] <= 1e-12
    assert result["paths"]["same"]
    assert (tmp_path / "inverse.svg").exists() and (tmp_path / "tree.svg").exists()
    assert "back to the features" in result["diagrams"]["inverse"].svg()


def test_rbm_example(load_example, tmp_path):
    example = load_example("rbm_sigmoid_layer")
    result = example.main(["--draw", str(tmp_path / "rbm.svg")])
    assert result["gap"] <= 1e-12 and result["report"].passed
    assert result["report"].n_disagreements == 0
    assert (tmp_path / "rbm.svg").exists()
    sigmoid = [d for d in result["net"].describe() if d.activation_kind == "sigmoid"]
    assert len(sigmoid) == 1 and sigmoid[0].n_out == 32
