"""libsvm's probabilities: Platt sigmoids per class pair, then Wu–Lin–Weng coupling."""

from __future__ import annotations

import torch

from ...layers import Layer, LayerDescription, as_buffer

__all__ = ["PairwiseCoupling", "couple"]


class PairwiseCoupling(Layer):
    """libsvm's probabilities: a Platt sigmoid per class pair, then Wu–Lin–Weng coupling.

    For pair ``p = (i, j)`` with libsvm's decision value ``f`` (positive towards class i),
    ``r_ij = clip(1 / (1 + exp(A_p f + B_p)), 1e-7, 1 − 1e-7)`` and ``r_ji = 1 − r_ij``; the
    class probabilities are the solution of Wu, Lin and Weng's (2004) method 2, found by
    libsvm's fixed-point iteration with its own starting point (uniform), update order,
    stopping rule (``max_t |(Qp)_t − pᵀQp| < 0.005 / k``) and limit (``max(100, k)``
    sweeps), so that it stops where libsvm stops, row by row. It runs for two classes too,
    as libsvm does. The whole computation is in float64 whatever the network's dtype: its
    stopping test is a threshold that must be crossed where libsvm crosses it.

    Parameters
    ----------
    prob_a, prob_b : array-like of shape (n_pairs,)
        ``probA_`` and ``probB_`` of the fitted SVC or NuSVC.
    n_classes : int
    """

    MIN_PROB = 1e-7

    def __init__(self, prob_a, prob_b, n_classes: int):
        super().__init__()
        n_pairs = n_classes * (n_classes - 1) // 2
        self.register_buffer("prob_a", as_buffer(prob_a).reshape(-1))
        self.register_buffer("prob_b", as_buffer(prob_b).reshape(-1))
        if self.prob_a.numel() != n_pairs or self.prob_b.numel() != n_pairs:
            raise ValueError(
                f"{n_classes} classes need {n_pairs} Platt coefficients, got "
                f"{self.prob_a.numel()} and {self.prob_b.numel()}"
            )
        self.n_classes = int(n_classes)

    def pairwise(self, decision: torch.Tensor) -> torch.Tensor:
        """``r`` of shape (n, k, k): ``r[:, i, j]`` estimates P(i | i or j); diagonal 0."""
        f = decision.to(torch.float64) * self.prob_a.to(decision.device, torch.float64)
        f = f + self.prob_b.to(decision.device, torch.float64)
        # libsvm's sigmoid_predict: e^(−|f|) in both branches avoids overflow and cancellation
        e = torch.exp(-f.abs())
        p = torch.where(f >= 0, e / (1.0 + e), 1.0 / (1.0 + e))
        p = p.clamp(self.MIN_PROB, 1.0 - self.MIN_PROB)
        k = self.n_classes
        r = f.new_zeros((f.shape[0], k, k))
        i, j = torch.triu_indices(k, k, offset=1, device=f.device)
        r[:, i, j] = p
        r[:, j, i] = 1.0 - p
        return r

    def forward(self, decision: torch.Tensor) -> torch.Tensor:
        """Class probabilities (n, k) from libsvm's pair decision values (n, n_pairs)."""
        return couple(self.pairwise(decision)).to(decision.dtype)

    def describe(self) -> LayerDescription:
        k = self.n_classes
        return LayerDescription(
            title="Platt sigmoids and pairwise coupling",
            n_in=k * (k - 1) // 2,
            n_out=k,
            activation="σ, coupled",
            activation_kind="coupling",
            formula=(
                "r_ij = 1 / (1 + exp(A_ij {x}_ij + B_ij)), clipped to [1e-7, 1 − 1e-7]\n"
                "{y} = argmin_p Σ_i Σ_j≠i (r_ji p_i − r_ij p_j)²  subject to Σ p = 1"
                f"  (Wu–Lin–Weng, libsvm's iteration: ≤ {max(100, k)} sweeps, "
                f"tolerance {0.005 / k:.3g})"
            ),
            connectivity="pairwise",
        )


def couple(r: torch.Tensor) -> torch.Tensor:
    """libsvm's ``multiclass_probability``, for every row of ``r`` (n, k, k) at once.

    Each row iterates until its own stopping test passes and is then frozen, exactly as
    libsvm would have treated it alone; the sums run in libsvm's order.
    """
    n, k, _ = r.shape
    max_iter, eps = max(100, k), 0.005 / k
    # Q_tt = Σ_{j≠t} r_jt² (in j order), Q_tj = −r_jt r_tj
    q = -(r.transpose(1, 2) * r)
    diagonal = r.new_zeros((n, k))
    for j in range(k):
        diagonal += r[:, j, :] ** 2
    on_diagonal = torch.arange(k, device=r.device)
    q[:, on_diagonal, on_diagonal] = diagonal
    result = r.new_full((n, k), 1.0 / k)
    rows = torch.arange(n, device=r.device)
    p = result.clone()
    for _ in range(max_iter):
        qp = r.new_zeros((len(rows), k))
        for j in range(k):
            qp += q[:, :, j] * p[:, j:j + 1]
        pqp = r.new_zeros(len(rows))
        for t in range(k):
            pqp += p[:, t] * qp[:, t]
        done = (qp - pqp[:, None]).abs().amax(dim=1) < eps
        if done.any():
            result[rows[done]] = p[done]
            keep = ~done
            rows, p, q, qp, pqp = rows[keep], p[keep], q[keep], qp[keep], pqp[keep]
            if len(rows) == 0:
                return result
        for t in range(k):
            qtt = q[:, t, t]
            diff = (pqp - qp[:, t]) / qtt
            p[:, t] += diff
            grow = 1.0 + diff
            pqp = (pqp + diff * (diff * qtt + 2.0 * qp[:, t])) / grow / grow
            qp = (qp + diff[:, None] * q[:, t, :]) / grow[:, None]
            p = p / grow[:, None]
    # rows still running after max_iter sweeps keep their last iterate, as in libsvm
    result[rows] = p
    return result
