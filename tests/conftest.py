"""Shared fixtures: hypothesis profiles, the model zoo, and the GPU marker's skip rule."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, settings
from sklearn import datasets

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile(
    "thorough",
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile("dev", max_examples=40, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_collection_modifyitems(config, items):
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA device (gpu marker); none here")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="session")
def load_example():
    """``load_example(name)`` imports ``examples/<name>.py`` (not a package) as a module."""
    def load(name: str):
        spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    return load


def halves(X, y):
    """Every other row to fit on, ``(X_fit, y_fit, X_held)``: held-out rows of the same data."""
    return X[::2], y[::2], X[1::2]


@pytest.fixture(scope="module")
def iris():
    return halves(*datasets.load_iris(return_X_y=True))


@pytest.fixture(scope="module")
def cancer():
    return halves(*datasets.load_breast_cancer(return_X_y=True))


@pytest.fixture(scope="module")
def diabetes():
    return halves(*datasets.load_diabetes(return_X_y=True))
