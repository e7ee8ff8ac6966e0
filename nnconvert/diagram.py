"""Diagrams of converted networks: network → networkx graph → graphviz.

:func:`to_networkx` turns a :class:`~nnconvert.ConvertedClassifier` into a neuron-level graph,
reading nothing but the layers' own :class:`~nnconvert.layers.LayerDescription` objects (and
the network's ``classes_`` and feature names): no estimator is special-cased, so a new layer
type draws as soon as it describes itself. :func:`draw` lays that graph out for a reader: one
column per layer, wide layers collapsed to their first and last units, biases on the units,
and the network's formula as the title. Rendering happens in-process through pygraphviz,
whose wheels bundle Graphviz, so no ``dot`` executable is needed.
"""

from __future__ import annotations

import math
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import graphviz
import networkx as nx
import numpy as np

from .files import output_file
from .network.votes import pair_index
from .layers import LayerDescription

__all__ = ["to_networkx", "draw", "Diagram", "FORMATS"]

#: file extensions :meth:`Diagram.save` understands, and the Graphviz format each one means
FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}

#: how an activation is spelled out in a layer's caption (others are shown as they are)
ACTIVATION_WORDS = {
    "none": "no activation",
    "σ": "σ (sigmoid)",
    "affine": "elementwise affine",
    "vote": "one-vs-one votes",
}

#: names of hyper-parameters as a formula writes them
PARAMETER_SYMBOLS = {"gamma": "γ", "coef0": "r", "degree": "d"}

_FONT = "Helvetica,Arial,sans-serif"
_POSITIVE, _NEGATIVE, _NEUTRAL = "#1f5fa8", "#c0392b", "#555555"
_FILLS = {"input": "#f2f2f2", "unit": "#eaf2fb", "output": "#fdf0e3"}


# -- formatting ----------------------------------------------------------------------------


def number(value: float) -> str:
    """A float with 3 significant digits and a true minus sign, the same on every machine.

    Diagrams are compared as DOT text, so their numbers must not carry more digits than the
    fitted models reliably share across platforms.
    """
    value = float(value)
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    return f"{value:.3g}".replace("-", "−")


_LONG_DECIMAL = re.compile(r"-?\d+\.\d{3,}(?:e[+-]?\d+)?")


def _short_numbers(text: str) -> str:
    """Shorten the long decimals of ``explain()`` to :func:`number`'s 3 significant digits."""
    return _LONG_DECIMAL.sub(lambda m: number(float(m.group())), text)


def _dot_text(text: str, align: str = "c") -> str:
    """Text for a DOT label: backslashes kept literal, lines centred or left-aligned."""
    text = text.replace("\\", "\\\\")
    if align == "l":
        return "".join(line + "\\l" for line in text.splitlines())
    return text


# -- the neuron-level graph ----------------------------------------------------------------


@dataclass
class _Group:
    """One column of units: an input, a layer, or one step of one branch of a layer."""

    id: str
    kind: str  # "input", "unit" or "output"
    layer: int
    title: str
    activation: str
    connectivity: str
    n_units: int
    bias_note: str | None = None
    parameters: dict = field(default_factory=dict)
    path: tuple[int, ...] = ()  # (branch, step, branch, step, ...) inside a layer

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "layer": self.layer,
            "title": self.title,
            "activation": self.activation,
            "connectivity": self.connectivity,
            "n_units": self.n_units,
            "bias_note": self.bias_note,
            "parameters": dict(self.parameters),
            "path": self.path,
        }


