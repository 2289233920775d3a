"""How sure a difference between two variants is, on the same queries: the mean paired difference,
its 95 % bootstrap confidence interval, and a two-sided paired permutation p-value (scipy.stats).

A superscript saying "beats 2 at p < 0.05" hides how large the gain is and how wide its
uncertainty; an interval that crosses zero says at once that a set cannot tell two variants apart.
Both tests resample the per-query (or per-sampling) values, so they assume nothing about their shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.stats import bootstrap, permutation_test

RESAMPLES = 9999
SEED = 0  # fixed: the same run prints the same interval


@dataclass(frozen=True)
class PairedDifference:
    """``other - baseline`` over the queries both were measured on."""

    mean: float
    low: float  # 95 % confidence interval of the mean difference
    high: float
    p_value: float  # two-sided: are the paired values exchangeable?
    queries: int

    def cell(self) -> str:
        return f"{self.mean:+.4f} [{self.low:+.4f}, {self.high:+.4f}] p={self.p_value:.3g}"

    def as_dict(self) -> dict[str, float | int]:
        return {"mean": self.mean, "ci95_low": self.low, "ci95_high": self.high, "p_value": self.p_value, "queries": self.queries}


def paired_difference(baseline: Mapping[str, float], other: Mapping[str, float]) -> PairedDifference:
    """Compare two per-query value maps on the queries they share (a query missing from one is left out)."""
    shared = sorted(set(baseline) & set(other))
    if len(shared) < 2:
        raise ValueError(f"a paired comparison needs at least two shared queries, not {len(shared)}")
    differences = np.array([other[q] - baseline[q] for q in shared], dtype=np.float64)
    mean = float(differences.mean())
    if np.allclose(differences, differences[0]):  # no spread: the interval is the value, nothing to test
        return PairedDifference(mean, mean, mean, 1.0 if mean == 0 else 0.0, len(shared))
    rng = np.random.default_rng(SEED)
    interval = bootstrap((differences,), np.mean, n_resamples=RESAMPLES, confidence_level=0.95, method="percentile", random_state=rng)
    # Paired permutation ("samples"): flip the sign of each query's difference at random.
    test = permutation_test(
        (differences,), np.mean, permutation_type="samples", n_resamples=RESAMPLES, alternative="two-sided", random_state=rng
    )
    return PairedDifference(
        mean, float(interval.confidence_interval.low), float(interval.confidence_interval.high), float(test.pvalue), len(shared)
    )
