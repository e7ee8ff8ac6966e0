"""SelfTrainingClassifier: the network of the estimator it fitted last, ``estimator_``.

Self-training labels the unlabelled rows it is confident about and refits its estimator, round
after round; what it predicts with afterwards is that estimator alone (``predict``,
``predict_proba``, ``predict_log_proba``, ``decision_function``: each where the estimator has
it), with the labels it was fitted on. The network is that estimator's, and so are the
agreement rules.

Examples
--------
>>> import nnconvert as nc
>>> from sklearn.datasets import load_iris
>>> from sklearn.linear_model import LogisticRegression
>>> from sklearn.semi_supervised import SelfTrainingClassifier
>>> X, y = load_iris(return_X_y=True)
>>> y = y.copy(); y[::2] = -1
>>> model = SelfTrainingClassifier(LogisticRegression(max_iter=1000)).fit(X, y)
>>> type(nc.convert(model).head).__name__
'LinearHead'
"""

from __future__ import annotations

import dataclasses

from sklearn.semi_supervised import SelfTrainingClassifier

from ..fitted import Fitted
from ..options import Options
from ..registry import Conversion, converts, has_rule, margin_rule, score_jump_rule
from .members import convert_member


@converts(SelfTrainingClassifier)
def _self_training(model: SelfTrainingClassifier, options: Options) -> Conversion:
    """The network of the estimator self-training fitted last (``estimator_``): its methods,
    and the classes it was fitted on.
    """
    fitted = Fitted(model)
    inner = fitted.get("estimator_")
    conversion = convert_member(inner, options, "SelfTrainingClassifier estimator_")
    classes = fitted.classes()
    inner_classes = Fitted(inner, "SelfTrainingClassifier.estimator_").classes()
    if len(classes) != len(inner_classes) or (classes != inner_classes).any():
        raise fitted.error("classes_", "differs from estimator_.classes_, which it predicts "
                                       "with")
    return dataclasses.replace(conversion, classes=classes)


@margin_rule.register(SelfTrainingClassifier)
def _self_training_margin(model, X, reference: dict):
    inner = model.estimator_
    return margin_rule(inner, X, reference) if has_rule(margin_rule, inner) else None


@score_jump_rule.register(SelfTrainingClassifier)
def _self_training_jumps(model, X, reference: dict, rtol: float):
    inner = model.estimator_
    return score_jump_rule(inner, X, reference, rtol) if has_rule(score_jump_rule, inner) \
        else None
