"""The service's answer cache: serialised answers of one snapshot, and the default peer answer
that the GET route serves and the pre-computation fills in."""

from __future__ import annotations

import threading
from collections import OrderedDict

from matcher.recommend.peers import PeerMode, PeerOptions
from matcher.snapshot import Snapshot
from service.pages import ranking


class ResponseCache:
    """A bounded LRU of response bodies; safe to share between request threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[object, ...], bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple[object, ...]) -> bytes | None:
        with self._lock:
            body = self._items.get(key)
            if body is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return body

    def put(self, key: tuple[object, ...], body: bytes) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = body
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
) -> tuple[tuple[object, ...], bytes]:
    """The GET route's answer as JSON bytes, with its cache key (also used to pre-compute answers)."""
    options = PeerOptions(k=k, mode=mode, reciprocal=reciprocal, cross_region=cross_region)
    answer = ranking(snapshot.recommender.peers(member_id, options), k).model_dump_json().encode()
    return peer_cache_key(member_id, k, mode, reciprocal, cross_region), answer
