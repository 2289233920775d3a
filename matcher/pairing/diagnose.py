"""Say which constraint makes a pairing impossible, in a secretariat's words.

Each check is a necessary condition (a counting argument, Hall's condition on one language,
one member's own options); the first ones that fail are the binding constraints reported.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from pycountry import languages as iso_languages

from matcher.pairing.problem import PairingProblem


def language_name(code: str) -> str:
    found = iso_languages.get(alpha_2=code)
    return found.name if found else code


def diagnose(problem: PairingProblem, languages: dict[str, set[str]]) -> list[str]:
    """Reasons the problem has no solution; empty when no single check fails."""
    reasons: list[str] = []
    mentees, mentors = problem.mentees, problem.mentors
    need = int(problem.mentee_bounds[:, 0].sum())
    if not problem.same_pool:
        capacity = int(problem.mentor_bounds[:, 1].sum())
        if need > capacity:
            reasons.append(
                f"{len(mentees)} mentees need at least {need} partners in all; the {len(mentors)} mentors can take "
                f"{capacity} in all. Raise the mentors' maximum load, add mentors, or lower the partners per mentee."
            )
        must_take = int(problem.mentor_bounds[:, 0].sum())
        can_give = int(problem.mentee_bounds[:, 1].sum())
        if must_take > can_give:
            reasons.append(
                f"mentors must take at least {must_take} mentees in all, but the mentees accept at most {can_give} partners in all."
            )
    degree = np.bincount(problem.pair_mentee, minlength=len(mentees))
    if problem.same_pool:
        degree = degree + np.bincount(problem.pair_mentor, minlength=len(mentees))
    short = [i for i in range(len(mentees)) if degree[i] < problem.mentee_bounds[i, 0]]
    if short:
        examples = []
        for i in short[:5]:
            why = problem.excluded.get(mentees[i], Counter())
            detail = ", ".join(f"{count} {reason}" for reason, count in why.most_common()) or "no candidates"
            examples.append(f"{mentees[i]} has {degree[i]} eligible mentor(s), needs {problem.mentee_bounds[i, 0]} ({detail})")
        more = f"; and {len(short) - 5} more" if len(short) > 5 else ""
        reasons.append(f"{len(short)} mentee(s) have too few eligible mentors: " + "; ".join(examples) + more)
    if not problem.same_pool:
        reasons += _language_shortfalls(problem, languages)
        mentor_degree = np.bincount(problem.pair_mentor, minlength=len(mentors))
        for j in np.flatnonzero(mentor_degree < problem.mentor_bounds[:, 0])[:5]:
            reasons.append(
                f"mentor {mentors[j]} must take at least {problem.mentor_bounds[j, 0]} mentee(s) but only "
                f"{mentor_degree[j]} may pair with it"
            )
        forced_load = np.bincount(problem.pair_mentor[problem.forced], minlength=len(mentors))
        for j in np.flatnonzero(forced_load > problem.mentor_bounds[:, 1])[:5]:
            reasons.append(f"mentor {mentors[j]} is forced into {forced_load[j]} pairs but can take {problem.mentor_bounds[j, 1]}")
    return reasons


def _language_shortfalls(problem: PairingProblem, languages: dict[str, set[str]]) -> list[str]:
    """Hall's condition per language: mentees whose every eligible mentor speaks L need more than L-speakers can take."""
    reasons = []
    mentor_languages = [languages[m] for m in problem.mentors]
    candidates: dict[int, set[int]] = {}
    for i, j in zip(problem.pair_mentee.tolist(), problem.pair_mentor.tolist(), strict=True):
        candidates.setdefault(i, set()).add(j)
    for language in sorted({lang for langs in mentor_languages for lang in langs}):
        speakers = [j for j, langs in enumerate(mentor_languages) if language in langs]
        dependent = [
            i
            for i in range(len(problem.mentees))
            if problem.mentee_bounds[i, 0] > 0 and candidates.get(i) and all(language in mentor_languages[j] for j in candidates[i])
        ]
        demand = int(problem.mentee_bounds[dependent, 0].sum()) if dependent else 0
        capacity = int(problem.mentor_bounds[speakers, 1].sum())
        if demand > capacity:
            name = language_name(language)
            reasons.append(
                f"{len(dependent)} mentees need a {name}-speaking mentor ({demand} partners in all); "
                f"{name}-speaking mentors can take {capacity} in all."
            )
    return reasons
