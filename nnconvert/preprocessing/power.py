"""PowerTransformer as elementwise power units, then its standard scaler.

Each feature goes through its own fitted λ, computed as scipy computes it (``expm1`` of a
logarithm, not ``(x^λ − 1)/λ``, which cancels for λ near 0):

- Yeo-Johnson: ``expm1(λ log1p(x)) / λ`` for ``x ≥ 0`` (``log1p(x)`` at λ = 0), and
  ``−expm1((2 − λ) log1p(−x)) / (2 − λ)`` below 0 (``−log1p(−x)`` at λ = 2);
- Box-Cox: ``expm1(λ log x) / λ`` (``log x`` at λ = 0). scikit-learn refuses x ≤ 0 there;
  the network answers NaN (or ``−1/λ`` at 0), so keep such rows out.

With ``standardize=True`` the fitted standard scaler follows.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.preprocessing import PowerTransformer

from ..fitted import Fitted
from ..layers import AffineScaler, Layer, LayerDescription, as_buffer
from ..options import Options
from ..registry import converts_transformer

__all__ = ["PowerUnits"]


class PowerUnits(Layer):
    """One power unit per feature: Yeo-Johnson or Box-Cox with the feature's λ."""

    def __init__(self, lambdas, method: str):
        super().__init__()
        lambdas = np.asarray(lambdas, dtype=np.float64)
        self.register_buffer("lambdas", as_buffer(lambdas))
        # scipy's special cases, decided once per feature (as it decides them per call)
        eps = np.finfo(np.float64).eps
        if method == "yeo-johnson":
            self.register_buffer("log_at_zero", torch.as_tensor(np.abs(lambdas) < eps))
            self.register_buffer("log_at_two", torch.as_tensor(np.abs(lambdas - 2) <= eps))
        else:  # scipy.special.boxcox: log x where |λ| < 1e-19
            self.register_buffer("log_at_zero", torch.as_tensor(np.abs(lambdas) < 1e-19))
        self.method = method

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        lam = self.lambdas.to(x.dtype)
        safe = torch.where(self.log_at_zero, torch.ones_like(lam), lam)  # no 0/0 where unused
        if self.method == "box-cox":
            log = torch.log(x)
            return torch.where(self.log_at_zero, log, torch.expm1(lam * log) / safe)
        up = torch.log1p(x.clamp(min=0))
        positive = torch.where(self.log_at_zero, up, torch.expm1(lam * up) / safe)
        down = torch.log1p((-x).clamp(min=0))
        other = torch.where(self.log_at_two, torch.ones_like(lam), 2 - lam)
        negative = torch.where(self.log_at_two, -down, -torch.expm1((2 - lam) * down) / other)
        return torch.where(x >= 0, positive, negative)

    def describe(self) -> LayerDescription:
        formula = ("{y}_j = expm1(λ_j log1p({x}_j)) / λ_j for {x}_j ≥ 0, "
                   "−expm1((2 − λ_j) log1p(−{x}_j)) / (2 − λ_j) below"
                   if self.method == "yeo-johnson" else "{y}_j = expm1(λ_j log {x}_j) / λ_j")
        return LayerDescription(
            title=f"{self.method} power units", n_in=self.lambdas.shape[0],
            n_out=self.lambdas.shape[0], activation=self.method, activation_kind="identity",
            formula=formula, connectivity="elementwise",
            parameters={"λ": self.lambdas.cpu().numpy()})


@converts_transformer(PowerTransformer)
def _power_transformer(transformer: PowerTransformer, options: Options) -> list:
    """Power units (Yeo-Johnson or Box-Cox, as scipy computes them, with ``expm1``), then the
    standard scaler where ``standardize`` is set.
    """
    fitted = Fitted(transformer)
    n = fitted.n_features
    layers = [PowerUnits(fitted.array("lambdas_", shape=(n,)), transformer.method)]
    if transformer.standardize:
        scaler = Fitted(fitted.get("_scaler"), name="PowerTransformer._scaler")
        layers.append(AffineScaler(scaler.array("mean_", shape=(n,)),
                                   scaler.array("scale_", shape=(n,), nonzero=True),
                                   mode="center-divide", title="standard scaler"))
    return layers
