"""Every sentence of a pairing's diagnosis, checked against the data it names.

Issue 22 item 12: the console once said "28 mentees need an English-speaking mentor" when 12 of them
spoke only French. Here, on generated cohorts, each binding constraint is recomputed from the request
and the members alone (not from the problem the solver built): the counts of mentees, the languages,
the capacities, the eligible mentors. Nothing of ``matcher.pairing.problem`` or ``diagnose`` is used
to recompute them.
"""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from matcher import explanations as E
from matcher.explanations import Explanation
from matcher.pairing.problem import PairingConstraints
from matcher.pairing.run import CohortData, solve_cohort

LANGUAGES = ["fr", "en", "es", "ar"]


def generated_cohort(seed: int) -> tuple[CohortData, PairingConstraints]:
    rng = random.Random(seed)
    mentees = [f"e{i}" for i in range(rng.randint(4, 14))]
    mentors = [f"o{j}" for j in range(rng.randint(2, 8))]
    everyone = mentees + mentors
    # Skewed: many French-only mentees, bilingual mentors (the case the officer met).
    languages = {}
    for member in everyone:
        if rng.random() < 0.4:
            languages[member] = {"fr"}
        else:
            languages[member] = set(rng.sample(LANGUAGES, rng.randint(1, 3)))
    countries = {member: rng.choice(["SN", "FR", "MA", "ES"]) for member in everyone}
    partners: dict[str, set[str]] = {member: set() for member in everyone}
    for _ in range(rng.randint(0, 6)):
        a, b = rng.choice(mentees), rng.choice(mentors)
        partners[a].add(b)
        partners[b].add(a)
    affinity = np.asarray([[rng.random() for _ in mentors] for _ in mentees])
    constraints = PairingConstraints(
        min_partners=rng.choice([0, 1, 1, 1, 2]),
        max_partners=2,
        min_load=rng.choice([0, 0, 1]),
        max_load=rng.choice([1, 2, 3]),
        load_overrides={o: (0, rng.randint(0, 2)) for o in rng.sample(mentors, rng.randint(0, len(mentors) // 2))},
        require_common_language=rng.random() < 0.7,
        required_language=rng.choice([None, None, "fr", "en"]),
        forbid_same_country=rng.random() < 0.3,
        conflicts=[(rng.choice(mentees), rng.choice(mentors)) for _ in range(rng.randint(0, 4))],
        forced=list({(rng.choice(mentees), rng.choice(mentors)) for _ in range(rng.choice([0, 0, 1, 3]))}),
        declined=[(rng.choice(mentees), rng.choice(mentors)) for _ in range(rng.randint(0, 3))],
        candidates_per_mentee=rng.choice([1, 2, 20]),  # few candidates: the sparse problem must not change the sentences
    )
    regions = {member: "Africa" for member in everyone}
    return CohortData(mentees, mentors, affinity, languages, countries, regions, partners), constraints


def allowed_pairs(cohort: CohortData, c: PairingConstraints) -> np.ndarray:
    """(mentees, mentors) bool: may the two be paired, by the request's rules, from the members' facts."""
    out = np.zeros((len(cohort.mentees), len(cohort.mentors)), dtype=bool)
    both = {frozenset(p) for p in [*c.conflicts, *c.declined, *c.engaged]}
    for i, e in enumerate(cohort.mentees):
        for j, o in enumerate(cohort.mentors):
            shared = cohort.languages[e] & cohort.languages[o]
            ok = (
                e != o
                and not (c.forbid_existing_partners and (o in cohort.partners[e] or e in cohort.partners[o]))
                and frozenset((e, o)) not in both
                and not (c.forbid_same_country and cohort.countries[e] == cohort.countries[o])
                and not (c.require_common_language and not shared)
                and not (c.required_language and c.required_language not in shared)
            )
            out[i, j] = ok or (e, o) in set(c.forced)
    return out


def loads(cohort: CohortData, c: PairingConstraints) -> list[tuple[int, int]]:
    return [tuple(c.load_overrides.get(o, (c.min_load, c.max_load))) for o in cohort.mentors]  # type: ignore[misc]


def feasible_in_full(cohort: CohortData, c: PairingConstraints, allowed: np.ndarray) -> bool:
    """An independent MILP over every allowed pair: does any pairing meet the request?"""
    cells = [(i, j) for i in range(allowed.shape[0]) for j in range(allowed.shape[1]) if allowed[i, j]]
    if not cells:
        return c.min_partners == 0 and all(low == 0 for low, _ in loads(cohort, c))
    rows, low, high = [], [], []
    for i in range(len(cohort.mentees)):
        rows.append([1.0 if a == i else 0.0 for a, _ in cells])
        low.append(c.min_partners)
        high.append(c.max_partners)
    for j, (lo, hi) in enumerate(loads(cohort, c)):
        rows.append([1.0 if b == j else 0.0 for _, b in cells])
        low.append(lo)
        high.append(hi)
    forced = {(cohort.mentees.index(e), cohort.mentors.index(o)) for e, o in c.forced}
    lower = np.asarray([1.0 if cell in forced else 0.0 for cell in cells])
    result = milp(
        c=np.zeros(len(cells)),
        constraints=[LinearConstraint(np.asarray(rows), low, high)],
        integrality=np.ones(len(cells)),
        bounds=Bounds(lower, np.ones(len(cells))),
    )
    return result.status == 0


def check_sentence(reason: Explanation, cohort: CohortData, c: PairingConstraints, allowed: np.ndarray) -> str:
    """Assert that ``reason`` says what the data says; return its template's name."""
    v = reason.values
    n, m = len(cohort.mentees), len(cohort.mentors)
    bounds = loads(cohort, c)
    if reason.message_id == E.PAIRING_CAPACITY:
        assert (v["mentees"], v["mentors"]) == (n, m)
        assert v["need"] == n * c.min_partners
        assert v["capacity"] == sum(high for _, high in bounds)
        assert v["need"] > v["capacity"]
        return "capacity"
    if reason.message_id == E.PAIRING_MIN_LOAD:
        assert v["must_take"] == sum(low for low, _ in bounds)
        assert v["can_give"] == n * c.max_partners
        assert v["must_take"] > v["can_give"]
        return "min_load"
    if reason.message_id == E.PAIRING_REQUIRED_LANGUAGE:
        silent = [e for e in cohort.mentees if c.required_language not in cohort.languages[e]]
        assert c.min_partners > 0 and v["language_code"] == c.required_language
        assert v["count"] == len(silent)
        named = str(v["mentees"]).split(" (+")[0].split(", ")
        assert set(named) <= set(silent) and len(named) == min(5, len(silent))
        return "required_language"
    if reason.message_id == E.PAIRING_TOO_FEW_MENTORS:
        short = [i for i in range(n) if allowed[i].sum() < c.min_partners]
        assert v["count"] == len(short)
        for detail in reason.details:
            if detail.message_id == E.PAIRING_AND_MORE:
                assert detail.values["count"] == len(short) - 5
                continue
            assert detail.message_id == E.PAIRING_MENTEE_SHORT
            i = cohort.mentees.index(str(detail.values["mentee"]))
            assert i in short
            assert detail.values["eligible"] == allowed[i].sum()
            assert detail.values["needed"] == c.min_partners
            ruled_out = 0
            for why in detail.details:
                if "%(language)s" in why.template:
                    assert why.values["language_code"] == c.required_language  # names the language it is about
                if why.message_id == E.EXCLUDED_MENTEE_LANGUAGE:
                    assert c.required_language not in cohort.languages[cohort.mentees[i]]
                if why.message_id == E.EXCLUDED_REQUIRED_LANGUAGE:
                    speaking = sum(c.required_language in cohort.languages[o] for o in cohort.mentors)
                    assert int(why.values["count"]) <= m - speaking
                if why.message_id != E.PAIRING_NO_MENTOR:
                    ruled_out += int(why.values["count"])
            # Each mentor not eligible is ruled out for one reason, counted once (a forced pair may be both).
            assert m - allowed[i].sum() <= ruled_out <= m
        return "too_few_mentors"
    if reason.message_id == E.PAIRING_LANGUAGE:
        language = str(v["language_code"])
        speakers = [j for j, o in enumerate(cohort.mentors) if language in cohort.languages[o]]
        dependent = [
            i
            for i, e in enumerate(cohort.mentees)
            if c.min_partners > 0
            and language in cohort.languages[e]  # "need a French-speaking mentor" is said of French speakers only
            and allowed[i].any()
            and all(language in cohort.languages[cohort.mentors[j]] for j in np.flatnonzero(allowed[i]))
        ]
        assert v["count"] == len(dependent)
        assert v["demand"] == len(dependent) * c.min_partners
        assert v["capacity"] == sum(bounds[j][1] for j in speakers)
        assert v["demand"] > v["capacity"]
        return "language"
    if reason.message_id == E.PAIRING_MENTOR_UNDERLOADED:
        j = cohort.mentors.index(str(v["mentor"]))
        assert v["minimum"] == bounds[j][0]
        assert v["eligible"] == allowed[:, j].sum() < bounds[j][0]
        return "mentor_underloaded"
    if reason.message_id in (E.PAIRING_MENTOR_FORCED, E.PAIRING_MENTOR_TIES):
        j = cohort.mentors.index(str(v["mentor"]))
        assert v["forced"] == sum(1 for _, o in set(c.forced) if o == cohort.mentors[j]) > bounds[j][1]
        assert v["maximum"] == bounds[j][1]
        return "mentor_forced"
    assert reason.message_id == E.PAIRING_TOGETHER, reason.template
    return "together"


def test_every_diagnosis_sentence_matches_the_data_it_names_on_generated_cohorts() -> None:
    seen: Counter[str] = Counter()
    infeasible = 0
    for seed in range(300):
        cohort, constraints = generated_cohort(seed)
        allowed = allowed_pairs(cohort, constraints)
        _, _, _, status, binding = solve_cohort(cohort, constraints)
        # Infeasible means infeasible over every allowed pair, not only over the top candidates kept.
        assert (status == "optimal") == feasible_in_full(cohort, constraints, allowed), seed
        if status == "optimal":
            assert not binding
            continue
        infeasible += 1
        assert binding, seed
        for reason in binding:
            seen[check_sentence(reason, cohort, constraints, allowed)] += 1
            assert reason.text() == reason.template % reason.values  # the English sentence a hub renders
    # The generator reaches the checks: each kind of sentence was met and checked several times.
    assert infeasible >= 50, infeasible
    for kind in ("capacity", "required_language", "too_few_mentors", "language", "mentor_forced"):
        assert seen[kind] >= 3, (kind, seen)


def test_french_only_mentees_are_not_said_to_need_an_english_speaking_mentor() -> None:
    """The officer's case: French-only mentees whose mentors all speak English and French. The old
    check said "5 mentees need an English-speaking mentor" (and "5 ... French-speaking") here."""
    mentees = ["fr0", "fr1", "fr2", "fr3", "en0"]
    mentors = ["bi0", "bi1"]
    languages = {**{e: {"fr"} for e in mentees[:4]}, "en0": {"en"}, **{o: {"fr", "en"} for o in mentors}}
    cohort = CohortData(mentees, mentors, np.full((5, 2), 0.5), languages, dict.fromkeys(mentees + mentors, "SN"), {}, {})
    _, _, _, status, binding = solve_cohort(cohort, PairingConstraints(max_load=2))
    assert status == "infeasible-partial"
    assert [r.message_id for r in binding] == [E.PAIRING_CAPACITY]  # 5 partners needed, 4 places: that is what binds
    assert binding[0].values == {"mentees": 5, "need": 5, "mentors": 2, "capacity": 4}
    # One more English-only mentee and a French-only mentor: now English speakers are short, and said so.
    cohort = CohortData(
        [*mentees, "en1"],
        [*mentors, "fro"],
        np.full((6, 3), 0.5),
        {**languages, "en1": {"en"}, "fro": {"fr"}},
        dict.fromkeys([*mentees, "en1", *mentors, "fro"], "SN"),
        {},
        {},
    )
    _, _, _, status, binding = solve_cohort(cohort, PairingConstraints(load_overrides={"bi0": (0, 1), "bi1": (0, 0), "fro": (0, 5)}))
    said = [(r.values["language_code"], r.values["count"], r.values["capacity"]) for r in binding if r.message_id == E.PAIRING_LANGUAGE]
    assert said == [("en", 2, 1)]


@pytest.mark.parametrize("language", ["fr", "FR"])
def test_a_required_language_rules_out_whoever_does_not_speak_it_and_is_named(language: str) -> None:
    mentees, mentors = ["sikasso", "antony", "lima"], ["paris", "madrid"]
    languages = {"sikasso": {"fr", "bm"}, "antony": {"fr"}, "lima": {"es"}, "paris": {"fr"}, "madrid": {"es", "en"}}
    cohort = CohortData(mentees, mentors, np.full((3, 2), 0.5), languages, dict.fromkeys(mentees + mentors, "XX"), {}, {})
    constraints = PairingConstraints(required_language=language, require_common_language=False, max_load=3)
    assert constraints.required_language == "fr"
    problem, solution, _, status, binding = solve_cohort(cohort, constraints)
    made = {(problem.mentees[problem.pair_mentee[p]], problem.mentors[problem.pair_mentor[p]]) for p in np.flatnonzero(solution.chosen)}
    assert made == {("sikasso", "paris"), ("antony", "paris")}
    assert status == "infeasible-partial"  # lima speaks no French
    required = [r for r in binding if r.message_id == E.PAIRING_REQUIRED_LANGUAGE]
    assert required and required[0].values["mentees"] == "lima"
    assert "French" in required[0].text()


def test_an_unknown_required_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language"):
        PairingConstraints(required_language="french")