class _GraphBuilder:
    def __init__(self, graph: nx.DiGraph):
        self.graph = graph

    def group(self, group: _Group) -> None:
        self.graph.graph["groups"][group.id] = group.as_dict()

    def layer(self, d: LayerDescription, sources: list[str], layer: int, kind: str,
              prefix: str, path: tuple[int, ...] = (), names=None) -> list[str]:
        """Add a layer's units (or its branches' units); return its output nodes in order."""
        if len(sources) != d.n_in:
            raise ValueError(
                f"layer {d.title!r} reads {d.n_in} values but the layer before it gives "
                f"{len(sources)}: the network's descriptions are inconsistent"
            )
        if d.connectivity == "branches":
            if not d.branches:
                raise ValueError(f"layer {d.title!r} has branches connectivity but no branches")
            self.graph.graph["branches"][prefix] = {
                "title": d.title, "layer": layer, "n_out": d.n_out,
                "steps": [len(branch) for branch in d.branches],
            }
            outputs: list[str] = []
            for b, branch in enumerate(d.branches):
                current = sources
                for s, step in enumerate(branch):
                    current = self.layer(step, current, layer, kind, f"{prefix}b{b}s{s}",
                                         path + (b, s))
                outputs += current
            if len(outputs) != d.n_out:
                raise ValueError(
                    f"layer {d.title!r} declares {d.n_out} outputs but its branches give "
                    f"{len(outputs)}"
                )
            return outputs
        return self.units(d, sources, layer, kind, prefix, path, names)

    def units(self, d, sources, layer, kind, group_id, path, names) -> list[str]:
        self.group(_Group(
            id=group_id, kind=kind, layer=layer, title=d.title, activation=d.activation,
            connectivity=d.connectivity, n_units=d.n_out, bias_note=d.bias_note,
            parameters=d.parameters, path=path,
        ))
        names = names if names is not None else d.unit_names
        if names is None and d.connectivity == "elementwise":
            # unit i transforms input i: call it after its input, primed (x3 → x3′)
            inherited = [self.graph.nodes[s]["name"] for s in sources]
            names = None if None in inherited else [f"{n}′" for n in inherited]
        bias = None if d.bias is None else np.asarray(d.bias, dtype=np.float64).reshape(-1)
        nodes = [f"{group_id}_{j}" for j in range(d.n_out)]
        for j, node in enumerate(nodes):
            self.graph.add_node(
                node, kind=kind, layer=layer, group=group_id, index=j,
                name=None if names is None else str(names[j]),
                activation=d.activation,
                bias=None if bias is None else float(bias[j]),
                bias_note=d.bias_note,
            )
        self.edges(d, sources, nodes)
        return nodes

    def name_pair(self, node: str, first: str, second: str) -> None:
        """Name an unnamed one-vs-one unit after its two classes ("a vs b")."""
        a, b = self.graph.nodes[first]["name"], self.graph.nodes[second]["name"]
        if self.graph.nodes[node]["name"] is None and a is not None and b is not None:
            self.graph.nodes[node]["name"] = f"{a} vs {b}"

    def edges(self, d: LayerDescription, sources: list[str], nodes: list[str]) -> None:
        if d.connectivity == "dense":
            weight = None if d.weight is None else np.asarray(d.weight, dtype=np.float64)
            if weight is not None and weight.shape != (d.n_out, d.n_in):
                raise ValueError(
                    f"layer {d.title!r}: weight has shape {weight.shape}, "
                    f"expected ({d.n_out}, {d.n_in})"
                )
            for j, node in enumerate(nodes):
                for i, source in enumerate(sources):
                    w = None if weight is None else float(weight[j, i])
                    # a weight of exactly zero is no connection (an L1-sparse model, an SVM
                    # pair neuron and the support vectors of the other classes): no edge
                    if w != 0.0:
                        self.graph.add_edge(source, node, weight=w)
        elif d.connectivity == "elementwise":
            if d.n_in != d.n_out:
                raise ValueError(
                    f"layer {d.title!r} is elementwise but maps {d.n_in} values to {d.n_out}"
                )
            for source, node in zip(sources, nodes):
                self.graph.add_edge(source, node, weight=None)
        elif d.connectivity == "pairwise":
            if d.n_in == d.n_out * (d.n_out - 1) // 2:
                # one input per class pair (i, j), feeding the units of classes i and j
                for source, (i, j) in zip(sources, pair_index(d.n_out)):
                    self.name_pair(source, nodes[i], nodes[j])
                    self.graph.add_edge(source, nodes[i], weight=None, pair=(i, j))
                    self.graph.add_edge(source, nodes[j], weight=None, pair=(i, j))
            elif d.n_out == d.n_in * (d.n_in - 1) // 2:
                # one unit per class pair (i, j), reading the scores of classes i and j
                for node, (i, j) in zip(nodes, pair_index(d.n_in)):
                    self.name_pair(node, sources[i], sources[j])
                    self.graph.add_edge(sources[i], node, weight=None, pair=(i, j))
                    self.graph.add_edge(sources[j], node, weight=None, pair=(i, j))
            else:
                raise ValueError(
                    f"layer {d.title!r} is pairwise, but neither {d.n_in} nor {d.n_out} is "
                    f"the number of pairs of the other ({d.n_in} → {d.n_out})"
                )
        else:
            raise ValueError(
                f"layer {d.title!r} has unknown connectivity {d.connectivity!r}; expected "
                "'dense', 'elementwise', 'pairwise' or 'branches'"
            )


