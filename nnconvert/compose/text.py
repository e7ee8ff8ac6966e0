"""Text vectorizers at the front of a pipeline: run outside the network, their output its input.

Tokenising (splitting documents into words, n-grams, hashes) is not a network, so a pipeline
that starts with ``CountVectorizer``, ``TfidfVectorizer`` or ``HashingVectorizer`` converts
into a network that reads the vectorised matrix, holding a copy of the fitted vectorizer
(:class:`TextInput`, the :class:`~nnconvert.network.stage.InputStage` of a vectorizer) that its scikit-learn style methods run on
documents first. A ``TfidfVectorizer`` splits in two: its counting runs outside, its tf-idf
weighting (idf scaling, sublinear tf, normalisation) becomes the network's first layers,
as a ``TfidfTransformer`` step would. A vectorizer anywhere else (after another step, in a
``ColumnTransformer``) is refused with what to do instead.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping

import numpy as np
import scipy.sparse
from sklearn.feature_extraction.text import CountVectorizer, HashingVectorizer, TfidfVectorizer

from ..errors import UnsupportedEstimatorError
from ..fitted import Fitted
from ..network.stage import InputStage
from ..options import Options
from ..preprocessing.tfidf import weighting_layers
from ..registry import converts_transformer

__all__ = ["TextInput", "is_vectorizer", "vectorizer_front"]

#: the vectorizers a network can run outside itself (TfidfVectorizer is a CountVectorizer)
VECTORIZERS = (CountVectorizer, HashingVectorizer)


class TextInput(InputStage):
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

    input_kind = "documents"
    metadata_key = "text_input"
    nonnegative = True  # term counts

    def __init__(self, vectorizer, step: str):
        if not isinstance(vectorizer, VECTORIZERS):
            raise TypeError(f"a text input runs a CountVectorizer, TfidfVectorizer or "
                            f"HashingVectorizer, got {type(vectorizer).__name__}")
        self.vectorizer = copy.deepcopy(vectorizer)
        self.step = str(step)
        self.n_features = _width(self.vectorizer)

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

    def empty(self) -> np.ndarray:
        return np.empty((0, 0), dtype=self.vectorizer.dtype)

    def as_step(self) -> tuple[str, object]:
        return self.step, copy.deepcopy(self.vectorizer)

    def column_names(self) -> list[str] | None:
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

    def left_out(self) -> str:
        return ("tokenising is not in it: the vectorizer's parameters and vocabulary are in "
                f"its metadata ({self.metadata_key})")

    def metadata(self) -> dict:
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


def is_vectorizer(step) -> bool:
    """Whether ``step`` is a text vectorizer a network can run outside itself."""
    return isinstance(step, VECTORIZERS)


def vectorizer_front(name: str, vectorizer) -> tuple[TextInput, list]:
    """The text input a pipeline's first step ``vectorizer`` becomes, and the layers of its
    tf-idf weighting (none for a counting or hashing vectorizer)."""
    text = TextInput(vectorizer, name)
    layers = []
    if isinstance(vectorizer, TfidfVectorizer):
        layers = weighting_layers(vectorizer, text.n_features)
    return text, layers


def _width(vectorizer) -> int:
    """The width of the count matrix, read through :class:`~nnconvert.fitted.Fitted`: a
    hashing vectorizer's ``n_features``, or the vocabulary's size, where every term has its
    own column (scikit-learn builds the matrix from these indices: one out of range, or two
    terms on one column, would make a matrix scikit-learn's own model never makes)."""
    fitted = Fitted(vectorizer)
    if isinstance(vectorizer, HashingVectorizer):
        return fitted.integer("n_features", low=1)
    vocabulary = fitted.get("vocabulary_")
    if not isinstance(vocabulary, Mapping) or len(vocabulary) == 0:
        raise fitted.error("vocabulary_", f"is an empty or non-mapping "
                                          f"{type(vocabulary).__name__}, but a mapping of "
                                          "terms to columns was expected")
    columns = list(vocabulary.values())
    n = len(columns)
    fitted.indices("vocabulary_", n, value=columns, item="term",
                   what=f"the vocabulary has {n} terms, one column each")
    fitted.unique("vocabulary_", columns)
    return n


@converts_transformer(*VECTORIZERS)
def _vectorizer_not_at_front(vectorizer, options: Options) -> list:
    # reached only where a vectorizer is not a pipeline's first step: the pipeline converter
    # takes the first one off before converting the steps
    """Nothing inside a network: a text vectorizer at the front of a pipeline runs outside it (the
    network holds a copy, ``net.input_stage``, and reads its sparse output).

    Refused: a vectorizer anywhere else (after another step, inside a ``ColumnTransformer``):
    tokenising is not a network.
    """
    name = type(vectorizer).__name__
    raise UnsupportedEstimatorError(
        f"{name} tokenises text, which is not a network: nnconvert runs it outside the "
        "network, before its first layer, and can only do so when it is the first step of a "
        f"Pipeline (make_pipeline({name}(...), ..., model)). A vectorizer after another "
        "step, inside a ColumnTransformer or FeatureUnion, or converted on its own is not "
        "supported: apply it yourself and convert what follows it.")
