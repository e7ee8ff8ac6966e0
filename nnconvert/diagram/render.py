"""Rendering: :func:`draw` builds the DOT graph, :class:`Diagram` renders and saves it.

Rendering happens in-process through pygraphviz, whose wheels bundle Graphviz, so no ``dot``
executable is needed. The bundled Graphviz carries its own, older fontconfig, which warns
about the newer elements of the system's font configuration (``unknown element
"reset-dirs"``) on the process's C-level stderr: :func:`_quiet_fontconfig` keeps those lines
off the user's terminal and passes everything else Graphviz writes through.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
from pathlib import Path

import graphviz
import networkx as nx

from ..files import output_file
from .graph import to_networkx
from .layout import Layout, dot_text, title_text

__all__ = ["draw", "Diagram", "FORMATS"]

#: file extensions :meth:`Diagram.save` understands, and the Graphviz format each one means
FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}

_FONT = "Helvetica,Arial,sans-serif"

#: how the bundled fontconfig starts the lines it writes (warnings about the system's config)
_FONTCONFIG_PREFIX = b"Fontconfig "

#: one render at a time: descriptor 2 is the process's, and Graphviz's state is global too
_RENDER_LOCK = threading.Lock()


@contextlib.contextmanager
def _quiet_fontconfig():
    """Capture what C code writes to file descriptor 2 meanwhile; write back all but the
    fontconfig lines.

    Python's ``sys.stderr`` cannot see these writes: they come from the C library inside
    pygraphviz's Graphviz, so the descriptor itself is redirected to a temporary file.
    """
    with _RENDER_LOCK:
        yield from _redirected_stderr()


def _redirected_stderr():
    """The body of :func:`_quiet_fontconfig`, run under its lock."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no descriptor 2 to redirect: leave it
        yield
        return
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            kept = [line for line in sink.read().splitlines(keepends=True)
                    if not line.startswith(_FONTCONFIG_PREFIX)]
            if kept:
                sys.stderr.write(b"".join(kept).decode("utf-8", errors="replace"))
                sys.stderr.flush()


def draw(
    net,
    *,
    max_units: int = 8,
    weights: bool = False,
    title: bool | str = True,
    bias: bool = True,
    feature_names=None,
    class_names=None,
    output_names=None,
) -> "Diagram":
    """Draw a converted network as a diagram a student can read.

    Layers are columns from left to right, each boxed with its title, width and activation;
    a column wider than ``max_units`` shows its first and last units and one "… N more"
    node, and the connections to the units left out are drawn once, dashed.

    Parameters
    ----------
    net : nnconvert.ConvertedNetwork or fitted scikit-learn estimator
        The network to draw (a classifier, regressor or transformer); an estimator is
        converted first (anything :func:`nnconvert.convert` accepts).
    max_units : int, default 8
        Most units drawn per column (at least 3: first unit, "… N more", last unit).
    weights : bool, default False
        Colour edges by the sign of their weight and size them by its magnitude (weights
        are also labelled on layers with few connections).
    title : bool or str, default True
        True: the network's formula (``net.explain()``); a string: that text; False: none.
    bias : bool, default True
        Write each unit's bias on it, with the estimator's form where the layer gives one
        (a linear SVM's ``b = −w0``).
    feature_names, class_names, output_names : sequence of str, optional
        Override the names of the inputs, of a classifier's classes, of a regressor's
        targets or a transformer's outputs (see :func:`to_networkx`).

    Returns
    -------
    Diagram
        ``.graph`` is the graphviz.Digraph; ``.svg()``, ``.png()``, ``.pdf()`` and
        ``.save(path)`` render it; notebooks display it directly.

    Examples
    --------
    >>> import nnconvert as nc
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = load_iris(return_X_y=True)
    >>> dia = nc.draw(nc.convert(LogisticRegression(max_iter=1000).fit(X, y)), weights=True)
    >>> dia.save("logistic.svg").name
    'logistic.svg'
    """
    if isinstance(max_units, bool) or not isinstance(max_units, int) or max_units < 3:
        raise ValueError(
            f"max_units must be an integer of at least 3 (first unit, '… N more', last unit), "
            f"got {max_units!r}"
        )
    graph = to_networkx(net, feature_names=feature_names, class_names=class_names,
                        output_names=output_names)
    dot = graphviz.Digraph(name="network")
    # remincross=false: a second crossing-minimisation pass would break the unit order
    # that each column's invisible chain sets up
    dot.attr(rankdir="LR", newrank="true", remincross="false", nodesep="0.12", ranksep="0.9",
             fontname=_FONT, fontsize="12", labelloc="t", labeljust="l", pad="0.2",
             splines="true")
    dot.attr("node", fontname=_FONT, fontsize="11", margin="0.06,0.03", color="#666666",
             height="0.3")
    dot.attr("edge", fontname=_FONT)
    text = title_text(graph, title, weights)
    if text is not None:
        dot.attr(label=dot_text(text, align="l"))
    Layout(graph, max_units=max_units, weights=weights, bias=bias).draw(dot)
    return Diagram(dot, graph)


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

    Examples
    --------
    >>> import nnconvert as nc
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = load_iris(return_X_y=True)
    >>> diagram = nc.draw(nc.convert(LogisticRegression(max_iter=1000).fit(X, y)))
    >>> diagram.svg().lstrip().startswith("<?xml")
    True
    >>> diagram.save("logistic.png").suffix
    '.png'
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

        args = f"-Gdpi={int(dpi)}" if dpi else ""
        with _quiet_fontconfig():
            agraph = pygraphviz.AGraph(string=self.source)
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
