"""Distance units: the distance from the input to stored points (centroids, training rows).

Computed in the difference form ``Σ |x − c|^p`` (never ``‖x‖² − 2x·c + ‖c‖²``, which cancels
digits for points close together), in the metrics scikit-learn's neighbours and centroids
accept by name; the terms are summed in one fixed order (:func:`halving_sum`), which the
compiled k-nearest kernel (``nearest.cpp``) repeats, so that both give the same bits;
:class:`SquaredDistanceUnits` is the one GEMM form, for the many rows and centres of
clustering, made safe by moving both sides to the centres' mean first.
"""

from __future__ import annotations

import torch

from .dense import as_buffer
from .describe import Layer, LayerDescription
from .rows import into_row_blocks

__all__ = ["METRIC_FORMULAS", "metric_of", "distances", "halving_sum", "DistanceUnits",
           "SquaredDistanceUnits"]

#: the metrics distance units compute, as formulas of an input {x} and a stored point c
METRIC_FORMULAS = {
    "euclidean": "‖{x} − c‖₂ = (Σ_j ({x}_j − c_j)²)^½",
    "sqeuclidean": "‖{x} − c‖₂² = Σ_j ({x}_j − c_j)²",
    "manhattan": "‖{x} − c‖₁ = Σ_j |{x}_j − c_j|",
    "chebyshev": "‖{x} − c‖_∞ = max_j |{x}_j − c_j|",
    "minkowski": "‖{x} − c‖_p = (Σ_j |{x}_j − c_j|^p)^(1/p)",
    "cosine": "1 − {x}·c / (‖{x}‖ ‖c‖)",
    # scikit-learn's brute-force neighbours' others (families/neighbour_metrics.py reads
    # their parameters): a parameter is a buffer handed to distances()
    "seuclidean": "(Σ_j ({x}_j − c_j)² / V_j)^½",
    "mahalanobis": "((x − c)ᵀ VI (x − c))^½",
    "wminkowski": "(Σ_j w_j |{x}_j − c_j|^p)^(1/p)",
    "braycurtis": "Σ_j |{x}_j − c_j| / Σ_j |{x}_j + c_j|",
    "canberra": "Σ_j |{x}_j − c_j| / (|{x}_j| + |c_j|)   (0/0 terms: 0)",
    "correlation": "1 − ({x} − mean {x})·(c − mean c) / (‖{x} − mean {x}‖ ‖c − mean c‖)",
    "hamming": "(number of j with {x}_j ≠ c_j) / d",
    "haversine": "2 arcsin(√(sin²(({x}_0 − c_0)/2) + cos {x}_0 cos c_0 sin²(({x}_1 − c_1)/2)))",
}
#: the metrics :func:`metric_of` reads from a name alone (the others need the neighbours'
#: parameters or are theirs only)
_BY_NAME = ("euclidean", "sqeuclidean", "manhattan", "chebyshev", "minkowski", "cosine")
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
            f"{', '.join(_BY_NAME)} (or minkowski with p)")
    name = _ALIASES.get(metric, metric)
    if name == "minkowski":
        p = 2.0 if p is None else float(p)
        name = {1.0: "manhattan", 2.0: "euclidean", float("inf"): "chebyshev"}.get(p, name)
    if name not in _BY_NAME:
        raise ValueError(f"metric {metric!r} is not supported; use one of "
                         f"{', '.join(_BY_NAME)}")
    return name, (float(p) if name == "minkowski" else 2.0)


def _unit_rows(x: torch.Tensor) -> torch.Tensor:
    # scikit-learn's normalize(): a zero row stays zero (its cosine distance is then 1)
    norm = torch.linalg.vector_norm(x, dim=-1, keepdim=True)
    return x / torch.where(norm == 0, torch.ones_like(norm), norm)


def halving_sum(terms: torch.Tensor) -> torch.Tensor:
    """The sum over the last dimension in a fixed order: padded with zeros to a power of two
    ``P``, then ``s[j] + s[j + h]`` for ``h = P/2, P/4, ..., 1``.

    torch's own ``sum`` adds in an order that depends on the CPU's vector width (and differs
    on a GPU); this one is the same everywhere, and ``nearest.cpp`` adds in it too. Adding
    the zeros is exact (the terms are squares or absolute values, never -0.0).

    Examples
    --------
    >>> import torch
    >>> halving_sum(torch.tensor([[1.0, 2.0, 3.0]])).tolist()  # (1 + 3) + (2 + 0)
    [6.0]
    """
    width = terms.shape[-1]
    padded = 1
    while padded < width:
        padded *= 2
    if padded > width:
        terms = torch.nn.functional.pad(terms, (0, padded - width))
    while padded > 1:
        padded //= 2
        terms = terms[..., :padded] + terms[..., padded:]
    return terms[..., 0]


def distances(x: torch.Tensor, points: torch.Tensor, metric: str, p: float = 2.0,
              parameter: torch.Tensor | None = None) -> torch.Tensor:
    """Distances from each row of ``x`` (n, d) to ``points``: (m, d) shared by every row, or
    (n, m, d) per row. Returns (n, m). ``parameter``: the metric's own (V of "seuclidean",
    VI of "mahalanobis", w of "wminkowski"), in ``x``'s dtype."""
    if points.ndim == 2:
        points = points.unsqueeze(0)
    if metric in _OTHERS:
        return _OTHERS[metric](x.unsqueeze(1), points, p, parameter)
    if metric == "cosine":
        similarity = (_unit_rows(x).unsqueeze(1) * _unit_rows(points)).sum(dim=-1)
        return (1.0 - similarity).clamp(0.0, 2.0)
    diff = x.unsqueeze(1) - points
    if metric in ("euclidean", "sqeuclidean"):
        squared = halving_sum(diff * diff)
        return squared if metric == "sqeuclidean" else torch.sqrt(squared)
    if metric == "manhattan":
        return diff.abs().sum(dim=-1)
    if metric == "chebyshev":
        return diff.abs().amax(dim=-1)
    return (diff.abs() ** p).sum(dim=-1) ** (1.0 / p)


