"""Zoo entries for extreme learning machines (classifiers and regressors) and random-feature
pipelines.

A pipeline ending in a linear classifier after ``RBFSampler`` or ``Nystroem`` is an ELM whose
hidden layer approximates a kernel. scikit-elm's ELMClassifier joins the zoo where the
package imports (it needs pyarrow through dask.dataframe); tests/test_elm.py covers it
either way.
"""

import importlib.util

from sklearn.kernel_approximation import Nystroem, RBFSampler
from sklearn.linear_model import LogisticRegression, RidgeClassifier, SGDClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.svm import LinearSVC

from nnconvert import ELMClassifier, ELMRegressor

from . import Case

CASES = [
    Case("elm-sigmoid-iris-str", lambda: ELMClassifier(n_hidden=40, random_state=0), "iris",
         "str"),
    Case("elm-tanh-uniform-breast_cancer",
         lambda: make_pipeline(StandardScaler(), ELMClassifier(
             n_hidden=60, activation="tanh", weight_distribution="uniform", random_state=1)),
         "breast_cancer", tags=("binary",)),
    Case("elm-relu-digits-noncontig",
         lambda: make_pipeline(MinMaxScaler(), ELMClassifier(
             n_hidden=120, activation="relu", alpha=0.1, random_state=2)),
         "digits", "noncontiguous"),
    Case("elm-sin-wine", lambda: make_pipeline(StandardScaler(), ELMClassifier(
        n_hidden=30, activation="sin", weight_scale=0.5, random_state=3)), "wine"),
    Case("elm-rbf-blobs", lambda: ELMClassifier(n_hidden=50, activation="rbf", alpha=1e-2,
                                                random_state=4), "blobs"),
    Case("elm-rbf-breast_cancer-str", lambda: make_pipeline(StandardScaler(), ELMClassifier(
        n_hidden=40, activation="rbf", random_state=5)), "breast_cancer", "str",
        tags=("binary",)),
    Case("elm-identity-alpha0-wine", lambda: ELMClassifier(
        n_hidden=8, activation="identity", alpha=0.0, random_state=6), "wine", "str"),
    # regressors: the same hidden layers, a ridge read-out of the targets themselves
    Case("elmreg-sigmoid-diabetes-scaled", lambda: make_pipeline(StandardScaler(), ELMRegressor(
        n_hidden=60, alpha=1e-2, random_state=0)), "diabetes", tags=("pipeline",),
        kind="regressor"),
    Case("elmreg-rbf-friedman", lambda: ELMRegressor(n_hidden=80, activation="rbf", alpha=1e-3,
                                                     random_state=1), "friedman",
         kind="regressor"),
    Case("elmreg-tanh-uniform-diabetes-two-targets", lambda: make_pipeline(
        StandardScaler(), ELMRegressor(n_hidden=40, activation="tanh",
                                       weight_distribution="uniform", random_state=2)),
        "diabetes2", tags=("pipeline", "multioutput"), kind="regressor"),
    Case("rbfsampler-linearsvc-digits",
         lambda: make_pipeline(StandardScaler(), RBFSampler(gamma=0.01, n_components=100,
                                                            random_state=0), LinearSVC()),
         "digits", tags=("hyperplane",)),
    Case("rbfsampler-logreg-breast_cancer",
         lambda: make_pipeline(StandardScaler(), RBFSampler(gamma=0.02, n_components=50,
                                                            random_state=1),
                               LogisticRegression()),
         "breast_cancer", tags=("proba", "binary")),
    Case("nystroem-rbf-sgd-wine-str",
         lambda: make_pipeline(StandardScaler(), Nystroem(n_components=30, random_state=0),
                               SGDClassifier(loss="log_loss", random_state=0)),
         "wine", "str", tags=("proba",)),
    Case("nystroem-poly-ridge-iris",
         # unscaled iris makes the polynomial kernel ill-conditioned for float32
         lambda: make_pipeline(StandardScaler(), Nystroem(kernel="poly", degree=2,
                                                          n_components=10, random_state=0),
                               RidgeClassifier()), "iris"),
    Case("nystroem-sigmoid-logreg-blobs",
         lambda: make_pipeline(Nystroem(kernel="sigmoid", gamma=0.05, coef0=0.5,
                                        n_components=40, random_state=0),
                               LogisticRegression()), "blobs", tags=("proba",)),
    Case("nystroem-linear-params-logreg-breast_cancer",
         lambda: make_pipeline(StandardScaler(), Nystroem(kernel="polynomial",
                                                          kernel_params={"degree": 3},
                                                          coef0=2.0, n_components=25,
                                                          random_state=0),
                               LogisticRegression(max_iter=500)),
         "breast_cancer", tags=("proba", "binary")),
]

if importlib.util.find_spec("skelm") is not None:
    try:
        from skelm import ELMClassifier as SkELMClassifier
        from skelm import ELMRegressor as SkELMRegressor
    except ImportError:  # scikit-elm 0.21a0 without pyarrow: see tests/test_elm.py
        SkELMClassifier = None
    if SkELMClassifier is not None:
        CASES += [
            Case("skelm-tanh-iris-str", lambda: SkELMClassifier(n_neurons=30, random_state=0),
                 "iris", "str", tags=("proba",)),
            Case("skelm-mixed-original-breast_cancer", lambda: make_pipeline(
                StandardScaler(), SkELMClassifier(
                    n_neurons=(20, 10), ufunc=("sigm", "relu"), density=(None, 0.5),
                    include_original_features=True, random_state=0)),
                "breast_cancer", tags=("proba",)),
            Case("skelm-regressor-friedman", lambda: SkELMRegressor(n_neurons=40,
                                                                   random_state=0),
                 "friedman", kind="regressor"),
            Case("skelm-regressor-mixed-diabetes-two-targets", lambda: make_pipeline(
                StandardScaler(), SkELMRegressor(
                    n_neurons=(20, 10), ufunc=("tanh", "relu"), alpha=1e-3,
                    include_original_features=True, random_state=0)),
                "diabetes2", tags=("pipeline", "multioutput"), kind="regressor"),
        ]


def generated(seed: int, n_classes: int, n_features: int, n_samples: int = 80):
    """A small random classification problem for property tests of this family."""
    from sklearn.datasets import make_classification

    return make_classification(
        n_samples=n_samples + 10 * n_classes, n_features=n_features,
        n_informative=n_features, n_redundant=0, n_classes=n_classes,
        n_clusters_per_class=1, random_state=seed,
    )
