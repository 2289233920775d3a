"""A pairing problem: who may pair with whom, at what affinity, under which limits.

Encoded as openreview-matcher's Encoder does: external ids only at the edges, integer rows inside.
Candidate pairs are sparse (each mentee's top candidates plus forced pairs), so a cohort of
thousands stays small.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Annotated

import numpy as np
from pydantic import BaseModel, Field, model_validator

from matcher.explanations import (
    EXCLUDED_CONFLICTS,
    EXCLUDED_COUNTRY,
    EXCLUDED_DECLINED,
    EXCLUDED_ENGAGED,
    EXCLUDED_LANGUAGE,
    EXCLUDED_PARTNERS,
)

# Objective weights say how many times more one mentee counts than another. Past 100, the solvers'
# tolerances (about 1e-9 of the objective) would drop the affinity differences of the lightest ones;
# an infinite or huge weight made the job run forever.
MAX_WEIGHT = 100.0
Weight = Annotated[float, Field(gt=0, le=MAX_WEIGHT, allow_inf_nan=False)]
# Loads and partner counts are counts of members: none exceeds a network's size.
MAX_COUNT = 100_000
Load = Annotated[int, Field(ge=0, le=MAX_COUNT)]


class PairingConstraints(BaseModel):
    """What a secretariat asks of a pairing. Loads are counts of partners."""

    min_partners: int = Field(1, ge=0, le=MAX_COUNT, description="Partners each mentee must get.")
    max_partners: int = Field(1, ge=1, le=MAX_COUNT)
    min_load: int = Field(0, ge=0, le=MAX_COUNT, description="Mentees each mentor must take.")
    max_load: int = Field(3, ge=1, le=MAX_COUNT)
    load_overrides: dict[str, tuple[Load, Load]] = Field(default_factory=dict, description="mentor id -> (min, max)")
    require_common_language: bool = True
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
    candidates_per_mentee: int = Field(20, ge=1, le=MAX_COUNT, description="Top candidates kept per mentee (sparse problem).")

    @model_validator(mode="after")
    def _ranges(self) -> PairingConstraints:
        if self.min_partners > self.max_partners:
            raise ValueError(f"min_partners ({self.min_partners}) is above max_partners ({self.max_partners})")
        if self.min_load > self.max_load:
            raise ValueError(f"min_load ({self.min_load}) is above max_load ({self.max_load})")
        for mentor, (low, high) in self.load_overrides.items():
            if low > high:
                raise ValueError(f"load override for '{mentor}': min {low} is above max {high}")
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
    same_pool: bool = False  # one pool paired within itself: mentees and mentors are the same members
    excluded: dict[str, Counter[str]] = field(default_factory=dict)  # mentee id -> why mentors were ruled out

    @property
    def objective(self) -> np.ndarray:
        """Per pair: weight of its mentee x (affinity - penalty when no common language)."""
        penalty = np.where(self.common_language, 0.0, self.language_penalty)
        return self.weight[self.pair_mentee] * (self.affinity - penalty)

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

    if c.forbid_existing_partners:
        reasons.append((EXCLUDED_PARTNERS, pair_mask([(e, p) for e in mentees for p in partners.get(e, set())], True)))
        reasons.append((EXCLUDED_ENGAGED, pair_mask(list(c.engaged), True)))
    reasons.append((EXCLUDED_CONFLICTS, pair_mask(list(c.conflicts), True)))
    reasons.append((EXCLUDED_DECLINED, pair_mask(list(c.declined), True)))
    if c.forbid_same_country:
        mentee_countries = np.asarray([countries[e] for e in mentees])
        mentor_countries = np.asarray([countries[o] for o in mentors])
        reasons.append((EXCLUDED_COUNTRY, mentee_countries[:, None] == mentor_countries[None, :]))
    if c.require_common_language:
        reasons.append((EXCLUDED_LANGUAGE, ~common))
    excluded: dict[str, Counter[str]] = {}
    for reason, hits in reasons:
        fresh = hits & ~ruled_out
        counts = fresh.sum(axis=1)
        for row in np.flatnonzero(counts).tolist():
            excluded.setdefault(mentees[row], Counter())[reason] += int(counts[row])
        ruled_out |= hits
    forced_pairs = pair_mask(list(c.forced), False)
    ruled_out |= forced_pairs  # added below, once, as forced

    scores = np.where(ruled_out, -np.inf, affinity.astype(np.float64))
    k = min(c.candidates_per_mentee, m)
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k] if k < m else np.tile(np.arange(m), (n, 1))
    forced_rows: list[tuple[int, int]] = []
    for mentee, mentor in c.forced:
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
    forced = [False] * len(pairs_i)
    for i, j in forced_rows:
        pairs_i.append(i)
        pairs_j.append(j)
        forced.append(True)
    pair_mentee = np.asarray(pairs_i, dtype=np.int64)
    pair_mentor = np.asarray(pairs_j, dtype=np.int64)
    weight = np.asarray([c.priority_weights.get(e, c.region_weights.get(regions.get(e, ""), 1.0)) for e in mentees], dtype=np.float64)
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
        same_pool=same_pool,
        excluded=excluded,
    )
