"""Solvers: the optimal total (HiGHS LP), the fair variant (HiGHS MILP), and the greedy baseline.

Mentees against mentors with degree bounds is a bipartite b-matching: its constraint matrix is
totally unimodular, so the LP optimum is integral and the LP solves it exactly (checked against
the MILP and against brute force in the tests). A single pool paired within itself is not
bipartite; it goes to the MILP. The fair variant first maximises the worst-off mentee's total
affinity, then the total with that floor held.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csr_matrix, hstack, vstack

from matcher.pairing.problem import PairingProblem

TOLERANCE = 1e-6


@dataclass
class Solution:
    chosen: np.ndarray  # (pairs,) bool
    objective: float
    status: str  # optimal | infeasible
    method: str


def _degree_rows(problem: PairingProblem) -> tuple[csr_matrix, np.ndarray, np.ndarray]:
    """Rows counting each mentee's (and each mentor's) chosen pairs, with their lower and upper bounds."""
    n_pairs = len(problem)
    columns = np.arange(n_pairs)
    ones = np.ones(n_pairs)
    n_mentees = len(problem.mentees)
    if problem.same_pool:
        rows = np.concatenate([problem.pair_mentee, problem.pair_mentor])
        matrix = csr_matrix((np.concatenate([ones, ones]), (rows, np.concatenate([columns, columns]))), shape=(n_mentees, n_pairs))
        return matrix, problem.mentee_bounds[:, 0].astype(float), problem.mentee_bounds[:, 1].astype(float)
    mentee_rows = csr_matrix((ones, (problem.pair_mentee, columns)), shape=(n_mentees, n_pairs))
    mentor_rows = csr_matrix((ones, (problem.pair_mentor, columns)), shape=(len(problem.mentors), n_pairs))
    lower = np.concatenate([problem.mentee_bounds[:, 0], problem.mentor_bounds[:, 0]]).astype(float)
    upper = np.concatenate([problem.mentee_bounds[:, 1], problem.mentor_bounds[:, 1]]).astype(float)
    return vstack([mentee_rows, mentor_rows]).tocsr(), lower, upper


def solve_total(problem: PairingProblem) -> Solution:
    """Maximise the weighted total affinity."""
    if len(problem) == 0:
        feasible = not problem.mentee_bounds[:, 0].any() and not problem.mentor_bounds[:, 0].any()
        return Solution(np.zeros(0, bool), 0.0, "optimal" if feasible else "infeasible", "empty")
    matrix, lower, upper = _degree_rows(problem)
    low_x = problem.forced.astype(float)
    if problem.same_pool:
        return _milp(problem, -problem.objective, [LinearConstraint(matrix, lower, upper)], low_x, "milp")
    # linprog takes A_ub x <= b_ub: upper bounds as they are, lower bounds negated.
    result = linprog(
        -problem.objective,
        A_ub=vstack([matrix, -matrix]).tocsr(),
        b_ub=np.concatenate([upper, -lower]),
        bounds=np.column_stack([low_x, np.ones(len(problem))]),
        method="highs",
    )
    if result.status == 2:
        return Solution(np.zeros(len(problem), bool), 0.0, "infeasible", "lp")
    if result.status != 0:
        raise RuntimeError(f"LP solver stopped: {result.message}")
    x = result.x
    if np.any(np.minimum(np.abs(x), np.abs(1 - x)) > 1e-6):
        # Not expected for a bipartite problem; fall back to the exact MILP rather than round.
        return _milp(problem, -problem.objective, [LinearConstraint(matrix, lower, upper)], low_x, "milp")
    chosen = x > 0.5
    return Solution(chosen, float(problem.objective[chosen].sum()), "optimal", "lp")


def solve_fair(problem: PairingProblem) -> Solution:
    """Maximise the minimum total affinity of the mentees who must be served, then the weighted
    total with that minimum held (a max-min, then max-sum, lexicographic optimum)."""
    n = len(problem)
    served = problem.mentee_bounds[:, 0] > 0
    if n == 0 or not served.any():
        return solve_total(problem)
    matrix, lower, upper = _degree_rows(problem)
    low_x = problem.forced.astype(float)
    per_mentee = csr_matrix((problem.affinity, (problem.pair_mentee, np.arange(n))), shape=(len(problem.mentees), n))[served]
    if problem.same_pool:  # a pair serves both its members
        per_mentee = (
            per_mentee + csr_matrix((problem.affinity, (problem.pair_mentor, np.arange(n))), shape=(len(problem.mentees), n))[served]
        )
    # variables: the pairs x, then the floor t; maximise t subject to each served mentee's total >= t
    first = milp(
        c=np.concatenate([np.zeros(n), [-1.0]]),
        constraints=[
            LinearConstraint(hstack([matrix, csr_matrix((matrix.shape[0], 1))]).tocsr(), lower, upper),
            LinearConstraint(hstack([per_mentee, csr_matrix(-np.ones((per_mentee.shape[0], 1)))]).tocsr(), 0.0, np.inf),
        ],
        integrality=np.concatenate([np.ones(n), [0]]),
        bounds=Bounds(np.concatenate([low_x, [-np.inf]]), np.concatenate([np.ones(n), [np.inf]])),
    )
    if first.status == 2 or first.x is None:
        return Solution(np.zeros(n, bool), 0.0, "infeasible", "milp-fair")
    floor = float(first.x[-1])
    constraints = [LinearConstraint(matrix, lower, upper), LinearConstraint(per_mentee, floor - TOLERANCE, np.inf)]
    return _milp(problem, -problem.objective, constraints, low_x, "milp-fair")


def _milp(problem: PairingProblem, cost: np.ndarray, constraints: list[LinearConstraint], low_x: np.ndarray, method: str) -> Solution:
    result = milp(c=cost, constraints=constraints, integrality=np.ones(len(cost)), bounds=Bounds(low_x, np.ones(len(cost))))
    if result.status == 2 or result.x is None:
        return Solution(np.zeros(len(problem), bool), 0.0, "infeasible", method)
    chosen = result.x > 0.5
    return Solution(chosen, float(problem.objective[chosen].sum()), "optimal", method)


def solve_greedy(problem: PairingProblem) -> Solution:
    """The baseline: mentees in order of weight, each takes its best mentor with room left, up to its maximum."""
    chosen = np.zeros(len(problem), bool)
    load = np.zeros(len(problem.mentors) if not problem.same_pool else len(problem.mentees), dtype=np.int64)
    degree = np.zeros(len(problem.mentees), dtype=np.int64)
    capacity = problem.mentor_bounds[:, 1] if not problem.same_pool else problem.mentee_bounds[:, 1]
    objective = problem.objective
    for forced in np.flatnonzero(problem.forced).tolist():
        chosen[forced] = True
        degree[problem.pair_mentee[forced]] += 1
        load[problem.pair_mentor[forced]] += 1
    order = sorted(range(len(problem.mentees)), key=lambda i: (-problem.weight[i], problem.mentees[i]))
    by_mentee: dict[int, list[int]] = {}
    for pair in np.argsort(-objective, kind="stable").tolist():
        by_mentee.setdefault(int(problem.pair_mentee[pair]), []).append(pair)
    for i in order:
        for p in by_mentee.get(i, []):
            if degree[i] >= problem.mentee_bounds[i, 1]:
                break
            j = problem.pair_mentor[p]
            if chosen[p] or load[j] >= capacity[j] or (problem.same_pool and degree[j] >= problem.mentee_bounds[j, 1]):
                continue
            chosen[p] = True
            degree[i] += 1
            load[j] += 1
            if problem.same_pool:
                degree[j] += 1
    return Solution(chosen, float(objective[chosen].sum()), "heuristic", "greedy")
