"""Pairing: the solvers against brute force and an independent MILP; constraints honoured; infeasibility explained."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from matcher.pairing.diagnose import diagnose
from matcher.pairing.problem import PairingConstraints, PairingProblem, build_problem
from matcher.pairing.solver import solve_fair, solve_greedy, solve_total


def random_problem(seed: int, n_mentees: int, n_mentors: int, **constraints: object) -> tuple[PairingProblem, dict[str, set[str]]]:
    rng = np.random.default_rng(seed)
    mentees = [f"e{i}" for i in range(n_mentees)]
    mentors = [f"o{j}" for j in range(n_mentors)]
    languages = {m: set(rng.choice(["fr", "en", "es"], size=rng.integers(1, 3), replace=False).tolist()) for m in mentees + mentors}
    everyone = mentees + mentors
    problem = build_problem(
        mentees,
        mentors,
        rng.random((n_mentees, n_mentors)),
        languages,
        {m: "FR" for m in everyone},
        {m: "Africa" if m.startswith("e") and rng.random() < 0.5 else "Europe" for m in everyone},
        {m: set() for m in everyone},
        PairingConstraints(**constraints),  # type: ignore[arg-type]
    )
    return problem, languages


def brute_force(problem: PairingProblem) -> float | None:
    """The best feasible objective by enumerating every subset of candidate pairs (tiny problems only)."""
    best = None
    for chosen in itertools.product([False, True], repeat=len(problem)):
        x = np.asarray(chosen)
        if not x[problem.forced].all():
            continue
        degree = np.bincount(problem.pair_mentee[x], minlength=len(problem.mentees))
        load = np.bincount(problem.pair_mentor[x], minlength=len(problem.mentors))
        if problem.same_pool:
            degree = degree + np.bincount(problem.pair_mentor[x], minlength=len(problem.mentees))
        elif ((load < problem.mentor_bounds[:, 0]) | (load > problem.mentor_bounds[:, 1])).any():
            continue
        if ((degree < problem.mentee_bounds[:, 0]) | (degree > problem.mentee_bounds[:, 1])).any():
            continue
        value = float(problem.objective[x].sum())
        best = value if best is None or value > best else best
    return best


def independent_milp(problem: PairingProblem) -> float | None:
    """The same model written out densely for scipy's HiGHS MILP, as a reference."""
    n = len(problem)
    rows, lower, upper = [], [], []
    for i in range(len(problem.mentees)):
        rows.append((problem.pair_mentee == i).astype(float))
        lower.append(problem.mentee_bounds[i, 0])
        upper.append(problem.mentee_bounds[i, 1])
    for j in range(len(problem.mentors)):
        rows.append((problem.pair_mentor == j).astype(float))
        lower.append(problem.mentor_bounds[j, 0])
        upper.append(problem.mentor_bounds[j, 1])
    result = milp(
        -problem.objective,
        constraints=LinearConstraint(np.asarray(rows), lower, upper),
        integrality=np.ones(n),
        bounds=Bounds(problem.forced.astype(float), np.ones(n)),
    )
    return None if result.x is None else float(-result.fun)


@pytest.mark.parametrize("seed", range(12))
def test_lp_optimum_equals_brute_force_and_milp_on_small_cases(seed: int) -> None:
    problem, _ = random_problem(seed, 4, 3, max_load=2, candidates_per_mentee=3, min_partners=0, require_common_language=seed % 2 == 0)
    assert len(problem) <= 12
    solution = solve_total(problem)
    expected = brute_force(problem)
    assert expected is not None and solution.status == "optimal"
    assert solution.objective == pytest.approx(expected, abs=1e-9)
    assert solution.objective == pytest.approx(independent_milp(problem), abs=1e-9)
    assert solve_greedy(problem).objective <= solution.objective + 1e-9


@pytest.mark.parametrize("seed", range(8))
def test_larger_random_cases_agree_with_the_milp(seed: int) -> None:
    problem, _ = random_problem(
        100 + seed, 40, 12, max_load=4, min_partners=1, max_partners=2, candidates_per_mentee=6, require_common_language=False
    )
    solution = solve_total(problem)
    assert solution.status == "optimal"
    assert solution.objective == pytest.approx(independent_milp(problem), abs=1e-6)


def test_fair_variant_maximises_the_worst_off_then_the_total() -> None:
    # Two mentees, one mentor slot each way: total prefers (a, x) + (b, y) = 1.0 + 0.1;
    # a fairer pairing (a, y) + (b, x) = 0.5 + 0.5 has a higher minimum.
    affinity = np.asarray([[1.0, 0.5], [0.5, 0.1]])
    languages = {m: {"fr"} for m in ["a", "b", "x", "y"]}
    problem = build_problem(
        ["a", "b"], ["x", "y"], affinity, languages, dict.fromkeys(languages, "FR"), {}, {}, PairingConstraints(max_load=1)
    )
    total, fair = solve_total(problem), solve_fair(problem)
    assert total.objective == pytest.approx(1.1)
    assert fair.objective == pytest.approx(1.0)
    assert problem.affinity[fair.chosen].min() == pytest.approx(0.5)


