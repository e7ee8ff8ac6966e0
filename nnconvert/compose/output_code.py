"""OutputCodeClassifier: binary members side by side, then distance units on the code words
and an argmin.

Each member answers its score as scikit-learn's ``_predict_binary`` reads it: its
``decision_function`` where it has one, else its probability of the positive class. A code-book
column holding one value only was fitted as scikit-learn's ``_ConstantPredictor``, whose score
is that value whatever the input: a constant column (:class:`ConstantScore`). The scores are
compared with every row of ``code_book_`` by the Euclidean distance; the nearest code word
wins, the first on a tie, as ``pairwise_distances_argmin``. OutputCodeClassifier has
``predict`` only (no ``decision_function``, no ``predict_proba``), and so has its network; its
raw output is the squared distances.

Examples
--------
>>> import nnconvert as nc
>>> from sklearn.datasets import load_iris
>>> from sklearn.linear_model import LogisticRegression
>>> from sklearn.multiclass import OutputCodeClassifier
>>> X, y = load_iris(return_X_y=True)
>>> model = OutputCodeClassifier(LogisticRegression(max_iter=1000), random_state=0).fit(X, y)
>>> net = nc.convert(model)
>>> net.methods, bool((net.predict(X) == model.predict(X)).all())
(('predict',), True)
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.multiclass import OutputCodeClassifier, _ConstantPredictor

from ..agreement import decision_margin
from ..fitted import Fitted
from ..layers import Branches, Layer, LayerDescription, as_buffer
from ..network.heads import ClassifierHead
from ..options import Options
from ..registry import Conversion, converts, margin_rule
from .members import Member, convert_member, side_by_side

__all__ = ["CodeBookHead", "ConstantScore"]


class ConstantScore(Layer):
    """A member fitted on one label only (scikit-learn's ``_ConstantPredictor``): its score
    is that label, a constant column."""

    def __init__(self, value: float, n_in: int):
        super().__init__()
        self.value, self.n_in = float(value), int(n_in)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.full((x.shape[0], 1), self.value, dtype=x.dtype, device=x.device)

    def width(self) -> int:
        return 1

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title=f"constant member: {self.value:g}", n_in=self.n_in, n_out=1,
            activation="constant", activation_kind="identity",
            formula=f"{{y}} = {self.value:g}   (fitted on one label only)")


class CodeBookHead(ClassifierHead):
    """Squared Euclidean distances from the members' scores to each code word; ``predict`` is
    the nearest code word's class (the first on a tie)."""

    has_decision = False
    untrainable_because = "an argmin of distances to code words has no class scores"

    def __init__(self, code_book):
        super().__init__()
        self.register_buffer("code_book", as_buffer(code_book))

    @property
    def scores_method(self) -> str:
        return "predict"

    def squared_distances(self, z: torch.Tensor) -> torch.Tensor:
        diff = z.unsqueeze(1) - self.code_book.to(z.dtype)
        return (diff * diff).sum(dim=2)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.squared_distances(z)

    def decision(self, z: torch.Tensor) -> torch.Tensor:
        raise AttributeError("OutputCodeClassifier has no decision_function")

    def predict_index(self, z: torch.Tensor) -> torch.Tensor:
        return self.squared_distances(z).argmin(dim=1)  # the first index wins, as numpy's

    def describe(self) -> LayerDescription:
        n_classes, n_members = self.code_book.shape
        return LayerDescription(
            title="nearest code word", n_in=n_members, n_out=n_classes,
            activation="argmin", activation_kind="argmax", connectivity="dense",
            formula=("d_k = ‖{x} − code_book_[k]‖²   (a distance unit per class's code word)\n"
                     "predict(x) = classes_[argmin_k d_k]   (first index wins a tie)"),
            parameters={"code_book_": self.code_book.cpu().numpy()})


def _member(estimator, options: Options, k: int, n_in: int):
    """Member ``k`` answering its binary score (decision function, else P(classes_[1]))."""
    if isinstance(estimator, _ConstantPredictor):
        value = Fitted(estimator, f"OutputCodeClassifier.estimators_[{k}]").array(
            "y_", shape=(1,))[0]
        return ConstantScore(value, n_in), None
    conversion = convert_member(estimator, options, f"OutputCodeClassifier member {k}")
    method = "decision_function" if conversion.head.has_decision else "predict_proba"
    return Member(f"member {k}", conversion, [method], n_in=n_in,
                  positive_only=True), conversion


@converts(OutputCodeClassifier)
def _output_code(model: OutputCodeClassifier, options: Options) -> Conversion:
    """The binary members side by side, each answering its decision function (else its
    probability of the positive class), then a distance unit per code word and an argmin:
    ``predict`` is the class whose row of ``code_book_`` is nearest (first on a tie).

    Members fitted on a single label (a code-book column of one value) answer that value, as
    scikit-learn's constant predictor does. Like scikit-learn's, the network answers
    ``predict`` only.
    """
    fitted = Fitted(model)
    classes = fitted.classes()
    n_in = fitted.n_features
    estimators = list(fitted.get("estimators_"))
    code_book = fitted.array("code_book_", shape=(len(classes), len(estimators)))
    parts = [_member(e, options, k, n_in) for k, e in enumerate(estimators)]
    members = [m for m, _ in parts]
    if all(isinstance(m, Member) for m in members):
        layers = side_by_side(members, [c for _, c in parts], n_in, title="binary members",
                              merge=True)
    else:
        layers = [Branches([[m] for m in members], [m.width() for m in members],
                           title="binary members")]
    return Conversion(layers=layers, head=CodeBookHead(code_book), classes=classes)


@margin_rule.register(OutputCodeClassifier)
def _code_margin(model: OutputCodeClassifier, X, reference: dict) -> np.ndarray:
    """How much nearer the winning code word is than the runner-up (in squared distance)."""
    from sklearn.multiclass import _predict_binary
    scores = np.array([_predict_binary(e, X) for e in model.estimators_], dtype=np.float64).T
    d = ((scores[:, None, :] - model.code_book_[None]) ** 2).sum(axis=2)
    return decision_margin(-d)

