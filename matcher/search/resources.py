"""Resources for a free-text query: hybrid dense + BM25, filters, and an explanation per result."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel, Field

from embeddings.embedder import TextEncoder
from matcher.explanations import SEARCH_NOTHING_ABOUT, Explanation, explain
from matcher.index.indexes import Indexes
from matcher.records import Resource, ResourceKind
from matcher.scoring.calibration import MatchQuality, match_quality, shown
from matcher.search.retrieval import OwnerHit, retrieve
from matcher.settings import Settings

SNIPPET_CHARS = 320


@dataclass(frozen=True)
class ResourceFilters:
    languages: frozenset[str] | None = None
    kinds: frozenset[str] | None = None
    published_after: dt.date | None = None

    def admits(self, resource: Resource) -> bool:
        if self.languages and resource.language not in self.languages:
            return False
        if self.kinds and resource.kind not in self.kinds:
            return False
        return not (self.published_after and (resource.published is None or resource.published <= self.published_after))

    @property
    def empty(self) -> bool:
        return not (self.languages or self.kinds or self.published_after)


class SearchScoreParts(BaseModel):
    """Where a score comes from: each retriever's rank and raw score, and the fused total."""

    fused: float
    fusion: str
    dense_rank: int | None = None
    dense_cosine: float | None = None
    dense_calibrated: float | None = None
    lexical_rank: int | None = None
    lexical_bm25: float | None = None
    language_slot: bool = False  # promoted so that the list shows more than one language


class Snippet(BaseModel):
    passage: str  # the passage key, e.g. "res-042#body:1"
    field: str
    text: str


class ResourceHit(BaseModel):
    id: str
    title: str
    kind: ResourceKind
    language: str
    url: str | None
    published: dt.date | None
    score: float
    match_score: float = Field(
        0.0, description="0-1, what match_quality comes from: the dense evidence of the best passage, the same in every language."
    )
    match_quality: MatchQuality = "weak"
    snippet: Snippet
    explanation: SearchScoreParts


CLOSEST = 3  # weak results kept when none is at least partial, as peers, experts and member resources do


def honest(hits: list[ResourceHit]) -> tuple[list[ResourceHit], Explanation | None]:
    """Search results as an answer: all of them when one is at least a partial match; else only
    the ``CLOSEST``, with the sentence that says no resource is about the query (a reader must
    not take the first of ten weak hits for an answer). No hit at all (filters) needs no sentence."""
    return honest_list(hits, lambda hit: hit.match_quality != "weak")


Hit = TypeVar("Hit")


def honest_list(hits: list[Hit], answers: Callable[[Hit], bool]) -> tuple[list[Hit], Explanation | None]:
    """``honest`` for any list of results, ``answers`` telling which one answers the query (the
    resource page counts a resource named by the query too): one rule for every search answer."""
    if not hits or any(answers(hit) for hit in hits):
        return hits, None
    return hits[:CLOSEST], explain(SEARCH_NOTHING_ABOUT)


class ResourceSearcher:
    """Searches the resources of one index generation; records are read once from the store."""

    def __init__(self, indexes: Indexes, resources: list[Resource], encoder: TextEncoder, settings: Settings):
        self.indexes = indexes
        self.resources = {r.id: r for r in resources}
        self.encoder = encoder
        self.settings = settings

    def search(
        self,
        query: str,
        k: int = 10,
        filters: ResourceFilters | None = None,
        mode: str = "hybrid",
        language_mix: bool | None = None,
    ) -> list[ResourceHit]:
        """The top-k resources for ``query``; with ``language_mix`` (default: the setting), up to
        k // 4 slots go to the best hit of each language missing from the top k, if it ranks
        within the top 3k."""
        filters = filters or ResourceFilters()
        owners = None if filters.empty else [r.id for r in self.resources.values() if filters.admits(r)]
        vector = self.encoder.encode_queries([query])[0]
        hits = retrieve(
            self.indexes["resources"],
            query,
            vector,
            depth=self.settings.candidate_depth,
            mode=mode,
            owners=owners,
            fusion=self.settings.fusion,
            lexical_weight=self.settings.lexical_weight,
            rrf_k=self.settings.rrf_k,
            calibrate_languages=self.settings.calibrate_languages,
        )
        ranked = [self._explain(hit) for hit in hits if hit.owner_id in self.resources]
        mix = self.settings.language_mix if language_mix is None else language_mix
        return mix_languages(ranked, k) if mix else ranked[:k]

    def _explain(self, hit: OwnerHit) -> ResourceHit:
        resource = self.resources[hit.owner_id]
        passage = hit.best_passage
        # no dense evidence (lexical only, or dense search off): nothing says the meaning matches
        match = hit.dense.match if hit.dense is not None and hit.dense.match is not None else 0.0
        return ResourceHit(
            id=resource.id,
            title=resource.title,
            kind=resource.kind,
            language=resource.language,
            url=str(resource.url) if resource.url else None,
            published=resource.published,
            score=round(hit.score, 6),
            match_score=shown(match),
            match_quality=match_quality(match),
            snippet=Snippet(passage=passage.key, field=passage.field, text=_shorten(passage.text)),
            explanation=SearchScoreParts(
                fused=round(hit.score, 6),
                fusion=self.settings.fusion,
                dense_rank=hit.dense.rank if hit.dense else None,
                dense_cosine=round(hit.dense.score, 4) if hit.dense else None,
                dense_calibrated=round(hit.dense.ranked_by, 4) if hit.dense else None,
                lexical_rank=hit.lexical.rank if hit.lexical else None,
                lexical_bm25=round(hit.lexical.score, 4) if hit.lexical else None,
            ),
        )


def _shorten(text: str) -> str:
    if len(text) <= SNIPPET_CHARS:
        return text
    cut = text[:SNIPPET_CHARS].rsplit(" ", 1)[0]
    return cut + " …"


def mix_languages(ranked: list[ResourceHit], k: int) -> list[ResourceHit]:
    """Keep the top k, but give up to k // 4 of the last places to the best-ranked hit (within
    the top 3k) of each language the top k lacks, in rank order.

    The encoder favours the query's own language; a hub whose readers work in several
    languages wants to see that an English or Spanish answer exists.
    """
    top = ranked[:k]
    present = {hit.language for hit in top}
    promoted: list[ResourceHit] = []
    for hit in ranked[k : 3 * k]:
        if len(promoted) >= max(1, k // 4) or len(promoted) >= k - 1:
            break
        if hit.language not in present:
            present.add(hit.language)
            promoted.append(hit.model_copy(update={"explanation": hit.explanation.model_copy(update={"language_slot": True})}))
    return top[: k - len(promoted)] + promoted