@pytest.mark.parametrize("seed", range(6))
def test_fair_variant_matches_brute_force_lexicographic_optimum(seed: int) -> None:
    problem, _ = random_problem(200 + seed, 3, 3, max_load=1, candidates_per_mentee=3, require_common_language=False)
    fair = solve_fair(problem)
    best = None
    for chosen in itertools.product([False, True], repeat=len(problem)):
        x = np.asarray(chosen)
        degree = np.bincount(problem.pair_mentee[x], minlength=3)
        load = np.bincount(problem.pair_mentor[x], minlength=3)
        if (degree != 1).any() or (load > 1).any():
            continue
        key = (min(problem.affinity[x & (problem.pair_mentee == i)].sum() for i in range(3)), problem.objective[x].sum())
        best = key if best is None or key > best else best
    assert best is not None
    per_mentee = [problem.affinity[fair.chosen & (problem.pair_mentee == i)].sum() for i in range(3)]
    assert min(per_mentee) == pytest.approx(best[0], abs=1e-6)
    assert fair.objective == pytest.approx(best[1], abs=1e-6)


def test_constraints_are_honoured() -> None:
    problem, languages = random_problem(7, 30, 10, max_load=3, min_partners=1, conflicts=[("e0", "o0")], forced=[("e1", "o1")])
    solution = solve_total(problem)
    assert solution.status == "optimal"
    x = solution.chosen
    assert (np.bincount(problem.pair_mentor[x], minlength=10) <= 3).all()
    assert (np.bincount(problem.pair_mentee[x], minlength=30) == 1).all()
    pairs = {(problem.mentees[i], problem.mentors[j]) for i, j in zip(problem.pair_mentee[x], problem.pair_mentor[x], strict=True)}
    assert ("e1", "o1") in pairs and ("e0", "o0") not in pairs
    assert all(languages[a] & languages[b] for a, b in pairs)


def test_infeasible_language_demand_is_named() -> None:
    mentees = [f"e{i}" for i in range(5)]
    mentors = ["fr1", "fr2", "en1"]
    languages = {**{m: {"fr"} for m in mentees}, "fr1": {"fr"}, "fr2": {"fr", "en"}, "en1": {"en"}}
    everyone = mentees + mentors
    problem = build_problem(
        mentees,
        mentors,
        np.ones((5, 3)),
        languages,
        dict.fromkeys(everyone, "SN"),
        {},
        {m: set() for m in everyone},
        PairingConstraints(max_load=2),
    )
    assert solve_total(problem).status == "infeasible"
    reasons = [reason.text() for reason in diagnose(problem, languages)]
    assert "5 mentees need a French-speaking mentor (5 partners in all); French-speaking mentors can take 4 in all." in reasons


def test_infeasible_capacity_is_named() -> None:
    problem, languages = random_problem(3, 10, 2, max_load=3, require_common_language=False)
    assert solve_total(problem).status == "infeasible"
    first = diagnose(problem, languages)[0].text()
    assert first.startswith("10 mentees need at least 10 partners in all; the 2 mentors can take 6 in all.")


def test_a_single_pool_pairs_within_itself() -> None:
    rng = np.random.default_rng(5)
    pool = [f"m{i}" for i in range(6)]
    affinity = rng.random((6, 6))
    languages = {m: {"en"} for m in pool}
    problem = build_problem(
        pool,
        pool,
        affinity,
        languages,
        dict.fromkeys(pool, "KE"),
        {},
        {m: set() for m in pool},
        PairingConstraints(min_partners=1, max_partners=1, candidates_per_mentee=5),
        same_pool=True,
    )
    solution = solve_total(problem)
    assert solution.status == "optimal" and solution.method == "milp"
    x = solution.chosen
    degree = np.bincount(problem.pair_mentee[x], minlength=6) + np.bincount(problem.pair_mentor[x], minlength=6)
    assert (degree == 1).all()
    assert (problem.pair_mentee != problem.pair_mentor).all()
    assert solution.objective == pytest.approx(brute_force(problem))


@pytest.mark.parametrize("forced", [[("m4", "m1")], [("m1", "m4"), ("m4", "m1")]])
def test_a_forced_pair_in_a_single_pool_is_one_pair(forced: list[tuple[str, str]]) -> None:
    """(m4, m1) forced and (m1, m4) a candidate are the same pair: it must appear once, forced."""
    pool = [f"m{i}" for i in range(6)]
    affinity = np.full((6, 6), 0.1)
    affinity[1, 4] = affinity[4, 1] = 0.9  # m1 and m4 are each other's best candidate
    problem = build_problem(
        pool,
        pool,
        affinity,
        {m: {"en"} for m in pool},
        dict.fromkeys(pool, "KE"),
        {},
        {m: set() for m in pool},
        PairingConstraints(min_partners=0, max_partners=2, candidates_per_mentee=5, forced=forced),
        same_pool=True,
    )
    pairs = [tuple(sorted((int(i), int(j)))) for i, j in zip(problem.pair_mentee, problem.pair_mentor, strict=True)]
    assert pairs.count((1, 4)) == 1
    assert problem.forced[pairs.index((1, 4))]
    solution = solve_total(problem)
    chosen = [pairs[p] for p in np.flatnonzero(solution.chosen)]
    assert chosen.count((1, 4)) == 1
