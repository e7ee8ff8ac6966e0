"""Text vectorizers at the front of a pipeline: run outside the network, their output its input.

Tokenising (splitting documents into words, n-grams, hashes) is not a network, so a pipeline
that starts with ``CountVectorizer``, ``TfidfVectorizer`` or ``HashingVectorizer`` converts
into a network that reads the vectorised matrix, holding a copy of the fitted vectorizer
(:class:`~nnconvert.network.text.TextInput`) that its scikit-learn style methods run on
documents first. A ``TfidfVectorizer`` splits in two: its counting runs outside, its tf-idf
weighting (idf scaling, sublinear tf, normalisation) becomes the network's first layers,
as a ``TfidfTransformer`` step would. A vectorizer anywhere else (after another step, in a
``ColumnTransformer``) is refused with what to do instead.
"""

from __future__ import annotations

from sklearn.feature_extraction.text import TfidfVectorizer

from ..errors import UnsupportedEstimatorError
from ..network.text import VECTORIZERS, TextInput
from ..options import Options
from ..preprocessing.tfidf import tfidf_layers
from ..registry import converts_transformer

__all__ = ["is_vectorizer", "vectorizer_front"]


def is_vectorizer(step) -> bool:
    """Whether ``step`` is a text vectorizer a network can run outside itself."""
    return isinstance(step, VECTORIZERS)


def vectorizer_front(name: str, vectorizer) -> tuple[TextInput, list]:
    """The text input a pipeline's first step ``vectorizer`` becomes, and the layers of its
    tf-idf weighting (none for a counting or hashing vectorizer)."""
    text = TextInput(vectorizer, name)
    layers = []
    if isinstance(vectorizer, TfidfVectorizer):
        layers = tfidf_layers(text.n_features, sublinear_tf=vectorizer.sublinear_tf,
                              idf=vectorizer.idf_ if vectorizer.use_idf else None,
                              norm=vectorizer.norm)
    return text, layers


@converts_transformer(*VECTORIZERS)
def _vectorizer_not_at_front(vectorizer, options: Options) -> list:
    # reached only where a vectorizer is not a pipeline's first step: the pipeline converter
    # takes the first one off before converting the steps
    """Nothing inside a network: a text vectorizer at the front of a pipeline runs outside it (the
    network holds a copy, ``net.text_input``, and reads its sparse output).

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
