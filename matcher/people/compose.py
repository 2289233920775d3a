"""Compose an expert group of people for a theme: each person's expertise is scored against the
theme and its aspects on the members' evidence scale (``Similarity.vectors``: a passage that is not
stored, against the same per-language cohorts), labelled as strengths are (``calibration``), then
people are added greedily for the aspects they newly cover, under the balance rule if there is one."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping

import numpy as np

from embeddings.embedder import TextEncoder
from matcher.people.model import BalanceReport, PeopleGroup, PeopleGroupOptions, Person, PersonPick
from matcher.scoring.calibration import PARTIAL, match_quality, match_score, shown
from matcher.scoring.similarity import Similarity
from matcher.text_folding import fold
from matcher.text_language import detect

UNCOUNTED = {None, "undisclosed"}  # a gender not given counts towards no cap
MAX_PARTS = 20  # sentences of one person's expertise scored (a CV-length text is cut there)
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+")
_NUMBER = re.compile(r"\d+")
# A sentence in this many people's expertise, and in this share of all people's, is a template
# (``template_parts``): in a large book, a few people sharing a title ("Teacher trainer.") is
# what sets them apart from the rest, not boilerplate.
TEMPLATE_PEOPLE = 3
TEMPLATE_SHARE = 0.1


def expertise_parts(text: str) -> list[str]:
    """An expertise text as strength-sized passages (its sentences and clauses): a long text mixing
    several fields is matched by its best sentence, as a member by its best stated strength."""
    parts = [part.strip() for part in _SENTENCE_END.split(text) if len(part.split()) >= 3]
    return parts[:MAX_PARTS] or [text]


def template_parts(people: list[Person]) -> set[str]:
    """The sentences (``part_shape``) that at least ``TEMPLATE_PEOPLE`` people's expertise texts,
    and ``TEMPLATE_SHARE`` of all, share word for word, numbers aside: a job title or "N years of
    experience", the same for a whole department's staff. They say nothing about what one person knows, and matched themes
    of their own: on the demo, "Mental health of learners" found four heads of lifelong learning
    departments at 0.35 (partial) through "Head of the lifelong learning department."; in
    Spanish, whose staff write their title in Spanish, it found none of them."""
    counts = Counter(shape for person in people for shape in {part_shape(part) for part in expertise_parts(person.expertise)})
    least = max(TEMPLATE_PEOPLE, TEMPLATE_SHARE * len(people))
    return {shape for shape, count in counts.items() if count >= least}


def part_shape(part: str) -> str:
    """A sentence as compared for templates: folded, spacing collapsed, each number one sign."""
    return _NUMBER.sub("#", fold(" ".join(part.split())))


def balance_cap(k: int, max_share: float) -> int:
    """Seats one value may hold: ``max_share`` of the group, rounded up, at least one."""
    return max(1, math.ceil(k * max_share - 1e-9))


def compose_people(
    theme: str,
    people: list[Person],
    regions: Mapping[str, str | None],
    options: PeopleGroupOptions,
    similarity: Similarity,
    encoder: TextEncoder,
) -> PeopleGroup:
    """The group for ``theme`` among ``people`` (``regions``: person id -> region, a member's staff
    taking their member's). Only people with at least a partial match are proposed."""
    allowed = {"available", "limited"} if options.include_limited else {"available"}
    pool = [p for p in people if p.availability in allowed and (options.external or not p.external)]
    queries = [theme, *options.aspects]
    if not pool:
        return PeopleGroup(theme=theme, members=[], uncovered=list(options.aspects), balance=_report(options, [], [], regions))
    vectors = encoder.encode_queries(queries)
    prepared = similarity.prepare(queries, vectors)
    templates = template_parts(people)
    parts = [
        (j, part) for j, person in enumerate(pool) for part in expertise_parts(person.expertise) if part_shape(part) not in templates
    ]
    owners = np.asarray([j for j, _ in parts], dtype=np.int64)
    # Each part against the cohort of the language it is written in, as a stored passage is: a
    # person declaring French first may write its expertise in English.
    languages = [detect(text, pool[j].languages) or pool[j].languages[0] for j, text in parts]
    _, dense = similarity.vectors(prepared, encoder.encode([text for _, text in parts]), languages)
    by_part = match_score(dense * prepared.match_gain[:, None])  # (queries, parts), 0-1
    scores = np.zeros((len(queries), len(pool)), dtype=np.float32)  # each person's best part
    np.maximum.at(scores.T, owners, by_part.T)
    best = scores.max(axis=0)
    # the part each person's best score comes from, quoted beside it
    best_part = np.full(len(pool), -1, dtype=np.int64)
    if parts:
        part_best = by_part.max(axis=0)
        for i in np.argsort(-part_best, kind="stable").tolist():
            if best_part[owners[i]] < 0:
                best_part[owners[i]] = i
    covers = [{a for a, aspect in enumerate(options.aspects) if scores[a + 1, j] >= PARTIAL} for j in range(len(pool))]
    candidates = [j for j in np.argsort(-best, kind="stable").tolist() if best[j] >= PARTIAL]
    chosen: list[int] = []
    held_back: list[int] = []
    counts: dict[str, int] = {}
    covered: set[int] = set()
    cap = balance_cap(options.k, options.balance.max_share) if options.balance else None
    while len(chosen) < options.k and candidates:
        # new aspects first, then the theme's match: an aspect nobody covers is worth a seat
        j = max(candidates, key=lambda c: (len(covers[c] - covered), float(scores[0, c]), float(best[c])))
        candidates.remove(j)
        value = _value(pool[j], options, regions)
        if cap is not None and value not in UNCOUNTED and counts.get(str(value), 0) >= cap:
            held_back.append(j)
            continue
        chosen.append(j)
        covered |= covers[j]
        if value not in UNCOUNTED:
            counts[str(value)] = counts.get(str(value), 0) + 1
    picks = [
        PersonPick(
            id=pool[j].id,
            name=pool[j].name,
            member_id=pool[j].member_id,
            organisation=pool[j].organisation,
            external=pool[j].external,
            role=pool[j].role,
            gender=pool[j].gender,
            region=regions.get(pool[j].id),
            match_score=shown(float(best[j])),
            match_quality=match_quality(float(best[j])),
            covers=[options.aspects[a] for a in sorted(covers[j])],
            evidence=parts[best_part[j]][1] if best_part[j] >= 0 else "",
        )
        for j in chosen
    ]
    uncovered = [aspect for a, aspect in enumerate(options.aspects) if a not in covered]
    return PeopleGroup(
        theme=theme,
        members=picks,
        uncovered=uncovered,
        balance=_report(options, [pool[j] for j in chosen], [pool[j] for j in held_back], regions),
    )


def _value(person: Person, options: PeopleGroupOptions, regions: Mapping[str, str | None]) -> str | None:
    if options.balance is None:
        return None
    return person.gender if options.balance.by == "gender" else regions.get(person.id)


def _report(
    options: PeopleGroupOptions, chosen: list[Person], held_back: list[Person], regions: Mapping[str, str | None]
) -> BalanceReport | None:
    """What the rule allowed and what the group holds, counted from the group itself."""
    if options.balance is None:
        return None
    cap = balance_cap(options.k, options.balance.max_share)
    counts: dict[str, int] = {}
    for person in chosen:
        value = _value(person, options, regions)
        if value not in UNCOUNTED:
            counts[str(value)] = counts.get(str(value), 0) + 1
    return BalanceReport(
        by=options.balance.by,
        max_share=options.balance.max_share,
        cap=cap,
        counts=dict(sorted(counts.items())),
        respected=all(n <= cap for n in counts.values()),
        held_back=[p.id for p in held_back],
    )
