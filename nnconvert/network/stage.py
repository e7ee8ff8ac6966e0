"""Input stages: what a network runs outside itself, before its first layer.

Some pipelines start with a step that is not a network (a text vectorizer splits documents
into words). Such a step is an :class:`InputStage`: the scikit-learn style methods run it on
what the user passes (documents) and feed its output, the matrix :meth:`forward` reads, to the
first layer; ``forward()`` and exported files start at that matrix. This module holds the
interface only, and knows no estimator: :mod:`nnconvert.compose.text` implements it for
scikit-learn's vectorizers. Downstream (verify, export, the diagram, the way back, the
command line) reads the interface, never a vectorizer.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse
import torch

__all__ = ["InputStage", "looks_like_documents", "documents_refused"]


class InputStage:
    """A fitted stage run before a network: raw input in, the matrix its layers read out.

    Attributes
    ----------
    n_features : int
        Width of the matrix it gives (the network's ``n_features_in_``).
    name : str
        What it is, in a word or two (the class of the fitted step).
    input_kind : str
        What it reads: "documents" (one text per row), which the command line and the data
        sources use to read its input.
    metadata_key : str
        The key its :meth:`metadata` is written under in exported files.
    nonnegative : bool
        Whether its matrix holds no negative value (counts): export traces on such values.
    """

    n_features: int
    name: str = "input stage"
    input_kind: str = "documents"
    metadata_key: str = "input_stage"
    nonnegative: bool = False

    def accepts(self, X) -> bool:
        """Whether ``X`` is this stage's input (to transform) rather than its matrix."""
        return looks_like_documents(X)

    def transform(self, X, model: str):
        """The matrix the first layer reads, for ``X``; ``model`` names the network in
        messages."""
        raise NotImplementedError

    def empty(self) -> np.ndarray:
        """A matrix of no rows and no columns, of the dtype the stage gives."""
        return np.empty((0, 0))

    def column_names(self) -> list[str] | None:
        """A name for each column of its matrix (None: no names)."""
        return None

    def made(self) -> str:
        """What it gives the network, in a few words, for the diagram's input box."""
        return f"input → {self.name}"

    def describe(self) -> str:
        """One line for ``explain()``: what runs outside the network, and what it gives."""
        return f"{self.made()} (outside the network) → x, {self.n_features} columns"

    def left_out(self) -> str:
        """What an exported file lacks of the stage, and where its metadata says it."""
        return (f"the {self.name} is not in it: what it needs is in its metadata "
                f"({self.metadata_key})")

    def metadata(self) -> dict:
        """The stage as JSON-ready data, for exported files."""
        return {"stage": self.name, "n_features": self.n_features}

    def as_step(self) -> tuple[str, object]:
        """``(name, fitted step)`` of a fresh copy, to put back at the front of a pipeline
        (:func:`nnconvert.to_sklearn`)."""
        raise NotImplementedError


def looks_like_documents(X) -> bool:
    """Whether ``X`` is text rather than a matrix: a string, or a 1-D list, tuple, array or
    Series whose first element is a string or bytes."""
    if isinstance(X, (str, bytes)):
        return True
    if scipy.sparse.issparse(X) or isinstance(X, torch.Tensor) or hasattr(X, "columns"):
        return False
    if isinstance(X, (list, tuple)):
        return len(X) > 0 and isinstance(X[0], (str, bytes))
    if isinstance(X, np.ndarray) or hasattr(X, "iloc"):
        array = np.asarray(X)
        return (array.ndim == 1 and array.size > 0
                and (array.dtype.kind in "US" or isinstance(array.flat[0], (str, bytes))))
    return False


def documents_refused(X, model: str) -> ValueError:
    """The error for documents given to a network that reads numbers only."""
    what = "a string" if isinstance(X, (str, bytes)) else f"{len(X)} strings (documents)"
    return ValueError(
        f"X is {what}, but {model} reads a matrix of features, not text: it was not converted "
        "from a pipeline that starts with a text vectorizer. Vectorise the documents first "
        "(vectorizer.transform(documents)), or convert the whole Pipeline(vectorizer, ..., "
        "model) so that the network runs the vectorizer itself. If they are the values of "
        "one categorical column, pass them as a column: a dataframe, or a 2-D array "
        "(np.reshape(X, (-1, 1))).")
