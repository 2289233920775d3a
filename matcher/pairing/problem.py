"""A pairing problem: who may pair with whom, at what affinity, under which limits.

Encoded as openreview-matcher's Encoder does: external ids only at the edges, integer rows inside.
Candidate pairs are sparse (each mentee's top candidates plus forced pairs), so a cohort of
thousands stays small.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, Field, model_validator

from matcher.explanations import (
    EXCLUDED_CONFLICTS,
    EXCLUDED_COUNTRY,
    EXCLUDED_DECLINED,
    EXCLUDED_ENGAGED,
    EXCLUDED_LANGUAGE,
    EXCLUDED_MENTEE_LANGUAGE,
    EXCLUDED_PARTNERS,
    EXCLUDED_REQUIRED_LANGUAGE,
    EXCLUDED_TIE,
    PAIRING_LOAD_CROSSED,
    PAIRING_OVERRIDE_CROSSED,
    PAIRING_PARTNERS_CROSSED,
    ExplainedValueError,
    explain,
)
from matcher.records import LanguageCode
from matcher.regions import IncomeGroup, country_groups

# Objective weights say how many times more one mentee counts than another. Past 100, the solvers'
# tolerances (about 1e-9 of the objective) would drop the affinity differences of the lightest ones;
# an infinite or huge weight made the job run forever.
MAX_WEIGHT = 100.0
Weight = Annotated[float, Field(gt=0, le=MAX_WEIGHT, allow_inf_nan=False)]
# Loads and partner counts are counts of members: none exceeds a network's size.
MAX_COUNT = 100_000
Load = Annotated[int, Field(ge=0, le=MAX_COUNT)]
# What pairing does with a tie (a twinning, a cooperation agreement) between a mentee and a mentor:
# ignore it (the partners rule applies), prefer it (allowed even when partners are forbidden or no
# language is shared, as the tie already works, and its affinity raised by ``tie_weight``), keep it
# (forced), or forbid it.
TiePolicy = Literal["ignore", "prefer", "keep", "forbid"]


class PairingConstraints(BaseModel):
    """What a secretariat asks of a pairing. Loads are counts of partners."""

    min_partners: int = Field(1, ge=0, le=MAX_COUNT, description="Partners each mentee must get.")
    max_partners: int = Field(1, ge=1, le=MAX_COUNT)
    min_load: int = Field(0, ge=0, le=MAX_COUNT, description="Mentees each mentor must take.")
    max_load: int = Field(3, ge=1, le=MAX_COUNT)
    load_overrides: dict[str, tuple[Load, Load]] = Field(default_factory=dict, description="mentor id -> (min, max)")
    require_common_language: bool = True
    required_language: LanguageCode | None = Field(
        None,
        description="A language code (ISO 639-1, e.g. 'fr') that the mentee and the mentor of every pair must both speak.",
    )
    language_penalty: float = Field(
        0.1, ge=0.0, le=2.0, description="Subtracted from a pair without a common language, when not required (affinities lie in [-1, 1])."
    )
    forbid_existing_partners: bool = True
    forbid_same_country: bool = False
    conflicts: list[tuple[str, str]] = Field(default_factory=list, max_length=MAX_COUNT)
    forced: list[tuple[str, str]] = Field(default_factory=list, max_length=MAX_COUNT)
    declined: list[tuple[str, str]] = Field(
        default_factory=list,
        max_length=100 * MAX_COUNT,
        description="Pairs declined or rejected in earlier proposals, never made again (filled from the proposals unless asked).",
    )
    engaged: list[tuple[str, str]] = Field(
        default_factory=list,
        max_length=100 * MAX_COUNT,
        description="Pairs in an active partnership or an open proposal (filled from the proposals): partners already,"
        " left out with the existing partners.",
    )
    priority_weights: dict[str, Weight] = Field(default_factory=dict, description="mentee id -> weight in the objective (0 < w <= 100)")
    region_weights: dict[str, Weight] = Field(default_factory=dict, description="mentee region -> weight (e.g. Africa: 2; 0 < w <= 100)")
    ties: list[tuple[str, str]] = Field(
        default_factory=list,
        max_length=100 * MAX_COUNT,
        description="Tied pairs (twinnings, cooperation agreements; filled from the store).",
    )
    tie_policy: TiePolicy = Field("ignore", description="ignore, prefer (a bonus of tie_weight), keep (forced) or forbid tied pairs.")
    tie_weight: float = Field(
        0.5,
        ge=0.0,
        le=2.0,
        description="Added to a tied pair's affinity under 'prefer': a tie is kept unless the mentee's other options are better by more"
        " than this (0.5: the demo's Kati-Erfurt twinning, affinity 0.05, is kept over Siliana, 0.46).",
    )
    income_weights: dict[IncomeGroup, Weight] = Field(
        default_factory=dict,
        description="mentee's country income group (World Bank) -> weight, e.g. low: 2 (multiplies the region weight).",
    )
    ldc_weight: Weight = Field(1.0, description="Weight of a mentee in a least developed country (UN list; multiplies the others).")
    candidates_per_mentee: int = Field(20, ge=1, le=MAX_COUNT, description="Top candidates kept per mentee (sparse problem).")

    @model_validator(mode="after")
    def _ranges(self) -> PairingConstraints:
        # Explained (not plain ValueErrors): a console form says them in its reader's language.
        if self.min_partners > self.max_partners:
            raise ExplainedValueError(explain(PAIRING_PARTNERS_CROSSED, low=self.min_partners, high=self.max_partners))
        if self.min_load > self.max_load:
            raise ExplainedValueError(explain(PAIRING_LOAD_CROSSED, low=self.min_load, high=self.max_load))
        for mentor, (low, high) in self.load_overrides.items():
            if low > high:
                raise ExplainedValueError(explain(PAIRING_OVERRIDE_CROSSED, member=mentor, low=low, high=high))
        return self


@dataclass
class PairingProblem:
    mentees: list[str]
    mentors: list[str]
    pair_mentee: np.ndarray  # (pairs,) row into mentees
    pair_mentor: np.ndarray  # (pairs,) row into mentors
    affinity: np.ndarray  # (pairs,) the engine's affinity, before weights and penalties
    common_language: np.ndarray  # (pairs,) bool
    weight: np.ndarray  # (mentees,) objective weight of each mentee
    mentee_bounds: np.ndarray  # (mentees, 2)
    mentor_bounds: np.ndarray  # (mentors, 2)
    forced: np.ndarray  # (pairs,) bool
    language_penalty: float = 0.0
    tied: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # (pairs,) bool: a twinning or cooperation tie
    tie_bonus: float = 0.0  # added to a tied pair's affinity in the objective ('prefer')
    forced_by_tie: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # (pairs,) forced because the policy keeps ties
    same_pool: bool = False  # one pool paired within itself: mentees and mentors are the same members
    excluded: dict[str, Counter[str]] = field(default_factory=dict)  # mentee id -> why mentors were ruled out
    required_language: str | None = None  # a language both members of every pair speak
    # (mentees,) how many mentors the rules allow each mentee, before the top candidates are kept
    eligible_count: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # (mentors,) how many mentees the rules allow each mentor
    mentor_eligible_count: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # language -> (mentees,) bool: every mentor the rules allow the mentee speaks that language (and it has one)
    only_speakers: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def objective(self) -> np.ndarray:
        """Per pair: weight of its mentee x (affinity - penalty when no common language)."""
        penalty = np.where(self.common_language, 0.0, self.language_penalty)
        bonus = self.tie_bonus * self.tied if len(self.tied) == len(self.affinity) else 0.0
        return self.weight[self.pair_mentee] * (self.affinity + bonus - penalty)

    def __len__(self) -> int:
        return len(self.affinity)


def build_problem(
    mentees: list[str],
    mentors: list[str],
    affinity: np.ndarray,
    languages: dict[str, set[str]],
    countries: dict[str, str],
    regions: dict[str, str],
    partners: dict[str, set[str]],
    constraints: PairingConstraints,
    same_pool: bool = False,
) -> PairingProblem:
    """``affinity`` is dense (mentees, mentors); the problem keeps each mentee's allowed top candidates.

    Vectorised over the (mentees, mentors) grid so that 5,000 x 1,000 builds in about a second.
    """
    c = constraints
    n, m = len(mentees), len(mentors)
    mentee_row = {e: i for i, e in enumerate(mentees)}
    mentor_row = {o: j for j, o in enumerate(mentors)}
    all_languages = sorted({lang for member in (*mentees, *mentors) for lang in languages.get(member, set())})
    bit = {lang: 1 << k for k, lang in enumerate(all_languages)}

    def mask(member: str) -> int:
        return sum(bit[lang] for lang in languages.get(member, set()))

    mentee_masks = np.asarray([mask(e) for e in mentees], dtype=object if len(bit) > 62 else np.int64)
    mentor_masks = np.asarray([mask(o) for o in mentors], dtype=object if len(bit) > 62 else np.int64)
    common = (mentee_masks[:, None] & mentor_masks[None, :]) != 0
    reasons: list[tuple[str, np.ndarray]] = []
    ruled_out = np.zeros((n, m), dtype=bool)
    if same_pool or set(mentees) & set(mentors):
        for e, i in mentee_row.items():
            if e in mentor_row:
                ruled_out[i, mentor_row[e]] = True

    def pair_mask(pairs: list[tuple[str, str]], both_ways: bool) -> np.ndarray:
        out = np.zeros((n, m), dtype=bool)
        for a, b in pairs:
            for x, y in ((a, b), (b, a)) if both_ways else ((a, b),):
                if x in mentee_row and y in mentor_row:
                    out[mentee_row[x], mentor_row[y]] = True
        return out

    tie_mask = pair_mask(list(c.ties), True) if c.ties and c.tie_policy != "ignore" else np.zeros((n, m), dtype=bool)
    # Under 'prefer' and 'keep' a tie stands although the two are partners or share no working language.
    lifted = tie_mask if c.tie_policy in ("prefer", "keep") else np.zeros((n, m), dtype=bool)
    if c.tie_policy == "forbid":
        reasons.append((EXCLUDED_TIE, tie_mask))
    if c.forbid_existing_partners:
        reasons.append((EXCLUDED_PARTNERS, pair_mask([(e, p) for e in mentees for p in partners.get(e, set())], True) & ~lifted))
        reasons.append((EXCLUDED_ENGAGED, pair_mask(list(c.engaged), True)))
    reasons.append((EXCLUDED_CONFLICTS, pair_mask(list(c.conflicts), True)))
    reasons.append((EXCLUDED_DECLINED, pair_mask(list(c.declined), True)))
    if c.forbid_same_country:
        mentee_countries = np.asarray([countries[e] for e in mentees])
        mentor_countries = np.asarray([countries[o] for o in mentors])
        reasons.append((EXCLUDED_COUNTRY, mentee_countries[:, None] == mentor_countries[None, :]))
    if c.required_language:
        # Both must speak it: a mentee who does not has no mentor; a mentor who does not has no mentee.
        mentee_speaks = np.asarray([c.required_language in languages.get(e, set()) for e in mentees], dtype=bool)
        mentor_speaks = np.asarray([c.required_language in languages.get(o, set()) for o in mentors], dtype=bool)
        reasons.append((EXCLUDED_MENTEE_LANGUAGE, np.repeat(~mentee_speaks[:, None], m, axis=1)))
        reasons.append((EXCLUDED_REQUIRED_LANGUAGE, np.repeat(~mentor_speaks[None, :], n, axis=0)))
    if c.require_common_language:
        reasons.append((EXCLUDED_LANGUAGE, ~common & ~lifted))
    excluded: dict[str, Counter[str]] = {}
    for reason, hits in reasons:
        fresh = hits & ~ruled_out
        counts = fresh.sum(axis=1)
        for row in np.flatnonzero(counts).tolist():
            excluded.setdefault(mentees[row], Counter())[reason] += int(counts[row])
        ruled_out |= hits
    forced_list = list(c.forced)
    tie_forced: set[tuple[str, str]] = set()
    if c.tie_policy == "keep":
        # A kept tie is forced unless something a secretariat said (a conflict, a decline, an open proposal) rules it out.
        keep = tie_mask & ~ruled_out
        for row, column in zip(*np.nonzero(keep), strict=True):
            kept_pair = (mentees[int(row)], mentors[int(column)])
            if same_pool and (kept_pair[1], kept_pair[0]) in tie_forced:
                continue
            tie_forced.add(kept_pair)
        forced_list += sorted(tie_forced - set(forced_list))
    forced_pairs = pair_mask(forced_list, False)
    allowed = ~ruled_out | forced_pairs
    only_speakers = {}
    for language in sorted({lang for o in mentors for lang in languages.get(o, set())}):
        speaks = np.asarray([language in languages.get(o, set()) for o in mentors], dtype=bool)
        only_speakers[language] = allowed.any(axis=1) & ~(allowed & ~speaks[None, :]).any(axis=1)
    ruled_out |= forced_pairs  # added below, once, as forced

    scores = np.where(ruled_out, -np.inf, affinity.astype(np.float64))
    k = min(c.candidates_per_mentee, m)
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k] if k < m else np.tile(np.arange(m), (n, 1))
    forced_rows: list[tuple[int, int]] = []
    for mentee, mentor in forced_list:
        if mentee not in mentee_row or mentor not in mentor_row:
            raise ValueError(f"forced pair ({mentee}, {mentor}): both must be in the cohort")
        i, j = mentee_row[mentee], mentor_row[mentor]
        # In a single pool, (a, b) and (b, a) are one pair: keep it once, as (lower row, higher row).
        forced_rows.append((min(i, j), max(i, j)) if same_pool else (i, j))
    forced_rows = list(dict.fromkeys(forced_rows))
    pairs_i, pairs_j = [], []
    seen: set[tuple[int, int]] = set(forced_rows)  # a forced pair is added once, below, never as a candidate too
    for i in range(n):
        kept = [int(j) for j in top[i] if np.isfinite(scores[i, j])]
        kept.sort(key=lambda j: (-scores[i, j], mentors[j]))
        for j in kept:
            pair = (min(i, j), max(i, j)) if same_pool else (i, j)
            if pair in seen:
                continue
            seen.add(pair)
            pairs_i.append(pair[0])
            pairs_j.append(pair[1])
    if c.tie_policy == "prefer":
        # A preferred tie is a candidate even when it is not among the mentee's top affinities.
        for row, column in zip(*np.nonzero(tie_mask & np.isfinite(scores)), strict=True):
            cell = (min(int(row), int(column)), max(int(row), int(column))) if same_pool else (int(row), int(column))
            if cell not in seen:
                seen.add(cell)
                pairs_i.append(cell[0])
                pairs_j.append(cell[1])
    forced = [False] * len(pairs_i)
    for i, j in forced_rows:
        pairs_i.append(i)
        pairs_j.append(j)
        forced.append(True)
    pair_mentee = np.asarray(pairs_i, dtype=np.int64)
    pair_mentor = np.asarray(pairs_j, dtype=np.int64)
    weight = np.asarray(
        [c.priority_weights.get(e, _group_weight(c, regions.get(e, ""), countries.get(e, ""))) for e in mentees], dtype=np.float64
    )
    mentee_bounds = np.tile([c.min_partners, c.max_partners], (n, 1))
    mentor_bounds = np.asarray([c.load_overrides.get(o, (c.min_load, c.max_load)) for o in mentors], dtype=np.int64)
    return PairingProblem(
        mentees,
        mentors,
        pair_mentee,
        pair_mentor,
        affinity[pair_mentee, pair_mentor].astype(np.float64) if len(pair_mentee) else np.zeros(0),
        common[pair_mentee, pair_mentor] if len(pair_mentee) else np.zeros(0, dtype=bool),
        weight,
        mentee_bounds,
        mentor_bounds.reshape(-1, 2),
        np.asarray(forced, dtype=bool),
        language_penalty=0.0 if c.require_common_language else c.language_penalty,
        tied=tie_mask[pair_mentee, pair_mentor] if len(pair_mentee) else np.zeros(0, dtype=bool),
        tie_bonus=c.tie_weight if c.tie_policy == "prefer" else 0.0,
        forced_by_tie=np.asarray(
            [f and _tie_only(mentees[i], mentors[j], tie_forced, c.forced) for f, i, j in zip(forced, pairs_i, pairs_j, strict=True)],
            dtype=bool,
        ),
        same_pool=same_pool,
        excluded=excluded,
        required_language=c.required_language,
        eligible_count=allowed.sum(axis=1).astype(np.int64),
        mentor_eligible_count=allowed.sum(axis=0).astype(np.int64),
        only_speakers=only_speakers,
    )


def _group_weight(c: PairingConstraints, region: str, country: str) -> float:
    """A mentee's weight from its region, its country's income group and LDC status (multiplied,
    at most MAX_WEIGHT); 1 when none is weighted."""
    groups = country_groups()
    weight = c.region_weights.get(region, 1.0) * c.income_weights.get(groups.income_group(country), 1.0)
    if groups.is_ldc(country):
        weight *= c.ldc_weight
    return min(weight, MAX_WEIGHT)


def _tie_only(a: str, b: str, tie_forced: set[tuple[str, str]], asked: list[tuple[str, str]]) -> bool:
    """A forced pair that only the 'keep' tie policy forced (either way round, for a single pool)."""
    return ((a, b) in tie_forced or (b, a) in tie_forced) and (a, b) not in asked and (b, a) not in asked
