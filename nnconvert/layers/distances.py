"""Distance units: the distance from the input to stored points (centroids, training rows).

Computed in the difference form ``Σ |x − c|^p`` (never ``‖x‖² − 2x·c + ‖c‖²``, which cancels
digits for points close together), in the metrics scikit-learn's neighbours and centroids
accept by name.
"""

from __future__ import annotations

import torch

from .dense import as_buffer
from .describe import Layer, LayerDescription

__all__ = ["METRIC_FORMULAS", "metric_of", "distances", "DistanceUnits"]

#: the metrics distance units compute, as formulas of an input {x} and a stored point c
METRIC_FORMULAS = {
    "euclidean": "‖{x} − c‖₂ = (Σ_j ({x}_j − c_j)²)^½",
    "sqeuclidean": "‖{x} − c‖₂² = Σ_j ({x}_j − c_j)²",
    "manhattan": "‖{x} − c‖₁ = Σ_j |{x}_j − c_j|",
    "chebyshev": "‖{x} − c‖_∞ = max_j |{x}_j − c_j|",
    "minkowski": "‖{x} − c‖_p = (Σ_j |{x}_j − c_j|^p)^(1/p)",
    "cosine": "1 − {x}·c / (‖{x}‖ ‖c‖)",
}
_ALIASES = {"l2": "euclidean", "l1": "manhattan", "cityblock": "manhattan",
            "infinity": "chebyshev"}


def metric_of(metric, p=None, metric_params=None) -> tuple[str, float]:
    """scikit-learn's ``metric``, ``p`` (and ``metric_params``) as one name of
    :data:`METRIC_FORMULAS` and the exponent ``p`` (used by "minkowski" only).

    Raises ValueError for a metric given as a callable or a name outside the table.
    """
    params = {k: v for k, v in dict(metric_params or {}).items()
              if not (k == "w" and v is None)}  # scikit-learn's effective params carry w=None
    if "p" in params:
        p = params.pop("p")
    if params or not isinstance(metric, str):
        raise ValueError(
            f"metric {metric!r} with parameters {params or None} is not supported; use one of "
            f"{', '.join(METRIC_FORMULAS)} (or minkowski with p)")
    name = _ALIASES.get(metric, metric)
    if name == "minkowski":
        p = 2.0 if p is None else float(p)
        name = {1.0: "manhattan", 2.0: "euclidean", float("inf"): "chebyshev"}.get(p, name)
    if name not in METRIC_FORMULAS:
        raise ValueError(f"metric {metric!r} is not supported; use one of "
                         f"{', '.join(METRIC_FORMULAS)}")
    return name, (float(p) if name == "minkowski" else 2.0)


def _unit_rows(x: torch.Tensor) -> torch.Tensor:
    # scikit-learn's normalize(): a zero row stays zero (its cosine distance is then 1)
    norm = torch.linalg.vector_norm(x, dim=-1, keepdim=True)
    return x / torch.where(norm == 0, torch.ones_like(norm), norm)


def distances(x: torch.Tensor, points: torch.Tensor, metric: str, p: float = 2.0
              ) -> torch.Tensor:
    """Distances from each row of ``x`` (n, d) to ``points``: (m, d) shared by every row, or
    (n, m, d) per row. Returns (n, m)."""
    if points.ndim == 2:
        points = points.unsqueeze(0)
    if metric == "cosine":
        similarity = (_unit_rows(x).unsqueeze(1) * _unit_rows(points)).sum(dim=-1)
        return (1.0 - similarity).clamp(0.0, 2.0)
    diff = x.unsqueeze(1) - points
    if metric in ("euclidean", "sqeuclidean"):
        squared = (diff * diff).sum(dim=-1)
        return squared if metric == "sqeuclidean" else torch.sqrt(squared)
    if metric == "manhattan":
        return diff.abs().sum(dim=-1)
    if metric == "chebyshev":
        return diff.abs().amax(dim=-1)
    return (diff.abs() ** p).sum(dim=-1) ** (1.0 / p)


class DistanceUnits(Layer):
    """One unit per stored point: the distance from the input to it.

    Parameters
    ----------
    points : array-like of shape (n_points, n_features)
    metric : str
        A key of :data:`METRIC_FORMULAS`.
    p : float, default 2.0
        The exponent of "minkowski".
    sign : float, default 1.0
        ``-1.0`` makes the units answer the negative distance (so that the nearest point
        has the largest value, for an argmax).
    title : str, optional
    unit_names : sequence of str, optional
    """

    def __init__(self, points, metric: str, p: float = 2.0, *, sign: float = 1.0,
                 title: str = "distance units", unit_names=None):
        super().__init__()
        if metric not in METRIC_FORMULAS:
            raise ValueError(f"unknown metric {metric!r}; known: {', '.join(METRIC_FORMULAS)}")
        self.register_buffer("points", as_buffer(points))
        self.metric, self.p, self.sign = metric, float(p), float(sign)
        self.title = title
        self.unit_names = None if unit_names is None else tuple(unit_names)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        d = distances(x, self.points.to(x.dtype), self.metric, self.p)
        return d if self.sign == 1.0 else self.sign * d

    def describe(self) -> LayerDescription:
        formula = METRIC_FORMULAS[self.metric]
        if self.metric == "minkowski":
            formula += f", p = {self.p:g}"
        sign = "−" if self.sign == -1.0 else ""
        return LayerDescription(
            title=self.title,
            n_in=self.points.shape[1],
            n_out=self.points.shape[0],
            activation=f"{sign}distance",
            activation_kind="distance",
            formula=f"{{y}}_c = {sign}{formula}",
            unit_names=self.unit_names,
            parameters={"c": self.points.cpu().numpy()},
        )
