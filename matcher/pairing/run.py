"""Pair a cohort: build the problem from the engine's affinity, solve, diagnose, explain, summarise."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
from pydantic import AfterValidator, BaseModel, Field, computed_field

from matcher.errors import PeermatchError
from matcher.explanations import (
    PAIRING_EMPTY_COHORT,
    PAIRING_MENTORS_FULL,
    PAIRING_NO_ELIGIBLE,
    PAIRING_NO_MENTOR,
    PAIRING_TOGETHER,
    Explanation,
    explain,
)
from matcher.pairing.diagnose import diagnose, excluded_reasons
from matcher.pairing.problem import PairingConstraints, PairingProblem, build_problem
from matcher.pairing.solver import Solution, solve_fair, solve_greedy, solve_total
from matcher.recommend.engine import Recommender
from matcher.records import MemberKind, Region
from matcher.regions import country_groups
from matcher.scoring.calibration import MatchQuality, match_quality, shown
from matcher.spreadsheet import SpreadsheetWriter

# A cohort is at most the network: bigger lists come from a client gone wrong, not from a secretariat.
MAX_COHORT = 20_000
# An infeasible sparse problem is solved again with every allowed pair up to this many (mentee, mentor) cells.
FULL_PROBLEM_CELLS = 2_000_000


def _distinct(ids: list[str]) -> list[str]:
    repeated = sorted({i for i in ids if ids.count(i) > 1}) if len(set(ids)) < len(ids) else []
    if repeated:
        raise ValueError(f"listed more than once: {', '.join(repeated[:5])}")
    return ids


# Given, a list says who takes part: an empty one would silently mean "everybody", so it is refused.
Cohort = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=200)]], Field(min_length=1, max_length=MAX_COHORT), AfterValidator(_distinct)
]


class PairingRequest(BaseModel):
    """Mentees and mentors by id or by region/kind; or one pool paired within itself."""

    mentees: Cohort | None = None
    mentors: Cohort | None = None
    pool: Cohort | None = None
    mentee_regions: list[Region] | None = None
    mentor_regions: list[Region] | None = None
    mentor_other_regions: bool = Field(False, description="Mentors only from regions other than the mentee's cohort's.")
    mentee_kinds: list[MemberKind] | None = None
    mentor_kinds: list[MemberKind] | None = None
    objective: Literal["total", "fair"] = "total"
    reciprocal: bool = False
    constraints: PairingConstraints = Field(default_factory=PairingConstraints)
    include_declined: bool = Field(False, description="Also propose pairs declined or rejected in earlier proposals.")


class Pair(BaseModel):
    mentee: str
    mentor: str
    affinity: float
    common_languages: list[str]
    need: str | None
    evidence: str | None
    evidence_passage: str | None
    tie: bool = Field(False, description="The two are tied (a twinning or a cooperation agreement).")
    # None only in a run stored before pairs carried it (runs are kept for days): its label came
    # from the affinity, and a 0.0 here would stand beside a 'strong' it does not come from.
    match_score: float | None = Field(
        None,
        description="0-1, what match_quality comes from: the dense evidence of the mentor's best stated strength or authored"
        " document for 'need', as peers are labelled (affinity, what the pairing maximises, also counts shared words);"
        " null in a run stored before pairs carried it, whose label came from the affinity.",
    )
    match_quality: MatchQuality = Field(
        "weak",
        description="strong (match_score 0.7 and above), partial (0.3 to 0.7) or weak (below 0.3): the peers' labels and"
        " thresholds; a weak pair is worth a look before it is proposed.",
    )


class Unmatched(BaseModel):
    mentee: str
    explanation: Explanation = Field(description="The reason as data (template and values), for a translation.")

    @computed_field(description="The reason in English, made from `explanation`.")  # type: ignore[prop-decorator]
    @property
    def reason(self) -> str:
        return self.explanation.text()


class PairingSummary(BaseModel):
    """A pairing's figures (affinities rounded to 4 digits, shares to 3; None: no pair made)."""

    mentees: int
    mentors: int
    pairs: int
    objective: float
    total_affinity: float
    min_affinity: float | None
    mean_affinity: float | None
    load_per_mentor: dict[str, int] = Field(description="Mentor id -> mentees paired with it.")
    served_share_by_region: dict[str, float] = Field(description="Region -> share of its mentees that got a partner.")
    tie_policy: str = Field("ignore", description="What the run did with ties: ignore, prefer, keep, forbid.")
    ties_in_cohort: int = Field(0, description="Tied mentee-mentor pairs in the cohort (either way round).")
    ties_kept: int = Field(0, description="Of those, how many the pairing made.")
    mentees_by_income_group: dict[str, int] = Field(
        default_factory=dict, description="World Bank income group -> mentees (matcher.regions)."
    )
    served_share_by_income_group: dict[str, float] = Field(default_factory=dict, description="Income group -> share of its mentees served.")
    ldc_mentees: int = Field(0, description="Mentees in a least developed country (UN list).")
    ldc_served_share: float | None = Field(None, description="Share of those served (None: no LDC mentee).")
    income_weights: dict[str, float] = Field(default_factory=dict, description="The income-group weights the run applied.")
    ldc_weight: float = Field(1.0, description="The LDC weight the run applied.")
    candidates_paired: list[str] = Field(default_factory=list, description="Candidate cities (not yet members) that got a partner.")


