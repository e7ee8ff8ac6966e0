"""Extreme learning machines: scikit-learn estimators that already are networks.

An ELM draws one hidden layer at random and never trains it; only the linear read-out is
learned, in closed form, by ridge regression on the hidden activations.
:class:`ELMClassifier` regresses ±1 class targets, so it is exactly
:class:`~sklearn.linear_model.RidgeClassifier` applied to random features;
:class:`ELMRegressor` regresses the targets themselves, :class:`~sklearn.linear_model.Ridge`
on random features. Both share the hidden layer and its hyperparameters
(:class:`BaseELM`), and :func:`nnconvert.convert` turns either into that network: hidden
units, then linear units.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import scipy.linalg
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["BaseELM", "ELMClassifier", "ELMRegressor", "ELM_ACTIVATIONS", "ridge_readout"]

#: hidden activations, applied in place: the hidden matrix of a large fit is hundreds of MiB,
#: and writing the activation into a fresh array costs more (page faults) than computing it;
#: "rbf" units are Gaussian bumps around training rows instead of ridge functions of a
#: projection
ELM_ACTIVATIONS = {
    "sigmoid": lambda z: expit(z, out=z),
    "tanh": lambda z: np.tanh(z, out=z),
    "relu": lambda z: np.maximum(z, 0.0, out=z),
    "sin": lambda z: np.sin(z, out=z),
    "identity": lambda z: z,
    "rbf": None,  # computed from distances, see BaseELM._hidden
}

WEIGHT_DISTRIBUTIONS = ("normal", "uniform")


def ridge_readout(H: np.ndarray, T: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Ridge regression of targets ``T`` on features ``H`` with an unpenalised intercept.

    Solves ``min ‖Hc β − Tc‖² + α‖β‖²`` on centred ``Hc``, ``Tc`` through the normal equations
    ``(Hcᵀ Hc + α I) β = Hcᵀ Tc`` with a Cholesky factorisation: forming ``Hcᵀ Hc`` is one BLAS
    call of ``n h²`` flops and the factorisation ``h³/3``, far cheaper than a QR or an SVD of
    the tall ``n × h`` matrix, and ``α > 0`` bounds the condition number by
    ``(σ_max² + α) / α``. When the Gram matrix is not numerically positive definite
    (a pivot of the factorisation at rounding level: ``α = 0`` with collinear units, or
    ``α`` far below rounding), it falls back to
    :func:`scipy.linalg.lstsq` on the augmented system ``[Hc; √α I] β = [Tc; 0]``, which never
    squares the condition number and returns the minimum-norm solution.

    ``H`` is centred in place (it is the caller's scratch array).

    Returns
    -------
    coef : ndarray of shape (n_targets, n_features)
    intercept : ndarray of shape (n_targets,)
    """
    h_mean = H.mean(axis=0)
    t_mean = T.mean(axis=0)
    H -= h_mean
    Tc = T - t_mean
    gram = H.T @ H
    gram.flat[:: gram.shape[0] + 1] += alpha
    rhs = H.T @ Tc
    # Cholesky's pivots are bounded below by the smallest eigenvalue (>= alpha); one at
    # rounding level means the Gram matrix is numerically singular and the solve is noise
    floor = gram.shape[0] * np.finfo(np.float64).eps * float(gram.diagonal().max())
    try:
        factor = scipy.linalg.cho_factor(gram, lower=True, check_finite=False)
        if float(np.min(np.abs(factor[0].diagonal()))) ** 2 <= floor:
            raise np.linalg.LinAlgError("numerically singular")
        beta = scipy.linalg.cho_solve(factor, rhs, check_finite=False)
    except np.linalg.LinAlgError:
        augmented = np.vstack([H, np.sqrt(alpha) * np.eye(H.shape[1])])
        targets = np.vstack([Tc, np.zeros((H.shape[1], Tc.shape[1]))])
        # singular values below rounding (relative to the largest) are treated as zero
        cond = np.finfo(np.float64).eps * max(augmented.shape)
        beta = scipy.linalg.lstsq(augmented, targets, cond=cond, check_finite=False)[0]
    return np.ascontiguousarray(beta.T), t_mean - h_mean @ beta


