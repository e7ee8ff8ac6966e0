"""Diagrams of converted networks: network → networkx graph → layout → graphviz.

- :mod:`.graph`: :func:`to_networkx`, the neuron-level graph read from the layers'
  descriptions;
- :mod:`.layout`: which units are shown, the columns, captions and edges (a
  ``graphviz.Digraph``);
- :mod:`.render`: :func:`draw` and :class:`Diagram` (SVG, PNG, PDF, DOT, notebooks).

Classifiers, regressors and transformers draw alike: nothing here knows an estimator.
"""

from .graph import to_networkx
from .layout import number
from .render import FORMATS, Diagram, draw

__all__ = ["to_networkx", "draw", "Diagram", "FORMATS", "number"]
