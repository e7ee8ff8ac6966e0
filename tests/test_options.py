"""The conversion's options: one typed value, built once by convert(), refused when misspelt."""

from __future__ import annotations

import dataclasses

import pytest
import torch
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

import nnconvert as nc
from nnconvert.options import TREE_FORMS, Options
from nnconvert.registry import convert_estimator, converts


@pytest.fixture(scope="module")
def iris_models():
    X, y = load_iris(return_X_y=True)
    return [LogisticRegression(max_iter=500).fit(X, y),
            DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)]


def test_defaults_are_convert_defaults():
    options = Options()
    assert (options.dtype, options.fuse, options.tree_form) == (torch.float64, None, "auto")
    assert Options.names() == ("dtype", "fuse", "tree_form")


def test_options_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Options().fuse = True


@pytest.mark.parametrize("which", [0, 1])
def test_a_misspelt_option_fails_for_any_model(iris_models, which):
    with pytest.raises(TypeError, match=r"unknown option 'tree_from' \(did you mean "
                                        r"'tree_form'\?\); the options are dtype, fuse, "
                                        r"tree_form"):
        nc.convert(iris_models[which], tree_from="traversal")
    with pytest.raises(TypeError, match="unknown option 'colour'; the options are"):
        nc.convert(iris_models[which], colour="red")


@pytest.mark.parametrize("bad, error, match", [
    (dict(dtype=torch.float16), TypeError, "dtype must be torch.float64"),
    (dict(tree_form="walk"), ValueError, "tree_form must be one of 'auto'"),
    (dict(fuse="False"), TypeError, "fuse must be True, False or None"),
])
def test_bad_values_are_refused_with_the_valid_ones(iris_models, bad, error, match):
    with pytest.raises(error, match=match):
        nc.convert(iris_models[0], **bad)


def test_fuse_is_stored_as_a_bool():
    assert Options(fuse=1).fuse is True
    assert Options(fuse=0).fuse is False and Options(fuse=None).fuse is None


def test_every_converter_receives_the_value_convert_built(iris_models):
    """A converter registered for a test-only class sees one Options, with what was asked."""
    seen = []

    class Wrapped(LogisticRegression):
        pass

    X, y = load_iris(return_X_y=True)
    member = LogisticRegression(max_iter=500).fit(X, y)

    @converts(Wrapped)
    def _wrapped(estimator, options):
        seen.append(options)
        return convert_estimator(member, options)  # a member: the options passed on as they are

    for form in TREE_FORMS:
        nc.convert(Wrapped(max_iter=500).fit(X, y), tree_form=form, fuse=True,
                   dtype=torch.float32)
    assert [o.tree_form for o in seen] == list(TREE_FORMS)
    assert all(isinstance(o, Options) and o.fuse and o.dtype == torch.float32 for o in seen)
