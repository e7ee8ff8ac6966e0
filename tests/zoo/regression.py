"""Zoo entries for regressors (networks with a ``predict`` of real values)."""

from sklearn.linear_model import (
    ElasticNet,
    Lasso,
    LinearRegression,
    Ridge,
    RidgeCV,
    SGDRegressor,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler
from sklearn.svm import LinearSVR

from . import Case


def _regressor(id, make, dataset, *tags):
    return Case(id, make, dataset, tags=tags, kind="regressor")


CASES = [
    _regressor("linreg-diabetes", LinearRegression, "diabetes"),
    _regressor("linreg-nointercept-friedman", lambda: LinearRegression(fit_intercept=False),
               "friedman"),
    _regressor("linreg-diabetes-two-targets", LinearRegression, "diabetes2", "multioutput"),
    _regressor("ridge-diabetes", lambda: Ridge(alpha=0.5), "diabetes"),
    _regressor("ridge-diabetes-two-targets", lambda: Ridge(alpha=2.0), "diabetes2",
               "multioutput"),
    _regressor("ridgecv-friedman", lambda: RidgeCV(alphas=(0.1, 1.0, 10.0)), "friedman"),
    _regressor("lasso-diabetes", lambda: Lasso(alpha=0.05), "diabetes"),
    _regressor("lasso-diabetes-two-targets", lambda: Lasso(alpha=0.1), "diabetes2",
               "multioutput"),
    _regressor("elasticnet-friedman", lambda: ElasticNet(alpha=0.01, l1_ratio=0.3), "friedman"),
    _regressor("pipe-standard-sgdreg-diabetes",
               lambda: make_pipeline(StandardScaler(), SGDRegressor(random_state=0)),
               "diabetes", "pipeline"),
    _regressor("pipe-robust-linearsvr-friedman",
               lambda: make_pipeline(RobustScaler(), LinearSVR(C=1.0, random_state=0)),
               "friedman", "pipeline"),
    _regressor("pipe-minmax-ridge-diabetes-two-targets",
               lambda: make_pipeline(MinMaxScaler(), Ridge()), "diabetes2",
               "pipeline", "multioutput"),
]