class GreedyBaseline(BaseModel):
    """The greedy pairing of the same problem, as the optimum's yardstick."""

    objective: float
    pairs: int
    min_affinity: float
    optimum_over_greedy: float = Field(description="The optimum's objective over the greedy one's (0 when greedy finds nothing).")


class PairingResult(BaseModel):
    status: Literal["optimal", "infeasible-partial"]
    method: str
    pairs: list[Pair]
    unmatched: list[Unmatched]
    binding_constraints: list[str]
    binding_explanations: list[Explanation] = Field(default_factory=list, description="The binding constraints as data, for a translation.")
    summary: PairingSummary
    greedy_baseline: GreedyBaseline

    def write(self, stem: Path) -> tuple[Path, Path]:
        csv_path, json_path = stem.with_suffix(".csv"), stem.with_suffix(".json")
        with open(csv_path, "w", newline="", encoding="utf-8") as handle:
            writer = SpreadsheetWriter(handle)  # member texts: never run as formulas
            writer.writerow(["mentee", "mentor", "affinity", "match_score", "match", "common_languages", "need", "evidence"])
            for p in self.pairs:
                writer.writerow(
                    [
                        p.mentee, p.mentor, f"{p.affinity:.4f}", "" if p.match_score is None else f"{p.match_score:.4f}", p.match_quality,
                        ";".join(p.common_languages), p.need or "", p.evidence or "",
                    ]
                )
        json_path.write_text(json.dumps(self.model_dump(), ensure_ascii=False, indent=2))
        return csv_path, json_path


class EmptyCohortError(PeermatchError):
    """The request's choices leave no mentee or no mentor; ``explanation`` says so as data."""

    def __init__(self, mentees: int, mentors: int) -> None:
        self.explanation = explain(PAIRING_EMPTY_COHORT, mentees=mentees, mentors=mentors)
        super().__init__(f"the cohort is empty: {mentees} mentees with needs, {mentors} mentors")


def cohort_of(recommender: Recommender, request: PairingRequest) -> tuple[list[str], list[str], bool]:
    """The mentees and mentors a request pairs (and whether they are one pool). Every id it names,
    conflicts included, must be a member (UnknownIdError naming it): a conflict with a mistyped
    id would otherwise be left out without a word, and the officer would think it applied."""
    ids = [m.id for m in recommender.members]
    conflicts = [member_id for pair in request.constraints.conflicts for member_id in pair]
    for member_id in (request.mentees or []) + (request.mentors or []) + (request.pool or []) + conflicts:
        recommender.member(member_id)
    if request.pool:
        return list(request.pool), list(request.pool), True

    def select(explicit: list[str] | None, regions: Sequence[str] | None, kinds: Sequence[str] | None) -> list[str]:
        if explicit:
            return list(explicit)
        return [
            i
            for i in ids
            if (not regions or recommender.member(i).region in regions) and (not kinds or recommender.member(i).kind in kinds)
        ]

    mentees = select(request.mentees, request.mentee_regions, request.mentee_kinds)
    mentees = [m for m in mentees if recommender.member(m).needs] if not request.mentees else mentees
    mentors = select(request.mentors, request.mentor_regions, request.mentor_kinds)
    if request.mentor_other_regions:
        mentee_regions = {recommender.member(m).region for m in mentees}
        mentors = [m for m in mentors if recommender.member(m).region not in mentee_regions]
    mentors = [m for m in mentors if m not in set(mentees)]
    if not mentees or not mentors:
        raise EmptyCohortError(len(mentees), len(mentors))
    return mentees, mentors, False


def mentee_affinity(recommender: Recommender, mentees: list[str], mentors: list[str], reciprocal: bool) -> np.ndarray:
    """(mentees, mentors): priority-weighted mean of need scores; with ``reciprocal``, the harmonic
    mean of both directions."""
    gives = _gives(recommender, mentees, mentors)
    if not reciprocal:
        return gives
    receives = _gives(recommender, mentors, mentees).T
    total = gives + receives
    return np.divide(2 * gives * receives, total, out=np.zeros_like(gives), where=total > 0)


