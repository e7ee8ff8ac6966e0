"""Hostile fitted attributes: every non-tree family refuses a tampered model at conversion.

A cross product of real fitted models (zoo cases of every family, a pipeline's step where the
family lives inside one) and kinds of tampering (a wrong width, a wrong dtype, NaN, a value
outside the attribute's domain: a zero divisor, a negative variance, an index past the
classes, ...). Each tampered model must fail ``convert`` with one ``InvalidModelError`` that
names the attribute, never convert into a network that fails (or answers) at predict time.
The original estimator is never touched: each case tampers with a deep copy.
"""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris
from sklearn.naive_bayes import CategoricalNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.svm import SVC
from zoo import BY_ID, fitted

import nnconvert as nc


# -- kinds of tampering: each takes the attribute's value and returns a hostile one ------------

def _narrower(value):
    """Drop the last entry along the last axis: a width that contradicts the rest."""
    return np.array(value)[..., :-1]


def _strings(value):
    return np.full(np.shape(value), "x", dtype=object)


def _nan(value):
    if np.ndim(value) == 0:
        return float("nan")
    hostile = np.array(value, dtype=np.float64)
    hostile.flat[0] = np.nan
    return hostile


def _set_first(new):
    def tamper(value):
        hostile = np.array(value, copy=True)
        hostile.flat[0] = new
        return hostile
    return tamper


def _constant(new):
    return lambda value: new


def _first_repeated(value):
    hostile = np.array(value, copy=True)
    hostile[-1] = hostile[0]
    return hostile


def _repeated_in_a_feature(value):
    """Repeat a category of the first feature that has several."""
    i = next(i for i, cats in enumerate(value) if len(cats) > 1)
    return [*value[:i], _first_repeated(value[i]), *value[i + 1:]]


def _one_more_first(value):
    hostile = np.array(value, copy=True)
    hostile[0] += 1
    return hostile


def _with(attribute, tamper):
    """A copy of a fitted part (a KernelPCA's centerer) with one attribute tampered."""
    def edit(part):
        hostile = copy.deepcopy(part)
        setattr(hostile, attribute, tamper(getattr(hostile, attribute)))
        return hostile
    return edit


def _knots(tamper):
    """A SplineTransformer's B-splines with the first one's knots tampered."""
    def edit(bsplines):
        hostile = [copy.copy(b) for b in bsplines]
        hostile[0].t = tamper(hostile[0].t)
        return hostile
    return edit


def _first_layer_components(tamper):
    """A scikit-elm model's hidden layers with the first layer's projection tampered."""
    def edit(layers):
        hostile = copy.deepcopy(layers)
        hostile[0].projection_.components_ = tamper(hostile[0].projection_.components_)
        return hostile
    return edit


def _indices_of_first(tamper):
    """A ColumnTransformer's resolved input columns with the first transformer's tampered."""
    def edit(indices):
        hostile = dict(indices)
        first = next(iter(hostile))
        hostile[first] = tamper(np.asarray(hostile[first]))
        return hostile
    return edit


def _column(of_first):
    """A vocabulary whose first term reads another column: ``of_first(vocabulary)``."""
    def edit(vocabulary):
        hostile = dict(vocabulary)
        hostile[next(iter(hostile))] = of_first(vocabulary)
        return hostile
    return edit


COMMON = {"width": _narrower, "dtype": _strings, "nan": _nan}


def kinds(*names, **domain):
    """The named common kinds, plus domain tamperings given as ``name=function``."""
    return {**{n: COMMON[n] for n in names}, **domain}


