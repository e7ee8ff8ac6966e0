"""Zoo entries for naive Bayes classifiers (networks with predict_proba and predict_log_proba)."""

from sklearn.naive_bayes import BernoulliNB, ComplementNB, GaussianNB, MultinomialNB

from . import Case

CASES = [
    Case("complementnb-iris", ComplementNB, "iris", tags=("bayes",)),
    Case("bernoullinb-iris-str", lambda: BernoulliNB(binarize=1.5, alpha=0.5), "iris",
         labels="str", tags=("bayes",)),
    Case("multinomialnb-digits", MultinomialNB, "digits", tags=("bayes",)),
    Case("multinomialnb-wine-alpha", lambda: MultinomialNB(alpha=0.01, fit_prior=False), "wine",
         labels="noncontiguous", tags=("bayes",)),
    Case("gaussiannb-iris", GaussianNB, "iris", tags=("bayes",)),
    Case("gaussiannb-wine-str", GaussianNB, "wine", labels="str", tags=("bayes",)),
    Case("gaussiannb-cancer-priors", lambda: GaussianNB(priors=[0.3, 0.7], var_smoothing=1e-6),
         "breast_cancer", tags=("bayes",)),
    Case("gaussiannb-blobs", GaussianNB, "blobs", tags=("bayes",)),
    Case("complementnb-cancer-norm", lambda: ComplementNB(norm=True), "breast_cancer",
         tags=("bayes",)),
    Case("bernoullinb-digits", lambda: BernoulliNB(binarize=4.0), "digits", tags=("bayes",)),
]