def _gives(recommender: Recommender, needy: list[str], helpers: list[str]) -> np.ndarray:
    matrix = recommender.affinity(needy, helpers)
    out = np.zeros((len(needy), len(helpers)), dtype=np.float64)
    row = 0
    for i, member_id in enumerate(needy):
        needs = recommender.member(member_id).needs
        if needs:
            weights = np.asarray([n.weight for n in needs], dtype=np.float64)
            out[i] = weights @ matrix.scores[row : row + len(needs)] / weights.sum()
            row += len(needs)
    return out


def pair_cohort(recommender: Recommender, request: PairingRequest) -> PairingResult:
    mentees, mentors, same_pool = cohort_of(recommender, request)
    affinity = mentee_affinity(recommender, mentees, mentors, request.reciprocal)
    members = recommender.members_by_id
    everyone = set(mentees) | set(mentors)
    cohort = CohortData(
        mentees,
        mentors,
        affinity,
        {m: set(members[m].languages) for m in everyone},
        {m: members[m].country for m in everyone},
        {m: members[m].region for m in everyone},
        {m: set(members[m].partners) for m in everyone},
        same_pool,
    )
    problem, solution, greedy, status, binding = solve_cohort(cohort, request.constraints, request.objective)
    return _result(recommender, problem, solution, greedy, status, binding, request.constraints)


@dataclass
class CohortData:
    """What a pairing is computed from: the cohort, its (mentees, mentors) affinity and the members' facts."""

    mentees: list[str]
    mentors: list[str]
    affinity: np.ndarray
    languages: dict[str, set[str]]
    countries: dict[str, str]
    regions: dict[str, str]
    partners: dict[str, set[str]]
    same_pool: bool = False

    def problem(self, constraints: PairingConstraints) -> PairingProblem:
        return build_problem(
            self.mentees,
            self.mentors,
            self.affinity,
            self.languages,
            self.countries,
            self.regions,
            self.partners,
            constraints,
            self.same_pool,
        )


def solve_cohort(
    cohort: CohortData, constraints: PairingConstraints, objective: str = "total"
) -> tuple[PairingProblem, Solution, Solution, Literal["optimal", "infeasible-partial"], list[Explanation]]:
    """The problem, its solution (the best partial one when infeasible), the greedy baseline, the
    status and, when infeasible, the binding constraints in words."""
    problem = cohort.problem(constraints)
    solve = solve_fair if objective == "fair" else solve_total
    solution = solve(problem)
    binding: list[Explanation] = []
    status: Literal["optimal", "infeasible-partial"] = "optimal"
    if solution.status != "infeasible":
        return problem, solution, solve_greedy(problem), status, binding
    # Every check of the diagnosis counts over the members and every allowed pair, so what it finds
    # makes the full problem infeasible too. When it finds nothing, keeping each mentee's top
    # candidates may be what made the cohort infeasible: solve again with every allowed pair.
    binding = diagnose(problem, cohort.languages)
    if not binding and len(problem) < len(cohort.mentees) * len(cohort.mentors) <= FULL_PROBLEM_CELLS:
        problem = cohort.problem(constraints.model_copy(update={"candidates_per_mentee": max(len(cohort.mentors), 1)}))
        solution = solve(problem)
        if solution.status != "infeasible":
            return problem, solution, solve_greedy(problem), status, binding
    binding = binding or [explain(PAIRING_TOGETHER)]
    solution = solve(_relaxed(problem))
    status = "infeasible-partial"
    return problem, solution, solve_greedy(problem), status, binding


def _relaxed(problem: PairingProblem) -> PairingProblem:
    """The best partial pairing: nobody must be served, loads keep their maxima."""
    from dataclasses import replace

    mentee_bounds = problem.mentee_bounds.copy()
    mentee_bounds[:, 0] = 0
    mentor_bounds = problem.mentor_bounds.copy()
    mentor_bounds[:, 0] = 0
    mentor_bounds[:, 1] = np.maximum(mentor_bounds[:, 1], np.bincount(problem.pair_mentor[problem.forced], minlength=len(problem.mentors)))
    return replace(problem, mentee_bounds=mentee_bounds, mentor_bounds=mentor_bounds)