#: (zoo case, the component's class, attribute, kinds of tampering)
TAMPERS = [
    ("logreg-iris-str", "LogisticRegression", "coef_", kinds("width", "dtype", "nan")),
    ("logreg-iris-str", "LogisticRegression", "intercept_", kinds("width", "nan")),
    ("logreg-iris-str", "LogisticRegression", "classes_", kinds(repeated=_first_repeated)),
    ("linearsvc-breast_cancer", "LinearSVC", "coef_", kinds("width", "nan")),
    ("sgd-hinge-iris", "SGDClassifier", "intercept_", kinds("width", "nan")),
    ("ridge-breast_cancer", "RidgeClassifier", "coef_", kinds("width", "dtype")),
    ("lda-iris", "LinearDiscriminantAnalysis", "coef_", kinds("width", "nan")),
    ("ridge-diabetes-two-targets", "Ridge", "coef_", kinds("width", "nan")),
    ("linreg-diabetes", "LinearRegression", "intercept_", kinds("nan", "dtype")),
    ("bayesianridge-diabetes", "BayesianRidge", "sigma_", kinds("width", "nan")),
    ("bayesianridge-diabetes", "BayesianRidge", "alpha_",
     kinds("nan", negative=_constant(-1.0))),
    ("poisson-diabetes", "PoissonRegressor", "coef_", kinds("width", "nan")),
    ("svc-rbf-iris", "SVC", "support_vectors_", kinds("width", "dtype", "nan")),
    ("svc-rbf-iris", "SVC", "dual_coef_", kinds("width", "nan")),
    ("svc-rbf-iris", "SVC", "intercept_", kinds("width", "nan")),
    ("svc-rbf-iris", "SVC", "_n_support",
     kinds("width", inconsistent=_one_more_first, negative=_set_first(-1))),
    ("svc-rbf-iris", "SVC", "_gamma", kinds("nan", "dtype", negative=_constant(-0.5))),
    ("svc-poly-wine-auto-coef0", "SVC", "degree", kinds(negative=_constant(-2),
                                                        fraction=_constant(2.5))),
    ("svc-poly-wine-auto-coef0", "SVC", "coef0", kinds("nan")),
    ("nusvc-poly-iris-proba", "NuSVC", "_probA", kinds("width", "nan")),
    ("svr-rbf-diabetes", "SVR", "dual_coef_", kinds("width", "nan")),
    ("svr-rbf-diabetes", "SVR", "support_vectors_", kinds("width")),
    ("knn-iris", "KNeighborsClassifier", "_fit_X", kinds("width", "nan")),
    ("knn-iris", "KNeighborsClassifier", "n_neighbors",
     kinds(zero=_constant(0), too_many=_constant(10**6), dtype=_constant("5"))),
    ("knn-iris", "KNeighborsClassifier", "_y", kinds(past_classes=_set_first(3),
                                                     negative=_set_first(-1))),
    ("knnreg-diabetes", "KNeighborsRegressor", "_y", kinds("width", "nan")),
    ("radius-wine-distance-str", "RadiusNeighborsClassifier", "radius",
     kinds("nan", negative=_constant(-1.0))),
    ("radius-iris-outliers", "RadiusNeighborsClassifier", "outlier_label_",
     kinds(scalar=_constant(0), two_targets=_constant([0, 1]))),
    ("gaussiannb-iris", "GaussianNB", "theta_", kinds("width", "nan")),
    ("gaussiannb-iris", "GaussianNB", "var_", kinds("width", zero=_set_first(0.0),
                                                    negative=_set_first(-1.0))),
    ("gaussiannb-iris", "GaussianNB", "class_prior_", kinds("width", above_one=_set_first(2.0))),
    ("multinomialnb-digits", "MultinomialNB", "feature_log_prob_",
     kinds("width", "nan", positive=_set_first(1.0))),
    ("bernoullinb-digits", "BernoulliNB", "feature_log_prob_", kinds("width", "nan")),
    ("complementnb-iris", "ComplementNB", "feature_log_prob_", kinds("width", "nan")),
    ("qda-iris", "QuadraticDiscriminantAnalysis", "means_", kinds("width", "nan")),
    ("qda-iris", "QuadraticDiscriminantAnalysis", "scalings_",
     kinds(negative=lambda v: [_set_first(-1.0)(v[0]), *v[1:]], short=lambda v: v[:-1])),
    ("centroid-iris", "NearestCentroid", "centroids_", kinds("width", "nan")),
    ("centroid-iris", "NearestCentroid", "within_class_std_dev_",
     kinds("width", negative=_set_first(-1.0))),
    ("mlp-relu-iris-str", "MLPClassifier", "coefs_",
     kinds(narrower=lambda v: [_narrower(v[0]), *v[1:]], nan=lambda v: [*v[:-1], _nan(v[-1])],
           short=lambda v: v[:-1])),
    ("mlp-relu-iris-str", "MLPClassifier", "intercepts_",
     kinds(narrower=lambda v: [_narrower(v[0]), *v[1:]])),
    ("mlp-relu-iris-str", "MLPClassifier", "out_activation_",
     kinds(ignored=_constant("identity"), multilabel_rule=_constant("logistic"))),
    ("mlpreg-tanh-friedman", "MLPRegressor", "out_activation_", kinds(ignored=_constant("relu"))),
    ("elm-sigmoid-iris-str", "ELMClassifier", "hidden_weights_", kinds("width", "nan")),
    ("elm-sigmoid-iris-str", "ELMClassifier", "coef_", kinds("width", "nan")),
    ("elmreg-rbf-friedman", "ELMRegressor", "gamma_", kinds("nan", negative=_constant(-1.0))),
    ("kernelridge-rbf-diabetes", "KernelRidge", "X_fit_", kinds("width", "nan")),
    ("kernelridge-rbf-diabetes", "KernelRidge", "dual_coef_", kinds("width", "nan")),
    ("isotonic-bmi-diabetes-clip", "IsotonicRegression", "X_thresholds_",
     kinds("nan", unsorted=lambda v: np.array(v)[::-1])),
    ("isotonic-bmi-diabetes-clip", "IsotonicRegression", "y_thresholds_", kinds("width", "nan")),
    ("isotonic-bmi-diabetes-clip", "IsotonicRegression", "f_",
     kinds(other_y=_with("y", lambda y: y + 1.0), other_x=_with("x", lambda x: x * 2.0),
           not_an_interpolant=_constant(np.interp))),
    ("isotonic-bmi-diabetes-clip", "IsotonicRegression", "increasing_",
     kinds(dtype=_constant("yes"))),
    ("isotonic-bmi-diabetes-clip", "IsotonicRegression", "out_of_bounds",
     kinds(unknown=_constant("wrap"))),
    ("adaboost-logreg-iris", "AdaBoostClassifier", "estimator_weights_",
     kinds("nan", "dtype", short=lambda v: v[:-1], negative=_set_first(-1.0),
           zero=lambda v: np.zeros_like(v))),
    ("adaboost-digits", "AdaBoostClassifier", "estimator_weights_",
     kinds("nan", short=lambda v: v[:-1], zero=lambda v: np.zeros_like(v))),
    ("adaboost-diabetes", "AdaBoostRegressor", "estimator_weights_",
     kinds("nan", short=lambda v: v[:-1], negative=_set_first(-1.0))),
    ("gb-wine", "GradientBoostingClassifier", "n_trees_per_iteration_",
     kinds(one=_constant(1), zero=_constant(0), dtype=_constant("3"))),
    ("gb-breast_cancer", "GradientBoostingClassifier", "n_trees_per_iteration_",
     kinds(two=_constant(2))),
    ("gb-wine", "GradientBoostingClassifier", "estimators_",
     kinds(narrower=lambda v: v[:, :-1])),
    ("gb-wine", "GradientBoostingClassifier", "learning_rate",
     kinds("nan", negative=_constant(-0.1))),
    ("gb-wine", "GradientBoostingClassifier", "init_",
     kinds(narrower=_with("class_prior_", _narrower), nan=_with("class_prior_", _nan),
           above_one=_with("class_prior_", _set_first(2.0)), unknown=_constant("one"))),
    ("gb-huber-diabetes", "GradientBoostingRegressor", "init_",
     kinds(nan=_with("constant_", _nan), wider=_with("constant_", lambda v: np.zeros((1, 2))))),
    ("hgb-iris", "HistGradientBoostingClassifier", "n_trees_per_iteration_",
     kinds(one=_constant(1))),
    ("stack-breast_cancer", "StackingClassifier", "stack_method_",
     kinds(unknown=lambda v: ["transform", *v[1:]], short=lambda v: v[:-1])),
    ("stack-ridge-knn-diabetes", "StackingRegressor", "stack_method_",
     kinds(unknown=lambda v: [*v[:-1], "fit"], dtype=_constant("predict"))),
    ("ovo-logreg-digits", "OneVsOneClassifier", "estimators_", kinds(short=lambda v: v[:-1])),
    ("ovr-logreg-iris", "OneVsRestClassifier", "estimators_", kinds(short=lambda v: v[:-1])),
    ("ovr-logreg-breast_cancer-binary", "OneVsRestClassifier", "estimators_",
     kinds(two=lambda v: [v[0], v[0]])),
    ("coltrans-scale-minmax-remainder-logreg-wine", "ColumnTransformer",
     "_transformer_to_input_indices",
     kinds(past_the_end=_indices_of_first(lambda i: np.r_[i[:-1], 10**6]),
           negative=_indices_of_first(lambda i: np.r_[-1, i[1:]]),
           fraction=_indices_of_first(lambda i: i + 0.5))),
    ("coltrans-scale-minmax-remainder-logreg-wine", "ColumnTransformer", "output_indices_",
     kinds(missing=_constant({}))),
    ("coltrans-scale-minmax-remainder-logreg-wine", "ColumnTransformer", "transformers_",
     kinds(pair=lambda v: [v[0][:2], *v[1:]])),
    ("dummy-prior-wine", "DummyClassifier", "class_prior_",
     kinds("width", "nan", above_one=_set_first(2.0))),
    ("dummyreg-median-diabetes", "DummyRegressor", "constant_", kinds("nan", "dtype")),
    ("pipe-standard-logreg-breast_cancer", "StandardScaler", "scale_",
     kinds("width", "nan", zero=_set_first(0.0))),
    ("pipe-standard-logreg-breast_cancer", "StandardScaler", "mean_", kinds("width", "nan")),
    ("pipe-minmax-range-logreg-digits", "MinMaxScaler", "scale_", kinds("width", "nan")),
    ("pipe-maxabs-robust-sgd-iris", "RobustScaler", "scale_", kinds(zero=_set_first(0.0))),
    ("pipe-maxabs-robust-sgd-iris", "MaxAbsScaler", "scale_", kinds("width", "nan")),
    ("pca-whiten-wine", "PCA", "components_", kinds("width", "nan")),
    ("pca-whiten-wine", "PCA", "mean_", kinds("width")),
    ("pca-whiten-wine", "PCA", "explained_variance_", kinds("width",
                                                            negative=_set_first(-1.0))),
    ("truncatedsvd-digits", "TruncatedSVD", "components_", kinds("width", "nan")),
    ("fastica-wine", "FastICA", "components_", kinds("width", "nan")),
    ("power-yeo-johnson-wine", "PowerTransformer", "lambdas_", kinds("width", "nan", "dtype")),
    ("quantile-uniform-digits", "QuantileTransformer", "quantiles_",
     kinds("width", "nan", unsorted=lambda v: np.array(v)[::-1])),
    ("quantile-uniform-digits", "QuantileTransformer", "references_",
     kinds("width", above_one=_set_first(2.0))),
    ("variance-imputer-diabetes", "SimpleImputer", "statistics_",
     kinds("width", infinite=_set_first(np.inf))),
    ("bins-quantile-ordinal-wine", "KBinsDiscretizer", "bin_edges_",
     kinds(short=lambda v: v[:-1], unsorted=lambda v: [np.array(v[0])[::-1], *v[1:]],
           nan=lambda v: [_nan(v[0]), *v[1:]])),
    ("rbfsampler-logreg-breast_cancer", "RBFSampler", "random_weights_", kinds("width", "nan")),
    ("rbfsampler-logreg-breast_cancer", "RBFSampler", "random_offset_", kinds("width", "nan")),
    ("nystroem-rbf-sgd-wine-str", "Nystroem", "components_", kinds("width", "nan")),
    ("nystroem-rbf-sgd-wine-str", "Nystroem", "normalization_", kinds("width", "nan")),
    ("pls-diabetes", "PLSRegression", "_x_mean", kinds("width", "nan")),
    ("target-encoder-multiclass-digits", "TargetEncoder", "categories_",
     kinds(repeated=_repeated_in_a_feature, short=lambda v: v[:-1])),
    ("target-encoder-multiclass-digits", "TargetEncoder", "encodings_",
     kinds(narrower=lambda v: [_narrower(v[0]), *v[1:]], nan=lambda v: [_nan(v[0]), *v[1:]])),
    ("kernel-pca-rbf-wine", "KernelPCA", "X_fit_", kinds("width", "nan", "dtype")),
    ("kernel-pca-rbf-wine", "KernelPCA", "eigenvalues_",
     kinds("width", "nan", negative=_set_first(-1.0))),
    ("kernel-pca-poly-iris", "KernelPCA", "eigenvectors_", kinds("nan", "dtype")),
    ("kernel-pca-poly-iris", "KernelPCA", "gamma_", kinds("nan", negative=_constant(-1.0))),
    ("kernel-pca-poly-iris", "KernelPCA", "coef0", kinds("nan")),
    ("kernel-pca-poly-iris", "KernelPCA", "degree", kinds(negative=_constant(-2))),
    ("kernel-pca-poly-iris", "KernelPCA", "_centerer",
     kinds(narrower=_with("K_fit_rows_", _narrower), nan=_with("K_fit_all_", _nan))),
    ("spline-periodic-wine", "SplineTransformer", "bsplines_",
     kinds(short=lambda v: v[:-1], nan=_knots(_nan), unsorted=_knots(lambda t: t[::-1]),
           fewer_knots=_knots(lambda t: t[:-1]))),
    ("spline-quantile-linear-no-bias-diabetes", "SplineTransformer", "degree",
     kinds(negative=_constant(-1), fraction=_constant(2.5))),
    ("text-count-tfidftransformer-multinomialnb", "TfidfTransformer", "idf_",
     kinds("width", "nan")),
    ("text-tfidf-logreg", "TfidfVectorizer", "idf_", kinds("nan")),
    ("text-count-bigrams-complementnb", "CountVectorizer", "vocabulary_",
     kinds(past_the_end=_column(len), repeated=_column(lambda v: list(v.values())[1]),
           negative=_column(lambda v: -1))),
    ("normalizer-l2-wine", "Normalizer", "norm", kinds(unknown=_constant("l3"))),
    ("bagging-logreg-wine", "BaggingClassifier", "estimators_features_",
     kinds(past_the_end=lambda v: [np.r_[v[0][:-1], 10**6], *v[1:]],
           negative=lambda v: [np.r_[-1, v[0][1:]], *v[1:]], short=lambda v: v[:-1])),
    ("bagging-ridge-friedman", "BaggingRegressor", "estimators_features_",
     kinds(past_the_end=lambda v: [np.r_[v[0][:-1], 10**6], *v[1:]])),
    ("text-hashing-normalizer-linearsvc", "HashingVectorizer", "n_features",
     kinds(zero=_constant(0), dtype=_constant("1024"))),
]