#: the parameters' documentation, shared by the ELM estimators' docstrings
_PARAMETERS_DOC = """    Parameters
    ----------
    n_hidden : int, default=100
        Number of hidden units.
    activation : {"sigmoid", "tanh", "relu", "sin", "identity", "rbf"}, default="sigmoid"
        Hidden activation. ``"rbf"`` units are Gaussian bumps
        ``exp(−γ‖x − c_j‖²)`` centred on ``n_hidden`` training rows drawn at random (without
        replacement while there are enough rows): centres on the data never fall in empty
        space, unlike random centres. ``γ = weight_scale² / (n_features · X.var())``, scikit-learn's
        ``gamma="scale"`` rule for SVC when ``weight_scale = 1``.
    weight_distribution : {"normal", "uniform"}, default="normal"
        Distribution of the hidden weights and biases. ``"normal"``: weights
        ``N(0, weight_scale² / n_features)``, biases ``N(0, weight_scale²)``. ``"uniform"``:
        the same variances from ``U(−a, a)``, ``a = weight_scale · √(3 / n_features)`` for
        weights and ``weight_scale · √3`` for biases. Scaling by ``n_features`` keeps the
        pre-activations of standardised data near unit variance, where sigmoid and tanh units
        are neither linear nor saturated.
    weight_scale : float, default=1.0
        Spread of the hidden weights (see ``weight_distribution``); for ``"rbf"``, the
        inverse width of the Gaussians.
    alpha : float, default=1.0
        Ridge penalty of the read-out (the intercept is not penalised). ``alpha = 0`` gives
        the least-squares (minimum norm) read-out. Same default as Ridge and RidgeClassifier.
    random_state : int, RandomState instance or None, default=None
        Seeds the hidden layer (and the choice of RBF centres).
"""
#: the hidden layer's fitted attributes, shared likewise
_HIDDEN_ATTRIBUTES_DOC = """    hidden_weights_ : ndarray of shape (``n_features_in_``, n_hidden)
        Input-to-hidden weights (not used by ``"rbf"`` units).
    hidden_bias_ : ndarray of shape (n_hidden,)
        Hidden biases (not used by ``"rbf"`` units).
    centres_ : ndarray of shape (n_hidden, ``n_features_in_``)
        Centres of ``"rbf"`` units (only for ``activation="rbf"``).
    gamma_ : float
        Inverse squared width of ``"rbf"`` units (only for ``activation="rbf"``).
"""


