"""The service's answer cache: peer answers of one snapshot, ready to serve.

A cached answer is keyed by its whole question, exclusions included (``PeerQuestion.key``): a
decline is not a write to the records and makes no new snapshot, but it changes the member's
exclusions, hence the key, so it takes effect at once. The answer holds the ranking's ids and
scores and the page served (explained once, for the k results shown).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from matcher.recommend.peers import PeerMatch, PeerOptions
from matcher.snapshot import Snapshot
from matcher.usecases.peers import PeerQuestion, explained, rank
from service.pages import Page


@dataclass(frozen=True)
class RankedAnswer:
    """A peer answer ready to serve: the ranking's ids and scores, best first, and its JSON page."""

    ids: tuple[str, ...]
    scores: tuple[float, ...]
    body: bytes


class ResponseCache:
    """A bounded LRU of ranked answers; safe to share between request threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[object, ...], RankedAnswer] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple[object, ...]) -> RankedAnswer | None:
        with self._lock:
            answer = self._items.get(key)
            if answer is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return answer

    def put(self, key: tuple[object, ...], answer: RankedAnswer) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = answer
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def paged(options: PeerOptions, offset: int = 0) -> PeerOptions:
    """``options`` ranking one past the page of ``options.k`` results after ``offset``, so that
    ``total`` says whether another page exists (the GET route and the pre-computed answers alike)."""
    return options.model_copy(update={"k": offset + options.k + 1})


def peer_answer(snapshot: Snapshot, question: PeerQuestion, k: int | None = None, offset: int = 0) -> RankedAnswer:
    """The answer to ``question``: ranked, then the page of ``k`` results after ``offset`` (default:
    all the question's k) explained and serialised; ``total`` counts the results ranked (rank one
    past the page to say whether another page exists)."""
    ranked = rank(snapshot, question)
    size = question.options.k if k is None else k
    items = explained(snapshot, ranked.page(offset, size))
    page = Page[PeerMatch](total=len(ranked.ids), offset=offset, limit=size, items=items)
    return RankedAnswer(tuple(ranked.ids), tuple(ranked.scores), page.model_dump_json().encode())


def cached_peer_answer(
    snapshot: Snapshot, cache: ResponseCache, question: PeerQuestion, k: int | None = None, offset: int = 0
) -> RankedAnswer:
    """``peer_answer`` from ``cache`` (this snapshot's), computed and kept on a miss."""
    key = None if question.key is None else (*question.key, k, offset)
    answer = cache.get(key) if key is not None else None
    if answer is None:
        answer = peer_answer(snapshot, question, k, offset)
        if key is not None:
            cache.put(key, answer)
    return answer
