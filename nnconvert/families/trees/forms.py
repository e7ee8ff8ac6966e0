"""Which form a tree ensemble takes: the network of step units, or the traversal.

``convert(..., tree_form=...)`` chooses: ``'network'`` (decision and leaf units, what
``draw()`` and ``explain()`` show neuron by neuron), ``'traversal'`` (a walk down every tree,
fast however deep or many the trees), or ``'auto'`` (the network while it stays small, else
the traversal). Both compute the same function, to the bit.
"""

from __future__ import annotations

from ...errors import ConversionError
from ...options import TREE_FORMS, Options
from .network import TreeNetwork
from .traversal import TreeTraversal

#: 'auto' takes the network form up to this many leaf-unit weights (trees × leaves × splits):
#: a tree of depth 7, or a few dozen shallow trees, drawn unit by unit
AUTO_NETWORK_WEIGHTS = 1 << 16

#: 'network' refuses beyond this many bytes of float64 leaf-unit weights
NETWORK_BYTES = 256 << 20


def network_weights(trees: list[dict]) -> tuple[int, int, int]:
    """``(trees, leaves, splits)`` of the network form: its leaf units hold trees × leaves ×
    splits weights, the most leaves and splits of any tree (the others are padded)."""
    leaves = max(int((t["left"] < 0).sum()) for t in trees)
    splits = max(max(1, int((t["left"] >= 0).sum())) for t in trees)
    return len(trees), leaves, splits


def tree_layer(trees: list[dict], n_features: int, options: Options, scale: float = 1.0,
               **kwargs):
    """The layer of ``trees`` in the form ``options.tree_form`` asks for.

    Parameters
    ----------
    trees, n_features, scale, **kwargs
        As :class:`~.traversal.TreeLayer` takes them.
    options : Options
        The conversion's options.

    Raises
    ------
    ConversionError
        If the network form is asked for and the trees split on category codes, or its
        weights would take more than 256 MiB.
    """
    form = options.tree_form
    n_trees, leaves, splits = network_weights(trees)
    weights = n_trees * leaves * splits
    categorical = any(t.get("categorical") is not None and t["categorical"].any()
                      for t in trees)
    if form == "auto":
        small = weights <= AUTO_NETWORK_WEIGHTS and not categorical
        form = "network" if small else "traversal"
    if form == "traversal":
        return TreeTraversal(trees, n_features, scale, **kwargs)
    if categorical:
        raise ConversionError(
            "tree_form='network' cannot hold splits on category codes (a bitset has no step "
            "unit here); use tree_form='traversal' or 'auto'")
    if weights * 8 > NETWORK_BYTES:
        raise ConversionError(
            f"tree_form='network' needs {n_trees} trees × {leaves} leaf units × {splits} "
            f"decision units = {weights:,} weights ({weights * 8 / 2**20:,.0f} MiB in "
            f"float64), over the {NETWORK_BYTES >> 20} MiB the network form may take; use "
            "tree_form='traversal' (the same function, walked) or 'auto'")
    return TreeNetwork(trees, n_features, scale, **kwargs)


__all__ = ["TREE_FORMS", "tree_layer", "network_weights"]