def _output_names(head: LayerDescription, classes: list[str]) -> list[str] | None:
    if head.unit_names is not None:
        return list(head.unit_names)
    if head.n_out == len(classes):
        return classes
    if head.n_out == 1 and len(classes) == 2:
        return [f"{classes[1]} vs {classes[0]}"]
    return None


def to_networkx(net, *, feature_names=None, class_names=None) -> nx.DiGraph:
    """The converted network as a neuron-level directed graph.

    Built only from the layers' own descriptions (``net.describe()``), so every layer that
    describes itself is drawn, whatever estimator it came from.

    Parameters
    ----------
    net : nnconvert.ConvertedClassifier or fitted scikit-learn classifier
        A converted network; an estimator is converted first.
    feature_names : sequence of str, optional
        Names of the inputs; default the network's ``feature_names_in_``, else ``x0, x1, …``.
    class_names : sequence of str, optional
        Names of the classes; default ``classes_``.

    Returns
    -------
    networkx.DiGraph
        Nodes carry ``kind`` ("input", "unit" or "output"), ``layer`` (0 for the inputs,
        then 1, 2, …; the output head last), ``group`` (the column the node is drawn in),
        ``index``, ``name``, ``activation``, ``bias`` and ``bias_note``. A dense layer has
        an edge for every non-zero weight (a weight of exactly zero connects nothing).
        Edges carry ``weight`` (None where the connection has no weight of its own, such as
        kernel units, elementwise maps and votes) and, for one-vs-one connections, ``pair``.
        The graph's
        attributes hold ``source``, ``classes``, ``explain`` (``net.explain()``) and
        ``groups``: an ordered mapping from group id to its title, activation, width, layer,
        bias note and hyper-parameters; ``branches`` describes layers made of parallel
        members (their title and the number of steps in each member).
    """
    from .network import ConvertedClassifier

    if not isinstance(net, ConvertedClassifier) and hasattr(net, "fit"):
        from .convert import convert

        net = convert(net)
    describe = getattr(net, "describe", None)
    if not callable(describe) or not hasattr(net, "classes_"):
        raise TypeError(
            "expected a converted network (nnconvert.convert(estimator)) or a fitted "
            f"scikit-learn classifier, got {type(net).__name__}"
        )
    descriptions = describe()
    body, head = descriptions[:-1], descriptions[-1]
    n_features = int(net.n_features_in_)
    if feature_names is None:
        feature_names = getattr(net, "feature_names_in_", None)
    if feature_names is None:
        feature_names = [f"x{i}" for i in range(n_features)]
    feature_names = [str(f) for f in feature_names]
    if len(feature_names) != n_features:
        raise ValueError(
            f"feature_names has {len(feature_names)} names but the network reads "
            f"{n_features} features"
        )
    classes = [str(c) for c in (net.classes_ if class_names is None else class_names)]
    if len(classes) != len(net.classes_):
        raise ValueError(
            f"class_names has {len(classes)} names but the network has {len(net.classes_)} "
            "classes"
        )

    graph = nx.DiGraph(
        source=getattr(net, "source", type(net).__name__),
        classes=classes,
        explain=net.explain(),
        groups={},
        branches={},
    )
    builder = _GraphBuilder(graph)
    builder.group(_Group(id="input", kind="input", layer=0, title="input",
                         activation="none", connectivity="none", n_units=n_features))
    sources = []
    for i, name in enumerate(feature_names):
        node = f"input_{i}"
        graph.add_node(node, kind="input", layer=0, group="input", index=i, name=name,
                       activation=None, bias=None, bias_note=None)
        sources.append(node)
    for k, d in enumerate(body, start=1):
        sources = builder.layer(d, sources, k, "unit", f"L{k}")
    last = len(body) + 1
    builder.layer(head, sources, last, "output", f"L{last}",
                  names=_output_names(head, classes))
    return graph


