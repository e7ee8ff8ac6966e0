"""Pipeline steps and wrappers: imputation of real missing values, searches, selectors, and
the refusals with their reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from equivalence import assert_equivalent
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, HalvingGridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import nnconvert as nc


def _with_holes(seed=0):
    X, y = load_breast_cancer(return_X_y=True)
    X = X.copy()
    X[np.random.default_rng(seed).random(X.shape) < 0.1] = np.nan
    X[:, 3] = np.nan  # a column empty at fit time: scikit-learn drops it
    return X, y


@pytest.mark.parametrize("imputer", [
    SimpleImputer(),
    SimpleImputer(strategy="median", add_indicator=True),
    SimpleImputer(strategy="most_frequent"),
    SimpleImputer(strategy="constant", fill_value=-5, keep_empty_features=True),
], ids=["mean", "median-indicator", "most_frequent", "constant-keep-empty"])
def test_imputed_rows_agree_in_a_pipeline_and_alone(imputer):
    X, y = _with_holes()
    model = make_pipeline(imputer, StandardScaler(), LogisticRegression(max_iter=5000))
    model.fit(X, y)
    X_new, _ = _with_holes(seed=1)
    assert_equivalent(model, nc.convert(model), X_new)
    alone = nc.convert(model[0])
    np.testing.assert_array_equal(alone.transform(X_new), model[0].transform(X_new))
    assert X_new.shape[1] == 30 and np.isnan(X_new).any()  # the caller's data untouched


def test_imputing_strings_is_refused_with_the_reason():
    imputer = SimpleImputer(strategy="most_frequent").fit(pd.DataFrame({"a": ["x", "y", None]}))
    with pytest.raises(nc.ConversionError, match="strings or objects"):
        nc.convert(imputer)


def test_searches_convert_their_best_estimator_and_refuse_without_one():
    X, y = load_iris(return_X_y=True)
    halving = HalvingGridSearchCV(make_pipeline(StandardScaler(), SVC()),
                                  {"svc__C": [0.1, 1.0, 10.0]}, cv=3, random_state=0).fit(X, y)
    assert_equivalent(halving, nc.convert(halving), X)
    unrefitted = GridSearchCV(SVC(), {"C": [0.1, 1.0]}, cv=3, refit=False).fit(X, y)
    with pytest.raises(nc.ConversionError, match=r"refit=False.*best_params_"):
        nc.convert(unrefitted)


def test_a_selector_that_keeps_nothing_is_refused():
    from sklearn.feature_selection import SelectKBest

    X, y = load_iris(return_X_y=True)
    selector = SelectKBest(k=0).fit(X, y)
    with pytest.raises(nc.ConversionError, match="selected no feature"):
        nc.convert(selector)


def test_box_cox_and_yeo_johnson_of_negative_values_agree():
    from sklearn.preprocessing import PowerTransformer

    X, _ = load_breast_cancer(return_X_y=True)
    signs = np.random.default_rng(0).choice([-1.0, 1.0], size=X.shape)
    for method, data in (("box-cox", X + 1.0), ("yeo-johnson", X * signs)):
        transformer = PowerTransformer(method=method).fit(data)
        expected = transformer.transform(data)
        got = nc.convert(transformer).transform(data)
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12 * np.abs(expected).max())