if "skelm-tanh-iris-str" in BY_ID:  # scikit-elm imports
    TAMPERS += [
        ("skelm-tanh-iris-str", "ELMClassifier", "hidden_layers_",
         kinds(narrower=_first_layer_components(_narrower),
               nan=_first_layer_components(_nan), empty=_constant([]))),
        # coef_ and intercept_ are read-only properties returning the solver's
        ("skelm-tanh-iris-str", "ELMClassifier", "solver_",
         kinds(narrower=_with("coef_", _narrower), nan=_with("coef_", _nan),
               intercept_nan=_with("intercept_", _nan),
               intercept_wider=_with("intercept_", lambda v: np.zeros(7)))),
        ("skelm-tanh-iris-str", "ELMClassifier", "n_features_",
         kinds(zero=_constant(0), dtype=_constant("4"))),
        ("skelm-regressor-friedman", "ELMRegressor", "solver_",
         kinds(narrower=_with("coef_", _narrower), nan=_with("coef_", _nan))),
        ("skelm-regressor-mixed-diabetes-two-targets", "ELMRegressor", "hidden_layers_",
         kinds(narrower=_first_layer_components(_narrower))),
    ]


def _component(estimator, name: str):
    for part in [estimator] + ([s for _, s in estimator.steps]
                               if isinstance(estimator, Pipeline) else []):
        if type(part).__name__ == name:
            return part
    raise LookupError(f"no {name} in {estimator!r}")