# -- layout --------------------------------------------------------------------------------


def _shown(n: int, max_units: int) -> tuple[list[int], list[int], int]:
    """The units drawn for a column of ``n``: first ones, last ones, and how many are left out.

    The first and last few units stay, so a reader sees where the column starts and ends;
    one "… N more" node stands for the rest, keeping every column within ``max_units`` nodes.
    """
    if n <= max_units:
        return list(range(n)), [], 0
    first = max_units // 2
    last = max_units - 1 - first
    return list(range(first)), list(range(n - last, n)), n - first - last


def _caption(group: dict) -> str:
    n = group["n_units"]
    if group["kind"] == "input":
        return f"input\n{n} feature{'s' if n != 1 else ''}"
    activation = group["activation"]
    words = ACTIVATION_WORDS.get(activation, activation)
    lines = [group["title"], f"{n} unit{'s' if n != 1 else ''} · {words}"]
    params = [
        f"{PARAMETER_SYMBOLS.get(k, k)} = {number(v) if isinstance(v, float) else v}"
        for k, v in group["parameters"].items()
        if k != "kernel"
    ]
    if params:
        lines.append(", ".join(params))
    if group["bias_note"]:
        lines.append(group["bias_note"])
    # long captions would widen the column far beyond its units: wrap them
    return "\n".join(part for line in lines for part in textwrap.wrap(line, 34) or [""])


def _short(name: str, limit: int = 20) -> str:
    """A name cut to ``limit`` characters, so one long feature name cannot widen a column."""
    return name if len(name) <= limit else name[: limit - 1] + "…"


_BIAS_FORM = re.compile(r"\bb = (\S+)\s*$")


def _unit_label(data: dict, bias: bool) -> str:
    lines = []
    name = data["name"]
    if data["kind"] == "output":
        activation = data["activation"]
        # an activation applied unit by unit is written on the unit; a rule across the layer
        # (argmax, vote) is only in the column's caption
        if activation not in ("none", "argmax", "vote", None) and len(activation) <= 10:
            lines.append(activation if name is None else f"{activation} →")
    if name is not None:
        lines.append(_short(name, 28))
    elif data["kind"] != "output":
        lines.append(f"#{data['index']}")
    if bias and data["bias"] is not None:
        # a note ending "… b = −w0" shows the relation on the unit itself
        match = _BIAS_FORM.search(data["bias_note"] or "")
        form = f"{match.group(1)} = " if match else ""
        lines.append(f"b = {form}{number(data['bias'])}")
    return "\n".join(lines)


def _cluster_id(group_id: str) -> str:
    return f"cluster_{group_id}"


