"""Ties: the twin-cities import (matching by city and country, named problems), the store, and the
tie policies of pairing (ignore, prefer with a weight, keep, forbid) on problems whose answer is known."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from matcher.errors import UnreadableFileError
from matcher.pairing.diagnose import diagnose
from matcher.pairing.problem import PairingConstraints, build_problem
from matcher.pairing.solver import solve_total
from matcher.records import Member
from matcher.store import Store
from matcher.ties import InvalidTieError, Ties
from matcher.ties.twin_cities import country_code, match_twin_cities
from matcher.usecases.ties import import_twin_cities

HEADER = "city1,country1,lat1,lng1,city2,country2,lat2,lng2\n"


def city(member_id: str, name: str, country: str, kind: str = "city") -> Member:
    return Member(id=member_id, name=name, kind=kind, country=country, region="Africa", languages=["fr"])  # type: ignore[arg-type]


MEMBERS = [
    city("kati", "Kati", "ML"),
    city("erfurt", "Erfurt", "DE"),
    city("daloa", "Daloa", "CI"),
    city("campinas", "Campinas", "BR"),
    city("goettingen", "Göttingen", "DE"),
    city("paris-a", "Paris", "FR"),
    city("paris-b", "Paris", "FR", kind="local_government"),
    city("coalition", "Erfurt", "DE", kind="coalition"),  # not a city: never matched by name
]


def test_country_names_as_the_list_writes_them() -> None:
    assert country_code("Mali") == "ML"
    assert country_code("Ivory Coast") == "CI"
    assert country_code("Lower Saxony, Germany") == "DE"
    assert country_code("in Italy") == "IT"
    assert country_code("Turkey") == "TR"
    assert country_code("Kosovo") is None
    assert country_code("") is None


def test_twin_cities_are_matched_by_city_and_country_and_problems_are_named(tmp_path: Path) -> None:
    path = tmp_path / "twins.csv"
    path.write_text(
        HEADER
        + "Erfurt,Germany,0,0,Kati,Mali,0,0\n"  # line 2: a tie
        + "Kati,Mali,0,0,Erfurt,Germany,0,0\n"  # line 3: the same pair the other way: one tie
        + "Daloa,Ivory Coast,0,0,Campinas,Brazil,0,0\n"  # line 4: a tie through an alias
        + "Gottingen,Lower Saxony, Germany,0,0,Kati,Mali,0,0\n"  # line 5: an extra comma shifts the cells
        + "Erfurt,Germany,0,0,Vilnius,Lithuania,0,0\n"  # line 6: one side only
        + "Pristina,Kosovo,0,0,Kati,Mali,0,0\n"  # line 7: a country nobody can name
        + "Paris,France,0,0,Kati,Mali,0,0\n"  # line 8: two members called Paris in France
        + ",Mali,0,0,Kati,Mali,0,0\n",  # line 9: no city
        encoding="utf-8",
    )
    found = match_twin_cities(path, MEMBERS)
    assert found.rows == 8
    assert found.pairs == [("erfurt", "kati"), ("campinas", "daloa")]
    problems = {(p.line, p.field): p.message for p in found.problems}
    assert problems[(7, "country1")] == "'Kosovo' is not a country peermatch can name"
    assert problems[(8, "city1")] == "'Paris' (FR) matches 2 members: paris-a, paris-b"
    assert problems[(9, "city1")] == "empty"
    assert (5, "country1") in problems  # 'Lower Saxony' read as the country: named, not guessed
    assert found.one_side_member == 4  # lines 5 (Kati), 6, 7, 8


def test_a_file_without_the_columns_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(UnreadableFileError, match="missing columns city1, country1, city2, country2"):
        match_twin_cities(path, MEMBERS)


def test_ties_are_stored_once_per_pair_and_kind(tmp_path: Path) -> None:
    store = Store(tmp_path / "store.sqlite")
    store.write(MEMBERS)
    ties = Ties(store)
    assert ties.add("kati", "erfurt", "twinning", "user:a")
    assert not ties.add("erfurt", "kati", "twinning", "user:a")  # the same tie, other way round
    assert ties.add("erfurt", "kati", "cooperation", "user:a")
    assert ties.pairs() == [("erfurt", "kati")]
    assert [t.kind for t in ties.list("kati")] == ["cooperation", "twinning"]
    with pytest.raises(InvalidTieError, match="unknown member: nowhere"):
        ties.add("kati", "nowhere", "twinning", "user:a")
    with pytest.raises(InvalidTieError, match="cannot be tied to itself"):
        ties.add("kati", "kati", "twinning", "user:a")
    assert ties.remove("kati", "erfurt", "cooperation") and not ties.remove("kati", "erfurt", "cooperation")


def test_the_shipped_twin_cities_list_imports_with_named_problems(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[2] / "shared" / "data" / "twin-cities" / "twin_cities.csv"
    if not source.exists():
        pytest.skip(f"{source} is not beside this clone")
    store = Store(tmp_path / "store.sqlite")
    store.write(MEMBERS)
    report = import_twin_cities(store, source, "twinning", "user:a")
    assert report.rows == 25_917
    assert ("erfurt", "kati") in Ties(store).pairs()
    assert report.problems and all(p.line >= 2 for p in report.problems)


# ---- the tie policies ------------------------------------------------------------------------------

MENTEES = ["kati", "goma"]
MENTORS = ["erfurt", "siliana"]
# Kati fits Siliana far better than Erfurt (its twin); Goma fits both alike.
AFFINITY = np.asarray([[0.05, 0.46], [0.40, 0.40]])
LANGUAGES = {"kati": {"fr"}, "goma": {"fr"}, "erfurt": {"de", "en"}, "siliana": {"fr", "ar"}}


def pairing(**constraints: object) -> tuple[set[tuple[str, str]], object]:
    everyone = MENTEES + MENTORS
    problem = build_problem(
        MENTEES,
        MENTORS,
        AFFINITY,
        LANGUAGES,
        {"kati": "ML", "goma": "CD", "erfurt": "DE", "siliana": "TN"},
        {m: "Africa" for m in everyone},
        {"kati": {"erfurt"}, "erfurt": {"kati"}, "goma": set(), "siliana": set()},
        PairingConstraints(ties=[("erfurt", "kati")], max_load=1, require_common_language=False, **constraints),  # type: ignore[arg-type]
    )
    solution = solve_total(problem)
    chosen = np.flatnonzero(solution.chosen)
    return {(problem.mentees[problem.pair_mentee[p]], problem.mentors[problem.pair_mentor[p]]) for p in chosen}, problem


def test_ignored_ties_follow_the_partners_rule() -> None:
    pairs, problem = pairing(tie_policy="ignore")
    assert ("kati", "erfurt") not in pairs
    assert pairs == {("kati", "siliana"), ("goma", "erfurt")}


def test_a_preferred_tie_is_kept_when_its_weight_outweighs_the_better_match() -> None:
    # Without the tie: 0.46 + 0.40 = 0.86; with it: 0.05 + w + 0.40. Kept when w > 0.41.
    weak, _ = pairing(tie_policy="prefer", tie_weight=0.3)
    assert weak == {("kati", "siliana"), ("goma", "erfurt")}
    strong, problem = pairing(tie_policy="prefer", tie_weight=0.5)
    assert strong == {("kati", "erfurt"), ("goma", "siliana")}
    assert problem.tied.sum() == 1  # type: ignore[attr-defined]


def test_a_preferred_tie_stands_without_a_common_language() -> None:
    pairs, _ = pairing_required()
    assert ("kati", "erfurt") in pairs


def pairing_required() -> tuple[set[tuple[str, str]], object]:
    """Kati (fr) and Erfurt (de, en) share no language: a required common language would exclude them, not the tie."""
    everyone = MENTEES + MENTORS
    problem = build_problem(
        MENTEES,
        MENTORS,
        AFFINITY,
        LANGUAGES | {"goma": {"fr", "en"}},
        {"kati": "ML", "goma": "CD", "erfurt": "DE", "siliana": "TN"},
        {m: "Africa" for m in everyone},
        {m: set() for m in everyone},
        PairingConstraints(ties=[("erfurt", "kati")], max_load=1, tie_policy="prefer", tie_weight=0.5),
    )
    solution = solve_total(problem)
    return {
        (problem.mentees[problem.pair_mentee[p]], problem.mentors[problem.pair_mentor[p]]) for p in np.flatnonzero(solution.chosen)
    }, problem


def test_a_kept_tie_is_forced_and_a_forbidden_one_excluded_with_its_reason() -> None:
    kept, problem = pairing(tie_policy="keep")
    assert ("kati", "erfurt") in kept and problem.forced_by_tie.any()  # type: ignore[attr-defined]
    forbidden, problem = pairing(tie_policy="forbid", forbid_existing_partners=False)
    assert ("kati", "erfurt") not in forbidden
    assert problem.excluded["kati"] == {"%(count)s tied to it (twinning or cooperation), forbidden by the tie policy": 1}  # type: ignore[attr-defined]


def test_kept_ties_that_overload_a_mentor_are_named_in_the_diagnosis() -> None:
    everyone = ["a", "b", "twin"]
    problem = build_problem(
        ["a", "b"],
        ["twin"],
        np.ones((2, 1)),
        dict.fromkeys(everyone, {"fr"}),
        dict.fromkeys(everyone, "ML"),
        {},
        {m: set() for m in everyone},
        PairingConstraints(ties=[("a", "twin"), ("b", "twin")], tie_policy="keep", max_load=1),
    )
    assert solve_total(problem).status == "infeasible"
    reasons = [r.text() for r in diagnose(problem, dict.fromkeys(everyone, {"fr"}))]
    assert "mentor twin keeps 2 tied pairs (tie policy: keep) but can take 1" in reasons


def test_income_and_ldc_weights_multiply_the_region_weight() -> None:
    everyone = ["mali", "tunisia", "germany", "mentor"]
    problem = build_problem(
        ["mali", "tunisia", "germany"],
        ["mentor"],
        np.ones((3, 1)),
        dict.fromkeys(everyone, {"fr"}),
        {"mali": "ML", "tunisia": "TN", "germany": "DE", "mentor": "FR"},
        {"mali": "Africa", "tunisia": "Arab States", "germany": "Europe and North America"},
        {m: set() for m in everyone},
        PairingConstraints(region_weights={"Africa": 2}, income_weights={"low": 3, "lower_middle": 1.5}, ldc_weight=2, min_partners=0),
    )
    # Mali: Africa 2 x low income 3 x LDC 2; Tunisia: lower middle 1.5; Germany: high, unweighted.
    assert problem.weight.tolist() == [12.0, 1.5, 1.0]