CROSS = [pytest.param(case, cls, attribute, kind, tamper,
                      id=f"{case}-{attribute}-{kind}")
         for case, cls, attribute, table in TAMPERS for kind, tamper in table.items()]


@pytest.mark.parametrize("case_id, cls, attribute, kind, tamper", CROSS)
def test_a_tampered_attribute_is_refused_at_conversion_naming_it(case_id, cls, attribute,
                                                                 kind, tamper):
    original, _, _ = fitted(case_id)
    # the zoo's model converts as it is: the failure below is the tampering's
    nc.convert(original)
    estimator = copy.deepcopy(original)
    component = _component(estimator, cls)
    setattr(component, attribute, tamper(getattr(component, attribute)))
    with pytest.raises(nc.InvalidModelError) as caught:
        nc.convert(estimator)
    message = str(caught.value)
    assert re.search(rf"\b{re.escape(cls)}\.{re.escape(attribute)}\b", message), message
    assert "refit" in message  # the fix


def test_the_cross_product_covers_every_non_tree_family():
    families = {cls for _, cls, _, _ in TAMPERS}
    assert {"LogisticRegression", "SVC", "KNeighborsClassifier", "GaussianNB",
            "QuadraticDiscriminantAnalysis", "MLPClassifier", "ELMClassifier", "KernelRidge",
            "IsotonicRegression", "DummyClassifier", "PoissonRegressor", "StandardScaler",
            "PCA", "TargetEncoder"} <= families
    assert len(CROSS) >= 120