class _Layout:
    """Turns the neuron-level graph into a graphviz.Digraph, one cluster per column."""

    def __init__(self, graph: nx.DiGraph, *, max_units: int, weights: bool, bias: bool):
        self.graph = graph
        self.max_units = max_units
        self.weights = weights
        self.bias = bias
        self.display: dict[str, str] = {}
        self.members: dict[str, list[str]] = {g: [] for g in graph.graph["groups"]}
        for node, data in graph.nodes(data=True):
            self.members[data["group"]].append(node)

    def column(self, dot: graphviz.Digraph, group_id: str) -> None:
        group = self.graph.graph["groups"][group_id]
        nodes = self.members[group_id]
        head, tail, hidden = _shown(len(nodes), self.max_units)
        kind = group["kind"]
        more = f"{group_id}_more"
        with dot.subgraph(name=_cluster_id(group_id)) as column:
            column.attr(label=_dot_text(_caption(group)), rank="same", style="rounded,filled",
                        fillcolor="white" if kind != "input" else "#fafafa",
                        color="#9a9a9a", fontsize="11", labeljust="c", margin="12")
            order = []
            for index in head + ([None] if hidden else []) + tail:
                if index is None:
                    column.node(more, label=f"… {hidden} more", shape="plaintext",
                                fontcolor="#555555")
                    order.append(more)
                    continue
                node = nodes[index]
                data = self.graph.nodes[node]
                if kind == "input":
                    label, shape, style = _short(data["name"]), "box", "rounded,filled"
                else:
                    label, shape, style = _unit_label(data, self.bias), "ellipse", "filled"
                extra = {} if data["name"] is None else {"tooltip": data["name"]}
                column.node(node, label=_dot_text(label), shape=shape, style=style,
                            fillcolor=_FILLS[kind], **extra)
                self.display[node] = node
                order.append(node)
            for node in nodes:
                self.display.setdefault(node, more)
            # invisible edges inside the column keep its units in order; with rankdir=LR
            # a flat edge a -> b puts b above a, so the chain runs from the last unit up
            for a, b in zip(order, order[1:]):
                column.edge(b, a, style="invis")

    def clusters(self, dot: graphviz.Digraph) -> None:
        groups = self.graph.graph["groups"]
        containers = self.graph.graph["branches"]
        for layer in sorted({g["layer"] for g in groups.values()}):
            prefix = "input" if layer == 0 else f"L{layer}"
            if prefix in containers:
                self.nested(dot, prefix)
            else:
                self.column(dot, prefix)

    def nested(self, dot: graphviz.Digraph, prefix: str) -> None:
        """A layer of parallel branches: one cluster per branch, one column per step."""
        container = self.graph.graph["branches"][prefix]
        single = len(container["steps"]) == 1
        with dot.subgraph(name=_cluster_id(prefix)) as outer:
            # one branch is a layer drawn as its steps (kernel units, then their read-out);
            # several are parallel members, each boxed on its own
            label = container["title"]
            if not single:
                label += f"\n{len(container['steps'])} parallel members"
            outer.attr(label=label, style="rounded,dashed", color="#9a9a9a", fontsize="11",
                       labeljust="c")
            if single:
                for s in range(container["steps"][0]):
                    self.step(outer, f"{prefix}b0s{s}")
                return
            # rankdir=LR stacks clusters bottom-up in the order they are written: write the
            # members last to first so that member 1 sits on top
            for b, n_steps in reversed(list(enumerate(container["steps"]))):
                with outer.subgraph(name=_cluster_id(f"{prefix}b{b}")) as branch:
                    branch.attr(label=f"member {b + 1}", style="rounded", color="#cccccc",
                                fontsize="10")
                    for s in range(n_steps):
                        self.step(branch, f"{prefix}b{b}s{s}")

    def step(self, dot: graphviz.Digraph, group_id: str) -> None:
        if group_id in self.graph.graph["branches"]:
            self.nested(dot, group_id)
        else:
            self.column(dot, group_id)

    def group_of(self, drawn: str) -> str:
        """The column of a drawn node (a unit, or a column's "… N more" node)."""
        if drawn.endswith("_more"):
            return drawn[: -len("_more")]
        return self.graph.nodes[drawn]["group"]

    def edges(self, dot: graphviz.Digraph) -> None:
        # every drawn edge stands for the edges between the units it joins
        bundles: dict[tuple[str, str], list] = {}
        scale: dict[str, float] = {}
        for u, v, data in self.graph.edges(data=True):
            bundles.setdefault((self.display[u], self.display[v]), []).append(data["weight"])
            w = data["weight"]
            if w is not None:
                group = self.graph.nodes[v]["group"]
                scale[group] = max(scale.get(group, 0.0), abs(w))
        # labelled edges become obstacles that dot routes around: label only small layers
        into: dict[str, int] = {}
        for (_, v) in bundles:
            group = self.group_of(v)
            into[group] = into.get(group, 0) + 1
        for (u, v), ws in bundles.items():
            attrs = {"arrowsize": "0.5", "color": _NEUTRAL}
            if len(ws) > 1 or v.endswith("_more") or u.endswith("_more"):
                attrs.update(style="dashed", color="#aaaaaa")
                if len(ws) > 1:
                    attrs["tooltip"] = f"{len(ws)} connections"
            elif ws[0] is not None:
                w = ws[0]
                attrs["tooltip"] = f"w = {number(w)}"
                if self.weights:
                    top = scale[self.graph.nodes[v]["group"]] or 1.0
                    attrs["color"] = _POSITIVE if w >= 0 else _NEGATIVE
                    attrs["penwidth"] = f"{0.6 + 3.4 * abs(w) / top:.2f}"
                    if into[self.group_of(v)] <= 8:
                        attrs["label"] = number(w)
                        attrs["fontsize"] = "9"
                        attrs["fontcolor"] = attrs["color"]
            dot.edge(u, v, **attrs)


