"""What solving an infeasible cohort again with every allowed pair costs, against the sparse-only run
(each mentee's top candidates), in the same process, on generated cohorts.

    python -m evaluation.benchmarks.pairing_full_retry

Issue 22 item 12: keeping only top candidates made feasible cohorts infeasible (everybody's top 20
the same 20 mentors: 20 pairs made of 1,000, "the constraints together leave no solution"). The
retry happens only when the diagnosis, which counts over every allowed pair, finds no reason; when it
finds one (capacity, language, ...), the full problem is infeasible too and nothing is solved again.
"""

from __future__ import annotations

import time

import numpy as np

import matcher.pairing.run as run
from matcher.pairing.problem import PairingConstraints
from matcher.pairing.run import CohortData, solve_cohort

MODES = ((0, "sparse only (before)"), (run.FULL_PROBLEM_CELLS, "with the full retry (now)"))


def cohort(n: int, m: int, affinity: np.ndarray, languages: dict[str, set[str]]) -> CohortData:
    mentees, mentors = [f"e{i}" for i in range(n)], [f"o{j}" for j in range(m)]
    return CohortData(mentees, mentors, affinity, languages, dict.fromkeys(mentees + mentors, "SN"), {}, {})


def measure(name: str, data: CohortData, constraints: PairingConstraints) -> None:
    for cells, label in MODES:
        run.FULL_PROBLEM_CELLS = cells
        start = time.perf_counter()
        problem, solution, _, status, binding = solve_cohort(data, constraints)
        seconds = time.perf_counter() - start
        reasons = ", ".join(b.template[:30] for b in binding) or "-"
        made = int(solution.chosen.sum())
        print(f"{name}: {label}: {seconds:.1f} s, {status}, {made} pairs made, problem of {len(problem)} pairs; {reasons}")


def main() -> None:
    rng = np.random.default_rng(0)
    for n, m, load, low in ((1000, 300, 3, 1), (1400, 1400, 1, 2)):  # infeasible by capacity: diagnosed, no retry
        languages = {x: {"fr"} if rng.random() < 0.5 else {"en", "fr"} for x in [f"e{i}" for i in range(n)] + [f"o{j}" for j in range(m)]}
        measure(
            f"{n}x{m}, capacity short",
            cohort(n, m, rng.random((n, m)), languages),
            PairingConstraints(max_load=load, min_partners=low, max_partners=low),
        )
    for n in (300, 1000):  # feasible, but everybody's top 20 are the same 20 mentors
        affinity = rng.random((n, n)) * 0.1
        affinity[:, :20] += 0.8
        languages = {x: {"fr"} for x in [f"e{i}" for i in range(n)] + [f"o{j}" for j in range(n)]}
        measure(f"{n}x{n}, same top 20", cohort(n, n, affinity, languages), PairingConstraints(max_load=1))


if __name__ == "__main__":
    main()
