"""RANSACRegressor: the network of the estimator it refitted on the inliers.

RANSAC's ``predict`` is ``estimator_.predict``, whatever the kind of ``estimator_``: the
member is converted whole (:func:`~nnconvert.compose.members.convert_member`) and every fact
of its conversion is kept, but its predictive variance (RANSAC's ``predict`` takes no
``return_std``).
"""

from __future__ import annotations

import dataclasses

from sklearn.linear_model import RANSACRegressor

from ..options import Options
from ..registry import Conversion, converts
from .members import convert_member


@converts(RANSACRegressor)
def _ransac(estimator: RANSACRegressor, options: Options) -> Conversion:
    """The network of the inlier model RANSAC refitted (``estimator_``).
    """
    inner = convert_member(estimator.estimator_, options, "RANSACRegressor estimator_")
    return dataclasses.replace(inner, variance=None)