def _result(
    recommender: Recommender,
    problem: PairingProblem,
    solution: Solution,
    greedy: Solution,
    status: Literal["optimal", "infeasible-partial"],
    binding: list[Explanation],
    constraints: PairingConstraints,
) -> PairingResult:
    members = recommender.members_by_id
    groups = country_groups()
    pairs: list[Pair] = []
    chosen = np.flatnonzero(solution.chosen)
    served: Counter[str] = Counter()
    load: Counter[str] = Counter()
    for p in chosen:
        mentee, mentor = problem.mentees[problem.pair_mentee[p]], problem.mentors[problem.pair_mentor[p]]
        served[mentee] += 1
        load[mentor] += 1
        need, text, passage, matched = _best_need(recommender, mentee, mentor)
        pairs.append(
            Pair(
                mentee=mentee,
                mentor=mentor,
                affinity=round(float(problem.affinity[p]), 4),
                common_languages=sorted(set(members[mentee].languages) & set(members[mentor].languages)),
                need=need,
                evidence=text,
                evidence_passage=passage,
                tie=bool(problem.tied[p]) if len(problem.tied) else False,
                match_score=shown(matched),
                match_quality=match_quality(matched),
            )
        )
    unmatched = []
    candidates = Counter(problem.mentees[i] for i in problem.pair_mentee.tolist())
    for i, mentee in enumerate(problem.mentees):
        if served[mentee] >= max(1, problem.mentee_bounds[i, 0]):
            continue
        if problem.same_pool and load[mentee]:
            continue
        if not candidates[mentee]:
            why = excluded_reasons(problem.excluded.get(mentee, Counter()), problem.required_language) or [explain(PAIRING_NO_MENTOR)]
            reason = explain(PAIRING_NO_ELIGIBLE, *why)
        else:
            reason = explain(PAIRING_MENTORS_FULL)
        unmatched.append(Unmatched(mentee=mentee, explanation=reason))
    affinities = [p.affinity for p in pairs]
    regions = Counter(members[m].region for m in problem.mentees)

    def is_served(m: str) -> bool:
        return bool(served[m] or (problem.same_pool and load[m]))

    served_regions = Counter(members[m].region for m in problem.mentees if is_served(m))
    incomes = Counter(groups.income_group(members[m].country) for m in problem.mentees)
    served_incomes = Counter(groups.income_group(members[m].country) for m in problem.mentees if is_served(m))
    ldc = [m for m in problem.mentees if groups.is_ldc(members[m].country)]
    summary = PairingSummary(
        mentees=len(problem.mentees),
        mentors=len(problem.mentors),
        pairs=len(pairs),
        objective=round(solution.objective, 4),
        total_affinity=round(float(sum(affinities)), 4),
        min_affinity=round(min(affinities), 4) if affinities else None,
        mean_affinity=round(float(np.mean(affinities)), 4) if affinities else None,
        load_per_mentor=dict(sorted(load.items())),
        served_share_by_region={r: round(served_regions[r] / n, 3) for r, n in sorted(regions.items())},
        tie_policy=constraints.tie_policy,
        ties_in_cohort=_ties_in_cohort(problem, constraints),
        ties_kept=sum(p.tie for p in pairs),
        mentees_by_income_group={g: n for g, n in sorted(incomes.items())},
        served_share_by_income_group={g: round(served_incomes[g] / n, 3) for g, n in sorted(incomes.items())},
        ldc_mentees=len(ldc),
        ldc_served_share=round(sum(1 for m in ldc if is_served(m)) / len(ldc), 3) if ldc else None,
        income_weights=dict(constraints.income_weights),
        ldc_weight=constraints.ldc_weight,
        candidates_paired=sorted({m for p in pairs for m in (p.mentee, p.mentor) if members[m].membership == "candidate"}),
    )
    greedy_affinities = problem.affinity[greedy.chosen]
    return PairingResult(
        status=status,
        method=solution.method,
        pairs=pairs,
        unmatched=unmatched,
        binding_constraints=[reason.text() for reason in binding],
        binding_explanations=binding,
        summary=summary,
        greedy_baseline=GreedyBaseline(
            objective=round(greedy.objective, 4),
            pairs=int(greedy.chosen.sum()),
            min_affinity=round(float(greedy_affinities.min()), 4) if len(greedy_affinities) else 0.0,
            optimum_over_greedy=round(solution.objective / greedy.objective, 4) if greedy.objective > 0 else 0.0,
        ),
    )


def _ties_in_cohort(problem: PairingProblem, constraints: PairingConstraints) -> int:
    """Tied pairs with one member among the mentees and the other among the mentors."""
    mentees, mentors = set(problem.mentees), set(problem.mentors)
    return sum(1 for a, b in set(constraints.ties) if (a in mentees and b in mentors) or (b in mentees and a in mentors))


def _best_need(recommender: Recommender, mentee: str, mentor: str) -> tuple[str | None, str | None, str | None, float]:
    """The mentee's need the mentor answers best, the passage that answers it, and its match
    score (dense evidence alone, as peers are labelled: what the pair's label comes from)."""
    needs = recommender.member(mentee).needs
    if not needs:
        return None, None, None, 0.0
    texts = [n.text for n in needs]
    vectors = recommender.stored_vectors.vectors(mentee, texts, [f"need:{i}" for i in range(len(needs))])
    scores = recommender.evidence.score(texts, vectors)
    column = recommender.evidence.code_of[mentor]
    best = int(np.argmax(scores.match[:, column]))
    items = recommender.evidence.explain(scores, best, column, texts, vectors)
    return texts[best], (items[0].text if items else None), (items[0].passage if items else None), float(scores.match[best, column])
