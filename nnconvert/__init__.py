"""nnconvert: fitted scikit-learn estimators as PyTorch networks that compute the same function.

>>> import nnconvert as nc
>>> net = nc.convert(fitted_estimator)          # doctest: +SKIP
>>> net.predict(X)                              # doctest: +SKIP
"""

from .convert import convert, supported_estimators, supported_transformers
from .errors import ConversionError, NotFittedError, UnsupportedEstimatorError
from .network import ConvertedClassifier, ConvertedRegressor, ConvertedTransformer
from .diagram import Diagram, draw, to_networkx
from .elm import ELMClassifier
from . import losses
from .roundtrip import to_sklearn
from .training import fine_tune
from .verify import VerificationReport, verify
from .export import export
from .loading import load_model

__all__ = [
    "convert",
    "supported_estimators",
    "supported_transformers",
    "ConvertedClassifier",
    "ConvertedRegressor",
    "ConvertedTransformer",
    "ELMClassifier",
    "ConversionError",
    "NotFittedError",
    "UnsupportedEstimatorError",
    "losses",
    "to_sklearn",
    "fine_tune",
    "draw",
    "to_networkx",
    "Diagram",
    "verify",
    "VerificationReport",
    "testing",
    "export",
    "load_model",
]

__version__ = "0.1.0"


def __getattr__(name: str):
    # nnconvert.testing imports hypothesis: only for those who use it
    if name == "testing":
        import importlib

        return importlib.import_module(".testing", __name__)
    raise AttributeError(f"module 'nnconvert' has no attribute {name!r}")
