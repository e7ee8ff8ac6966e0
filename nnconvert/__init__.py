"""nnconvert: fitted scikit-learn estimators as PyTorch networks that compute the same function.

>>> import nnconvert as nc
>>> from sklearn.datasets import load_iris
>>> from sklearn.svm import LinearSVC
>>> X, y = load_iris(return_X_y=True)
>>> model = LinearSVC().fit(X, y)
>>> net = nc.convert(model)
>>> bool((net.predict(X) == model.predict(X)).all())
True

The names below load on first use (``import nnconvert`` itself imports neither torch nor
scikit-learn), so that the command line starts quickly.
"""

from .export import export
from .lazy import lazy_names
from .verify import verify

__all__ = [
    "convert",
    "supported_estimators",
    "supported_transformers",
    "ConvertedClassifier",
    "ConvertedRegressor",
    "ConvertedTransformer",
    "ConvertedClusterer",
    "ConvertedMultiOutputClassifier",
    "ConvertedOutlierDetector",
    "ConvertedDensity",
    "ELMClassifier",
    "ELMRegressor",
    "ConversionError",
    "InvalidModelError",
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

_HOMES = {
    "convert": ".converter",
    "supported_estimators": ".converter",
    "supported_transformers": ".converter",
    "ConversionError": ".errors",
    "InvalidModelError": ".errors",
    "NotFittedError": ".errors",
    "UnsupportedEstimatorError": ".errors",
    "ConvertedClassifier": ".network",
    "ConvertedRegressor": ".network",
    "ConvertedTransformer": ".network",
    "ConvertedClusterer": ".network",
    "ConvertedMultiOutputClassifier": ".network",
    "ConvertedOutlierDetector": ".network",
    "ConvertedDensity": ".network",
    "Diagram": ".diagram",
    "draw": ".diagram",
    "to_networkx": ".diagram",
    "ELMClassifier": ".elm",
    "ELMRegressor": ".elm",
    "to_sklearn": ".roundtrip",
    "fine_tune": ".training",
    "VerificationReport": ".verify.report",
    "load_model": ".loading",
    "losses": ".losses",
    "testing": ".testing",  # needs hypothesis: loaded only for those who use it
}
__getattr__, __dir__ = lazy_names(__name__, _HOMES, __all__)
