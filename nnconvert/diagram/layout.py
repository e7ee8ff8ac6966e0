"""The layout of a diagram: which units are shown, how columns are boxed, labelled and joined.

:class:`Layout` turns the neuron-level graph of :mod:`.graph` into a ``graphviz.Digraph``:
one column (a cluster, one rank) per layer, wide columns collapsed to their first and last
units, each column's caption drawn as a node at its top (Graphviz routes edges around nodes
but not around cluster labels), biases on the units. It reads only the graph's fields.
"""

from __future__ import annotations

import math
import re
import textwrap

import graphviz
import networkx as nx
import numpy as np

from ..layers.describe import ACTIVATION_KINDS

__all__ = ["Layout", "number", "title_text", "dot_text"]

#: how an activation kind is spelled out in a column's caption (others: as the layer writes it)
ACTIVATION_WORDS = {
    "identity": "no activation",
    "sigmoid": "σ (sigmoid)",
    "affine": "elementwise affine",
    "vote": "one-vs-one votes",
    "weighted-vote": "weighted vote",
}

#: names of hyper-parameters as a formula writes them
PARAMETER_SYMBOLS = {"gamma": "γ", "coef0": "r", "degree": "d"}

#: the most members of a layer of branches drawn one by one; beyond, the first and the last
MAX_MEMBERS = 3

#: the longest name a unit shows (the full name is its tooltip)
NAME_LIMIT = 24

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


def dot_text(text: str, align: str = "c") -> str:
    """Text for a DOT label: backslashes kept literal, lines centred or left-aligned."""
    text = text.replace("\\", "\\\\")
    if align == "l":
        return "".join(line + "\\l" for line in text.splitlines())
    return text


def _short(name: str, limit: int = NAME_LIMIT) -> str:
    """A name cut to ``limit`` characters, so one long feature name cannot widen a column."""
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _shown_name(data: dict) -> str:
    """A unit's name as drawn: its base name cut to :data:`NAME_LIMIT`, then its primes."""
    return _short(data["base_name"]) + "′" * data["primes"]


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


def _activation_words(group: dict, output: dict | None) -> str:
    """How a column's caption names its activation; ``output`` is the output column when
    this column feeds it directly."""
    kind = group["activation_kind"]
    if kind == "identity" and output is not None and _on_units(output["activation_kind"]):
        # the units' scores only get their activation at the output: say so, so that this
        # column and the σ beside it do not read as contradicting each other
        return f"linear score, {output['activation']} at the output"
    return ACTIVATION_WORDS.get(kind, group["activation"])


def _on_units(kind: str | None) -> bool:
    """Whether the activation is written on each unit (σ →), not only in the caption."""
    return kind is not None and ACTIVATION_KINDS[kind]


def _parameter_text(value) -> str:
    """A hyper-parameter as a caption shows it: a number, or an array's values while they
    are few (a 150 × 4 table of training rows is its shape)."""
    if isinstance(value, float):
        return number(value)
    if isinstance(value, np.ndarray) and value.size > 8:
        return f"({' × '.join(str(n) for n in value.shape)} values)"
    return str(value)


def _caption(group: dict, output: dict | None) -> str:
    n = group["n_units"]
    if group["kind"] == "input":
        lines = textwrap.wrap(group["title"], 34) + [f"{n} feature{'s' if n != 1 else ''}"]
        return "\n".join(lines)
    words = _activation_words(group, output)
    lines = [group["title"], f"{n} unit{'s' if n != 1 else ''} · {words}"]
    params = [f"{PARAMETER_SYMBOLS.get(k, k)} = {_parameter_text(v)}"
              for k, v in group["parameters"].items()]
    if params:
        lines.append(", ".join(params))
    if group["bias_note"]:
        lines.append(group["bias_note"])
    # long captions would widen the column far beyond its units: wrap them
    return "\n".join(part for line in lines for part in textwrap.wrap(line, 34) or [""])


def _unit_label(data: dict, bias: bool) -> str:
    lines = []
    named = data["base_name"] is not None
    if data["kind"] == "output" and _on_units(data["activation_kind"]):
        # an activation applied unit by unit is written on the unit; a rule across the layer
        # (argmax, vote) is only in the column's caption
        lines.append(data["activation"] + (" →" if named else ""))
    if named:
        lines.append(_shown_name(data))
    elif data["kind"] != "output":
        lines.append(f"#{data['index']}")
    if bias and data["bias"] is not None:
        # the estimator's own parameter the bias equals, where the layer gives it (b = −w0)
        form = f"{data['bias_form']} = " if data["bias_form"] else ""
        lines.append(f"b = {form}{number(data['bias'])}")
    return "\n".join(lines)


def _cluster_id(group_id: str) -> str:
    return f"cluster_{group_id}"


def title_text(graph: nx.DiGraph, title, weights: bool) -> str | None:
    """The diagram's title: ``explain()`` (numbers shortened), a given text, or None."""
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


