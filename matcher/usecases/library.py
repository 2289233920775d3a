"""The resource page's question: resources filtered by cluster, topic, kind, language and author,
and searched by text with exact names first.

A named programme ("Digital Transformation Collaborative", "Global Teacher Campus") is a proper
name, not a topic: semantic search ranks documents about digital transformation above the one
that names it. So a query found word for word (accents and case aside) in a title, then in a
text, comes first, before the hybrid search's ranking."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from pydantic import BaseModel, Field

from matcher.calendar.book import CalendarBook
from matcher.explanations import Explanation
from matcher.graph.taxonomy import load_taxonomy
from matcher.records import Resource
from matcher.scoring.calibration import MatchQuality
from matcher.search.resources import honest_list
from matcher.snapshot import Snapshot
from matcher.store import Store
from matcher.text_folding import fold
from matcher.usecases.clusters import resolve_cluster

MIN_EXACT_CHARS = 4  # shorter queries ("ICT") match inside too many words to be a name
SEARCH_DEPTH = 100  # hybrid search results asked for after the exact matches


class ResourceQuery(BaseModel):
    q: str = Field("", max_length=500)
    cluster: str = ""
    topic: str = ""
    kind: str = ""
    language: str = ""
    author: str = ""


class LibraryHit(BaseModel):
    id: str
    title: str
    kind: str
    language: str
    published: dt.date | None
    authors: list[str]
    topics: list[str]
    cluster: str | None
    event_id: str | None
    matched: str = Field(description="'title' or 'text' for an exact match of the query, 'search' for the ranking's, '' without a query.")
    match_quality: MatchQuality | None = Field(
        None, description="A hit of the ranking ('search'): strong, partial or weak, as resource search labels it; null for exact names."
    )


class Found(NamedTuple):
    total: int  # how many resources match: 0 when a query found none by name and none at least partial
    hits: list[LibraryHit]  # the first ``limit``; then only the closest, all weak
    answer: Explanation | None  # in that case, the sentence that says so


def _clusters_of(resource: Resource, linked: str | None, topic_cluster: dict[str, str]) -> set[str]:
    """A resource's clusters: the one it is linked to, and those of its topics."""
    found = {topic_cluster[t] for t in resource.topics if t in topic_cluster}
    return found | ({linked} if linked else set())


def find_resources(snapshot: Snapshot, store: Store, query: ResourceQuery, limit: int = 50) -> Found:
    """How many match and the first ``limit``: exact title matches, exact text matches, then search
    order. A query that names no resource and whose ranking has no partial match finds nothing:
    the ``CLOSEST`` come back with the sentence that says so, as resource search answers."""
    code = resolve_cluster(snapshot, query.cluster) if query.cluster else None
    links = CalendarBook(store).links()
    topic_cluster = {t.id: t.cluster for t in load_taxonomy(snapshot.settings.taxonomy_path).values() if t.cluster}

    def admitted(resource: Resource) -> bool:
        link = links.get(resource.id)
        return (
            (not code or code in _clusters_of(resource, link.cluster if link else None, topic_cluster))
            and (not query.topic or query.topic in resource.topics)
            and (not query.kind or resource.kind == query.kind)
            and (not query.language or resource.language == query.language)
            and (not query.author or query.author in resource.authors)
        )

    pool = [r for r in snapshot.resources if admitted(r)]
    ordered: list[tuple[Resource, str, MatchQuality | None]]
    text = " ".join(query.q.split())
    if not text:
        ordered = [(r, "", None) for r in sorted(pool, key=lambda r: r.published or dt.date.min, reverse=True)]
    else:
        ordered = _ranked(snapshot, pool, text)
    answer = None
    if text:
        ordered, answer = honest_list(ordered, lambda hit: hit[1] != "search" or hit[2] in ("partial", "strong"))
    total = 0 if answer is not None else len(ordered)
    hits = []
    for resource, matched, quality in ordered[:limit]:
        link = links.get(resource.id)
        hits.append(
            LibraryHit(
                id=resource.id,
                title=resource.title,
                kind=resource.kind,
                language=resource.language,
                published=resource.published,
                authors=list(resource.authors),
                topics=list(resource.topics),
                cluster=link.cluster if link else None,
                event_id=link.event_id if link else None,
                matched=matched,
                match_quality=quality,
            )
        )
    return Found(total, hits, answer)


def _ranked(snapshot: Snapshot, pool: list[Resource], text: str) -> list[tuple[Resource, str, MatchQuality | None]]:
    wanted = {r.id for r in pool}
    folded = fold(text)
    exact: list[tuple[Resource, str, MatchQuality | None]] = []
    if len(folded) >= MIN_EXACT_CHARS:
        exact = [(r, "title", None) for r in pool if folded in fold(r.title)]
        exact += [(r, "text", None) for r in pool if folded not in fold(r.title) and folded in fold(f"{r.summary} {r.text}")]
    seen = {r.id for r, _, _ in exact}
    searched: list[tuple[Resource, str, MatchQuality | None]] = [
        (snapshot.resources_by_id[hit.id], "search", hit.match_quality)
        for hit in snapshot.searcher.search(text, k=SEARCH_DEPTH)
        if hit.id in wanted and hit.id not in seen
    ]
    return exact + searched
