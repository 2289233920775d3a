"""Benchmark: pair 5,000 mentees with 1,000 mentors (sparse top-k candidates) and the greedy baseline.

Run: ``python -m evaluation.benchmarks.pairing`` (``--help`` for sizes). The affinity is synthetic
(mentee and mentor topic profiles, a random dot product), languages are drawn from five, and
each mentor takes up to 6 mentees. Prints build and solve times, peak memory (RSS) and the
optimum's objective against the greedy baseline's, measured in the same run.
"""

from __future__ import annotations

import resource
import time
from typing import Annotated

import numpy as np
import typer

from matcher.pairing.problem import PairingConstraints, build_problem
from matcher.pairing.solver import solve_greedy, solve_total


def main(
    mentees: Annotated[int, typer.Option(help="Mentees.")] = 5000,
    mentors: Annotated[int, typer.Option(help="Mentors.")] = 1000,
    candidates: Annotated[int, typer.Option(help="Top candidates kept per mentee.")] = 20,
    max_load: Annotated[int, typer.Option(help="Mentees per mentor at most.")] = 6,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
) -> None:
    rng = np.random.default_rng(seed)
    topics = 30
    need = rng.dirichlet(np.full(topics, 0.3), size=mentees)
    offer = rng.dirichlet(np.full(topics, 0.3), size=mentors)
    affinity = need @ offer.T
    spoken = ["fr", "en", "es", "pt", "ar"]
    mentee_ids = [f"e{i}" for i in range(mentees)]
    mentor_ids = [f"o{j}" for j in range(mentors)]
    languages = {m: set(rng.choice(spoken, size=rng.integers(1, 3), replace=False).tolist()) for m in mentee_ids + mentor_ids}
    for m in mentor_ids:
        languages[m].add("en")  # most mentors work in English too
    countries = {m: "XX" for m in mentee_ids + mentor_ids}
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    problem = build_problem(
        mentee_ids,
        mentor_ids,
        affinity,
        languages,
        countries,
        {},
        {},
        PairingConstraints(max_load=max_load, candidates_per_mentee=candidates, require_common_language=True),
    )
    built = time.perf_counter() - started
    started = time.perf_counter()
    optimum = solve_total(problem)
    solved = time.perf_counter() - started
    started = time.perf_counter()
    greedy = solve_greedy(problem)
    greedy_seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    typer.echo(f"{mentees} mentees x {mentors} mentors, {len(problem)} candidate pairs (top {candidates} per mentee)")
    typer.echo(f"build {built:.2f} s, solve ({optimum.method}) {solved:.2f} s, total {built + solved:.2f} s; status {optimum.status}")
    typer.echo(f"peak memory (RSS) {peak_mb:.0f} MB (before building: {before / 1024:.0f} MB)")
    typer.echo(
        f"objective: optimum {optimum.objective:.3f} ({int(optimum.chosen.sum())} pairs), greedy {greedy.objective:.3f} "
        f"({int(greedy.chosen.sum())} pairs) in {greedy_seconds:.2f} s; optimum / greedy = {optimum.objective / greedy.objective:.4f}"
    )


if __name__ == "__main__":
    typer.run(main)