def _seuclidean(x, c, p, variances):
    diff = x - c
    return torch.sqrt(halving_sum(diff * diff / variances))


def _mahalanobis(x, c, p, inverse):
    diff = x - c
    return torch.sqrt((diff @ inverse * diff).sum(dim=-1))


def _wminkowski(x, c, p, w):
    return halving_sum(w * (x - c).abs() ** p) ** (1.0 / p)


def _braycurtis(x, c, p, parameter):
    above, below = halving_sum((x - c).abs()), halving_sum((x + c).abs())
    # scikit-learn's: 0 where the denominator is 0
    return torch.where(below > 0, above / torch.where(below > 0, below, 1.0), 0.0)


def _canberra(x, c, p, parameter):
    above, below = (x - c).abs(), x.abs() + c.abs()
    return halving_sum(torch.where(below > 0, above / torch.where(below > 0, below, 1.0), 0.0))


def _correlation(x, c, p, parameter):
    # scipy's: the rows centred on their means, then the cosine distance of those
    x, c = x - x.mean(dim=-1, keepdim=True), c - c.mean(dim=-1, keepdim=True)
    product = halving_sum(x * c)
    norms = torch.sqrt(halving_sum(x * x)) * torch.sqrt(halving_sum(c * c))
    return 1.0 - product / norms  # a constant row: 0/0, NaN, as scipy answers


def _hamming(x, c, p, parameter):
    return halving_sum((x != c).to(x.dtype)) / x.shape[-1]


def _haversine(x, c, p, parameter):
    half = (x - c) / 2.0
    inner = (torch.sin(half[..., 0]) ** 2
             + torch.cos(x[..., 0]) * torch.cos(c[..., 0]) * torch.sin(half[..., 1]) ** 2)
    return 2.0 * torch.arcsin(torch.sqrt(inner))


#: the metrics with a formula of their own: f(x (n, 1, d), c (1 or n, m, d), p, parameter)
_OTHERS = {"seuclidean": _seuclidean, "mahalanobis": _mahalanobis,
           "wminkowski": _wminkowski, "braycurtis": _braycurtis, "canberra": _canberra,
           "correlation": _correlation, "haversine": _haversine, "hamming": _hamming}


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


class SquaredDistanceUnits(Layer):
    """One unit per stored point: the squared Euclidean distance ``‖x − c‖²``, one GEMM.

    The expanded form ``‖x‖² − 2x·c + ‖c‖²`` is what scikit-learn's k-means, Birch and
    ``euclidean_distances`` compute, and the one that runs at matrix-product speed; it cancels
    digits where ``‖x‖`` and ``‖c‖`` are large next to ``‖x − c‖``. So both sides are first
    moved by the points' mean ``m`` (in the difference form: ``x − m``, ``c − m``): the
    cancellation is then at the scale of the points' spread, not of their distance from the
    origin (data offset by 1e8 loses nothing). Rounding can leave a tiny negative value for
    ``x ≈ c``: it is clamped at 0, as scikit-learn clamps. Rows are computed in blocks so that
    memory follows the block, not n_rows × n_points.

    Parameters
    ----------
    points : array-like of shape (n_points, n_features)
    title : str, optional
    unit_names : sequence of str, optional
    block_rows : int, optional
        Rows per block; default: as many as hold :data:`BLOCK_BYTES` of distances (few
        blocks, written into one output: each operation on a block is a parallel region).
    """

    #: the bytes of distances one block holds, by default
    BLOCK_BYTES = 4 << 20

    def __init__(self, points, *, title: str = "squared distance units", unit_names=None,
                 block_rows: int | None = None):
        super().__init__()
        points = as_buffer(points)
        self.register_buffer("points", points)
        centre = points.mean(dim=0) if points.shape[0] else points.new_zeros(points.shape[1])
        self.register_buffer("centre", centre)
        moved = points - centre
        self.register_buffer("moved", moved)
        self.register_buffer("moved_sq_norms", (moved * moved).sum(dim=1))
        self.title = title
        self.unit_names = None if unit_names is None else tuple(unit_names)
        if block_rows is None:
            block_rows = max(64, self.BLOCK_BYTES // (8 * max(1, points.shape[0])))
        self.block_rows = int(block_rows)

    def _block(self, x: torch.Tensor) -> torch.Tensor:
        x = x - self.centre
        d = torch.addmm(self.moved_sq_norms, x, self.moved.T, alpha=-2.0)
        return d.add_((x * x).sum(dim=1, keepdim=True)).clamp_(min=0.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return into_row_blocks(self._block, x, self.block_rows, self.points.shape[0])

    def describe(self) -> LayerDescription:
        return LayerDescription(
            title=self.title,
            n_in=self.points.shape[1],
            n_out=self.points.shape[0],
            activation="‖x − c‖²",
            activation_kind="distance",
            formula=("{y}_c = ‖{x} − c‖² = ‖{x} − m‖² − 2({x} − m)·(c − m) + ‖c − m‖²   "
                     "(m: the points' mean)"),
            unit_names=self.unit_names,
            parameters={"c": self.points.cpu().numpy()},
        )
