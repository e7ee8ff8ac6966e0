"""The vocabulary of checks every converter reads fitted attributes through."""

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

import nnconvert as nc
from nnconvert.fitted import Fitted


@pytest.fixture(scope="module")
def model():
    X, y = load_iris(return_X_y=True)
    return LogisticRegression(max_iter=500).fit(X, y)


def test_a_good_attribute_is_read_as_a_fresh_array(model):
    coef = Fitted(model).array("coef_", shape=(3, 4))
    assert np.array_equal(coef, model.coef_) and coef is not model.coef_


@pytest.mark.parametrize("value, words", [
    (np.zeros((3, 5)), "has shape (3, 5), but (3, 4) was expected"),
    (np.zeros(12), "has 1 dimensions"),
    (np.full((3, 4), np.nan), "NaN or infinite"),
    (np.full((3, 4), 1j), "complex"),
    ("abc", "cannot be read"),
])
def test_a_bad_array_names_estimator_attribute_and_fix(model, value, words):
    with pytest.raises(nc.InvalidModelError) as caught:
        Fitted(model).array("coef_", shape=(3, 4), value=value)
    message = str(caught.value)
    assert message.startswith("LogisticRegression.coef_ ") and words in message
    assert "refit" in message


def test_index_ranges_integers_numbers_choices_and_uniqueness(model):
    fitted = Fitted(model, name="tree 3")
    assert fitted.array("feature", dtype=np.int64, low=0, high=3,
                        value=[0, 3]).tolist() == [0, 3]
    with pytest.raises(nc.InvalidModelError, match=r"tree 3.feature holds values from 0 to 10"):
        fitted.array("feature", dtype=np.int64, low=0, high=3, value=[0, 10])
    with pytest.raises(nc.InvalidModelError, match="non-integer"):
        fitted.array("feature", dtype=np.int64, value=[0.5])
    assert fitted.integer("n_neighbors", low=1, value=5) == 5
    with pytest.raises(nc.InvalidModelError, match=r"is 0, outside the allowed range \[1, inf\]"):
        fitted.integer("n_neighbors", low=1, value=0)
    with pytest.raises(nc.InvalidModelError, match="integer was expected"):
        fitted.integer("n_neighbors", value=True)
    with pytest.raises(nc.InvalidModelError, match=r"in \(0, inf\]"):
        fitted.number("gamma", low=0, strict_low=True, value=float("nan"))
    assert fitted.choice("kernel", ["rbf", "linear"], value="rbf") == "rbf"
    with pytest.raises(nc.InvalidModelError, match="one of"):
        fitted.choice("kernel", ["rbf", "linear"], value="evil")
    with pytest.raises(nc.InvalidModelError, match="repeated"):
        fitted.unique("categories_[0]", np.array(["a", "b", "a"], dtype=object))
    with pytest.raises(nc.InvalidModelError, match="is missing"):
        Fitted(object()).get("coef_")
    assert Fitted(model).n_features == 4


def test_an_invalid_model_is_a_conversion_error():
    assert issubclass(nc.InvalidModelError, nc.ConversionError)
    assert issubclass(nc.InvalidModelError, ValueError)