def _title_text(graph: nx.DiGraph, title, weights: bool) -> str | None:
    if title is False or title is None:
        return None
    text = _short_numbers(graph.graph["explain"]) if title is True else str(title)
    # a very long line would make the picture wide and its units tiny: wrap it, indented
    lines = []
    for line in text.splitlines():
        indent = " " * (len(line) - len(line.lstrip()) + 4)
        lines += textwrap.wrap(line, 96, subsequent_indent=indent, drop_whitespace=False) or [""]
    text = "\n".join(lines)
    if weights:
        text += "\nedges: blue = positive weight, red = negative, width ∝ |weight|"
    return text


def draw(
    net,
    *,
    max_units: int = 8,
    weights: bool = False,
    title: bool | str = True,
    bias: bool = True,
    feature_names=None,
    class_names=None,
) -> "Diagram":
    """Draw a converted network as a diagram a student can read.

    Layers are columns from left to right, each boxed with its title, width and activation;
    a column wider than ``max_units`` shows its first and last units and one "… N more"
    node, and the connections to the units left out are drawn once, dashed.

    Parameters
    ----------
    net : nnconvert.ConvertedClassifier or fitted scikit-learn classifier
        The network to draw; an estimator is converted first.
    max_units : int, default 8
        Most nodes drawn per column (at least 3: first unit, "… N more", last unit).
    weights : bool, default False
        Colour edges by the sign of their weight and size them by its magnitude (weights
        are also labelled on layers with few connections).
    title : bool or str, default True
        True: the network's formula (``net.explain()``); a string: that text; False: none.
    bias : bool, default True
        Write each unit's bias on it, with the estimator's form where the layer gives one
        (a linear SVM's ``b = −w0``).
    feature_names, class_names : sequence of str, optional
        Override the input and class names (see :func:`to_networkx`).

    Returns
    -------
    Diagram
        ``.graph`` is the graphviz.Digraph; ``.svg()``, ``.png()``, ``.pdf()`` and
        ``.save(path)`` render it; notebooks display it directly.

    Examples
    --------
    >>> dia = nc.draw(nc.convert(LogisticRegression().fit(X, y)))   # doctest: +SKIP
    >>> dia.save("logistic.svg")                                     # doctest: +SKIP
    """
    if isinstance(max_units, bool) or not isinstance(max_units, int) or max_units < 3:
        raise ValueError(
            f"max_units must be an integer of at least 3 (first unit, '… N more', last unit), "
            f"got {max_units!r}"
        )
    graph = to_networkx(net, feature_names=feature_names, class_names=class_names)
    dot = graphviz.Digraph(name="network")
    # remincross=false: a second crossing-minimisation pass would break the unit order
    # that each column's invisible chain sets up
    dot.attr(rankdir="LR", newrank="true", remincross="false", nodesep="0.12", ranksep="0.9",
             fontname=_FONT, fontsize="12", labelloc="t", labeljust="l", pad="0.2",
             splines="true")
    dot.attr("node", fontname=_FONT, fontsize="11", margin="0.06,0.03", color="#666666",
             height="0.3")
    dot.attr("edge", fontname=_FONT)
    text = _title_text(graph, title, weights)
    if text is not None:
        dot.attr(label=_dot_text(text, align="l"))
    layout = _Layout(graph, max_units=max_units, weights=weights, bias=bias)
    layout.clusters(dot)
    layout.edges(dot)
    return Diagram(dot, graph)


