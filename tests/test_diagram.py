"""Diagrams: the neuron-level graph, the graphviz layout, rendering, and the gallery.

Everything renders through real Graphviz (pygraphviz's bundled library); nothing is mocked.
Golden DOT sources live in tests/golden/ (regenerate with NNCONVERT_UPDATE_GOLDEN=1) and the
committed gallery in diagrams/ (regenerate with ``nnconvert draw --examples diagrams/``).
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pygraphviz
import pytest
from sklearn.linear_model import LogisticRegression
from zoo import fitted, ids

import nnconvert as nc
from nnconvert import gallery
from nnconvert.layers import ActivatedUnits, AffineScaler, LinearUnits
from nnconvert.network.heads import LinearHead

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
SVG_NS = "{http://www.w3.org/2000/svg}"


def net_of(case_id: str):
    estimator, _, _ = fitted(case_id)
    return nc.convert(estimator)


def svg_texts(svg: str) -> list[str]:
    """Every text line of a rendered SVG, after checking that the SVG is well-formed XML."""
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg"
    return [t.text or "" for t in root.iter(f"{SVG_NS}text")]


def svg_node_count(svg: str) -> int:
    """The drawn units and "… N more" nodes (not the columns' caption nodes)."""
    root = ET.fromstring(svg)
    return sum(1 for g in root.iter(f"{SVG_NS}g") if g.get("class") == "node"
               and not g.find(f"{SVG_NS}title").text.endswith("_caption"))


def drawn_edges(dot_source: str) -> list:
    """The visible edges of a diagram, with their attributes, as Graphviz parses them."""
    graph = pygraphviz.AGraph(string=dot_source)
    # copy the attributes out: they are read through the graph, which is freed on return
    edges = [(u, v, dict(e.attr)) for e in graph.edges() for u, v in [e]]
    return [(u, v, attrs) for u, v, attrs in edges if attrs.get("style") != "invis"]


def hand_built(activation: str = "tanh"):
    """A network assembled from layers directly: no estimator behind it at all."""
    hidden = ActivatedUnits(
        np.array([[1.0, -2.0, 0.5], [0.25, 0.0, -1.0]]), np.array([0.5, -0.125]),
        activation=activation, title="hand-made hidden units",
    )
    readout = LinearUnits(np.array([[2.0, -3.0]]), np.array([0.75]), title="read-out",
                          bias_note="hyperplane w·x − w0 = 0, so the bias is b = −w0",
                          bias_form="−w0")
    scaler = AffineScaler([0.0, 1.0, 2.0], [1.0, 2.0, 4.0], mode="center-divide",
                          title="scaler")
    return nc.ConvertedClassifier(
        [scaler, hidden, readout], LinearHead(1, proba="logistic"),
        classes=np.array(["no", "yes"]), n_features_in=3, source="hand-built network",
    )


# -- the neuron-level graph ----------------------------------------------------------------


def test_dense_layer_carries_the_layers_weights_and_biases():
    net = net_of("logreg-iris-str")
    G = nc.to_networkx(net)
    units = net.body[0]
    kinds = [d["kind"] for _, d in G.nodes(data=True)]
    assert (kinds.count("input"), kinds.count("unit"), kinds.count("output")) == (4, 3, 3)
    for j in range(3):
        node = f"L1_{j}"
        assert G.nodes[node]["bias"] == units.bias[j].item()
        assert G.nodes[node]["name"] == net.classes_[j]
        for i in range(4):
            assert G.edges[f"input_{i}", node]["weight"] == units.weight[j, i].item()
    outputs = [n for n, d in G.nodes(data=True) if d["kind"] == "output"]
    assert [G.nodes[n]["name"] for n in outputs] == ["setosa", "versicolor", "virginica"]
    assert all(G.nodes[n]["activation"] == "softmax" for n in outputs)
    assert all(G.in_degree(n) == 1 for n in outputs)  # the head is elementwise
    assert G.number_of_edges() == 4 * 3 + 3


def test_elementwise_scaler_and_pairwise_vote():
    G = nc.to_networkx(net_of("pipe-standard-logreg-breast_cancer"))
    scaler = [n for n, d in G.nodes(data=True) if d["layer"] == 1]
    assert len(scaler) == 30
    assert all(list(G.predecessors(f"L1_{i}")) == [f"input_{i}"] for i in range(30))
    assert G.nodes["L1_4"]["name"] == "x4′"  # an elementwise unit is named after its input

    # the members (merged into one linear layer) answer their prediction and score per pair
    G = nc.to_networkx(net_of("ovo-linearsvc-wine"))
    pairs = {"0 vs 1", "0 vs 2", "1 vs 2"}
    for c in range(3):  # each class's vote reads the answers of the C − 1 pairs it is in
        readers = [G.nodes[p]["name"] for p in G.predecessors(f"L3_{c}")]
        assert len(readers) == 2 * 2
        assert set(readers) == {name for name in pairs if str(c) in name.split(" vs ")}
        assert all(G.edges[p, f"L3_{c}"]["pair"] for p in G.predecessors(f"L3_{c}"))


def test_branches_become_parallel_members():
    net = net_of("ovr-pipeline-wine")
    G = nc.to_networkx(net)
    (branches,) = [d for d in net.describe() if d.branches]
    assert len(branches.branches) == 3
    # per member: its scaler, its neuron, its head, its two answers (score, probability)
    assert G.number_of_nodes() == 13 + 3 * (13 + 1 + 1 + 2) + 3
    for b in range(3):
        # every member reads the shared input through its own scaler
        member = f"L1b{b}s0b0"
        assert list(G.predecessors(f"{member}s0_7")) == ["input_7"]
        assert G.in_degree(f"{member}s1_0") == 13
        readers = set(G.successors(f"{member}s3_0"))
        assert readers and readers <= {f"L2_{c}" for c in range(3)}
    assert G.graph["branches"]["L1"]["steps"] == [1, 1, 1]  # each member is one layer
    assert G.graph["branches"]["L1b0s0"]["steps"] == [4]  # body (2), head, answers


def test_zero_weights_are_no_connection():
    net = net_of("logreg-breast_cancer-liblinear-l1")  # an L1 penalty: a sparse neuron
    weight = net.body[0].weight.detach().numpy()
    assert 0 < np.count_nonzero(weight) < weight.size
    G = nc.to_networkx(net)
    assert G.in_degree("L1_0") == np.count_nonzero(weight)

    net = net_of("svc-rbf-iris")  # a pair neuron reads the support vectors of its two classes
    (expansion,) = [d for d in net.describe() if d.branches]
    kernel, readout = expansion.branches[0]
    G = nc.to_networkx(net)
    for j in range(readout.n_out):
        reads = G.in_degree(f"L1b0s1_{j}")
        assert reads == np.count_nonzero(readout.weight[j]) < kernel.n_out
    assert G.in_degree("L1b0s0_0") == 4  # kernel units read every input


def test_graph_comes_from_descriptions_alone():
    net = hand_built("cos")
    G = nc.to_networkx(net)
    assert G.graph["source"] == "hand-built network"
    assert [G.nodes[f"L2_{j}"]["activation"] for j in range(2)] == ["cos", "cos"]
    assert G.edges["L1_1", "L2_0"]["weight"] == -2.0
    assert G.nodes["L4_0"]["name"] == "yes vs no"


def test_inconsistent_descriptions_are_refused_clearly():
    net = nc.ConvertedClassifier(
        [LinearUnits(np.ones((2, 3))), LinearUnits(np.ones((1, 5)), title="too wide")],
        LinearHead(1), classes=np.array([0, 1]), n_features_in=3, source="broken",
    )
    with pytest.raises(ValueError, match="'too wide' reads 5 values but the layer before"):
        nc.to_networkx(net)


def test_names_can_be_overridden_and_are_checked():
    net = net_of("logreg-iris-str")
    G = nc.to_networkx(net, feature_names=["a", "b", "c", "d"], class_names=["p", "q", "r"])
    assert G.nodes["input_2"]["name"] == "c" and G.nodes["L2_1"]["name"] == "q"
    with pytest.raises(ValueError, match="feature_names has 2 names but the network reads 4"):
        nc.to_networkx(net, feature_names=["a", "b"])
    with pytest.raises(TypeError, match="expected a converted network"):
        nc.to_networkx(np.zeros(3))
    estimator, _, _ = fitted("logreg-iris-str")  # an estimator is converted, as draw() does
    from_estimator, from_net = nc.to_networkx(estimator), nc.to_networkx(net)
    assert list(from_estimator.nodes) == list(from_net.nodes)
    assert list(from_estimator.edges) == list(from_net.edges)


# -- the drawing ---------------------------------------------------------------------------


def test_binary_logistic_regression_draws_one_sigmoid_neuron():
    net = net_of("logreg-breast_cancer")
    texts = svg_texts(nc.draw(net).svg())
    assert "1 unit · σ (sigmoid)" in texts
    assert "σ →" in texts
    assert "1 vs 0" in texts
    assert f"b = {nc.diagram.number(net.body[0].bias.item())}" in texts
    assert any("p(classes_[1] | x) = σ(s)" in t for t in texts)  # the title is explain()


def test_linear_svm_draws_the_sign_flipped_bias():
    net = net_of("linearsvc-breast_cancer")
    texts = svg_texts(nc.draw(net).svg())
    bias = net.body[0].bias.item()
    assert f"b = −w0 = {nc.diagram.number(bias)}" in texts
    assert "1 unit · no activation" in texts
    assert "σ →" not in texts
    caption = " ".join(texts)
    assert "so the bias is b = −w0" in caption


def test_multinomial_logistic_regression_draws_a_softmax_layer_with_class_names():
    texts = svg_texts(nc.draw(net_of("logreg-iris-str")).svg())
    assert "3 units · softmax" in texts
    for name in ("setosa", "versicolor", "virginica"):
        assert name in texts


@pytest.mark.parametrize("max_units", [3, 5, 8])
def test_wide_layers_are_collapsed_within_max_units(max_units):
    net = net_of("logreg-digits-saga-balanced")  # 64 inputs, 10 classes
    diagram = nc.draw(net, max_units=max_units)
    n_nodes = svg_node_count(diagram.svg())
    assert n_nodes <= 3 * max_units  # input, units and output columns
    shown = max_units - 1
    assert f"… {64 - shown} more" in diagram.source
    assert f"… {10 - shown} more" in diagram.source
    # every edge of the network is drawn, alone or inside one dashed summary edge
    total = 0
    for _, _, attrs in drawn_edges(diagram.source):
        match = re.fullmatch(r"(\d+) connections", attrs.get("tooltip") or "")
        total += int(match.group(1)) if match else 1
        if match:
            assert attrs["style"] == "dashed"
    assert total == diagram.network.number_of_edges()


def test_weights_are_coloured_by_sign_and_sized_by_magnitude():
    net = net_of("logreg-iris-str")
    diagram = nc.draw(net, weights=True)
    weight = net.body[0].weight.detach().numpy()
    widths = {}
    for u, v, attrs in drawn_edges(diagram.source):
        if not u.startswith("input_"):
            continue
        w = weight[int(v.split("_")[1]), int(u.split("_")[1])]
        assert attrs["color"] == ("#1f5fa8" if w >= 0 else "#c0392b")
        assert "label" not in attrs  # 12 edges into the layer: too many to label
        widths[abs(w)] = float(attrs["penwidth"])
    ordered = [widths[k] for k in sorted(widths)]
    assert ordered == sorted(ordered) and ordered[-1] == pytest.approx(4.0)
    small = nc.draw(hand_built(), weights=True)  # 5 non-zero weights into the hidden units
    labels = {(u, v): attrs["label"] for u, v, attrs in drawn_edges(small.source)
              if v.startswith("L2_")}
    assert labels == {("L1_0", "L2_0"): "1", ("L1_1", "L2_0"): "−2", ("L1_2", "L2_0"): "0.5",
                      ("L1_0", "L2_1"): "0.25", ("L1_2", "L2_1"): "−1"}
    plain = nc.draw(net)
    assert not any(attrs.get("penwidth") for _, _, attrs in drawn_edges(plain.source))


def test_other_activations_and_title_options():
    diagram = nc.draw(hand_built("tanh"), title="my network")
    texts = svg_texts(diagram.svg())
    assert "2 units · tanh" in texts
    assert "my network" in texts
    assert "b = −w0 = 0.75" in texts  # the bias relation comes from the layer's note
    untitled = nc.draw(hand_built("tanh"), title=False, bias=False)
    assert "my network" not in untitled.source
    assert "b = 0.5" not in untitled.source and "b = −w0 = 0.75" not in untitled.source


@pytest.mark.parametrize("case_id", ids())
def test_every_zoo_model_draws(case_id):
    diagram = nc.draw(net_of(case_id))
    texts = svg_texts(diagram.svg())
    assert "input" in texts
    assert svg_node_count(diagram.svg()) <= 8 * len(diagram.network.graph["groups"])


def test_drawing_is_deterministic_and_accepts_an_estimator():
    estimator, _, _ = fitted("logreg-iris-str")
    assert nc.draw(estimator).source == nc.draw(nc.convert(estimator)).source


def test_bad_arguments_are_explained():
    net = net_of("logreg-iris-str")
    with pytest.raises(ValueError, match="max_units must be an integer of at least 3"):
        nc.draw(net, max_units=2)
    with pytest.raises(TypeError, match="expected a converted network"):
        nc.draw("model.skops")
    with pytest.raises(nc.NotFittedError):
        nc.draw(LogisticRegression())


# -- rendering and saving ------------------------------------------------------------------

MAGIC = {".svg": b"<?xml", ".png": b"\x89PNG\r\n\x1a\n", ".pdf": b"%PDF-", ".dot": b"digraph"}


@pytest.mark.parametrize("suffix", [".svg", ".png", ".pdf", ".dot", ".PNG"])
def test_save_writes_real_files_in_the_extensions_format(tmp_path, suffix):
    diagram = nc.draw(net_of("logreg-iris-str"))
    path = diagram.save(tmp_path / f"network{suffix}")
    data = path.read_bytes()
    assert data.startswith(MAGIC[suffix.lower()])
    assert len(data) > 500
    if suffix == ".svg":
        svg_texts(data.decode("utf-8"))


def test_save_refuses_an_unknown_extension(tmp_path):
    diagram = nc.draw(net_of("logreg-iris-str"))
    with pytest.raises(ValueError, match=r"unknown extension '\.jpg'; use one of \.svg"):
        diagram.save(tmp_path / "network.jpg")
    with pytest.raises(ValueError, match="unknown extension '\\(none\\)'"):
        diagram.save(tmp_path / "network")
    assert not list(tmp_path.iterdir())


def test_notebook_display_and_bytes():
    diagram = nc.draw(net_of("logreg-iris-str"))
    bundle = diagram._repr_mimebundle_()
    svg_texts(bundle["image/svg+xml"])
    assert diagram._repr_svg_() == bundle["image/svg+xml"]
    assert set(diagram._repr_mimebundle_(include={"image/svg+xml"})) == {"image/svg+xml"}
    assert diagram.png().startswith(MAGIC[".png"])
    assert diagram.pdf().startswith(MAGIC[".pdf"])
    assert "LogisticRegression" in repr(diagram)


# -- golden DOT sources and the committed gallery ------------------------------------------

GOLDEN_CASES = {
    "logreg-iris-str": ("logreg-iris-str", {}),
    "ovr-pipeline-wine-max4": ("ovr-pipeline-wine", {"max_units": 4}),
    "hand-built-weights": (None, {"weights": True}),
}


@pytest.mark.parametrize("golden", sorted(GOLDEN_CASES))
def test_dot_source_matches_golden(golden):
    case_id, options = GOLDEN_CASES[golden]
    net = hand_built("tanh") if case_id is None else net_of(case_id)
    source = nc.draw(net, **options).source
    path = GOLDEN / f"{golden}.dot"
    if os.environ.get("NNCONVERT_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(source, encoding="utf-8")
        pytest.skip(f"{path.name} rewritten, not checked: review the diff")
    assert source == path.read_text(encoding="utf-8"), (
        f"{path.name} differs from the drawing; if the change is intended, rerun with "
        "NNCONVERT_UPDATE_GOLDEN=1 and review the diff"
    )


@pytest.mark.parametrize("name", gallery.example_names())
def test_committed_gallery_is_up_to_date(name):
    committed = ROOT / "diagrams" / f"{name}.dot"
    assert committed.exists() and committed.with_suffix(".svg").exists(), (
        f"diagrams/{name}.svg is missing: run `nnconvert draw --examples diagrams/`"
    )
    assert gallery.example_diagram(name).source == committed.read_text(encoding="utf-8"), (
        f"diagrams/{name}.dot is stale: run `nnconvert draw --examples diagrams/`"
    )
    svg_texts(committed.with_suffix(".svg").read_text(encoding="utf-8"))


def test_gallery_has_no_orphans_and_writes_both_files(tmp_path):
    committed = {p.stem for p in (ROOT / "diagrams").glob("*.dot")}
    assert committed <= set(gallery.example_names())
    written = gallery.write_diagrams(tmp_path, only=["logistic_regression_binary"])
    assert [p.name for p in written] == [
        "logistic_regression_binary.svg", "logistic_regression_binary.dot"]
    with pytest.raises(KeyError, match="no gallery example 'nope'"):
        gallery.example("nope")
