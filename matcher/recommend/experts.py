"""Expert-group members for a theme: rank candidates by their evidence, then compose a group that
covers the theme's aspects under diversity limits.

A candidate's evidence is its strengths (scaled by level), the passages of documents it
authored and, more weakly, its profile and representative, scored on the calibrated 0-1 scale
(``matcher.scoring.calibration``). Per query (the theme, each aspect) the passages pool as
``NeedEvidence`` pools them: 'breadth' (the default) as 'pooled', except that a candidate's
authored documents count as one body of work (the mean of its ``document_breadth`` best, a missing
one counting as unrelated), so a field's experts outrank the author of one lucky document;
'pooled' (as peer scores: the best passage, plus a bounded amount for further passages above a
threshold); or their max, mean or a weighted top-k (1, 1/2, 1/3, ...).

Only candidates whose relevance is at least partial join the group: when nobody has real
evidence, the group is empty and the answer says so, naming the closest weak matches.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, Field, computed_field

from embeddings.embedder import TextEncoder
from matcher.errors import UnknownIdError
from matcher.explanations import (
    ASPECT_LEFT_OUT,
    ASPECT_NO_EVIDENCE,
    EXPERTS_CLOSEST,
    EXPERTS_FOUND,
    EXPERTS_NO_CLOSEST,
    EXPERTS_NONE,
    EXPERTS_SHORT,
    QUALITY,
    Explanation,
    explain,
)
from matcher.records import REGIONS, Member
from matcher.scoring.calibration import PARTIAL, MatchQuality, affinity, match_quality, match_score, shown
from matcher.scoring.evidence import NeedEvidence, scale_positive

Aggregation = Literal["breadth", "pooled", "max", "mean", "topk"]
PROFILE_FACTOR = 0.7  # a profile is weaker evidence than a stated strength or a document
CLOSEST = 3  # weak matches named when nobody has real evidence
# Each aspect is embedded and scored against every passage, so their number and length bound a
# request's cost; a theme has a handful of facets, each a phrase (5,000 aspects took 22.8 s of CPU).
MAX_ASPECTS = 20
ASPECT_MAX_CHARS = 500
Aspect = Annotated[str, Field(min_length=1, max_length=ASPECT_MAX_CHARS)]


def region_limit(k: int) -> int:
    """Members of a region-balanced group of ``k``: an equal share of the network's regions
    (``REGIONS``, five), rounded up so that a group smaller than the regions still fills."""
    return math.ceil(k / len(REGIONS))


class ExpertOptions(BaseModel):
    k: int = Field(5, ge=1, le=50, description="Group size.")
    aspects: list[Aspect] = Field(default_factory=list, max_length=MAX_ASPECTS)
    aggregation: Aggregation = "breadth"
    top_k: int = Field(3, ge=1, le=20)
    max_per_country: int | None = Field(1, ge=1)
    region_balance: bool = False
    kinds: list[str] | None = None
    aspect_threshold: float = Field(PARTIAL, ge=0.0, le=1.0, description="Calibrated aspect score from which a candidate covers it.")
    min_relevance: float = Field(PARTIAL, ge=0.0, le=1.0, description="Calibrated score a candidate needs (theme or one aspect) to join.")
    # Bounded: a weight above 10 already lets relevance alone decide, and 1e300 overflowed the float32 scores.
    relevance_weight: float = Field(0.5, ge=0.0, le=10.0, description="Weight of theme relevance against aspect gain.")
    include: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=50, description="Members placed in the group first, whatever their evidence."
    )
    exclude: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=1000, description="Members never proposed (to swap one out, exclude it)."
    )


class AspectCover(BaseModel):
    aspect: str
    score: float = Field(description="The match score of the quoted passage for the aspect (at least partial to cover it).")
    passage: str
    text: str


class ExpertPick(BaseModel):
    id: str
    name: str
    kind: str
    country: str
    region: str
    relevance: float = Field(
        description="Ranking score for the theme (every piece of evidence); for a theme that names a taxonomy topic or"
        " cluster, the mean over its names in the languages the network's members write in."
    )
    match_score: float = Field(
        0.0,
        description="0-1, what match_quality comes from: the best stated strength or authored document, theme or aspect.",
    )
    match_quality: MatchQuality
    covers: list[AspectCover]


class ExpertGroup(BaseModel):
    theme: str
    answer_explanation: Explanation = Field(description="The answer as data (template and values), for a translation.")
    members: list[ExpertPick]
    closest: list[ExpertPick] = Field(default_factory=list, description="When nobody has evidence: the closest weak matches.")
    uncovered_explanations: dict[str, Explanation] = Field(default_factory=dict, description="Aspect -> why no member covers it, as data.")
    asked_as: dict[str, list[str]] = Field(
        default_factory=dict,
        description="The theme or aspects asked in other words than typed -> those words: a taxonomy topic's or"
        " cluster's names in the languages the network's members write in. Free text is asked as typed.",
    )
    ranking: list[tuple[str, float]] = Field(description="Top candidates by theme relevance.")
    flags: list[str] = Field(
        default_factory=list,
        description="Warnings about the whole answer: 'language not read by the model (CODES): ...' when the theme or an"
        " aspect asked as typed is in a language the encoder was not trained on (its scores are then not meaningful).",
    )

    # The English sentences are made from their data here, once, never filled in beside it.
    @computed_field(description="One sentence: how many members have evidence, or that nobody states this.")  # type: ignore[prop-decorator]
    @property
    def answer(self) -> str:
        return self.answer_explanation.text()

    @computed_field(description="Aspect -> why no member covers it.")  # type: ignore[prop-decorator]
    @property
    def uncovered(self) -> dict[str, str]:
        return {aspect: reason.text() for aspect, reason in self.uncovered_explanations.items()}


class ExpertFinder:
    def __init__(
        self, members: list[Member], evidence: NeedEvidence, encoder: TextEncoder, *, by_id: Mapping[str, Member] | None = None
    ) -> None:
        """``by_id``: the snapshot's id -> member map of ``members`` (built here when there is none)."""
        self.by_id = by_id if by_id is not None else {m.id: m for m in members}
        self.evidence = evidence
        self.encoder = encoder

    def scores(
        self, texts: list[str], aggregation: Aggregation = "breadth", top_k: int = 3
    ) -> tuple[np.ndarray, np.ndarray, list[tuple[str, int]]]:
        """(queries, candidates) calibrated scores, the best passage column per cell, and the column map.

        The column map names each evidence column: ("m", member-passage row) or ("r", resource row).
        """
        ev = self.evidence
        vectors = self.encoder.encode_queries(texts)
        column_map = (
            [("m", int(r)) for r in ev.strength_rows] + [("r", int(r)) for r in ev.document_rows] + [("m", int(r)) for r in ev.profile_rows]
        )
        if aggregation in ("breadth", "pooled"):
            levels = ev.levels(texts, vectors, breadth=aggregation == "breadth")
            total = np.where(np.isfinite(levels.pooled), affinity(np.where(np.isfinite(levels.pooled), levels.pooled, 0.0)), 0.0)
            return total.astype(np.float32), levels.pooled_where, column_map
        on_members, on_resources = ev.prepare(texts, vectors)
        _, strengths = ev.member_similarity.rows(on_members, ev.strength_set)
        _, profiles = ev.member_similarity.rows(on_members, ev.profile_set)
        _, unique_documents = ev.resource_similarity.rows(on_resources, ev.document_set)
        documents = unique_documents[:, ev.document_inverse]
        columns = np.concatenate(
            [scale_positive(strengths, ev.strength_factor), documents, scale_positive(profiles, ev.weights.profile_factor)], axis=1
        )
        codes = ev.pooled_codes
        n = len(ev.candidates)
        aggregated = np.zeros((len(texts), n), dtype=np.float32)
        best_column = np.full((len(texts), n), -1, dtype=np.int64)
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(n + 1))
        weights = 1.0 / np.arange(1, top_k + 1)
        for j in range(n):
            block = order[bounds[j] : bounds[j + 1]]
            if not len(block):
                continue
            values = columns[:, block]
            ranked = -np.sort(-values, axis=1)
            best_column[:, j] = block[np.argmax(values, axis=1)]
            if aggregation == "max":
                level = ranked[:, 0]
            elif aggregation == "mean":
                level = ranked.mean(axis=1)
            else:
                depth = min(top_k, ranked.shape[1])
                level = ranked[:, :depth] @ weights[:depth] / weights[:depth].sum()
            aggregated[:, j] = affinity(level)
        return aggregated, best_column, column_map

    def matches(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(queries, candidates) match scores (``calibration.match_score``: the best stated strength
        or authored document, dense evidence, the same in every language) and the column of that
        passage in ``scores``' column map (-1: none)."""
        ev = self.evidence
        levels = ev.levels(texts, self.encoder.encode_queries(texts))
        from_document = levels.document > levels.strength
        column = np.where(from_document, len(ev.strength_rows) + levels.document_where, levels.strength_where)
        column = np.where(from_document & (levels.document_where < 0), -1, column)
        return match_score(levels.match), column

    def group(self, theme: str, options: ExpertOptions | None = None, wordings: Mapping[str, Sequence[str]] | None = None) -> ExpertGroup:
        """``wordings``: the wordings a theme or aspect is asked in instead of itself (a known
        theme's names in the network's languages). A candidate's relevance is its mean over the
        wordings and its match the best of them, so a known theme gives the same group whatever
        the language it is asked in, with members writing in each language in about their share
        of the relevant ones (on the demo's 20 topics, 53 / 23 / 24 % en / fr / es for 54 / 25 /
        21 % of the relevant members; ranked on the best wording instead, 40 / 30 / 30)."""
        options = options or ExpertOptions()
        ev = self.evidence
        texts = [theme, *options.aspects]
        asked, query_of = every_wording(texts, wordings or {})
        all_scores, _, column_map = self.scores(asked, options.aggregation, options.top_k)
        all_matches, all_match_columns = self.matches(asked)
        scores = np.stack([all_scores[query_of == query].mean(axis=0) for query in range(len(texts))])
        matches, match_column = best_wording(all_matches, all_match_columns, query_of, len(texts))
        relevance = scores[0]
        allowed = [j for j, cid in enumerate(ev.candidates) if not options.kinds or self.by_id[cid].kind in options.kinds]
        # An aspect is covered only by on-topic evidence: a stated strength or authored document
        # at least partial on the match scale (profiles and shared words do not cover anything).
        covers = np.where(matches[1:] >= options.aspect_threshold, matches[1:], 0.0)
        # A candidate that meets one aspect strongly is relevant to the theme the aspect is part of.
        group_relevance = np.maximum(relevance, scores[1:].max(axis=0)) if len(options.aspects) else relevance
        # Only candidates with real evidence (for the theme or for one aspect) may join the group:
        # judged on the match scale, so that the group is the same whatever the theme's language.
        eligible = [j for j in allowed if matches[0, j] >= options.min_relevance or bool((covers[:, j] > 0).any())]
        excluded = set(options.exclude)
        eligible = [j for j in eligible if ev.candidates[j] not in excluded]
        best_cover = np.zeros(len(options.aspects), dtype=np.float32)
        chosen: list[int] = []
        per_country: dict[str, int] = {}
        per_region: dict[str, int] = {}

        def take(j: int) -> None:
            nonlocal best_cover
            chosen.append(j)
            best_cover = np.maximum(best_cover, covers[:, j]) if len(options.aspects) else best_cover
            c = self.by_id[ev.candidates[j]]
            per_country[c.country] = per_country.get(c.country, 0) + 1
            per_region[c.region] = per_region.get(c.region, 0) + 1

        for j in self._columns_of(options.include):
            take(j)
        region_cap = region_limit(options.k) if options.region_balance else None
        # The theme's best answer is kept: the candidate whose stated evidence matches the theme
        # best, when at least partially, joins first. Greedy coverage alone let members covering
        # an aspect (intercultural festivals, teacher training on sustainability) fill the group
        # and the per-country cap, and left out Rouen, the one member stating global-citizenship
        # teacher training, from a group on 'Éducation à la citoyenneté mondiale' (issue 20).
        theme_best = max(eligible, key=lambda j: (float(matches[0, j]), ev.candidates[j]), default=-1)
        if theme_best >= 0 and matches[0, theme_best] >= PARTIAL and theme_best not in chosen and len(chosen) < options.k:
            country = self.by_id[ev.candidates[theme_best]].country
            if options.max_per_country is None or per_country.get(country, 0) < options.max_per_country:
                take(theme_best)
        while len(chosen) < options.k:
            best_gain, best_j = -math.inf, -1
            for j in eligible:
                if j in chosen:
                    continue
                c = self.by_id[ev.candidates[j]]
                if options.max_per_country is not None and per_country.get(c.country, 0) >= options.max_per_country:
                    continue
                if region_cap is not None and per_region.get(c.region, 0) >= region_cap:
                    continue
                gain = float(np.maximum(covers[:, j] - best_cover, 0.0).sum()) + options.relevance_weight * float(group_relevance[j])
                if gain > best_gain or (gain == best_gain and ev.candidates[j] < ev.candidates[best_j]):
                    best_gain, best_j = gain, j
            if best_j < 0:
                break
            take(best_j)

        picks = [
            self._pick(j, float(relevance[j]), float(matches[0, j]), options.aspects, covers, match_column, column_map) for j in chosen
        ]
        why: dict[str, Explanation] = {}
        for a, aspect in enumerate(options.aspects):
            if best_cover[a] > 0:
                continue
            if not any(covers[a, j] > 0 for j in allowed):
                why[aspect] = explain(ASPECT_NO_EVIDENCE)
            else:
                why[aspect] = explain(ASPECT_LEFT_OUT)
        top = np.argsort(-relevance, kind="stable")[:20]
        closest: list[ExpertPick] = []
        if picks:
            strong = sum(p.match_quality == "strong" for p in picks)
            answer = explain(EXPERTS_FOUND, count=len(picks), strong=strong)
            if len(picks) < options.k:  # k asked, fewer given: say why
                answer = explain(EXPERTS_SHORT, answer, asked=options.k, given=len(picks))
        else:
            # the closest by match evidence: what the label beside each name comes from
            closest_codes = [int(j) for j in np.argsort(-matches[0], kind="stable") if j in allowed][:CLOSEST]
            closest = [
                self._pick(j, float(relevance[j]), float(matches[0, j]), options.aspects, covers, match_column, column_map)
                for j in closest_codes
            ]
            named = [explain(EXPERTS_CLOSEST, explain(QUALITY[p.match_quality]), name=p.name, score=p.match_score) for p in closest]
            answer = explain(EXPERTS_NONE, *(named or [explain(EXPERTS_NO_CLOSEST)]))
        asked_as = {text: list(dict.fromkeys(wordings[text])) for text in texts if wordings and wordings.get(text)}
        return ExpertGroup(
            theme=theme,
            asked_as=asked_as,
            answer_explanation=answer,
            closest=closest,
            members=picks,
            uncovered_explanations=why,
            ranking=[(ev.candidates[j], round(float(relevance[j]), 4)) for j in top if j in eligible],
        )

    def _columns_of(self, member_ids: list[str]) -> list[int]:
        """The candidate columns of ``member_ids``, in their order; an unknown id is refused by name."""
        column = {cid: j for j, cid in enumerate(self.evidence.candidates)}
        unknown = [m for m in member_ids if m not in column]
        if unknown:
            raise UnknownIdError("member (in 'include')", unknown[0], field="options.include")
        return list(dict.fromkeys(column[m] for m in member_ids))

    def _pick(
        self,
        j: int,
        relevance: float,
        theme_match: float,
        aspects: list[str],
        covers: np.ndarray,
        match_column: np.ndarray,
        column_map: list[tuple[str, int]],
    ) -> ExpertPick:
        """Candidate ``j``: each aspect it covers quotes the passage its match score comes from."""
        ev = self.evidence
        c = self.by_id[ev.candidates[j]]
        covered = []
        for a, aspect in enumerate(aspects):
            if covers[a, j] > 0 and match_column[a + 1, j] >= 0:
                kind, row = column_map[match_column[a + 1, j]]
                matrix = ev.member_matrix if kind == "m" else ev.resource_matrix
                passage = matrix.passages[row]
                covered.append(AspectCover(aspect=aspect, score=shown(float(covers[a, j])), passage=passage.key, text=passage.text))
        best = max([theme_match, *(float(covers[a, j]) for a in range(len(aspects)))])
        return ExpertPick(
            id=c.id,
            name=c.name,
            kind=c.kind,
            country=c.country,
            region=c.region,
            relevance=round(relevance, 4),
            match_score=shown(best),
            match_quality=match_quality(best),
            covers=covered,
        )


def every_wording(texts: list[str], wordings: Mapping[str, Sequence[str]]) -> tuple[list[str], np.ndarray]:
    """Each text's wordings (once each; the text itself when it has none), and the text each one
    stands for. A text with wordings is not asked as typed: "housing" and "Logement" are then asked
    the very same names, in the same order, and give the same group."""
    asked: list[str] = []
    query_of: list[int] = []
    for number, text in enumerate(texts):
        for wording in dict.fromkeys(wordings.get(text) or [text]):
            asked.append(wording)
            query_of.append(number)
    return asked, np.asarray(query_of, dtype=np.int64)


def best_wording(values: np.ndarray, where: np.ndarray, query_of: np.ndarray, n_queries: int) -> tuple[np.ndarray, np.ndarray]:
    """Per query and candidate, the best of ``values`` over the query's wordings, and the ``where``
    (say, the passage column) of that wording."""
    if len(query_of) == n_queries:  # one wording each: nothing to choose
        return values, where
    best = np.empty((n_queries, values.shape[1]), dtype=values.dtype)
    best_where = np.empty((n_queries, where.shape[1]), dtype=where.dtype)
    columns = np.arange(values.shape[1])
    for query in range(n_queries):
        rows = np.flatnonzero(query_of == query)
        pick = rows[np.argmax(values[rows], axis=0)]
        best[query], best_where[query] = values[pick, columns], where[pick, columns]
    return best, best_where
