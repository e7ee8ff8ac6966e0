"""RandomTreesEmbedding: the leaf units of a forest of random trees are its output.

scikit-learn's ``transform`` one-hot encodes the leaf each row reaches in each tree
(``one_hot_encoder_.transform(apply(X))``): one column per leaf, tree after tree, leaves in
the fitted trees' node order. In the network form of the trees that is literally the layer
of leaf units (decision units, then one step unit per leaf that fires at the leaf the row
reaches); in the traversal form, the walk's leaves scattered into their columns. The output
is a scipy.sparse CSR matrix where the estimator's is (``sparse_output=True``, the default).
``apply`` and ``decision_path`` answer as the forest's (:mod:`.paths`).
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.ensemble import RandomTreesEmbedding

from ...fitted import Fitted
from ...layers import Layer, LayerDescription
from ...network.heads import TransformHead
from ...options import Options
from ...registry import Conversion, converts, converts_transformer
from .forms import tree_layer
from .network import TreeNetwork
from .paths import TreePaths
from .sklearn import tree_arrays

__all__ = ["LeafEmbedding"]


def _refuse(bad: torch.Tensor, message: str) -> None:
    if not torch.compiler.is_exporting() and bool(bad.any()):
        raise ValueError(message)


class LeafEmbedding(Layer):
    """One output unit per leaf of every tree: 1 at the leaf each row reaches.

    Parameters
    ----------
    trees : TreeLayer
        The trees (either form); their read-out is not used.
    column : array-like of int, shape (n_table_nodes,)
        Each table node's output column (−1: an inner node, or a leaf no training row
        reached, which scikit-learn's encoder refuses).
    n_out : int
    sparse_output : bool
        Whether the estimator's ``transform`` returns a sparse matrix.
    """

    def __init__(self, trees, column, n_out: int, sparse_output: bool):
        super().__init__()
        self.trees = trees
        self.register_buffer("column", torch.as_tensor(np.asarray(column, dtype=np.int64)))
        self.n_out = int(n_out)
        self.sparse_output = bool(sparse_output)

    def input_columns(self):
        return self.trees.input_columns()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        columns = self.column[self.trees.path_nodes(x)[:, :, -1]]
        _refuse(columns < 0, "Found unknown categories during transform: a row reaches a leaf "
                             "no training row reached")
        out = x.new_zeros((x.shape[0], self.n_out))
        return out.scatter_(1, columns.clamp(min=0), 1.0)

    def describe(self) -> LayerDescription:
        trees = self.trees.describe()
        common = dict(title=f"random trees embedding ({self.trees.n_trees} trees)",
                      n_in=self.trees.n_features, n_out=self.n_out)
        if isinstance(self.trees, TreeNetwork):
            # the network form's leaf units are the embedding: show them, not the read-out
            leaves = trees.branches[0][0]
            return LayerDescription(
                **common, activation="step", connectivity="branches",
                activation_kind="branches", branches=((leaves,),),
                formula="{y} = the leaf units: 1 at the leaf each row reaches, per tree")
        return LayerDescription(
            **common, activation="walk",
            formula="{y} = one-hot of the leaf each row reaches in each tree (walked)")


def _layers(embedding: RandomTreesEmbedding, options: Options) -> LeafEmbedding:
    fitted = Fitted(embedding)
    n = fitted.n_features
    trees = [tree_arrays(t, classifier=False) for t in fitted.get("estimators_")]
    layer = tree_layer(trees, n, options)
    encoder = fitted.get("one_hot_encoder_")
    categories = Fitted(encoder, "RandomTreesEmbedding.one_hot_encoder_").get("categories_")
    if len(categories) != layer.n_trees:
        raise fitted.error("one_hot_encoder_", f"has {len(categories)} columns of categories "
                                               f"for {layer.n_trees} trees")
    source = layer.node_source.numpy()
    tree_of = layer.node_tree.numpy()
    column = np.full(len(source), -1)
    start = 0
    for t, leaves in enumerate(categories):
        leaves = fitted.array("one_hot_encoder_.categories_", ndim=1, dtype=np.int64, low=0,
                              value=leaves)
        here = np.flatnonzero(tree_of == t)
        position = np.searchsorted(leaves, source[here])
        found = (position < len(leaves)) & (leaves[np.minimum(position, len(leaves) - 1)]
                                            == source[here])
        column[here[found]] = start + position[found]
        start += len(leaves)
    return LeafEmbedding(layer, column, start, bool(embedding.sparse_output))


@converts_transformer(RandomTreesEmbedding)
def _random_trees_embedding(embedding: RandomTreesEmbedding, options: Options) -> list:
    """The leaf units of the forest are the output: one column per leaf, tree after tree (the network
    form's leaf layer, or the walk's leaves scattered into their columns); sparse CSR where
    scikit-learn's is.
    """
    return [_layers(embedding, options)]


@converts(RandomTreesEmbedding)
def _random_trees_embedding_network(embedding: RandomTreesEmbedding, options: Options):
    """On its own, the embedding also answers the forest's ``apply`` and ``decision_path``."""
    layer = _layers(embedding, options)
    return Conversion(layers=[layer], head=TransformHead(layer.n_out),
                      paths=TreePaths(layer.trees, "forest"))