class Layout:
    """Turns the neuron-level graph into a graphviz.Digraph, one cluster per column.

    Parameters
    ----------
    graph : networkx.DiGraph
        From :func:`~nnconvert.diagram.to_networkx`.
    max_units : int
        Most units drawn per column.
    weights, bias : bool
        Draw weights on edges, biases on units (see :func:`~nnconvert.diagram.draw`).
    """

    def __init__(self, graph: nx.DiGraph, *, max_units: int, weights: bool, bias: bool):
        self.graph = graph
        self.max_units = max_units
        self.weights = weights
        self.bias = bias
        self.display: dict[str, str] = {}
        self.collapsed: dict[str, str] = {}  # "… N more" node -> its column
        self.members: dict[str, list[str]] = {g: [] for g in graph.graph["groups"]}
        for node, data in graph.nodes(data=True):
            self.members[data["group"]].append(node)
        groups = graph.graph["groups"]
        output = next(g for g in groups.values() if g["kind"] == "output")
        # the columns of the layer just before the output, which the output reads
        self.feeds_output = {g for g, data in groups.items()
                             if data["layer"] == output["layer"] - 1}
        self.output = output

    def draw(self, dot: graphviz.Digraph) -> None:
        """Add every column and every edge to ``dot``."""
        self.clusters(dot)
        self.edges(dot)

    def column(self, dot: graphviz.Digraph, group_id: str) -> None:
        group = self.graph.graph["groups"][group_id]
        nodes = self.members[group_id]
        head, tail, hidden = _shown(len(nodes), self.max_units)
        kind = group["kind"]
        more = f"{group_id}_more"
        caption = f"{group_id}_caption"
        with dot.subgraph(name=_cluster_id(group_id)) as column:
            column.attr(label="", rank="same", style="rounded,filled",
                        fillcolor="white" if kind != "input" else "#fafafa",
                        color="#9a9a9a", margin="12")
            # the caption is a node at the top of the column, not the cluster's label:
            # edges are routed around nodes, but straight through a cluster's label
            column.node(caption, label=dot_text(_caption(
                group, self.output if group_id in self.feeds_output else None)),
                        shape="plaintext", fontsize="11", margin="0.02,0.02")
            order = [caption]
            for index in head + ([None] if hidden else []) + tail:
                if index is None:
                    column.node(more, label=f"… {hidden} more", shape="plaintext",
                                fontcolor="#555555")
                    self.collapsed[more] = group_id
                    order.append(more)
                    continue
                node = nodes[index]
                data = self.graph.nodes[node]
                if kind == "input":
                    label, shape, style = _shown_name(data), "box", "rounded,filled"
                else:
                    label, shape, style = _unit_label(data, self.bias), "ellipse", "filled"
                extra = {} if data["name"] is None else {"tooltip": data["name"]}
                column.node(node, label=dot_text(label), shape=shape, style=style,
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
            steps = container["steps"]
            shown = range(len(steps))
            if len(steps) > MAX_MEMBERS:
                # many members (a forest's trees): the first and the last stand for the rest
                shown = [0, len(steps) - 1]
                self.hide_members(outer, prefix, range(1, len(steps) - 1))
            # rankdir=LR stacks clusters bottom-up in the order they are written: write the
            # members last to first so that member 1 sits on top
            for b in reversed(shown):
                with outer.subgraph(name=_cluster_id(f"{prefix}b{b}")) as branch:
                    branch.attr(label=f"member {b + 1}", style="rounded", color="#cccccc",
                                fontsize="10")
                    for s in range(steps[b]):
                        self.step(branch, f"{prefix}b{b}s{s}")

    def hide_members(self, dot: graphviz.Digraph, prefix: str, members) -> None:
        """One "… N more members" node in place of ``members`` of a layer of branches: their
        units' edges are drawn to and from it."""
        more = f"{prefix}_more_members"
        groups = [g for g in self.members for b in members if g.startswith(f"{prefix}b{b}s")]
        dot.node(more, label=f"… {len(members)} more members", shape="box",
                 style="rounded,dashed", color="#aaaaaa", fontcolor="#555555")
        self.collapsed[more] = groups[0]
        for group in groups:
            for node in self.members[group]:
                self.display[node] = more

    def step(self, dot: graphviz.Digraph, group_id: str) -> None:
        if group_id in self.graph.graph["branches"]:
            self.nested(dot, group_id)
        else:
            self.column(dot, group_id)

    def group_of(self, drawn: str) -> str:
        """The column of a drawn node (a unit, or a column's "… N more" node)."""
        if drawn in self.collapsed:
            return self.collapsed[drawn]
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
            if u == v:
                continue  # inside members drawn as one "… more" node
            attrs = {"arrowsize": "0.5", "color": _NEUTRAL}
            if len(ws) > 1 or u in self.collapsed or v in self.collapsed:
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
