"""The folded form a network runs by default, while it keeps (and shows) one layer per step.

A converted pipeline keeps its steps as layers: a scaler, then the neurons that read it.
That is what ``draw()`` and ``explain()`` show, what export writes and what training
updates. Folding the scaler into the neurons' weights (:func:`~nnconvert.layers.fuse.fuse_affine`)
gives the same function with one pass over the data fewer. By default
(``convert(..., fuse=None)``) a network therefore *describes* its steps and *runs*, for
inference, their folded copy wherever folding keeps the answers equal to rounding
(``exact_only``: a scaler's offsets small next to its spread; others stay unfolded).

:class:`FoldedForm` holds that copy: built on first use, rebuilt whenever the steps it was
built from change (an optimizer step, ``.to()``, ``load_state_dict``, a replaced layer),
never part of the network's ``state_dict``. With gradients enabled the network runs its
steps themselves, so training updates the parameters it describes.
"""

from __future__ import annotations

import torch
from torch import nn

from ..layers.fuse import fuse_affine

__all__ = ["FoldedForm"]


def _tensor_key(t: torch.Tensor) -> tuple:
    # _version counts in-place writes (optimizer steps, copy_ from load_state_dict); the
    # pointer, dtype and device change with .to(), which may keep the Parameter object
    return (id(t), t.data_ptr(), t._version, t.dtype, t.device)


class FoldedForm:
    """The folded copy of a body (an ``nn.Sequential``), kept in step with it.

    Examples
    --------
    >>> import nnconvert as nc
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> X, y = load_iris(return_X_y=True)
    >>> net = nc.convert(make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y))
    >>> len(net.body), len(FoldedForm().layers(net.body))  # drawn: 2 steps; run: 1 layer
    (2, 1)
    """

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._sources: list = []  # the tensors of the steps that were folded
        self._layers: nn.Sequential | None = None

    def _current_key(self, body: nn.Sequential) -> tuple:
        return (tuple(map(id, body)), tuple(map(_tensor_key, self._sources)))

    def layers(self, body: nn.Sequential) -> nn.Sequential | None:
        """The layers to run in place of ``body``; None where nothing folds (run ``body``)."""
        if self._key is not None and self._key == self._current_key(body):
            return self._layers
        with torch.no_grad():
            folded = fuse_affine(list(body), exact_only=True)
        kept = {id(layer) for layer in folded}
        replaced = [layer for layer in body if id(layer) not in kept]
        self._sources = [t for layer in replaced
                         for t in (*layer.parameters(), *layer.buffers())]
        floating = [t for t in self._sources if t.is_floating_point()]
        if floating:  # new layers are made float64 on the CPU: as the steps they replace
            folded = [layer if id(layer) in self._kept_ids(body) else
                      layer.to(device=floating[0].device, dtype=floating[0].dtype)
                      for layer in folded]
        self._layers = nn.Sequential(*folded) if replaced else None
        self._key = self._current_key(body)
        return self._layers

    @staticmethod
    def _kept_ids(body: nn.Sequential) -> set:
        return {id(layer) for layer in body}

    def __getstate__(self) -> dict:
        # a copy or a pickle of the network rebuilds its own fold (from its own tensors)
        return {"_key": None, "_sources": [], "_layers": None}
