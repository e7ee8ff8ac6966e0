"""Generalised linear models: one linear neuron, then the inverse of the link as activation.

scikit-learn's ``PoissonRegressor``, ``GammaRegressor`` and ``TweedieRegressor`` predict
``link⁻¹(X @ coef_ + intercept_)``: ``exp`` for the log link (Poisson, gamma, Tweedie with
``power > 0`` or ``link='log'``), nothing for the identity link (Tweedie with
``power <= 0`` or ``link='identity'``). The fitted loss knows its link, so the converter asks
it rather than re-deriving scikit-learn's ``link='auto'`` rule.
"""

from __future__ import annotations

from sklearn._loss.link import IdentityLink, LogLink
from sklearn.linear_model import GammaRegressor, PoissonRegressor, TweedieRegressor

from ..errors import ConversionError
from ..fitted import Fitted
from ..layers import ActivatedUnits
from ..network.heads import RegressionHead
from ..options import Options
from ..registry import Conversion, converts

#: scikit-learn's link classes -> (the activation that inverts the link, how it is named)
INVERSE_LINKS = {LogLink: ("exp", "log link, inverted by exp"),
                 IdentityLink: ("identity", "identity link")}


@converts(PoissonRegressor, GammaRegressor, TweedieRegressor)
def _glm(estimator, options: Options) -> Conversion:
    # the fitted loss (private, but it is what predict() calls) holds the link
    """One linear neuron, then the inverse of the link (an exp unit for the log link).
    """
    link = type(estimator._base_loss.link)
    if link not in INVERSE_LINKS:
        raise ConversionError(
            f"{type(estimator).__name__} uses the {link.__name__} link, which nnconvert "
            f"cannot invert; supported links: log and identity."
        )
    activation, note = INVERSE_LINKS[link]
    fitted = Fitted(estimator)
    weight = fitted.array("coef_", shape=(fitted.n_features,)).reshape(1, -1)
    units = ActivatedUnits(weight, [fitted.number("intercept_")], activation=activation,
                           title=f"{type(estimator).__name__} neuron ({note})")
    return Conversion(layers=[units], head=RegressionHead(1, single=True))
