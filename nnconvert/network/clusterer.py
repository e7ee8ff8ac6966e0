"""ConvertedClusterer: a torch module that assigns clusters as the scikit-learn clusterer does.

A clusterer's head reads the body's output ``z`` (squared distances to the centres, or a
mixture's weighted log-likelihoods) and answers ``predict`` (the index of the cluster label in
``classes_``), and where scikit-learn has them ``transform`` (distances to the centres),
``predict_proba`` (a mixture's responsibilities) and ``score_samples`` (a mixture's log
density). ``fit_predict`` is fitting, not inference: the network has none.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from sklearn.utils.metaestimators import available_if

from .heads import Head
from .labelled import LabelledNetwork

__all__ = ["ClusterHead", "ConvertedClusterer", "CLUSTER_METHODS"]

#: the methods a clusterer's network may answer besides ``predict``, in order
CLUSTER_METHODS = ("transform", "predict_proba", "score_samples")


class ClusterHead(Head):
    """Base class of clusterer heads.

    Subclasses set which of :data:`CLUSTER_METHODS` they answer (``has_transform``,
    ``has_proba``, ``has_score_samples``) and implement :meth:`predict_index` and those
    methods. ``forward`` (the exported scores) is :meth:`scores`.
    """

    kind = "clusterer"
    has_transform: bool = False
    has_proba: bool = False
    has_score_samples: bool = False
    #: how the exported file names the raw scores (the first of its outputs)
    scores_name: str = "scores"

    @property
    def methods(self) -> tuple[str, ...]:
        flags = (self.has_transform, self.has_proba, self.has_score_samples)
        return (*(m for m, on in zip(CLUSTER_METHODS, flags) if on), "predict")

    def answer(self, z: torch.Tensor, method: str) -> torch.Tensor:
        if method == "predict":
            return self.predict_index(z)
        if method in self.methods:
            return getattr(self, method)(z)
        raise AttributeError(f"this clusterer has no {method}")

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.scores(z)

    def scores(self, z: torch.Tensor) -> torch.Tensor:
        """The raw scores ``forward`` returns (each head says which)."""
        return z

    @property
    def scores_method(self) -> str | None:
        """The scikit-learn method whose answer :meth:`scores` is, or None (no such method)."""
        return None

    def predict_index(self, z: torch.Tensor) -> torch.Tensor:  # pragma: no cover - abstract
        raise NotImplementedError

    def transform(self, z: torch.Tensor) -> torch.Tensor:
        raise AttributeError("this clusterer has no transform")

    def predict_proba(self, z: torch.Tensor) -> torch.Tensor:
        raise AttributeError("this clusterer has no predict_proba")

    def score_samples(self, z: torch.Tensor) -> torch.Tensor:
        raise AttributeError("this clusterer has no score_samples")

    #: whether the estimator's ``score`` is k-means' −inertia (see :meth:`nearest_squared`)
    has_inertia: bool = False

    def nearest_squared(self, z: torch.Tensor) -> torch.Tensor:
        """Each row's squared distance to its nearest cluster centre, where ``score`` is
        k-means' ``−Σ`` of them (``has_inertia``)."""
        raise AttributeError("this clusterer has no inertia")

    def fused_predict(self, body: torch.nn.Sequential, x: torch.Tensor
                      ) -> torch.Tensor | None:
        """:meth:`predict_index` computed from the body's input ``x`` without the body's
        output, where the head knows a faster way (a compiled argmin over the centres
        that never holds the rows × centres matrix); None: take the body's path."""
        return None


def _has(method: str):
    return lambda net: method in net.head.methods


