"""The service's answer cache: peer rankings of one snapshot, ready to serve, and the default peer
answer that the GET route serves and the pre-computation fills in.

A declined partner is left out when the answer is served, not when it is cached: a decline is
not a write to the records, it makes no new snapshot, and it must take effect at once. So a
cached ranking holds ``DECLINED_MARGIN`` more results than asked, each already serialised; the
answer keeps the first k that are not left out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Set
from dataclasses import dataclass

from matcher.recommend.peers import PeerMode, PeerOptions
from matcher.snapshot import Snapshot
from service.pages import ranking

# Results asked of the ranking beyond k, so that leaving out a few declined partners keeps the
# list k long without ranking again (a member with more declines gets a fresh, uncached answer).
DECLINED_MARGIN = 5


@dataclass(frozen=True)
class RankedAnswer:
    """A peer ranking ready to serve: each result's id and JSON, best first; ``depth``: how many were asked."""

    ids: tuple[str, ...]
    items: tuple[bytes, ...]
    depth: int

    def short(self, k: int, leave_out: Set[str], offset: int = 0) -> bool:
        """Whether leaving out ``leave_out`` makes this list shorter than ``offset + k`` while the
        ranking may hold more (it gave all ``depth`` results asked): rank again, deeper."""
        kept = sum(1 for i in self.ids if i not in leave_out)
        return kept < offset + k and len(self.ids) == self.depth and kept < len(self.ids)

    def page(self, k: int, leave_out: Set[str] = frozenset(), offset: int = 0) -> bytes:
        """The answer: a page (``{total, offset, limit, items}``) of the results not in ``leave_out``,
        ``k`` of them after the first ``offset``; ``total`` counts the results this ranking holds
        (a few past the page, so that ``total > offset + limit`` says another page exists)."""
        kept = [item for i, item in zip(self.ids, self.items, strict=True) if i not in leave_out]
        shown = kept[offset : offset + k]
        return b'{"total":%d,"offset":%d,"limit":%d,"items":[%s]}' % (len(kept), offset, k, b",".join(shown))


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


def peer_cache_key(
    member_id: str, k: int = 10, mode: str = "complementary", reciprocal: bool = False, cross_region: bool = False
) -> tuple[object, ...]:
    return ("peers", member_id, k, mode, reciprocal, cross_region)


def default_peer_answer(
    snapshot: Snapshot,
    member_id: str,
    k: int = 10,
    mode: PeerMode = "complementary",
    reciprocal: bool = False,
    cross_region: bool = False,
) -> tuple[tuple[object, ...], RankedAnswer]:
    """The GET route's ranking (k + DECLINED_MARGIN deep), with its cache key (also used to pre-compute answers)."""
    depth = k + DECLINED_MARGIN
    options = PeerOptions(k=depth, mode=mode, reciprocal=reciprocal, cross_region=cross_region)
    results = snapshot.recommender.peers(member_id, options)
    answer = RankedAnswer(tuple(r.id for r in results), tuple(r.model_dump_json().encode() for r in results), depth)
    return peer_cache_key(member_id, k, mode, reciprocal, cross_region), answer


def fresh_peer_answer(
    snapshot: Snapshot,
    member_id: str,
    k: int,
    mode: PeerMode,
    reciprocal: bool,
    cross_region: bool,
    leave_out: Set[str],
    offset: int = 0,
) -> bytes:
    """The GET route's answer ranked with ``leave_out`` excluded (for the rare member whose declines
    outnumber the cached margin); not cached."""
    depth = offset + k + 1  # one past the page: total then says whether another page exists
    options = PeerOptions(k=depth, mode=mode, reciprocal=reciprocal, cross_region=cross_region, exclude=sorted(leave_out))
    return ranking(snapshot.recommender.peers(member_id, options), k, offset).model_dump_json().encode()