# -- families the zoo holds only inside other steps: fitted here on real data ----------------

@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


@pytest.mark.parametrize("encoder", [OneHotEncoder, OrdinalEncoder])
def test_an_encoder_with_repeated_categories_is_refused(iris, encoder):
    X, _ = iris
    codes = np.round(X[:, :2]).astype(int)
    model = encoder().fit(codes)
    nc.convert(model)
    model.categories_ = [_first_repeated(model.categories_[0]), model.categories_[1]]
    with pytest.raises(nc.InvalidModelError, match=rf"{encoder.__name__}\.categories_\[0\] "
                                                   "holds repeated entries"):
        nc.convert(model)


def test_categorical_nb_tables_are_checked_against_its_categories():
    X, y = load_digits(return_X_y=True)
    model = CategoricalNB().fit((X[:, 20:26] // 4).astype(int), y)
    nc.convert(model)
    model.feature_log_prob_ = [_narrower(model.feature_log_prob_[0]),
                               *model.feature_log_prob_[1:]]
    with pytest.raises(nc.InvalidModelError, match=r"CategoricalNB\.feature_log_prob_\[0\]"):
        nc.convert(model)


def test_a_tampered_model_inside_a_pipeline_is_named_and_the_caller_keeps_its_model(iris):
    X, y = iris
    model = Pipeline([("scale", StandardScaler()), ("svc", SVC())]).fit(X, y)
    before = model.named_steps["svc"].support_vectors_.copy()
    hostile = copy.deepcopy(model)
    hostile.named_steps["svc"].support_vectors_ = _narrower(before)
    with pytest.raises(nc.InvalidModelError, match=r"SVC\.support_vectors_ has shape"):
        nc.convert(hostile)
    assert np.array_equal(model.named_steps["svc"].support_vectors_, before)


@pytest.mark.parametrize("attribute", ["n_neighbors", "_n_support"])
def test_where_scikit_learn_refuses_nnconvert_refuses(iris, attribute):
    """The issue's examples: scikit-learn itself cannot answer these models, so neither may
    a network built from them."""
    X, y = iris
    if attribute == "n_neighbors":
        model = KNeighborsClassifier().fit(X, y)
        model.n_neighbors = 0
    else:
        model = SVC().fit(X, y)
        model._n_support = _one_more_first(model._n_support)
    with pytest.raises(Exception):
        model.predict(X[:5])
    with pytest.raises(nc.InvalidModelError, match=attribute):
        nc.convert(model)


def test_a_platt_calibrator_binarizer_and_selector_are_read_through_fitted(iris):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_selection import VarianceThreshold
    from sklearn.naive_bayes import GaussianNB
    from sklearn.preprocessing import Binarizer

    X, y = iris
    calibrated = CalibratedClassifierCV(GaussianNB(), cv=2).fit(X, y)
    nc.convert(calibrated)
    hostile = copy.deepcopy(calibrated)
    hostile.calibrated_classifiers_[0].calibrators[0].a_ = np.nan
    with pytest.raises(nc.InvalidModelError, match=r"calibrator\.a_ .*refit"):
        nc.convert(hostile)
    binarizer = Binarizer(threshold=1.0).fit(X)
    binarizer.threshold = "1.0"
    with pytest.raises(nc.InvalidModelError, match=r"Binarizer\.threshold"):
        nc.convert(binarizer)
    selector = VarianceThreshold(0.5).fit(X)
    selector.variances_ = selector.variances_[:-1]  # a mask narrower than the input
    with pytest.raises(nc.InvalidModelError, match=r"VarianceThreshold\.get_support\(\)"):
        nc.convert(selector)
