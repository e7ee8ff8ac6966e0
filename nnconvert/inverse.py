"""The inverse network of a converted transformer: its ``inverse_transform`` as layers.

Each transformer class registers the layers of its inverse with
:func:`~nnconvert.registry.converts_inverse` (a scaler's inverse is the affine map back, a
projection's the transposed weights plus the mean, an encoder's a read of the codes); a
pipeline's inverse is its steps' inverses in reverse order. :func:`attach_inverse` builds
that network when :func:`nnconvert.convert` converts a transformer, and hangs it on the
forward network as :attr:`~nnconvert.network.ConvertedTransformer.inverse_network`, so
``net.inverse_transform(X)`` answers as the estimator does, and the inverse draws and
exports like any network.

Where scikit-learn has no ``inverse_transform``, neither has the network (AttributeError, as
scikit-learn raises); where it has one nnconvert does not convert, calling it raises
:class:`~nnconvert.errors.UnsupportedEstimatorError` with the reason, and the forward
network is unaffected.
"""

from __future__ import annotations

from .errors import UnsupportedEstimatorError
from .network import ConvertedTransformer, TransformHead
from .options import Options
from .registry import convert_inverse

__all__ = ["attach_inverse", "inverse_width"]


def inverse_width(layers, n_in: int) -> int:
    """The output width of ``layers`` read from an input of ``n_in`` columns."""
    return layers[-1].describe().n_out if layers else n_in


def attach_inverse(estimator, options: Options, net: ConvertedTransformer) -> None:
    """Give ``net`` (converted from ``estimator``) the network of its ``inverse_transform``.

    Sets ``net.inverse_network``, or ``net.inverse_refused`` (the reason) where scikit-learn
    has an inverse that nnconvert does not convert; neither where scikit-learn has none.

    Examples
    --------
    >>> import numpy as np, nnconvert as nc
    >>> from sklearn.decomposition import PCA
    >>> X = np.random.default_rng(0).normal(size=(20, 3))
    >>> net = nc.convert(PCA(n_components=2).fit(X))
    >>> net.inverse_network.n_features_in_, net.inverse_network.head.n_outputs
    (2, 3)
    """
    if not hasattr(estimator, "inverse_transform"):
        return
    try:
        layers = convert_inverse(estimator, options)
    except UnsupportedEstimatorError as error:
        net.inverse_refused = f"{net.source}: {error}"
        return
    n_in = net.head.n_outputs
    width = inverse_width(layers, n_in)
    names = getattr(net, "feature_names_in_", None)
    inverse = ConvertedTransformer(
        layers, TransformHead(width), n_features_in=n_in, source=f"{net.source}, inverse",
        feature_names_out=names if names is not None and len(names) == width else None)
    net.inverse_network = inverse.to(net.dtype)
