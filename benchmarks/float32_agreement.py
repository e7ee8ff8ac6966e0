"""How often does a float32 network disagree with scikit-learn? Measured over the test zoo.

For every zoo case: the fraction of rows (held-out rows plus probe points spread over the
data's range) whose float32 label differs from scikit-learn's, how many of those lie inside
the near-tie band, and the largest relative score difference. Run from the repository root:
``python benchmarks/float32_agreement.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch
from harness import save

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from zoo import CASES, fitted, probe_points  # noqa: E402

import nnconvert as nc  # noqa: E402
from nnconvert.verify import compare  # noqa: E402


def main() -> None:
    rows, total, flipped, in_band = {}, 0, 0, 0
    print(f"{'zoo case':52s} {'rows':>6s} {'flips':>6s} {'in band':>8s} {'max rel diff':>13s}")
    for case in (c for c in CASES if c.kind == "classifier"):  # labels: classifiers only
        estimator, X_train, X_test = fitted(case.id)
        X = np.vstack([X_test, probe_points(X_train, 1000)])
        net = nc.convert(estimator, dtype=torch.float32)
        result = compare(estimator, net, X, rtol=1e-4)
        flips = result.n_disagreements + result.near_ties
        rel = max(result.max_rel_diff.values())
        total, flipped, in_band = total + len(X), flipped + flips, in_band + result.near_ties
        rows[case.id] = {"rows": len(X), "flips": flips, "near_ties": result.near_ties,
                         "max_rel_diff": rel}
        print(f"{case.id:52s} {len(X):6d} {flips:6d} {result.near_ties:8d} {rel:13.2e}")
    print(f"\nfloat32: {flipped} of {total} labels differ ({flipped / total:.2e}); "
          f"{in_band} of them inside the near-tie band")
    save("float32_agreement", {"cases": rows, "rows": total, "flips": flipped,
                               "near_ties": in_band})


if __name__ == "__main__":
    main()
