"""Text input: the fitted vectorizer a network runs before its first layer.

Tokenising is not a network. A pipeline that starts with ``CountVectorizer``,
``TfidfVectorizer`` or ``HashingVectorizer`` becomes a network whose input is the vectorised
(sparse) document-term matrix; the network keeps a copy of the fitted vectorizer as a
:class:`TextInput`, and its scikit-learn style methods run it on documents (a list, array or
Series of strings) before the first layer. ``forward()`` and exported files start at the
matrix. A ``TfidfVectorizer``'s weighting is not part of the text input: its idf scaling and
normalisation are layers of the network (:mod:`nnconvert.preprocessing.tfidf`), so the text
input of a ``TfidfVectorizer`` gives the term counts.
"""

from __future__ import annotations

import copy

import numpy as np
import scipy.sparse
import torch
from sklearn.feature_extraction.text import CountVectorizer, HashingVectorizer, TfidfVectorizer

__all__ = ["TextInput", "looks_like_documents", "documents_refused"]

#: the vectorizers a network can run outside itself (TfidfVectorizer is a CountVectorizer)
VECTORIZERS = (CountVectorizer, HashingVectorizer)


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


class TextInput:
    """A fitted vectorizer run before a network: documents in, the matrix its layers read out.

    Parameters
    ----------
    vectorizer : fitted CountVectorizer, TfidfVectorizer or HashingVectorizer
        Copied: the network never shares it with the pipeline it came from.
    step : str
        The pipeline step's name, for ``explain()`` and messages.

    Attributes
    ----------
    vectorizer : the copy
    step : str
    n_features : int
        Width of the matrix (the vocabulary's size, or ``n_features`` of a hashing vectorizer).
    """

    def __init__(self, vectorizer, step: str):
        if not isinstance(vectorizer, VECTORIZERS):
            raise TypeError(f"a text input runs a CountVectorizer, TfidfVectorizer or "
                            f"HashingVectorizer, got {type(vectorizer).__name__}")
        self.vectorizer = copy.deepcopy(vectorizer)
        self.step = str(step)
        if isinstance(vectorizer, HashingVectorizer):
            self.n_features = int(vectorizer.n_features)
        else:
            self.n_features = len(vectorizer.vocabulary_)

    @property
    def weighted(self) -> bool:
        """Whether the vectorizer weights its counts (a TfidfVectorizer): then the network's
        first layers are that weighting and this input gives the raw counts."""
        return isinstance(self.vectorizer, TfidfVectorizer)

    @property
    def name(self) -> str:
        return type(self.vectorizer).__name__

    def transform(self, documents, model: str) -> scipy.sparse.csr_matrix:
        """The matrix the network's first layer reads, for ``documents``.

        Parameters
        ----------
        documents : str sequence
            A list, tuple, 1-D array or pandas Series of strings (bytes too, decoded as the
            vectorizer says).
        model : str
            The network's estimator, for messages.

        Raises
        ------
        ValueError
            For a single string, an empty sequence, a dataframe or 2-D array, or an element
            that is not a string (a missing value among them), naming the first one.
        """
        documents = self._checked(documents, model)
        if self.weighted:
            # TfidfVectorizer.transform is CountVectorizer.transform, then its weighting: the
            # weighting is the network's first layers, so only the counting runs here
            return CountVectorizer.transform(self.vectorizer, documents).tocsr()
        return self.vectorizer.transform(documents).tocsr()

    def _checked(self, documents, model: str):
        if isinstance(documents, (str, bytes)):
            raise ValueError(
                f"{model} takes a sequence of documents, got a single string; wrap it in a "
                "list: predict([text])")
        if hasattr(documents, "columns"):
            raise ValueError(
                f"X is a dataframe, but {model} reads one text per row: pass the text column "
                "itself (df['text']), not the frame (iterating a frame gives its column "
                "names, which scikit-learn's vectorizer would read as documents)")
        values = np.asarray(documents, dtype=object)
        if values.ndim != 1:
            raise ValueError(
                f"{model} takes a 1-D sequence of documents (one string per row), got an "
                f"array of shape {values.shape}")
        if values.size == 0:
            raise ValueError(f"X has 0 documents; {model} needs at least one")
        if self.vectorizer.input != "file":  # 'file': open file objects, read by scikit-learn
            for i, value in enumerate(values):
                if not isinstance(value, (str, bytes)):
                    raise ValueError(
                        f"document {i} is {value!r} ({type(value).__name__}), not a string: "
                        f"{model} reads text; fill or drop missing texts first "
                        "(series.fillna('') or series.dropna())")
        return values if not isinstance(documents, (list, tuple)) else documents

    def terms(self) -> list[str] | None:
        """The term of each column (the vocabulary in column order); None for a hashing
        vectorizer, whose columns are hashes."""
        if isinstance(self.vectorizer, HashingVectorizer):
            return None
        return [str(t) for t in self.vectorizer.get_feature_names_out()]

    def made(self) -> str:
        """What the vectorizer gives the network, in a few words ("CountVectorizer's term
        counts")."""
        what = "term counts" if self.weighted or type(self.vectorizer) is CountVectorizer \
            else "matrix"
        return f"documents → {self.name}'s {what}"

    def describe(self) -> str:
        """One line for ``explain()``: what runs outside the network, and what it gives."""
        made = ("term counts (its tf-idf weighting is the layers below)" if self.weighted
                else "the document-term matrix")
        return (f"documents → {self.name} (step {self.step!r}, run outside the network by "
                f"the scikit-learn methods) → x: {made}, sparse, {self.n_features} columns")

    def to_dict(self) -> dict:
        """The vectorizer as JSON-ready data (export metadata): its class, step, parameters
        that are plain values, and the vocabulary (term → column) where it has one."""
        params = {key: value for key, value in self.vectorizer.get_params().items()
                  if value is None or isinstance(value, (str, int, float, bool, tuple, list))}
        params.pop("dtype", None)
        # a custom analyzer, tokenizer or preprocessor cannot be written down: name it
        functions = {key: getattr(value, "__qualname__", type(value).__name__)
                     for key, value in self.vectorizer.get_params().items() if callable(value)
                     and key != "dtype"}
        facts = {"vectorizer": self.name, "step": self.step, "n_features": self.n_features,
                 "gives": "term counts" if self.weighted else "its transform",
                 "params": params, "functions": functions,
                 "dtype": np.dtype(self.vectorizer.dtype).name}
        vocabulary = getattr(self.vectorizer, "vocabulary_", None)
        if vocabulary is not None:
            facts["vocabulary"] = {str(term): int(j) for term, j in vocabulary.items()}
        return facts
