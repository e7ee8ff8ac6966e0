"""Fine-tuning a converted network with one of the seeds' losses.

A converted network is an ordinary torch module, so it trains like one. :func:`fine_tune`
is the short loop a user would otherwise write: it never touches the network it is given,
and it trains only the network's parameters (the weights and biases of linear units); what
a converter stores as buffers (support vectors, scaler statistics, random hidden weights of
an ELM) stays fixed.
"""

from __future__ import annotations

import copy
import math
import numbers

import numpy as np
import torch

from .agreement import class_indices
from .losses import LOSSES, REGRESSION_LOSSES
from .network import ConvertedClassifier, ConvertedRegressor

__all__ = ["fine_tune"]


def _class_indices(net: ConvertedClassifier, y) -> torch.Tensor:
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be a 1-D array of labels, got shape {y.shape}")
    indices = class_indices(net.classes_, y)  # classes_ need not be sorted
    unknown = indices < 0
    if unknown.any():
        raise ValueError(
            f"y holds labels the network does not know: {sorted(set(y[unknown].tolist()))[:5]}; "
            f"its classes_ are {net.classes_.tolist()}"
        )
    return torch.as_tensor(indices, dtype=torch.long)


def _check_settings(*, epochs, batch_size, lr, weight_decay) -> None:
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if not (isinstance(lr, numbers.Real) and math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive finite number, got {lr!r}")
    if not (isinstance(weight_decay, numbers.Real) and math.isfinite(weight_decay)
            and weight_decay >= 0):
        raise ValueError(f"weight_decay must be a finite number >= 0, got {weight_decay!r}")


def _raw_scores(net: ConvertedClassifier):
    """The function from a tensor to the raw, unactivated scores a loss is applied to."""
    problem = net.head.untrainable_because
    if problem is not None:
        raise ValueError(f"{net.source} {problem}")
    return lambda x: net.head.logits(net.hidden(x))


def fine_tune(
    net: ConvertedClassifier | ConvertedRegressor,
    X,
    y,
    *,
    loss: str | None = None,
    epochs: int = 20,
    lr: float = 0.01,
    weight_decay: float = 0.0,
    batch_size: int = 64,
    random_state: int = 0,
) -> ConvertedClassifier:
    """A copy of ``net`` trained further on ``(X, y)`` by mini-batch SGD with momentum.

    Parameters
    ----------
    net : ConvertedClassifier or ConvertedRegressor
        The network to start from; it is not modified.
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Labels from ``net.classes_``; a regressor's targets, shaped as its ``predict``.
    loss : str, optional
        A key of :data:`nnconvert.losses.LOSSES`: "hinge" or "logistic" for a binary
        network (one score), "multiclass_hinge", "l2svm" or "softmax_cross_entropy" for one
        score per class ("l2svm" takes either). Default: "hinge" for one score,
        "multiclass_hinge" for several, the SVM objectives of the seeds. Networks without a
        decision function (MLPs) are trained on their output units' logits. A regressor
        takes a key of :data:`nnconvert.losses.REGRESSION_LOSSES`: "squared" (default),
        "absolute" or "huber", applied to its predictions.
    epochs, lr, weight_decay, batch_size : optional
        The optimiser's settings; ``weight_decay`` is the L2 penalty of the SVM objective.
    random_state : int, default 0
        Seeds the shuffling, so a run can be repeated exactly.

    Returns
    -------
    ConvertedClassifier or ConvertedRegressor
        The trained copy, in evaluation mode. A regressor's copy has no ``return_std``:
        the standard deviation was the fitted posterior's, not the trained network's.

    Examples
    --------
    >>> import nnconvert as nc
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = load_iris(return_X_y=True)
    >>> net = nc.convert(LogisticRegression(max_iter=1000).fit(X, y))
    >>> tuned = nc.fine_tune(net, X, y, loss="l2svm", epochs=2)
    >>> tuned is net, tuned.predict(X[:3]).shape
    (False, (3,))
    """
    if not isinstance(net, (ConvertedClassifier, ConvertedRegressor)):
        raise TypeError("fine_tune() takes a ConvertedClassifier or a ConvertedRegressor, got "
                        f"{type(net).__name__}")
    _check_settings(epochs=epochs, batch_size=batch_size, lr=lr, weight_decay=weight_decay)
    regressor = isinstance(net, ConvertedRegressor)
    losses = REGRESSION_LOSSES if regressor else LOSSES
    if loss is None:
        loss = ("squared" if regressor else
                "hinge" if len(net.classes_) == 2 else "multiclass_hinge")
    if loss not in losses:
        raise ValueError(f"unknown loss {loss!r} for a {net.head.kind}; choose one of "
                         f"{sorted(losses)}")
    x = net.as_tensor(X)
    if x.layout != torch.strided:  # torch cannot take a mini-batch of sparse CSR rows
        raise ValueError(
            "fine_tune() trains on dense rows, and X is sparse (a scipy.sparse matrix, or "
            "documents a text network vectorises): pass a dense array, for instance "
            "net.vectorize(documents).toarray() for a corpus that fits in memory")
    if regressor:  # the predictions themselves are what the loss compares with y
        target = torch.as_tensor(np.asarray(y, dtype=np.float64), dtype=net.dtype,
                                 device=x.device)
    else:
        target = _class_indices(net, y).to(x.device)
    if target.shape[0] != x.shape[0]:
        raise ValueError(f"X has {x.shape[0]} rows but y has {target.shape[0]} targets")
    trained = copy.deepcopy(net).train()
    if regressor:
        # a predictive std (return_std) is the fitted posterior's, which training leaves
        # behind: the trained copy answers the mean only rather than a stale std
        trained.variance = None
    scores = trained.forward if regressor else _raw_scores(trained)
    parameters = [p for p in trained.parameters() if p.requires_grad]
    if not parameters:
        raise ValueError(f"{net.source} has no trainable parameters")
    optimiser = torch.optim.SGD(parameters, lr=lr, momentum=0.9, weight_decay=weight_decay)
    objective = losses[loss]
    generator = torch.Generator().manual_seed(random_state)
    for _ in range(epochs):
        order = torch.randperm(x.shape[0], generator=generator).to(x.device)
        for batch in order.split(batch_size):
            optimiser.zero_grad()
            objective(scores(x[batch]), target[batch]).backward()
            optimiser.step()
    return trained.eval()
