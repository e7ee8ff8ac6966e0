"""Diagrams and explain() of every kind of network, and what a first-time reader trips over.

Structured descriptions (the diagram reads fields, never wording), regressors and
transformers drawn like classifiers, and issue 18's explain and diagram fixes. Real models on
scikit-learn's datasets, rendered by the real Graphviz.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pygraphviz
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.svm import SVC, LinearSVC
from test_diagram import svg_texts

import nnconvert as nc
from nnconvert.layers import LayerDescription, LinearUnits
from nnconvert.network.heads import LinearHead

ROOT = Path(__file__).resolve().parent.parent


def diabetes():
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    return X, y.to_numpy()


def cancer():
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    return X, y.to_numpy()


def output_names(G) -> list[str]:
    return [d["name"] for _, d in G.nodes(data=True) if d["kind"] == "output"]


# -- structured descriptions ---------------------------------------------------------------


def test_descriptions_carry_what_the_diagram_reads_as_fields():
    X, y = cancer()
    linear_svm = nc.convert(LinearSVC(C=0.01).fit(X, y)).describe()
    assert linear_svm[0].bias_form == "−w0" and linear_svm[-1].activation_kind == "identity"
    logistic = nc.convert(LogisticRegression(max_iter=5000).fit(X, y)).describe()
    assert logistic[0].bias_form is None and logistic[-1].activation_kind == "sigmoid"
    (binary,) = nc.convert(SVC().fit(X, y)).describe()[:-1]
    kernel, readout = binary.branches[0]
    assert (kernel.activation_kind, readout.bias_form) == ("kernel", "+ρ")
    assert binary.bias_form == "+ρ"
    Xi, yi = X.iloc[:, :4], np.digitize(X.iloc[:, 0], [12, 16])  # three classes
    (multi,) = nc.convert(SVC().fit(Xi, yi)).describe()[:-1]
    assert multi.branches[0][1].bias_form == "−ρ"
    with pytest.raises(ValueError, match="unknown activation_kind 'sigmoidal'"):
        LayerDescription("odd", 1, 1, "σ", "{y} = σ({x})", activation_kind="sigmoidal")


def _one_neuron(**text):
    units = LinearUnits(np.array([[1.0, -1.0]]), np.array([0.5]), **text)
    return nc.ConvertedClassifier([units], LinearHead(1), classes=np.array([0, 1]),
                                  n_features_in=2, source="one neuron")


def test_the_bias_relation_is_read_from_bias_form_not_from_the_note():
    # wording that names a relation is only wording: nothing is drawn from it
    worded = svg_texts(nc.draw(_one_neuron(bias_note="so the bias is b = −w0")).svg())
    assert "b = 0.5" in worded and not any(t.startswith("b = −w0 =") for t in worded)
    # the field alone is enough, whatever the note says (or without one)
    formed = svg_texts(nc.draw(_one_neuron(bias_form="−ρ")).svg())
    assert "b = −ρ = 0.5" in formed


# -- regressors and transformers -----------------------------------------------------------


def test_a_regressor_draws_with_its_target_named_y():
    X, y = diabetes()
    estimator = LinearRegression().fit(X, y)
    G = nc.to_networkx(estimator)  # converted on the fly
    assert output_names(G) == ["y"] and G.graph["outputs"] == ["y"]
    assert [G.nodes[f"input_{i}"]["name"] for i in range(10)] == list(X.columns)
    texts = svg_texts(nc.draw(estimator).svg())
    assert "y" in texts and "1 unit · no activation" in texts
    explained = nc.convert(estimator).explain()
    assert "ŷ = W·x + b" in explained and "predict(x) = ŷ   (shape (n,))" in explained


def test_a_multi_target_regressor_names_its_outputs_y0_to_yk():
    X, y = diabetes()
    Y = np.c_[y, np.sqrt(y), -y]
    net = nc.convert(make_pipeline(StandardScaler(), Ridge(alpha=2.0)).fit(X, Y))
    G = nc.to_networkx(net)
    assert output_names(G) == ["y0", "y1", "y2"]
    texts = svg_texts(nc.draw(net).svg())
    assert {"y0", "y1", "y2"} <= set(texts)
    assert "predict(x) = ŷ   (shape (n, 3))" in net.explain()
    renamed = nc.to_networkx(net, output_names=["sugar", "root", "minus"])
    assert output_names(renamed) == ["sugar", "root", "minus"]
    with pytest.raises(ValueError, match="2 output names were given but .* has 3 outputs"):
        nc.to_networkx(net, output_names=["a", "b"])
    with pytest.raises(ValueError, match="not a classifier: use output_names"):
        nc.draw(net, class_names=["a", "b", "c"])


def test_a_scaler_alone_draws_with_its_output_feature_names():
    X, _ = diabetes()
    scaler = StandardScaler().fit(X)
    net = nc.convert(scaler)
    assert isinstance(net, nc.ConvertedTransformer)
    G = nc.to_networkx(scaler)
    assert output_names(G) == list(scaler.get_feature_names_out())
    texts = svg_texts(nc.draw(scaler, max_units=12).svg())
    assert {"age", "bmi", "s6"} <= set(texts) and "bmi′" in texts
    assert "transform(x) = z" in net.explain()


def test_a_pipeline_of_scalers_draws_every_step():
    X, _ = diabetes()
    pipeline = make_pipeline(StandardScaler(), MinMaxScaler(feature_range=(-1, 1))).fit(X)
    G = nc.to_networkx(pipeline)
    assert output_names(G) == list(pipeline.get_feature_names_out())
    assert G.nodes["L2_3"]["name"] == "bp′′"  # two elementwise maps of input 3
    texts = svg_texts(nc.draw(pipeline).svg())
    assert "standard scaler" in texts and "min-max scaler" in texts
    assert "age′′" in texts and "age" in texts
    explained = nc.convert(pipeline).explain()
    assert "h1 = (x − offset) / scale" in explained and "z = h1 · scale + offset" in explained


# -- issue 18 item 4: explain() wording ----------------------------------------------------


def test_explain_keeps_the_scalers_scale_apart_from_the_scores():
    X, y = cancer()
    text = nc.convert(make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)).explain()
    assert "h1 = (x − offset) / scale" in text
    assert "s = W·h1 + b" in text
    # "s" is the scores only: no formula divides or multiplies by it
    assert not re.search(r"[/·] s\b", text)


def test_explain_shows_a_binary_svcs_kernel_units():
    X, y = cancer()
    estimator = SVC().fit(X, y)
    text = nc.convert(estimator).explain()
    n_units = len(estimator.support_)
    assert f"support vectors → pairs: 30 → {n_units} → 1, activation exp(−γ‖x − sv‖²)" in text


def test_explain_gives_parallel_members_no_activation_of_their_own():
    X, y = cancer()
    Xi, yi = X.iloc[:, :4], np.digitize(X.iloc[:, 0], [12, 16])
    ovr = OneVsRestClassifier(make_pipeline(StandardScaler(), LinearSVC())).fit(Xi, yi)
    text = nc.convert(ovr).explain()
    assert "(one per class: 4 → 3)" in text and "activation branches" not in text


# -- issue 18 item 5: diagram consistency --------------------------------------------------


def test_a_binary_svcs_pair_neuron_and_output_name_the_same_direction():
    X, y = cancer()
    G = nc.to_networkx(SVC().fit(X, y))
    (pair,) = [d["name"] for _, d in G.nodes(data=True) if d["group"] == "L1b0s1"]
    assert pair == "1 vs 0" and output_names(G) == ["1 vs 0"]


def test_a_logistic_neuron_column_does_not_contradict_its_sigmoid_output():
    X, y = cancer()
    texts = svg_texts(nc.draw(LogisticRegression(max_iter=5000).fit(X, y)).svg())
    caption = " ".join(texts)
    assert "1 unit · σ (sigmoid)" in texts  # the output column
    assert "no activation" not in caption
    assert "σ at the output" in caption


def test_long_feature_names_are_cut_alike_in_every_column():
    X, y = cancer()
    X = X.rename(columns={"mean radius": "mean radius of the cell nuclei in the image"})
    net = nc.convert(make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y))
    texts = svg_texts(nc.draw(net).svg())
    cut = "mean radius of the cell…"  # NAME_LIMIT characters, the last one "…"
    assert sorted(t for t in texts if t.startswith("mean radius of")) == [cut, f"{cut}′"]


def _caption_boxes_and_edge_points(source: str):
    """Laid out by Graphviz: the boxes of the column captions (cluster labels or caption
    nodes) and points along every visible edge, in points."""
    graph = pygraphviz.AGraph(string=source)
    graph.layout(prog="dot")
    boxes = []
    for cluster in graph.subgraphs():
        attrs = dict(cluster.graph_attr)
        if attrs.get("label") and attrs.get("lp"):
            x, y = map(float, attrs["lp"].split(","))
            w, h = float(attrs["lwidth"]) * 72, float(attrs["lheight"]) * 72
            boxes.append((x - w / 2, y - h / 2, x + w / 2, y + h / 2))
    for node in graph.nodes():
        if node.endswith("_caption"):
            x, y = map(float, node.attr["pos"].split(","))
            w, h = float(node.attr["width"]) * 72, float(node.attr["height"]) * 72
            boxes.append((x - w / 2, y - h / 2, x + w / 2, y + h / 2))
    points = []
    for edge in graph.edges():
        if edge.attr.get("style") == "invis":
            continue
        spline = [tuple(map(float, p.split(","))) for p in edge.attr["pos"].split()
                  if not p.startswith(("e,", "s,"))]
        for k in range(0, len(spline) - 3, 3):  # cubic Bézier pieces
            p = np.array(spline[k:k + 4])
            for t in np.linspace(0, 1, 25):
                points.append(((1 - t) ** 3 * p[0] + 3 * (1 - t) ** 2 * t * p[1]
                               + 3 * (1 - t) * t ** 2 * p[2] + t ** 3 * p[3]))
    return boxes, points


@pytest.mark.parametrize("max_units", [6, 12])
def test_edges_are_routed_around_the_column_captions(max_units):
    X, y = cancer()
    net = nc.convert(make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y))
    boxes, points = _caption_boxes_and_edge_points(nc.draw(net, max_units=max_units).source)
    assert len(boxes) == 4 and len(points) > 100
    inside = [(x, y) for x, y in points for x0, y0, x1, y1 in boxes
              if x0 + 1 < x < x1 - 1 and y0 + 1 < y < y1 - 1]
    assert not inside


def test_rendering_prints_nothing_on_the_terminal():
    # a fresh process: fontconfig warns once, when the first render loads it
    script = (
        "import nnconvert as nc\n"
        "from sklearn.datasets import load_iris\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "X, y = load_iris(return_X_y=True)\n"
        "diagram = nc.draw(LogisticRegression(max_iter=1000).fit(X, y))\n"
        "assert diagram.svg().startswith('<?xml') and diagram.png()[:4] == b'\\x89PNG'\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_graphviz_messages_other_than_fontconfigs_still_reach_stderr(capfd):
    from nnconvert.diagram.render import _quiet_fontconfig

    with _quiet_fontconfig():
        os.write(2, b'Fontconfig warning: "x.conf", line 6: unknown element "reset-dirs"\n')
        os.write(2, b"Warning: a real Graphviz problem\n")
    assert capfd.readouterr().err == "Warning: a real Graphviz problem\n"
