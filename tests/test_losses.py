"""The seeds' losses: their definitions, the CS231n sanity values, and their gradients."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnconvert import losses


def _reference_multiclass_hinge(s, y, margin=1.0):
    total = 0.0
    for row, label in zip(s, y):
        total += sum(max(0.0, row[j] - row[label] + margin) for j in range(len(row)) if j != label)
    return total / len(s)


def _reference_l2svm(s, y):
    t = -np.ones_like(s)
    t[np.arange(len(y)), y] = 1.0
    return float((np.maximum(0.0, 1.0 - t * s) ** 2).sum(axis=1).mean())


@st.composite
def scores_and_labels(draw):
    n = draw(st.integers(1, 12))
    c = draw(st.integers(2, 7))
    s = draw(arrays(np.float64, (n, c), elements=st.floats(-6, 6)))
    y = draw(arrays(np.int64, (n,), elements=st.integers(0, c - 1)))
    return s, y


def test_cs231n_example_and_sanity_values():
    scores = torch.tensor([[3.2, 5.1, -1.7]], dtype=torch.float64)
    assert losses.multiclass_hinge(scores, [0]).item() == pytest.approx(2.9)
    for c in (2, 3, 10):
        zero = torch.zeros(5, c, dtype=torch.float64)
        y = torch.arange(5) % c
        assert losses.multiclass_hinge(zero, y).item() == pytest.approx(c - 1)
        assert losses.multiclass_hinge(zero, y, margin=2.0).item() == pytest.approx(2 * (c - 1))
        assert losses.l2svm(zero, y).item() == pytest.approx(c)
        assert losses.softmax_cross_entropy(zero, y).item() == pytest.approx(math.log(c))
    zero = torch.zeros(4, dtype=torch.float64)
    assert losses.hinge(zero, [0, 1, 1, 0]).item() == pytest.approx(1.0)
    assert losses.logistic(zero, [0, 1, 1, 0]).item() == pytest.approx(math.log(2))


@given(scores_and_labels())
def test_multiclass_losses_match_their_definitions(case):
    s, y = case
    scores = torch.from_numpy(s)
    assert losses.multiclass_hinge(scores, y).item() == pytest.approx(
        _reference_multiclass_hinge(s, y), rel=1e-12, abs=1e-12
    )
    assert losses.l2svm(scores, y).item() == pytest.approx(_reference_l2svm(s, y), rel=1e-12)
    shifted = s - s.max(axis=1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    assert losses.softmax_cross_entropy(scores, y).item() == pytest.approx(
        -log_softmax[np.arange(len(y)), y].mean(), rel=1e-12
    )


@given(arrays(np.float64, st.integers(1, 20), elements=st.floats(-30, 30)), st.data())
def test_binary_losses_match_their_definitions(s, data):
    y01 = data.draw(arrays(np.int64, s.shape, elements=st.integers(0, 1)))
    t = 2.0 * y01 - 1.0
    scores = torch.from_numpy(s)
    assert losses.hinge(scores, y01).item() == pytest.approx(np.maximum(0, 1 - t * s).mean())
    assert losses.hinge(scores, t.astype(np.int64)).item() == losses.hinge(scores, y01).item()
    assert losses.logistic(scores, y01).item() == pytest.approx(np.log1p(np.exp(-t * s)).mean())
    assert losses.l2svm(scores, y01).item() == pytest.approx(
        (np.maximum(0, 1 - t * s) ** 2).mean()
    )


def test_multiclass_hinge_is_torch_multi_margin_loss_times_c():
    generator = torch.Generator().manual_seed(0)
    scores = torch.randn(30, 4, generator=generator, dtype=torch.float64)
    y = torch.randint(0, 4, (30,), generator=generator)
    expected = 4 * F.multi_margin_loss(scores, y)
    torch.testing.assert_close(losses.multiclass_hinge(scores, y), expected)


def _away_from_kinks(values: torch.Tensor, kinks: torch.Tensor) -> bool:
    return bool((values - kinks).abs().min() > 1e-3)


@pytest.mark.parametrize("name", ["multiclass_hinge", "l2svm", "softmax_cross_entropy"])
def test_multiclass_gradients(name):
    generator = torch.Generator().manual_seed(1)
    scores = torch.randn(8, 5, generator=generator, dtype=torch.float64, requires_grad=True)
    y = torch.randint(0, 5, (8,), generator=generator)
    assert torch.autograd.gradcheck(lambda s: losses.LOSSES[name](s, y), (scores,))


@pytest.mark.parametrize("name", ["hinge", "logistic", "l2svm"])
def test_binary_gradients(name):
    generator = torch.Generator().manual_seed(2)
    scores = torch.randn(10, generator=generator, dtype=torch.float64)
    y = torch.randint(0, 2, (10,), generator=generator)
    t = 2.0 * y - 1.0
    assert _away_from_kinks(t * scores, torch.ones(1, dtype=torch.float64))
    scores.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda s: losses.LOSSES[name](s, y), (scores,))


def test_l2svm_gradient_is_tangs():
    # d/ds_k of max(0, 1 - t_k s_k)^2 is -2 t_k max(0, 1 - t_k s_k), averaged over samples
    generator = torch.Generator().manual_seed(3)
    scores = torch.randn(6, 3, generator=generator, dtype=torch.float64, requires_grad=True)
    y = torch.tensor([0, 1, 2, 2, 1, 0])
    losses.l2svm(scores, y).backward()
    t = 2.0 * F.one_hot(y, 3).double() - 1.0
    expected = -2.0 * t * torch.clamp(1.0 - t * scores.detach(), min=0.0) / 6
    torch.testing.assert_close(scores.grad, expected)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: losses.multiclass_hinge(np.zeros((2, 3)), [0, 1]), TypeError, "torch tensor"),
        (lambda: losses.multiclass_hinge(torch.zeros(2, 3), [0, 3]), ValueError, r"\[0, 2\]"),
        (lambda: losses.l2svm(torch.zeros(2, 3), [0]), ValueError, "one class index per row"),
        (lambda: losses.softmax_cross_entropy(torch.zeros(2, 3), [0.0, 1.0]), TypeError, "integer"),
        (lambda: losses.multiclass_hinge(torch.zeros(3), [0, 1, 0]), ValueError, "hinge"),
        (lambda: losses.hinge(torch.zeros(3), [0, 2, 1]), ValueError, "signs"),
        (lambda: losses.hinge(torch.zeros(3), [-1, 0, 1]), ValueError, "signs"),
        (lambda: losses.logistic(torch.zeros(2, 2), [0, 1]), ValueError, "multiclass_hinge"),
    ],
)
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()
