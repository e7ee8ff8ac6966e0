"""The neuron-level graph: a converted network as a networkx graph, read from descriptions.

:func:`to_networkx` reads nothing but the layers' own
:class:`~nnconvert.layers.LayerDescription` objects (``net.describe()``, whose head already
names its units after the classes, targets or output features): no estimator is
special-cased, so a new layer type draws as soon as it describes itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from ..converter import convert
from ..layers import LayerDescription
from ..network import ConvertedNetwork
from ..network.votes import pair_index

__all__ = ["to_networkx"]


@dataclass
class _Group:
    """One column of units: an input, a layer, or one step of one branch of a layer."""

    id: str
    kind: str  # "input", "unit" or "output"
    layer: int
    title: str
    activation: str
    activation_kind: str
    connectivity: str
    n_units: int
    bias_note: str | None = None
    bias_form: str | None = None
    parameters: dict = field(default_factory=dict)
    path: tuple[int, ...] = ()  # (branch, step, branch, step, ...) inside a layer

    def as_dict(self) -> dict:
        data = dict(self.__dict__)
        del data["id"]
        data["parameters"] = dict(self.parameters)
        return data


class _GraphBuilder:
    def __init__(self, graph: nx.DiGraph):
        self.graph = graph

    def group(self, group: _Group) -> None:
        self.graph.graph["groups"][group.id] = group.as_dict()

    def layer(self, d: LayerDescription, sources: list[str], layer: int, kind: str,
              prefix: str, path: tuple[int, ...] = ()) -> list[str]:
        """Add a layer's units (or its branches' units); return its output nodes in order."""
        if len(sources) != d.n_in:
            raise ValueError(
                f"layer {d.title!r} reads {d.n_in} values but the layer before it gives "
                f"{len(sources)}: the network's descriptions are inconsistent"
            )
        if d.connectivity != "branches":
            return self.units(d, sources, layer, kind, prefix, path)
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

    def units(self, d: LayerDescription, sources, layer, kind, group_id, path) -> list[str]:
        self.group(_Group(
            id=group_id, kind=kind, layer=layer, title=d.title, activation=d.activation,
            activation_kind=d.activation_kind, connectivity=d.connectivity, n_units=d.n_out,
            bias_note=d.bias_note, bias_form=d.bias_form, parameters=d.parameters, path=path,
        ))
        names, primes = d.unit_names, [0] * d.n_out
        if names is None and d.connectivity == "elementwise":
            # unit i transforms input i: call it after its input, primed (x3 → x3′); the
            # base name and the primes are kept apart so that a label can shorten the name
            inherited = [self.graph.nodes[s] for s in sources]
            if all(data["base_name"] is not None for data in inherited):
                names = [data["base_name"] for data in inherited]
                primes = [data["primes"] + 1 for data in inherited]
        bias = None if d.bias is None else np.asarray(d.bias, dtype=np.float64).reshape(-1)
        nodes = [f"{group_id}_{j}" for j in range(d.n_out)]
        for j, node in enumerate(nodes):
            self.add_unit(node, kind=kind, layer=layer, group=group_id, index=j,
                          name=None if names is None else str(names[j]), primes=primes[j],
                          activation=d.activation, activation_kind=d.activation_kind,
                          bias=None if bias is None else float(bias[j]),
                          bias_note=d.bias_note, bias_form=d.bias_form)
        self.edges(d, sources, nodes)
        return nodes

    def add_unit(self, node: str, *, name: str | None, primes: int = 0, **data) -> None:
        self.graph.add_node(node, name=None if name is None else name + "′" * primes,
                            base_name=name, primes=primes, **data)

    def name_pair(self, node: str, first: str, second: str) -> None:
        """Name an unnamed one-vs-one unit after its two classes ("a vs b")."""
        a, b = self.graph.nodes[first]["name"], self.graph.nodes[second]["name"]
        if self.graph.nodes[node]["name"] is None and a is not None and b is not None:
            self.graph.nodes[node].update(name=f"{a} vs {b}", base_name=f"{a} vs {b}")

    def edges(self, d: LayerDescription, sources: list[str], nodes: list[str]) -> None:
        if d.connectivity == "dense":
            self.dense(d, sources, nodes)
        elif d.connectivity == "elementwise":
            if d.n_in != d.n_out:
                raise ValueError(
                    f"layer {d.title!r} is elementwise but maps {d.n_in} values to {d.n_out}"
                )
            for source, node in zip(sources, nodes):
                self.graph.add_edge(source, node, weight=None)
        elif d.connectivity == "pairwise":
            self.pairwise(d, sources, nodes)
        elif d.connectivity != "none":  # "none": constant units read no input
            raise ValueError(
                f"layer {d.title!r} has unknown connectivity {d.connectivity!r}; expected "
                "'dense', 'elementwise', 'pairwise', 'branches' or 'none'"
            )

    def dense(self, d: LayerDescription, sources: list[str], nodes: list[str]) -> None:
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

    def pairwise(self, d: LayerDescription, sources: list[str], nodes: list[str]) -> None:
        n_pairs = d.n_out * (d.n_out - 1) // 2
        if n_pairs and d.n_in % n_pairs == 0:
            # per class pair (i, j) one input, or a run of inputs (a member's answers: its
            # prediction and its score), feeding the units of classes i and j
            k = d.n_in // n_pairs
            for p, (i, j) in enumerate(pair_index(d.n_out)):
                for source in sources[p * k:(p + 1) * k]:
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


def _as_network(net):
    """``net`` itself, or the network of a fitted estimator (anything ``convert`` accepts)."""
    if isinstance(net, ConvertedNetwork):
        return net
    if hasattr(net, "fit"):
        return convert(net)
    raise TypeError(
        "expected a converted network (nnconvert.convert(estimator)) or a fitted "
        f"scikit-learn estimator, got {type(net).__name__}"
    )


def to_networkx(net, *, feature_names=None, class_names=None, output_names=None) -> nx.DiGraph:
    """The converted network as a neuron-level directed graph.

    Built only from the layers' own descriptions (``net.describe()``), so every layer that
    describes itself is drawn, whatever estimator it came from.

    Parameters
    ----------
    net : nnconvert.ConvertedNetwork or fitted scikit-learn estimator
        A converted classifier, regressor or transformer; an estimator is converted first.
    feature_names : sequence of str, optional
        Names of the inputs; default the network's ``feature_names_in_``, else ``x0, x1, …``.
    class_names : sequence of str, optional
        Names of a classifier's classes; default ``classes_``.
    output_names : sequence of str, optional
        Names of a regressor's targets (default ``y``, or ``y0 … yk``) or a transformer's
        outputs (default ``get_feature_names_out()``). Give ``class_names`` or this, not both.

    Returns
    -------
    networkx.DiGraph
        Nodes carry ``kind`` ("input", "unit" or "output"), ``layer`` (0 for the inputs,
        then 1, 2, …; the output head last), ``group`` (the column the node is drawn in),
        ``index``, ``name`` (``base_name`` followed by ``primes`` primes: an elementwise map
        of x3 is x3′), ``activation`` (as written), ``activation_kind`` (what it is),
        ``bias``, ``bias_note`` and ``bias_form``. A dense layer has an edge for every
        non-zero weight (a weight of exactly zero connects nothing). Edges carry ``weight``
        (None where the connection has no weight of its own, such as kernel units,
        elementwise maps and votes) and, for one-vs-one connections, ``pair``. The graph's
        attributes hold ``source``, ``outputs`` (the output units' names), ``explain``
        (``net.explain()``) and ``groups``: an ordered mapping from group id to its title,
        activation, width, layer, bias note and form and hyper-parameters; ``branches``
        describes layers made of parallel members (their title and each member's steps).

    Examples
    --------
    >>> import nnconvert as nc
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = load_iris(return_X_y=True)
    >>> graph = nc.to_networkx(nc.convert(LogisticRegression(max_iter=1000).fit(X, y)))
    >>> graph.number_of_nodes() > 0
    True
    """
    net = _as_network(net)
    if class_names is not None and output_names is not None:
        raise ValueError("give class_names or output_names, not both")
    if class_names is not None and not hasattr(net, "classes_"):
        raise ValueError(
            f"class_names names a classifier's classes, but {net.source} is not a classifier: "
            "use output_names"
        )
    labels = class_names if class_names is not None else output_names
    descriptions = net.describe(labels=None if labels is None else [str(n) for n in labels])
    body, head = descriptions[:-1], descriptions[-1]
    n_features = int(net.n_features_in_)
    if feature_names is None:
        feature_names = getattr(net, "feature_names_in_", None)
    stage = net.input_stage
    if feature_names is None and stage is not None:
        feature_names = stage.column_names()  # a vectorizer's: a column per term
    if feature_names is None:
        feature_names = [f"x{i}" for i in range(n_features)]
    feature_names = [str(f) for f in feature_names]
    if len(feature_names) != n_features:
        raise ValueError(
            f"feature_names has {len(feature_names)} names but the network reads "
            f"{n_features} features"
        )

    graph = nx.DiGraph(
        source=net.source,
        outputs=None if head.unit_names is None else list(head.unit_names),
        explain=net.explain(),
        groups={},
        branches={},
    )
    builder = _GraphBuilder(graph)
    # tokenising is not a network: the diagram starts at the vectorizer's matrix and says so
    title = "input" if stage is None else f"{stage.made()} (outside the network)"
    builder.group(_Group(id="input", kind="input", layer=0, title=title,
                         activation="none", activation_kind="identity", connectivity="none",
                         n_units=n_features))
    sources = []
    for i, name in enumerate(feature_names):
        node = f"input_{i}"
        builder.add_unit(node, kind="input", layer=0, group="input", index=i, name=name,
                         activation=None, activation_kind=None, bias=None, bias_note=None,
                         bias_form=None)
        sources.append(node)
    for k, d in enumerate(body, start=1):
        sources = builder.layer(d, sources, k, "unit", f"L{k}")
    last = len(body) + 1
    builder.layer(head, sources, last, "output", f"L{last}")
    return graph