class ConvertedClusterer(LabelledNetwork):
    """A fitted scikit-learn clusterer (or mixture) rebuilt from neural-network layers.

    ``forward`` maps a tensor of features to the head's raw scores (the distances to the
    centres for a k-means model, the weighted log-likelihood per component for a mixture);
    :meth:`predict` returns cluster labels exactly as the estimator's ``predict`` (dtype
    included), and :meth:`transform`, :meth:`predict_proba`, :meth:`score_samples` and
    :meth:`score` exist where the estimator has them. Build one with
    :func:`nnconvert.convert`.

    Attributes
    ----------
    classes_ : numpy.ndarray
        The cluster labels ``predict`` can return, in the order of the head's indices.
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np, nnconvert as nc
    >>> from sklearn.cluster import KMeans
    >>> X = np.random.default_rng(0).normal(size=(60, 2))
    >>> km = KMeans(n_clusters=3, n_init=3, random_state=0).fit(X)
    >>> net = nc.convert(km)
    >>> bool((net.predict(X) == km.predict(X)).all())
    True
    """

    output_symbol = "z"

    def _title(self) -> str:
        return f"{self.source} as a network, cluster labels = {self.classes_.tolist()}:"

    @available_if(_has("transform"))
    def transform(self, X) -> np.ndarray:
        """Distances to the cluster centres, as the estimator's ``transform``.

        Returns
        -------
        numpy.ndarray of shape (n_samples, n_clusters)
        """
        return self._answer(X, "transform")

    @available_if(_has("predict_proba"))
    def predict_proba(self, X) -> np.ndarray:
        """Each component's posterior probability, as the estimator's ``predict_proba``.

        Returns
        -------
        numpy.ndarray of shape (n_samples, n_components)
        """
        return self._answer(X, "predict_proba")

    @available_if(_has("score_samples"))
    def score_samples(self, X) -> np.ndarray:
        """The log density of each row, as the estimator's ``score_samples``.

        Returns
        -------
        numpy.ndarray of shape (n_samples,)
        """
        return self._answer(X, "score_samples")

    @available_if(lambda net: "score_samples" in net.head.methods or net.head.has_inertia)
    def score(self, X, y=None) -> float:
        """A mixture's ``score`` (the mean log density over the rows), or a k-means model's
        (``−inertia``: minus the sum of each row's squared distance to its nearest centre)."""
        if "score_samples" in self.head.methods:
            return float(np.mean(self.score_samples(X)))
        with torch.no_grad():
            z = self.body(self.checked_tensor(self.as_tensor(X)))
            return -float(self.head.nearest_squared(z).sum())

    def _fused_predict(self, x: torch.Tensor, methods) -> torch.Tensor | None:
        """The head's fused ``predict`` of ``x`` (see :meth:`ClusterHead.fused_predict`),
        where ``predict`` is asked for and no gradient is; None: the body's path."""
        if "predict" not in methods or x.requires_grad:
            return None
        return self.head.fused_predict(self.body, x)  # (no grad context: export traces this)

    # predict need not hold the body's (rows × centres) output: the head may answer it in
    # one fused pass; the other methods, gradients, export and a GPU keep the body's path
    # (verify asks for predict beside them, so it checks the fused labels too)
    def output_tensors(self, x: torch.Tensor, methods: Sequence[str]) -> dict:
        x = self.checked_tensor(x)
        index = self._fused_predict(x, self._known(methods))
        if index is None:
            return super().output_tensors(x, methods)
        rest = [m for m in methods if m != "predict"]
        answers = super().output_tensors(x, rest) if rest else {}
        return {m: index if m == "predict" else answers[m] for m in methods}

    def _outputs_of(self, x: torch.Tensor, methods: tuple, finite_unchecked: bool = False
                    ) -> dict[str, np.ndarray] | None:
        # (x not yet checked finite: the body's output answers for it, so the body runs)
        index = None if finite_unchecked else self._fused_predict(x, self._known(methods))
        if index is None:
            return super()._outputs_of(x, methods, finite_unchecked)
        rest = tuple(m for m in methods if m != "predict")
        answers = super()._outputs_of(x, rest, finite_unchecked) if rest else {}
        if answers is None:  # a value that is not finite: the full path decides
            return None
        return {m: self._to_numpy(m, index) if m == "predict" else answers[m]
                for m in methods}

    def _output_names(self, n_out: int, labels=None) -> list[str] | None:
        if labels is None and n_out == len(self.classes_):
            labels = [f"cluster {c}" for c in self.classes_.tolist()]
        return super()._output_names(n_out, labels)
