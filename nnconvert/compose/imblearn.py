"""imbalanced-learn's models: its ``Pipeline`` and its balanced ensembles, on the mechanisms
of their scikit-learn parents.

imbalanced-learn's samplers (SMOTE, RandomUnderSampler, ...) resample the training rows and
nothing else: at predict time a pipeline passes its rows through them untouched, so the
pipeline converts as scikit-learn's with its samplers skipped
(:func:`nnconvert.compose.pipeline.is_sampler`). Its ensembles are scikit-learn's with
resampled members: ``BalancedBaggingClassifier`` and ``EasyEnsembleClassifier`` are
bagging (each member a pipeline of a sampler and a classifier),
``BalancedRandomForestClassifier`` a random forest and ``RUSBoostClassifier`` AdaBoost
(SAMME), so each converts as its parent does. The classes are subclasses, so dispatch would
find the parents' converters anyway; they are registered by name here (once imbalanced-learn
is imported) so that the supported list names them.
"""

from __future__ import annotations

from ..options import Options
from ..registry import Conversion, converts, when_imported
from .adaboost import _adaboost
from .bagging import _bagging
from .pipeline import _pipeline


def _imblearn_pipeline(pipeline, options: Options) -> Conversion:
    """Each step's layers in order, then the last step's network; samplers are skipped
    (they resample the training rows only, and pass rows through untouched at predict).

    Everything scikit-learn's Pipeline converts: nested pipelines, ``'passthrough'``, text
    front ends, ``fuse=True``.
    """
    return _pipeline(pipeline, options)


def _balanced_bagging(estimator, options: Options) -> Conversion:
    """The members side by side, each a pipeline whose sampler is skipped, then their
    averaged probabilities, as BaggingClassifier's (EasyEnsembleClassifier: AdaBoost
    members).

    Any supported member; feature subsets (``max_features``).
    """
    return _bagging(estimator, options)


def _rus_boost(estimator, options: Options) -> Conversion:
    """The members' networks side by side (trees merge into one tree layer), then SAMME's
    weighted vote, as AdaBoostClassifier's: the random under-sampling acts at fit time only.
    """
    return _adaboost(estimator, options)


def _register() -> None:
    from imblearn.ensemble import (
        BalancedBaggingClassifier,
        BalancedRandomForestClassifier,
        EasyEnsembleClassifier,
        RUSBoostClassifier,
    )
    from imblearn.pipeline import Pipeline

    from ..families.trees.sklearn import _forest_classifier

    converts(Pipeline)(_imblearn_pipeline)
    converts(BalancedBaggingClassifier, EasyEnsembleClassifier)(_balanced_bagging)
    converts(BalancedRandomForestClassifier)(_forest_classifier)
    converts(RUSBoostClassifier)(_rus_boost)


when_imported("imblearn", _register)
