"""Expert-group members for a theme: rank candidates by their evidence, then compose a group that
covers the theme's aspects under diversity limits.

A candidate's evidence is its strengths (scaled by level), the passages of documents it
authored and, more weakly, its profile and representative. Per query (the theme, each aspect)
the passage scores are aggregated as expert-finding systems do: max, mean, or a weighted
top-k (weights 1, 1/2, 1/3, ..., normalised).
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, Field

from embeddings.embedder import TextEncoder
from matcher.recommend.evidence import NeedEvidence
from matcher.records import Member

Aggregation = Literal["max", "mean", "topk"]
PROFILE_FACTOR = 0.7  # a profile is weaker evidence than a stated strength or a document
# Each aspect is embedded and scored against every passage, so their number and length bound a
# request's cost; a theme has a handful of facets, each a phrase (5,000 aspects took 22.8 s of CPU).
MAX_ASPECTS = 20
ASPECT_MAX_CHARS = 500
Aspect = Annotated[str, Field(min_length=1, max_length=ASPECT_MAX_CHARS)]


class ExpertOptions(BaseModel):
    k: int = Field(5, ge=1, le=50, description="Group size.")
    aspects: list[Aspect] = Field(default_factory=list, max_length=MAX_ASPECTS)
    aggregation: Aggregation = "topk"
    top_k: int = Field(3, ge=1, le=20)
    max_per_country: int | None = Field(1, ge=1)
    region_balance: bool = False
    kinds: list[str] | None = None
    # Bounded: aspect scores are cosines shifted per language, inside [-1, 1]; a weight above 10
    # already lets relevance alone decide, and 1e300 overflowed the float32 scores.
    aspect_threshold: float = Field(0.15, ge=-1.0, le=1.0, description="Aspect score from which a candidate covers it.")
    relevance_weight: float = Field(0.5, ge=0.0, le=10.0, description="Weight of theme relevance against aspect gain.")


class AspectCover(BaseModel):
    aspect: str
    score: float
    passage: str
    text: str


class ExpertPick(BaseModel):
    id: str
    name: str
    kind: str
    country: str
    region: str
    relevance: float
    covers: list[AspectCover]


class ExpertGroup(BaseModel):
    theme: str
    members: list[ExpertPick]
    uncovered: dict[str, str] = Field(description="Aspect -> why no member covers it.")
    ranking: list[tuple[str, float]] = Field(description="Top candidates by theme relevance.")


class ExpertFinder:
    def __init__(self, members: list[Member], evidence: NeedEvidence, encoder: TextEncoder) -> None:
        self.by_id = {m.id: m for m in members}
        self.evidence = evidence
        self.encoder = encoder

    def scores(
        self, texts: list[str], aggregation: Aggregation = "topk", top_k: int = 3
    ) -> tuple[np.ndarray, np.ndarray, list[tuple[str, int]]]:
        """(queries, candidates) aggregated scores, the best passage row per cell, and the column map.

        The column map names each evidence column: ("m", member-passage row) or ("r", resource row).
        """
        ev = self.evidence
        vectors = self.encoder.encode_queries(texts)
        on_members, on_resources = ev.prepare(texts, vectors)
        _, strengths = ev.member_similarity.rows(on_members, ev.strength_set)
        _, profiles = ev.member_similarity.rows(on_members, ev.profile_set)
        _, unique_documents = ev.resource_similarity.rows(on_resources, ev.document_set)
        documents = unique_documents[:, ev.document_inverse]
        columns = np.concatenate([strengths * ev.strength_factor, documents, PROFILE_FACTOR * profiles], axis=1)
        codes = np.concatenate([ev.strength_codes, ev.document_codes, ev.profile_codes])
        column_map = (
            [("m", int(r)) for r in ev.strength_rows] + [("r", int(r)) for r in ev.document_rows] + [("m", int(r)) for r in ev.profile_rows]
        )
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
                aggregated[:, j] = ranked[:, 0]
            elif aggregation == "mean":
                aggregated[:, j] = ranked.mean(axis=1)
            else:
                depth = min(top_k, ranked.shape[1])
                aggregated[:, j] = ranked[:, :depth] @ weights[:depth] / weights[:top_k].sum()
        return aggregated, best_column, column_map

    def group(self, theme: str, options: ExpertOptions | None = None) -> ExpertGroup:
        options = options or ExpertOptions()
        ev = self.evidence
        texts = [theme, *options.aspects]
        scores, best_column, column_map = self.scores(texts, options.aggregation, options.top_k)
        relevance = scores[0]
        aspect_scores = scores[1:]
        eligible = [j for j, cid in enumerate(ev.candidates) if not options.kinds or self.by_id[cid].kind in options.kinds]
        covers = np.where(aspect_scores >= options.aspect_threshold, aspect_scores, 0.0)
        best_cover = np.zeros(len(options.aspects), dtype=np.float32)
        chosen: list[int] = []
        per_country: dict[str, int] = {}
        per_region: dict[str, int] = {}
        region_cap = math.ceil(options.k / 5) if options.region_balance else None
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
                gain = float(np.maximum(covers[:, j] - best_cover, 0.0).sum()) + options.relevance_weight * float(relevance[j])
                if gain > best_gain or (gain == best_gain and ev.candidates[j] < ev.candidates[best_j]):
                    best_gain, best_j = gain, j
            if best_j < 0:
                break
            chosen.append(best_j)
            best_cover = np.maximum(best_cover, covers[:, best_j]) if len(options.aspects) else best_cover
            c = self.by_id[ev.candidates[best_j]]
            per_country[c.country] = per_country.get(c.country, 0) + 1
            per_region[c.region] = per_region.get(c.region, 0) + 1

        picks = []
        for j in chosen:
            c = self.by_id[ev.candidates[j]]
            covered = []
            for a, aspect in enumerate(options.aspects):
                if covers[a, j] > 0:
                    kind, row = column_map[best_column[a + 1, j]]
                    matrix = ev.member_matrix if kind == "m" else ev.resource_matrix
                    passage = matrix.passages[row]
                    covered.append(AspectCover(aspect=aspect, score=round(float(covers[a, j]), 4), passage=passage.key, text=passage.text))
            picks.append(
                ExpertPick(
                    id=c.id,
                    name=c.name,
                    kind=c.kind,
                    country=c.country,
                    region=c.region,
                    relevance=round(float(relevance[j]), 4),
                    covers=covered,
                )
            )
        uncovered = {}
        for a, aspect in enumerate(options.aspects):
            if best_cover[a] > 0:
                continue
            if not any(covers[a, j] > 0 for j in eligible):
                uncovered[aspect] = "no candidate in the network has evidence for it"
            else:
                uncovered[aspect] = "candidates exist but the group's size or country/region limits left them out"
        top = np.argsort(-relevance, kind="stable")[:20]
        return ExpertGroup(
            theme=theme,
            members=picks,
            uncovered=uncovered,
            ranking=[(ev.candidates[j], round(float(relevance[j]), 4)) for j in top if j in eligible],
        )
