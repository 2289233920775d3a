"""Resource search as an answer, for every adapter (the API, the command line): the searcher's
ranking, cut to the closest three with the sentence that says so when none is at least a partial
match (``matcher.search.resources.honest``)."""

from __future__ import annotations

from typing import NamedTuple

from matcher.explanations import Explanation
from matcher.search.resources import ResourceFilters, ResourceHit, honest
from matcher.snapshot import Snapshot
from matcher.usecases.unread import question_flags


class SearchAnswer(NamedTuple):
    results: list[ResourceHit]
    answer: Explanation | None  # when nothing is about the query: the sentence that says so
    flags: list[str]  # the query in a language the encoder does not read (``matcher.usecases.unread``)


def search_resources(
    snapshot: Snapshot,
    query: str,
    k: int = 10,
    filters: ResourceFilters | None = None,
    mode: str = "hybrid",
    language_mix: bool | None = None,
) -> SearchAnswer:
    hits = snapshot.searcher.search(query, k=k, filters=filters, mode=mode, language_mix=language_mix)
    return SearchAnswer(*honest(hits), question_flags(snapshot, [query]))
