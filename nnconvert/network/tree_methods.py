"""``apply`` and ``decision_path``: the methods of networks converted from trees and forests.

A network answers them where its estimator does (a tree, a forest, gradient boosting,
RandomTreesEmbedding converted on its own: the converter hands over a ``TreePaths``, which
:func:`nnconvert.convert` stores as ``net.tree_paths``); elsewhere ``decision_path`` is
absent, as scikit-learn's is. ``apply`` keeps torch's meaning too: ``net.apply(fn)`` with a
function applies it to every submodule, as on any torch module.
"""

from __future__ import annotations

from sklearn.utils.metaestimators import available_if
from torch import nn

__all__ = ["TreeMethods"]


def _has_decision_path(net) -> bool:
    return net.tree_paths is not None and net.tree_paths.has_decision_path


class TreeMethods:
    """Mixed into :class:`~nnconvert.network.ConvertedNetwork`: ``apply`` and
    ``decision_path`` read the network's ``tree_paths`` (None: the estimator has neither)."""

    tree_paths = None

    def _path_input(self, X):
        return self.checked_tensor(self.as_tensor(self._documents_as_matrix(X)))

    def apply(self, X):
        """The leaf each row reaches, as the estimator's ``apply`` (a tree or a forest).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or a function
            A function is torch's ``Module.apply``: called on every submodule.

        Returns
        -------
        numpy.ndarray
            int64 of shape (n_samples,) for a tree, (n_samples, n_estimators) for a forest;
            float64 of shape (n_samples, n_estimators, n_trees_per_stage) for gradient
            boosting, as scikit-learn returns them: the index of the leaf in each fitted tree.

        Examples
        --------
        >>> import nnconvert as nc
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.tree import DecisionTreeClassifier
        >>> X, y = load_iris(return_X_y=True)
        >>> tree = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y)
        >>> (nc.convert(tree).apply(X) == tree.apply(X)).all()
        np.True_
        """
        if callable(X):  # torch's Module.apply(fn)
            return nn.Module.apply(self, X)
        if self.tree_paths is None:
            raise AttributeError(f"{self.source} has no apply: only trees and forests "
                                 "answer it (torch's apply takes a function)")
        return self.tree_paths.apply(self._path_input(X))

    @available_if(_has_decision_path)
    def decision_path(self, X):
        """The nodes each row passes, as the estimator's ``decision_path``.

        In the network form (``tree_form="network"``) the path is read off the units: the
        leaf unit that fires and the decision units it reads.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        indicator : scipy.sparse.csr_matrix of shape (n_samples, n_nodes)
            1 where a row passes a node (the fitted trees' node indices, tree after tree).
        n_nodes_ptr : numpy.ndarray of shape (n_estimators + 1,)
            For a forest only: where each tree's columns start.
        """
        return self.tree_paths.decision_path(self._path_input(X))