# -- the result ----------------------------------------------------------------------------


class Diagram:
    """A drawn network: the graphviz graph, and ways to render and save it.

    Rendering runs in-process with pygraphviz (its wheels bundle Graphviz); no ``dot``
    executable is needed.

    Attributes
    ----------
    graph : graphviz.Digraph
        The diagram's DOT description (``graph.source``).
    network : networkx.DiGraph
        The neuron-level graph it was drawn from (see :func:`to_networkx`).
    """

    def __init__(self, graph: graphviz.Digraph, network: nx.DiGraph | None = None):
        self.graph = graph
        self.network = network

    @property
    def source(self) -> str:
        """The DOT source, deterministic for a given network and drawing options."""
        return self.graph.source

    def render(self, format: str, *, dpi: int | None = None) -> bytes:
        """The diagram rendered by Graphviz's ``dot`` layout in ``format`` (svg, png, pdf, …)."""
        import pygraphviz

        agraph = pygraphviz.AGraph(string=self.source)
        args = f"-Gdpi={int(dpi)}" if dpi else ""
        return agraph.draw(format=format, prog="dot", args=args)

    def svg(self) -> str:
        """The diagram as SVG text."""
        return self.render("svg").decode("utf-8")

    def png(self, dpi: int = 144) -> bytes:
        """The diagram as PNG bytes, at ``dpi`` dots per inch."""
        return self.render("png", dpi=dpi)

    def pdf(self) -> bytes:
        """The diagram as PDF bytes."""
        return self.render("pdf")

    def save(self, path) -> Path:
        """Write the diagram to ``path``, in the format its extension names.

        Parameters
        ----------
        path : str or os.PathLike
            Ending in .svg, .png, .pdf, or .dot / .gv (the DOT source itself).

        Returns
        -------
        pathlib.Path
        """
        path = Path(path)
        fmt = FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise ValueError(
                f"cannot save a diagram as {path.name!r}: unknown extension "
                f"{path.suffix or '(none)'!r}; use one of {', '.join(FORMATS)}"
            )
        output_file(path)
        if fmt == "dot":
            path.write_text(self.source, encoding="utf-8")
        elif fmt == "png":
            path.write_bytes(self.png())
        else:
            path.write_bytes(self.render(fmt))
        return path

    def _repr_svg_(self) -> str:
        return self.svg()

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        bundle = {"image/svg+xml": self.svg(), "text/plain": repr(self)}
        if include:
            bundle = {k: v for k, v in bundle.items() if k in include}
        if exclude:
            bundle = {k: v for k, v in bundle.items() if k not in exclude}
        return bundle

    def __repr__(self) -> str:
        source = "a network" if self.network is None else self.network.graph["source"]
        return f"<nnconvert.Diagram of {source}>"