class BaseELM(BaseEstimator):
    """What every ELM shares: its hyperparameters, the random hidden layer and the ridge
    read-out. Not an estimator on its own: see :class:`ELMClassifier`, :class:`ELMRegressor`.

    The parameters and the hidden layer's attributes are documented on the subclasses.
    """

    def __init__(self, n_hidden=100, activation="sigmoid", weight_distribution="normal",
                 weight_scale=1.0, alpha=1.0, random_state=None):
        self.n_hidden = n_hidden
        self.activation = activation
        self.weight_distribution = weight_distribution
        self.weight_scale = weight_scale
        self.alpha = alpha
        self.random_state = random_state

    def _check_params(self) -> None:
        if not isinstance(self.n_hidden, Integral) or isinstance(self.n_hidden, bool) \
                or self.n_hidden < 1:
            raise ValueError(f"n_hidden must be a positive integer, got {self.n_hidden!r}.")
        if self.activation not in ELM_ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {sorted(ELM_ACTIVATIONS)}, got {self.activation!r}."
            )
        if self.weight_distribution not in WEIGHT_DISTRIBUTIONS:
            raise ValueError(
                f"weight_distribution must be one of {list(WEIGHT_DISTRIBUTIONS)}, "
                f"got {self.weight_distribution!r}."
            )
        for name in ("weight_scale", "alpha"):
            value = getattr(self, name)
            if not isinstance(value, Real) or isinstance(value, bool) or not np.isfinite(value) \
                    or value < 0 or (name == "weight_scale" and value == 0):
                bound = "> 0" if name == "weight_scale" else ">= 0"
                raise ValueError(f"{name} must be a finite number {bound}, got {value!r}.")

    def _draw_hidden(self, X: np.ndarray, rng: np.random.RandomState) -> None:
        n_samples, n_features = X.shape
        s = float(self.weight_scale)
        if self.activation == "rbf":
            replace = self.n_hidden > n_samples
            rows = rng.choice(n_samples, size=self.n_hidden, replace=replace)
            self.centres_ = X[rows].copy()
            variance = float(X.var())
            self.gamma_ = s * s / (n_features * (variance if variance > 0 else 1.0))
            return
        shape = (n_features, self.n_hidden)
        if self.weight_distribution == "normal":
            self.hidden_weights_ = rng.standard_normal(shape) * (s / np.sqrt(n_features))
            self.hidden_bias_ = rng.standard_normal(self.n_hidden) * s
        else:
            a = s * np.sqrt(3.0 / n_features)
            self.hidden_weights_ = rng.uniform(-a, a, size=shape)
            self.hidden_bias_ = rng.uniform(-s * np.sqrt(3.0), s * np.sqrt(3.0), self.n_hidden)

    def _hidden(self, X: np.ndarray) -> np.ndarray:
        """Hidden activations, shape (n_samples, n_hidden); a fresh array the caller may own."""
        if self.activation == "rbf":
            # ‖x‖² + ‖c‖² − 2⟨x, c⟩, the form a network layer computes with one matrix product
            sq = (X * X).sum(axis=1)[:, None] + (self.centres_ ** 2).sum(axis=1)[None, :]
            sq -= 2.0 * (X @ self.centres_.T)
            # rounding can leave a tiny negative distance for x ≈ c; a distance is ≥ 0
            np.maximum(sq, 0.0, out=sq)
            sq *= -self.gamma_
            return np.exp(sq, out=sq)
        Z = X @ self.hidden_weights_
        Z += self.hidden_bias_
        return ELM_ACTIVATIONS[self.activation](Z)

    def _fit_hidden_and_readout(self, X: np.ndarray, T: np.ndarray) -> None:
        """Draw the hidden layer for ``X`` and solve the read-out of targets ``T``
        (n_samples, n_targets): ``coef_`` (n_targets, n_hidden), ``intercept_`` (n_targets,)."""
        self._check_params()
        for stale in ("centres_", "gamma_", "hidden_weights_", "hidden_bias_"):
            self.__dict__.pop(stale, None)  # refitting with another activation
        self._draw_hidden(X, check_random_state(self.random_state))
        self.coef_, self.intercept_ = ridge_readout(self._hidden(X), T, float(self.alpha))


