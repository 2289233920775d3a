"""Say which constraint makes a pairing impossible, in a secretariat's words.

Each check is a necessary condition (a counting argument, Hall's condition on one language,
one member's own options); the first ones that fail are the binding constraints reported.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from matcher.explanations import (
    PAIRING_AND_MORE,
    PAIRING_CAPACITY,
    PAIRING_LANGUAGE,
    PAIRING_MENTEE_SHORT,
    PAIRING_MENTOR_FORCED,
    PAIRING_MENTOR_TIES,
    PAIRING_MENTOR_UNDERLOADED,
    PAIRING_MIN_LOAD,
    PAIRING_NO_MENTOR,
    PAIRING_REQUIRED_LANGUAGE,
    PAIRING_TOO_FEW_MENTORS,
    Explanation,
    explain,
)
from matcher.pairing.problem import PairingProblem


def diagnose(problem: PairingProblem, languages: dict[str, set[str]]) -> list[Explanation]:
    """Reasons the problem has no solution; empty when no single check fails."""
    reasons: list[Explanation] = []
    mentees, mentors = problem.mentees, problem.mentors
    need = int(problem.mentee_bounds[:, 0].sum())
    if not problem.same_pool:
        capacity = int(problem.mentor_bounds[:, 1].sum())
        if need > capacity:
            reasons.append(explain(PAIRING_CAPACITY, mentees=len(mentees), need=need, mentors=len(mentors), capacity=capacity))
        must_take = int(problem.mentor_bounds[:, 0].sum())
        can_give = int(problem.mentee_bounds[:, 1].sum())
        if must_take > can_give:
            reasons.append(explain(PAIRING_MIN_LOAD, must_take=must_take, can_give=can_give))
    if problem.required_language:
        silent = [
            e for i, e in enumerate(mentees) if problem.mentee_bounds[i, 0] > 0 and problem.required_language not in languages.get(e, set())
        ]
        if silent:
            shown = ", ".join(silent[:5]) + (f" (+{len(silent) - 5})" if len(silent) > 5 else "")
            reasons.append(explain(PAIRING_REQUIRED_LANGUAGE, count=len(silent), language_code=problem.required_language, mentees=shown))
    degree = np.bincount(problem.pair_mentee, minlength=len(mentees))
    if problem.same_pool:
        degree = degree + np.bincount(problem.pair_mentor, minlength=len(mentees))
    if len(problem.eligible_count) == len(mentees):
        # The mentors the rules allow, not only the top candidates the problem kept: the sentence counts them.
        degree = problem.eligible_count
    short = [i for i in range(len(mentees)) if degree[i] < problem.mentee_bounds[i, 0]]
    if short:
        examples = [
            explain(
                PAIRING_MENTEE_SHORT,
                *(excluded_reasons(problem.excluded.get(mentees[i], Counter()), problem.required_language) or [explain(PAIRING_NO_MENTOR)]),
                mentee=mentees[i],
                eligible=int(degree[i]),
                needed=int(problem.mentee_bounds[i, 0]),
            )
            for i in short[:5]
        ]
        if len(short) > 5:
            examples.append(explain(PAIRING_AND_MORE, count=len(short) - 5))
        reasons.append(explain(PAIRING_TOO_FEW_MENTORS, *examples, count=len(short)))
    if not problem.same_pool:
        reasons += _language_shortfalls(problem, languages)
        mentor_degree = np.bincount(problem.pair_mentor, minlength=len(mentors))
        if len(problem.mentor_eligible_count) == len(mentors):
            mentor_degree = problem.mentor_eligible_count  # every mentee the rules allow, not only kept candidates
        for j in np.flatnonzero(mentor_degree < problem.mentor_bounds[:, 0])[:5]:
            reasons.append(
                explain(
                    PAIRING_MENTOR_UNDERLOADED, mentor=mentors[j], minimum=int(problem.mentor_bounds[j, 0]), eligible=int(mentor_degree[j])
                )
            )
        forced_load = np.bincount(problem.pair_mentor[problem.forced], minlength=len(mentors))
        by_tie = problem.forced_by_tie if len(problem.forced_by_tie) == len(problem.forced) else np.zeros(len(problem.forced), dtype=bool)
        tie_load = np.bincount(problem.pair_mentor[by_tie], minlength=len(mentors))
        for j in np.flatnonzero(forced_load > problem.mentor_bounds[:, 1])[:5]:
            # When ties kept by the policy are what overloads a mentor, say so: the fix is the policy, not the forced list.
            template = PAIRING_MENTOR_TIES if tie_load[j] else PAIRING_MENTOR_FORCED
            reasons.append(explain(template, mentor=mentors[j], forced=int(forced_load[j]), maximum=int(problem.mentor_bounds[j, 1])))
    return reasons


def excluded_reasons(counts: Counter[str], required_language: str | None = None) -> list[Explanation]:
    """Why a mentee's candidate mentors were ruled out (``counts``: reason template -> mentors), most
    first; a reason about the required language names it."""
    return [
        explain(template, count=count, **({"language_code": required_language} if "%(language)s" in template and required_language else {}))
        for template, count in counts.most_common()
    ]


def _language_shortfalls(problem: PairingProblem, languages: dict[str, set[str]]) -> list[Explanation]:
    """Hall's condition per language: mentees who speak L and whose every eligible mentor speaks L need
    more than L-speakers can take.

    Eligible means allowed by the rules (``problem.only_speakers``), not only kept among the top
    candidates; and a mentee is counted for L only if it speaks L itself. Both make the sentence true
    as the officer reads it: once, 28 mentees were said to "need an English-speaking mentor" when 12
    spoke only French (their candidates happened to speak English too). Any subset of the mentees
    gives a valid necessary condition, so the check stays sound."""
    reasons = []
    mentor_languages = [languages[m] for m in problem.mentors]
    for language in sorted({lang for langs in mentor_languages for lang in langs}):
        speakers = [j for j, langs in enumerate(mentor_languages) if language in langs]
        only = problem.only_speakers.get(language)
        if only is None or len(only) != len(problem.mentees):
            continue
        dependent = [
            i
            for i, mentee in enumerate(problem.mentees)
            if problem.mentee_bounds[i, 0] > 0 and only[i] and language in languages.get(mentee, set())
        ]
        demand = int(problem.mentee_bounds[dependent, 0].sum()) if dependent else 0
        capacity = int(problem.mentor_bounds[speakers, 1].sum())
        if demand > capacity:
            reasons.append(explain(PAIRING_LANGUAGE, count=len(dependent), language_code=language, demand=demand, capacity=capacity))
    return reasons
