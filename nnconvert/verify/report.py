"""What a verification found: partial results per block, their merge, and the final report.

A block of rows yields a :class:`Partial`: maxima of the score differences, the scale of the
reference scores, the worst row per method and every label mismatch with its margin.
:func:`merge` combines two partials (a pure function: associative and commutative, so blocks
may be verified in any order, on any worker). :func:`finalize` applies the near-tie band, which
depends on maxima over *all* rows, and returns the :class:`VerificationReport`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

import numpy as np

from ..agreement import RELATIVE_MARGIN, compares_labels, tie_band

__all__ = ["Row", "Partial", "merge", "finalize", "VerificationReport"]

#: how many example rows a report keeps
N_WORST = 5


def _plain(value):
    """A JSON-friendly version of a label or score (numpy scalars and arrays to Python)."""
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return str(value)
    return value


@dataclass(frozen=True)
class Row:
    """One row worth showing, with both answers.

    Attributes
    ----------
    index : int
        Row of ``X``.
    why : str
        ``"label"`` for a label mismatch, else the score method whose worst row it is.
    reference_label, network_label
        ``predict`` of the estimator and of the network.
    reference_scores, network_scores : tuple of float
        The row's scores (of ``why``'s method, or of the method the margin is measured in).
    abs_diff : float
        Largest difference between the two score rows.
    margin : float
        How far the estimator is from changing its label on this row (NaN when not computed).
    """

    index: int
    why: str
    reference_label: object
    network_label: object
    reference_scores: tuple
    network_scores: tuple
    abs_diff: float
    margin: float = float("nan")

    def to_dict(self) -> dict:
        return {k: _plain(getattr(self, k)) for k in self.__dataclass_fields__}


def _empty_int() -> np.ndarray:
    return np.empty(0, dtype=np.int64)


def _empty_float() -> np.ndarray:
    return np.empty(0, dtype=np.float64)


@dataclass
class Partial:
    """The verification of some rows, before the near-tie band is known.

    Attributes
    ----------
    n_samples : int
    max_abs, scale : dict
        Per score method: largest difference, largest reference magnitude.
    worst : dict
        Per score method: the :class:`Row` holding ``max_abs`` (the first such row).
    mismatch_rows, mismatch_margins : numpy.ndarray
        Every row whose labels differ, and the estimator's margin there.
    examples : tuple of Row
        The mismatches with the largest margins (the most confident disagreements).
    problems : tuple of str
        What could not be compared (a method the network lacks, a shape that differs).
    reference_spread : dict
        Per score method, on low-precision data only: how far scikit-learn's answers on the
        data as given lie from its answers on the float64 cast; ``max_abs`` counts only
        what the network differs beyond that (see
        :func:`~nnconvert.agreement.within_reference_precision`).
    """

    n_samples: int = 0
    max_abs: dict = field(default_factory=dict)
    scale: dict = field(default_factory=dict)
    worst: dict = field(default_factory=dict)
    mismatch_rows: np.ndarray = field(default_factory=_empty_int)
    mismatch_margins: np.ndarray = field(default_factory=_empty_float)
    examples: tuple = ()
    problems: tuple = ()
    reference_spread: dict = field(default_factory=dict)

    def shifted(self, offset: int) -> "Partial":
        """The same partial with row indices moved by ``offset`` (block to global rows)."""
        move = lambda row: replace(row, index=row.index + offset)  # noqa: E731
        return replace(
            self,
            worst={m: move(r) for m, r in self.worst.items()},
            mismatch_rows=self.mismatch_rows + offset,
            examples=tuple(move(r) for r in self.examples),
        )


def _worse(a: Row | None, b: Row | None) -> Row | None:
    # larger difference wins; on a tie the earlier row, so that the result is order-free
    if a is None or b is None:
        return a if b is None else b
    return a if (a.abs_diff, -a.index) >= (b.abs_diff, -b.index) else b


def _most_confident(rows) -> tuple:
    # NaN margins (not computed) sort last; then earliest row first
    key = lambda r: (-(r.margin if r.margin == r.margin else -np.inf), r.index)  # noqa: E731
    unique = {r.index: r for r in rows}.values()
    return tuple(sorted(unique, key=key)[:N_WORST])


def merge(a: Partial, b: Partial) -> Partial:
    """Combine the partials of two disjoint sets of rows (pure; order does not matter)."""
    methods = list(dict.fromkeys([*a.max_abs, *b.max_abs]))
    rows = np.concatenate([a.mismatch_rows, b.mismatch_rows])
    margins = np.concatenate([a.mismatch_margins, b.mismatch_margins])
    order = np.argsort(rows, kind="stable")
    return Partial(
        n_samples=a.n_samples + b.n_samples,
        max_abs={m: max(a.max_abs.get(m, 0.0), b.max_abs.get(m, 0.0)) for m in methods},
        scale={m: max(a.scale.get(m, 0.0), b.scale.get(m, 0.0)) for m in methods},
        worst={m: _worse(a.worst.get(m), b.worst.get(m)) for m in methods},
        mismatch_rows=rows[order],
        mismatch_margins=margins[order],
        examples=_most_confident(a.examples + b.examples),
        problems=tuple(dict.fromkeys(a.problems + b.problems)),
        reference_spread={m: max(a.reference_spread.get(m, 0.0), b.reference_spread.get(m, 0.0))
                          for m in dict.fromkeys([*a.reference_spread, *b.reference_spread])},
    )


@dataclass
class VerificationReport:
    """The result of :func:`nnconvert.verify`.

    Attributes
    ----------
    passed : bool
        Every score within ``rtol`` of its scale, no label disagreement, no problem.
    n_samples : int
    n_disagreements : int
        Rows where ``predict`` differs outside the near-tie band.
    near_ties : int
        Rows where it differs inside the band (rounding can flip a label there).
    max_abs_diff, max_rel_diff : dict
        Per score method; relative to the largest reference score magnitude.
    rtol : float
    tie_band : float
        Margin below which a label flip counts as a near tie.
    disagreeing_rows : numpy.ndarray
        Indices of the disagreeing rows.
    worst_rows : list of Row
        The most confident disagreements, then the row of largest difference per method.
    problems : list of str
        What stopped a comparison (a missing method, a shape mismatch).
    elapsed_s, rows_per_s : float
    backend : str
        ``"numpy"``, ``"cupy"`` or ``"dask"`` (blocks verified on a dask cluster).
    device : str
        Where the network ran.
    estimator : str
    kind : str
        The network's kind: "classifier", "regressor" (its ``predict`` is compared as a
        score), "transformer" (its ``transform``), "clusterer", "outlier_detector" or
        "density". Labels are compared for classifiers, clusterers and outlier detectors.
    reference_spread : dict
        Filled for float32 / float16 data only, per score method: how far scikit-learn's
        answers on the data as given lie from its answers on the same values cast to float64.
        That is the precision the reference achieved; ``max_abs_diff`` then counts only what
        the network differs beyond it, judged at ``rtol``.

    Examples
    --------
    >>> import nnconvert as nc
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = load_iris(return_X_y=True)
    >>> model = LogisticRegression(max_iter=1000).fit(X, y)
    >>> report = nc.verify(model, nc.convert(model), X)
    >>> report.passed, sorted(report.max_abs_diff)
    (True, ['decision_function', 'predict_proba'])
    """

    passed: bool
    n_samples: int
    n_disagreements: int
    near_ties: int
    max_abs_diff: dict
    max_rel_diff: dict
    rtol: float
    tie_band: float
    disagreeing_rows: np.ndarray
    worst_rows: list
    problems: list
    elapsed_s: float
    rows_per_s: float
    backend: str
    device: str
    estimator: str
    kind: str = "classifier"
    reference_spread: dict = field(default_factory=dict)

    @property
    def compares_labels(self) -> bool:
        """Whether labels were compared (a classifier's ``predict``)."""
        return compares_labels(self.kind)

    def to_dict(self) -> dict:
        """A JSON-ready dict (disagreeing rows: at most the first 1000)."""
        return {
            "passed": self.passed,
            "estimator": self.estimator,
            "kind": self.kind,
            "n_samples": self.n_samples,
            "n_disagreements": self.n_disagreements,
            "near_ties": self.near_ties,
            "max_abs_diff": {k: _plain(float(v)) for k, v in self.max_abs_diff.items()},
            "max_rel_diff": {k: _plain(float(v)) for k, v in self.max_rel_diff.items()},
            "rtol": self.rtol,
            "tie_band": _plain(float(self.tie_band)),
            "disagreeing_rows": self.disagreeing_rows[:1000].tolist(),
            "worst_rows": [row.to_dict() for row in self.worst_rows],
            "problems": list(self.problems),
            "elapsed_s": self.elapsed_s,
            "rows_per_s": self.rows_per_s,
            "backend": self.backend,
            "device": self.device,
            "reference_spread": {k: _plain(float(v)) for k, v in self.reference_spread.items()},
        }

    def to_json(self, **kwargs) -> str:
        """:meth:`to_dict` as a JSON string (keyword arguments go to :func:`json.dumps`)."""
        kwargs.setdefault("indent", 2)
        return json.dumps(self.to_dict(), **kwargs)

    def __str__(self) -> str:
        verdict = "PASSED" if self.passed else "FAILED"
        lines = [
            f"{verdict}: {self.estimator} vs its network on {self.n_samples:,} rows "
            f"({self.backend}, {self.device}, {self.elapsed_s:.2f} s, "
            f"{self.rows_per_s:,.0f} rows/s)",
            "",
            f"  {'method':<20s} {'max abs diff':>13s} {'max rel diff':>13s} {'rtol':>9s}  ok",
        ]
        for method, diff in self.max_abs_diff.items():
            rel = self.max_rel_diff[method]
            ok = "yes" if rel <= self.rtol else "NO"
            lines.append(f"  {method:<20s} {diff:13.3e} {rel:13.3e} {self.rtol:9.1e}  {ok}")
        if self.compares_labels:
            ok = "yes" if self.n_disagreements == 0 else "NO"
            lines.append(
                f"  {'predict (labels)':<20s} {self.n_disagreements:>13,d} disagreements, "
                f"{self.near_ties:,d} near ties (band {self.tie_band:.2e})  {ok}"
            )
        for problem in self.problems:
            lines.append(f"  problem: {problem}")
        if self.reference_spread:
            spread = max(self.reference_spread.values())
            lines.append(f"  (low-precision data: scikit-learn's own answers move by up to "
                         f"{spread:.2e} when it is cast to float64; the differences above "
                         "are what the network adds beyond that)")
        if self.worst_rows:
            # labels and scores sit in separately headed columns so a label is never read as
            # a value next to a score difference; the score shown is the row's most-differing one
            labels = self.compares_labels
            head = f"  {'row':>10s}  {'why':<18s}"
            if labels:
                head += f" {'label: est':>10s} {'label: net':>10s}"
            head += f" {'score: est':>12s} {'score: net':>12s} {'abs diff':>10s}"
            lines += ["", head + (f" {'margin':>10s}" if labels else "")]
            for r in self.worst_rows:
                reference, network = _most_different(r.reference_scores, r.network_scores)
                line = f"  {r.index:>10d}  {r.why:<18s}"
                if labels:
                    line += f" {str(r.reference_label):>10.10s} {str(r.network_label):>10.10s}"
                line += f" {reference:12.5g} {network:12.5g} {r.abs_diff:10.2e}"
                if labels:
                    line += f" {r.margin:10.2e}" if r.margin == r.margin else f" {'-':>10s}"
                lines.append(line)
        return "\n".join(lines)

    def _repr_pretty_(self, printer, cycle):  # IPython shows the table
        printer.text(str(self))


def _most_different(reference_scores, network_scores) -> tuple:
    """The (estimator, network) score pair of a row that differs most (NaNs when none)."""
    pairs = list(zip(np.ravel(reference_scores), np.ravel(network_scores)))
    if not pairs:
        return float("nan"), float("nan")
    return max(pairs, key=lambda p: abs(float(p[1]) - float(p[0])))


def finalize(partial: Partial, *, rtol: float, margin_method: str | None, elapsed_s: float,
             backend: str, device: str, estimator: str,
             kind: str = "classifier") -> VerificationReport:
    """Apply the near-tie band to the merged partial of all rows (``margin_method`` None:
    no labels were compared, so there is no band)."""
    max_rel = {m: partial.max_abs[m] / partial.scale[m] for m in partial.max_abs}
    if margin_method is not None and margin_method in partial.max_abs:
        band = tie_band(partial.max_abs[margin_method], partial.scale[margin_method], rtol)
    elif margin_method == RELATIVE_MARGIN:  # no score to measure in: relative margins
        band = rtol
    else:
        band = 0.0
    tie = partial.mismatch_margins <= band  # NaN margin: never inside the band
    disagreeing = partial.mismatch_rows[~tie]
    n_disagreements = int(disagreeing.size)
    confident = [r for r in partial.examples if not r.margin <= band]
    worst = confident + [r for r in partial.worst.values() if r is not None and r.abs_diff > 0]
    passed = (
        not partial.problems
        and n_disagreements == 0
        and all(rel <= rtol for rel in max_rel.values())
    )
    return VerificationReport(
        passed=bool(passed),
        n_samples=partial.n_samples,
        n_disagreements=n_disagreements,
        near_ties=int(tie.sum()),
        max_abs_diff=dict(partial.max_abs),
        max_rel_diff=max_rel,
        rtol=rtol,
        tie_band=band,
        disagreeing_rows=disagreeing,
        worst_rows=worst,
        problems=list(partial.problems),
        elapsed_s=elapsed_s,
        rows_per_s=partial.n_samples / elapsed_s if elapsed_s > 0 else float("inf"),
        backend=backend,
        device=device,
        estimator=estimator,
        kind=kind,
        reference_spread=dict(partial.reference_spread),
    )