class ELMClassifier(ClassifierMixin, BaseELM):
    __doc__ = """Extreme learning machine classifier: a random hidden layer and a ridge read-out.

    ``decision_function(x) = f(x W + b) · coef_ᵀ + intercept_``, where ``W``, ``b`` are drawn
    once at random and ``coef_``, ``intercept_`` are the ridge regression of the class targets
    (+1 for the class, −1 otherwise, as :class:`~sklearn.linear_model.RidgeClassifier` uses) on
    the hidden activations.

%(parameters)s
    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Only when X had string column names.
%(hidden_attributes)s    coef_ : ndarray, shape (1, n_hidden) (two classes) or (n_classes, n_hidden)
        Read-out weights.
    intercept_ : ndarray of shape (1,) or (n_classes,)

    Notes
    -----
    ``predict_proba`` squashes the scores as scikit-elm and ``SGDClassifier(loss="log_loss")``
    do: σ(s) per class, normalised to sum to 1 (two classes: ``[1 − σ(s), σ(s)]``). The
    read-out is a least-squares fit to ±1 targets, so these are scores on a probability scale,
    not calibrated probabilities; wrap the model in
    :class:`~sklearn.calibration.CalibratedClassifierCV` when calibration matters.

    ``predict`` is ``classes_[1]`` where the binary score is strictly positive, else the first
    class with the highest score, as for scikit-learn's linear classifiers.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from nnconvert import ELMClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> elm = ELMClassifier(n_hidden=50, random_state=0).fit(X, y)
    >>> elm.decision_function(X[:2]).shape
    (2, 3)
    """ % {"parameters": _PARAMETERS_DOC, "hidden_attributes": _HIDDEN_ATTRIBUTES_DOC}

    def fit(self, X, y):
        """Draw the hidden layer and solve the ridge read-out.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels (numbers or strings), at least two distinct ones.

        Returns
        -------
        ELMClassifier
            The fitted estimator, ``self``.
        """
        self._check_params()  # before the data: a bad parameter is named first
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=False)
        check_classification_targets(y)
        binarizer = LabelBinarizer(pos_label=1, neg_label=-1)
        T = binarizer.fit_transform(y).astype(np.float64)
        if len(binarizer.classes_) < 2:
            raise ValueError(
                f"ELMClassifier needs samples of at least 2 classes in the data, but the data "
                f"contains only one class: {binarizer.classes_[0]!r}."
            )
        self.classes_ = binarizer.classes_
        self._fit_hidden_and_readout(X, T)
        return self

    def decision_function(self, X) -> np.ndarray:
        """Read-out scores.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) for two classes (positive means ``classes_[1]``), else
        (n_samples, n_classes)
        """
        check_is_fitted(self, "coef_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        scores = self._hidden(X) @ self.coef_.T + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict_proba(self, X) -> np.ndarray:
        """σ of the read-out scores, normalised over classes (see Notes: not calibrated).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        p = expit(self.decision_function(X))
        if p.ndim == 1:
            return np.column_stack([1.0 - p, p])
        total = p.sum(axis=1, keepdims=True)
        # every σ underflowed to 0: no class is preferred, so the row is uniform
        return np.divide(p, total, out=np.full_like(p, 1.0 / p.shape[1]), where=total > 0)

    def predict(self, X) -> np.ndarray:
        """Class labels: the sign of the binary score, else the first highest score.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        scores = self.decision_function(X)
        index = (scores > 0).astype(np.intp) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[index]


class ELMRegressor(RegressorMixin, BaseELM):
    __doc__ = """Extreme learning machine regressor: a random hidden layer and a ridge read-out.

    ``predict(x) = f(x W + b) · coef_ᵀ + intercept_``, where ``W``, ``b`` are drawn once at
    random and ``coef_``, ``intercept_`` are the ridge regression of the targets on the
    hidden activations (:class:`~sklearn.linear_model.Ridge` on random features). One target
    or several: every target shares the hidden layer.

%(parameters)s
    Attributes
    ----------
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Only when X had string column names.
%(hidden_attributes)s    coef_ : ndarray of shape (n_hidden,) (a 1-D y) or (n_targets, n_hidden)
        Read-out weights, shaped as :class:`~sklearn.linear_model.Ridge`'s.
    intercept_ : float for a 1-D y, else ndarray of shape (n_targets,)

    Notes
    -----
    ``predict`` returns shape (n_samples,) for a 1-D ``y`` and (n_samples, n_targets) for a
    2-D one, a single column included, as scikit-learn's linear regressors do. Targets are
    not scaled: with ``alpha > 0`` the penalty weighs against targets of large magnitude,
    so standardise them (``TransformedTargetRegressor``) where their scale is far from 1.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from nnconvert import ELMRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> elm = ELMRegressor(n_hidden=50, alpha=1e-3, random_state=0).fit(X * 20, y)
    >>> elm.predict(X[:3] * 20).shape
    (3,)
    """ % {"parameters": _PARAMETERS_DOC, "hidden_attributes": _HIDDEN_ATTRIBUTES_DOC}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X, y):
        """Draw the hidden layer and solve the ridge read-out.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)

        Returns
        -------
        ELMRegressor
            The fitted estimator, ``self``.
        """
        self._check_params()  # before the data: a bad parameter is named first
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True, multi_output=True)
        # strings that are no numbers fail here with numpy's message, naming the value
        T = y.astype(np.float64).reshape(len(y), -1)
        self._fit_hidden_and_readout(X, T)
        if y.ndim == 1:  # Ridge's shapes: a 1-D y has a 1-D coef_ and a scalar intercept_
            self.coef_, self.intercept_ = self.coef_[0], float(self.intercept_[0])
        return self

    def predict(self, X) -> np.ndarray:
        """The read-out of the hidden units.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) for a 1-D ``y`` at fit, else (n_samples, n_targets)
        """
        check_is_fitted(self, "coef_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return self._hidden(X) @ self.coef_.T + self.intercept_
