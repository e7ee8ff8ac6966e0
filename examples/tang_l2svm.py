"""Softmax or L2-SVM on top? Tang (2013), "Deep Learning using Linear Support Vector Machines",
repeated at small scale on scikit-learn's digits.

The same MLP (64 -> 256 ReLU -> 256 ReLU -> 10) is trained twice per seed with identical
initial weights, mini-batches and optimiser: once with a softmax top layer (cross-entropy),
once with a one-vs-rest L2-SVM top layer (squared hinge, ``nnconvert.losses.l2svm``), both
with L2 weight decay on the top layer, both with Gaussian input noise as in the paper.
The script prints the CS231n sanity checks first (the untrained losses must be log C and
C - 1), then a table of test errors per seed and on average.

Run: ``python examples/tang_l2svm.py [--seeds 5] [--epochs 40]``. Whatever the table shows is
the result: at this scale the two heads are often within noise of each other.
"""

from __future__ import annotations

import argparse
import math
import statistics

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn

from nnconvert import losses

HEADS = {"softmax": losses.softmax_cross_entropy, "L2-SVM": losses.l2svm}
#: test error reported by Tang (2013), softmax vs L2-SVM, for context
PAPER = {"MNIST": (0.99, 0.87), "CIFAR-10": (14.0, 11.9)}


def digits_split(seed: int = 0):
    """Standardised digits, 70/30 stratified, as float64 tensors."""
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, random_state=seed, stratify=y
    )
    scaler = StandardScaler().fit(X_train)
    as_tensor = lambda a: torch.as_tensor(a, dtype=torch.float64)  # noqa: E731
    return (as_tensor(scaler.transform(X_train)), as_tensor(scaler.transform(X_test)),
            torch.as_tensor(y_train), torch.as_tensor(y_test))


def mlp(seed: int, n_in: int = 64, n_hidden: int = 256, n_classes: int = 10) -> nn.Sequential:
    """The shared architecture; the seed fixes the initial weights."""
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(n_in, n_hidden), nn.ReLU(),
        nn.Linear(n_hidden, n_hidden), nn.ReLU(),
        nn.Linear(n_hidden, n_classes),
    ).double()


def sanity_checks(X: torch.Tensor, y: torch.Tensor, n_classes: int = 10) -> dict[str, tuple]:
    """Untrained losses with a near-zero top layer, next to their expected values."""
    net = mlp(seed=0)
    with torch.no_grad():
        net[-1].weight.mul_(1e-4)
        net[-1].bias.zero_()
        scores = net(X)
    return {
        "softmax cross-entropy": (losses.softmax_cross_entropy(scores, y).item(),
                                  math.log(n_classes), "log C"),
        "multiclass hinge": (losses.multiclass_hinge(scores, y).item(), n_classes - 1.0, "C - 1"),
        "L2-SVM": (losses.l2svm(scores, y).item(), float(n_classes), "C"),
    }


def train(head: str, seed: int, data, *, epochs: int, lr: float = 0.01,
          weight_decay: float = 1e-3, noise: float = 0.3, batch_size: int = 64) -> float:
    """Train one network and return its test error in percent."""
    X_train, X_test, y_train, y_test = data
    net = mlp(seed)
    top = list(net[-1].parameters())
    rest = [p for p in net.parameters() if all(p is not q for q in top)]
    optimiser = torch.optim.SGD(
        [{"params": rest}, {"params": top, "weight_decay": weight_decay}], lr=lr, momentum=0.9
    )
    generator = torch.Generator().manual_seed(seed)
    steps = epochs * math.ceil(len(X_train) / batch_size)
    schedule = torch.optim.lr_scheduler.LinearLR(optimiser, 1.0, 0.0, total_iters=steps)
    for epoch in range(epochs):
        sigma = noise * (1 - epoch / epochs)  # the paper's input noise, decayed linearly to 0
        for batch in torch.randperm(len(X_train), generator=generator).split(batch_size):
            x = X_train[batch]
            x = x + sigma * torch.randn(x.shape, generator=generator, dtype=x.dtype)
            optimiser.zero_grad()
            HEADS[head](net(x), y_train[batch]).backward()
            optimiser.step()
            schedule.step()
    with torch.no_grad():
        predicted = net(X_test).argmax(dim=1)
    return 100.0 * (predicted != y_test).double().mean().item()


def compare(seeds: int = 5, epochs: int = 40) -> dict[str, list[float]]:
    """Test error (percent) per head, one entry per seed."""
    data = digits_split()
    return {head: [train(head, seed, data, epochs=epochs) for seed in range(seeds)]
            for head in HEADS}


def format_table(errors: dict[str, list[float]]) -> str:
    seeds = len(next(iter(errors.values())))
    header = f"{'top layer':<10}" + "".join(f"  seed {s:<3}" for s in range(seeds))
    lines = [header + "   mean ± sd", "-" * (len(header) + 12)]
    for head, values in errors.items():
        sd = statistics.stdev(values) if len(values) > 1 else 0.0
        lines.append(f"{head:<10}" + "".join(f"  {v:7.2f}%" for v in values)
                     + f"   {statistics.mean(values):.2f}% ± {sd:.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=40)
    args = parser.parse_args(argv)

    X_train, _, y_train, _ = digits_split()
    print("Sanity checks on the untrained network (10 classes):")
    for name, (value, expected, rule) in sanity_checks(X_train, y_train).items():
        print(f"  {name:<22} {value:8.4f}   expected {rule} = {expected:.4f}")
    print(f"\nTest error on digits (540 test images), {args.epochs} epochs, same initial weights:")
    errors = compare(args.seeds, args.epochs)
    print(format_table(errors))
    paper = ", ".join(f"{k} {s}% vs {v}%" for k, (s, v) in PAPER.items())
    print(f"\nTang (2013), softmax vs L2-SVM: {paper}.")
    gap = np.mean(errors["softmax"]) - np.mean(errors["L2-SVM"])
    print(f"Here the L2-SVM head is {'ahead' if gap > 0 else 'behind'} by {abs(gap):.2f} points "
          "on average; compare that with the spread over seeds before reading much into it.")


if __name__ == "__main__":
    main()
