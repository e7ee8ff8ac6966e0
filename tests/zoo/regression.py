"""Zoo entries for regressors (networks with a ``predict`` of real values)."""

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.cross_decomposition import PLSRegression
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process import kernels as gp
from sklearn.isotonic import IsotonicRegression
from sklearn.kernel_ridge import KernelRidge
from sklearn.linear_model import (
    ARDRegression,
    BayesianRidge,
    ElasticNet,
    GammaRegressor,
    HuberRegressor,
    Lars,
    Lasso,
    LassoLars,
    LassoLarsIC,
    LinearRegression,
    MultiTaskLasso,
    OrthogonalMatchingPursuit,
    PassiveAggressiveRegressor,
    PoissonRegressor,
    QuantileRegressor,
    RANSACRegressor,
    Ridge,
    RidgeCV,
    SGDRegressor,
    TheilSenRegressor,
    TweedieRegressor,
)
from sklearn.multioutput import MultiOutputRegressor, RegressorChain
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler
from sklearn.svm import SVR, LinearSVR, NuSVR

from . import Case


def _regressor(id, make, dataset, *tags):
    return Case(id, make, dataset, tags=tags, kind="regressor")


def _one_column(column, *steps):
    """A pipeline reading one column of the data: isotonic regression takes one feature."""
    return make_pipeline(ColumnTransformer([("one", "passthrough", [column])]), *steps)


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
    # kernel support vector regressors: every kernel, gamma resolved from 'scale' and 'auto'
    _regressor("svr-rbf-diabetes", lambda: SVR(C=100.0), "diabetes", "kernel"),
    _regressor("svr-poly-friedman-scaled",
               lambda: make_pipeline(StandardScaler(), SVR(kernel="poly", degree=3, C=10.0,
                                                           coef0=1.0)),
               "friedman", "kernel", "pipeline"),
    _regressor("svr-linear-friedman", lambda: SVR(kernel="linear", C=1.0), "friedman", "kernel"),
    _regressor("svr-sigmoid-diabetes-auto",
               lambda: SVR(kernel="sigmoid", gamma="auto", coef0=0.5, C=50.0), "diabetes",
               "kernel"),
    _regressor("nusvr-rbf-friedman-scaled",
               lambda: make_pipeline(StandardScaler(), NuSVR(nu=0.4, C=5.0)), "friedman",
               "kernel", "pipeline"),
    _regressor("nusvr-poly-diabetes", lambda: NuSVR(kernel="poly", degree=2, gamma=20.0, C=10.0),
               "diabetes", "kernel"),
    # kernel ridge: pairwise_kernels' defaults (gamma = 1 / n_features, coef0 = 1)
    _regressor("kernelridge-rbf-diabetes", lambda: KernelRidge(kernel="rbf", alpha=0.05),
               "diabetes", "kernel"),
    _regressor("kernelridge-polynomial-friedman-scaled",
               lambda: make_pipeline(StandardScaler(),
                                     KernelRidge(kernel="polynomial", degree=2, alpha=1.0)),
               "friedman", "kernel", "pipeline"),
    _regressor("kernelridge-linear-diabetes-two-targets",
               lambda: KernelRidge(kernel="linear", alpha=0.1), "diabetes2", "kernel",
               "multioutput"),
    _regressor("kernelridge-sigmoid-friedman-scaled",
               lambda: make_pipeline(StandardScaler(),
                                     KernelRidge(kernel="sigmoid", gamma=0.01, coef0=0.5,
                                                 alpha=5.0)),
               "friedman", "kernel", "pipeline"),
    _regressor("kernelridge-laplacian-diabetes",
               lambda: KernelRidge(kernel="laplacian", gamma=5.0, alpha=0.1), "diabetes",
               "kernel"),
    _regressor("kernelridge-cosine-friedman-scaled",
               lambda: make_pipeline(StandardScaler(), KernelRidge(kernel="cosine", alpha=0.5)),
               "friedman", "kernel", "pipeline"),
    # multi-layer perceptrons: the identity output layer is the prediction
    _regressor("mlpreg-relu-diabetes-scaled",
               lambda: make_pipeline(StandardScaler(),
                                     MLPRegressor(hidden_layer_sizes=(32, 16),
                                                  learning_rate_init=0.01, max_iter=300,
                                                  random_state=0)),
               "diabetes", "pipeline"),
    _regressor("mlpreg-tanh-friedman", lambda: MLPRegressor(hidden_layer_sizes=(20,),
                                                             activation="tanh", max_iter=400,
                                                             random_state=0), "friedman",
              "ill-conditioned"),
    _regressor("mlpreg-logistic-diabetes-two-targets",
               lambda: make_pipeline(StandardScaler(),
                                     MLPRegressor(hidden_layer_sizes=(16,), activation="logistic",
                                                  learning_rate_init=0.01, max_iter=300,
                                                  random_state=0)),
               "diabetes2", "pipeline", "multioutput"),
    # linear models whose predict is X @ coef_.T + intercept_, whatever fitted them
    _regressor("huber-diabetes", lambda: HuberRegressor(alpha=1e-3, max_iter=500), "diabetes"),
    _regressor("quantile-median-friedman",
               lambda: QuantileRegressor(quantile=0.5, alpha=0.01, solver="highs"), "friedman"),
    _regressor("bayesianridge-diabetes", BayesianRidge, "diabetes"),
    _regressor("ard-friedman", ARDRegression, "friedman"),
    _regressor("lars-diabetes-two-targets", lambda: Lars(n_nonzero_coefs=6), "diabetes2",
               "multioutput"),
    _regressor("lassolars-friedman", lambda: LassoLars(alpha=0.01), "friedman"),
    _regressor("lassolarsic-bic-diabetes", lambda: LassoLarsIC(criterion="bic"), "diabetes"),
    _regressor("omp-friedman", lambda: OrthogonalMatchingPursuit(n_nonzero_coefs=5), "friedman"),
    _regressor("theilsen-diabetes",
               lambda: TheilSenRegressor(random_state=0, max_subpopulation=500), "diabetes"),
    _regressor("passive-aggressive-reg-friedman-scaled",
               lambda: make_pipeline(StandardScaler(), PassiveAggressiveRegressor(random_state=0)),
               "friedman", "pipeline"),
    _regressor("multitask-lasso-diabetes-two-targets", lambda: MultiTaskLasso(alpha=0.1),
               "diabetes2", "multioutput"),
    _regressor("ransac-linreg-diabetes", lambda: RANSACRegressor(random_state=0), "diabetes"),
    _regressor("ransac-svr-friedman",
               lambda: RANSACRegressor(SVR(C=10.0), min_samples=0.5, residual_threshold=3.0,
                                       random_state=0), "friedman", "kernel"),
    _regressor("pls-diabetes", lambda: PLSRegression(n_components=3), "diabetes"),
    _regressor("pls-unscaled-diabetes-two-targets",
               lambda: PLSRegression(n_components=4, scale=False), "diabetes2", "multioutput"),
    # generalised linear models: the inverse link is the output activation
    _regressor("poisson-diabetes", lambda: PoissonRegressor(alpha=1e-3, max_iter=1000),
               "diabetes"),
    _regressor("gamma-friedman-scaled",
               lambda: make_pipeline(StandardScaler(), GammaRegressor(alpha=0.01)), "friedman",
               "pipeline"),
    _regressor("tweedie-identity-diabetes", lambda: TweedieRegressor(power=0.0, alpha=0.01),
               "diabetes"),
    _regressor("tweedie-compound-diabetes", lambda: TweedieRegressor(power=1.5, alpha=0.01),
               "diabetes"),
    # isotonic regression on one column (bmi rises with the target, s3 falls); the zoo's
    # probe points lie beyond the knots, where 'clip' is defined ('nan': test_regressors_more)
    _regressor("isotonic-bmi-diabetes-clip",
               lambda: _one_column(2, IsotonicRegression(out_of_bounds="clip")), "diabetes",
               "pipeline"),
    _regressor("isotonic-decreasing-s3-diabetes-clip",
               lambda: _one_column(6, IsotonicRegression(increasing=False, out_of_bounds="clip")),
               "diabetes", "pipeline"),
    _regressor("isotonic-bounded-friedman-clip",
               lambda: _one_column(3, IsotonicRegression(out_of_bounds="clip", y_min=8.0,
                                                         y_max=20.0)), "friedman", "pipeline"),
    # meta-regressors: one member per target, side by side or chained
    _regressor("multioutput-svr-diabetes-two-targets",
               lambda: MultiOutputRegressor(SVR(C=50.0)), "diabetes2", "kernel", "multioutput"),
    _regressor("multioutput-ridge-diabetes-two-targets", lambda: MultiOutputRegressor(Ridge()),
               "diabetes2", "multioutput"),
    _regressor("chain-reversed-scaled-svr-diabetes-two-targets",
               lambda: RegressorChain(make_pipeline(StandardScaler(), SVR(C=20.0)),
                                      order=[1, 0]), "diabetes2", "kernel", "multioutput"),
    _regressor("chain-mlpreg-diabetes-two-targets",
               lambda: RegressorChain(MLPRegressor(hidden_layer_sizes=(8,), max_iter=200,
                                                   random_state=0)),
               "diabetes2", "multioutput"),
    _regressor("gpr-rbf-white-friedman", lambda: GaussianProcessRegressor(
        gp.ConstantKernel() * gp.RBF(np.ones(10)) + gp.WhiteKernel(), normalize_y=True,
        random_state=0), "friedman", "ill-conditioned"),
    _regressor("gpr-matern-dot-diabetes", lambda: make_pipeline(
        StandardScaler(), GaussianProcessRegressor(
            gp.Matern(nu=1.5) + gp.DotProduct(), alpha=1e-2, normalize_y=True)),
        "diabetes", "pipeline"),
    _regressor("gpr-rq-diabetes-two-targets", lambda: GaussianProcessRegressor(
        gp.RationalQuadratic(), alpha=0.1, normalize_y=True), "diabetes2", "multioutput"),
]
