"""Zoo entries for text: pipelines that start with a vectorizer, on the sentences of
scikit-learn's dataset descriptions (``zoo.descriptions``), labelled by topic (strings)."""

from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import (
    CountVectorizer,
    HashingVectorizer,
    TfidfTransformer,
    TfidfVectorizer,
)
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.naive_bayes import BernoulliNB, ComplementNB, MultinomialNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer
from sklearn.svm import SVC, LinearSVC

from . import Case

CASES = [
    Case("text-tfidf-logreg", lambda: make_pipeline(TfidfVectorizer(), LogisticRegression(
        C=10.0, max_iter=1000)), "descriptions", tags=("text", "proba")),
    Case("text-tfidf-sublinear-l1-bigrams-linearsvc", lambda: make_pipeline(
        TfidfVectorizer(sublinear_tf=True, norm="l1", ngram_range=(1, 2), min_df=2),
        LinearSVC()), "descriptions", tags=("text",)),
    Case("text-tfidf-noidf-sgd-modified-huber", lambda: make_pipeline(
        TfidfVectorizer(use_idf=False, stop_words="english"),
        SGDClassifier(loss="modified_huber", random_state=0)), "descriptions",
         tags=("text", "proba")),
    Case("text-count-tfidftransformer-multinomialnb", lambda: make_pipeline(
        CountVectorizer(), TfidfTransformer(smooth_idf=False), MultinomialNB(alpha=0.1)),
         "descriptions", tags=("text", "proba")),
    Case("text-count-bigrams-complementnb", lambda: make_pipeline(
        CountVectorizer(ngram_range=(1, 2)), ComplementNB()), "descriptions",
         tags=("text", "proba")),
    Case("text-count-binary-bernoullinb", lambda: make_pipeline(
        CountVectorizer(binary=True, lowercase=False), BernoulliNB()), "descriptions",
         tags=("text", "proba")),
    Case("text-hashing-tfidf-sublinear-logreg", lambda: make_pipeline(
        HashingVectorizer(n_features=2**10, alternate_sign=False, norm=None),
        TfidfTransformer(sublinear_tf=True), LogisticRegression(max_iter=1000)),
         "descriptions", tags=("text", "proba")),
    Case("text-hashing-normalizer-linearsvc", lambda: make_pipeline(
        HashingVectorizer(n_features=2**11), Normalizer(norm="max"), LinearSVC()),
         "descriptions", tags=("text",)),
    Case("text-tfidf-svd-logreg", lambda: make_pipeline(
        TfidfVectorizer(), TruncatedSVD(30, random_state=0), LogisticRegression()),
         "descriptions", tags=("text", "proba")),
    Case("text-tfidf-svc-rbf", lambda: make_pipeline(TfidfVectorizer(), SVC(C=10.0)),
         "descriptions", tags=("text",)),
]
