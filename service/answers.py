"""The service's answer cache: peer answers of one snapshot, ready to serve.

A cached answer is keyed by its whole question, exclusions included (``PeerQuestion.key``): a
decline is not a write to the records and makes no new snapshot, but it changes the member's
exclusions, hence the key, so it takes effect at once. The answer holds the ranking's ids and
scores and the page served (explained once, for the k results shown).

Bounded staleness (issue 21, item 2). Any write shifts every score a little (the cohort's
statistics and term weights move with it), so no answer of the last snapshot is exactly the next
one's. Emptying the cache at every write, though, makes one client's back-to-back writes turn
every read into a computed one (p99 about 6 times the no-writer figure, measured). So a new
snapshot starts with the last one's answers, marked stale, and serves one for at most
``stale_seconds`` after the write that made it stale, while a background thread computes it again
(``refresh_due``). An answer is never carried over when the write touched the member who asks or
any member it lists: those are computed on the new snapshot at once, so a writer reads its own
write, a deleted member disappears and a changed one is never quoted with its old text. A write
that adds a member carries nothing over: a new member may belong in any answer. The answer says
the store revision it was ranked at (``X-Peermatch-Revision``).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Literal, overload

from matcher.recommend.peers import PeerOptions
from matcher.records import Resource
from matcher.snapshot import Snapshot
from matcher.usecases.peers import PeerQuestion, explained, rank, why_none
from service.pages import PeerPage


@dataclass(frozen=True)
class RankedAnswer:
    """A peer answer ready to serve: the ranking's ids and scores, best first, and its JSON page."""

    ids: tuple[str, ...]
    scores: tuple[float, ...]
    body: bytes
    revision: int = 0  # the store revision of the snapshot it was ranked on


@dataclass(frozen=True)
class Entry:
    """A cached answer, the question it answers, and since when a newer snapshot has replaced the
    one it was ranked on (None: ranked on the cache's own snapshot)."""

    answer: RankedAnswer
    question: PeerQuestion
    k: int | None
    offset: int
    stale_since: float | None = None

    def age(self, now: float) -> float:
        """Seconds since the write that made this answer stale; 0 for a current one."""
        return 0.0 if self.stale_since is None else now - self.stale_since


Key = tuple[object, ...]
# How a cached answer was served: ranked on this snapshot earlier, carried over from an older one
# within the bound, or ranked for this request (``Server-Timing`` says which).
Served = Literal["current", "stale", "computed"]


class ResponseCache:
    """A bounded LRU of ranked answers; safe to share between request threads. Stale answers
    (carried over from the last snapshot) are served for at most ``stale_seconds``."""

    def __init__(self, size: int, stale_seconds: float = 0.0) -> None:
        self.size = size
        self.stale_seconds = stale_seconds
        self._items: OrderedDict[Key, Entry] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = self.stale_hits = 0
        self.on_stale_hit: Callable[[Key], None] = lambda key: None  # told of a stale answer served (its refresh)

    def get(self, key: Key) -> Entry | None:
        """The entry kept for ``key``: a current answer, or a stale one within ``stale_seconds``."""
        now = time.monotonic()
        with self._lock:
            entry = self._items.get(key)
            if entry is None or entry.age(now) > self.stale_seconds:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            stale = entry.stale_since is not None
            self.stale_hits += stale
        if stale:
            self.on_stale_hit(key)
        return entry

    def entry(self, key: Key) -> Entry | None:
        with self._lock:
            return self._items.get(key)

    def put(self, key: Key, entry: Entry) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = entry
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def stale(self) -> Iterator[tuple[Key, Entry]]:
        """The stale entries, most recently used first (the order a refresh takes them in)."""
        with self._lock:
            items = [(key, entry) for key, entry in reversed(self._items.items()) if entry.stale_since is not None]
        yield from items

    def carried(self, size: int, keep: Callable[[Entry], bool]) -> tuple[ResponseCache, list[tuple[Key, Entry]]]:
        """A new snapshot's cache holding this one's answers that ``keep`` accepts, each marked stale
        from now (or from when it already was), those stale for longer than allowed left out; and
        the answers ``keep`` refused, most recently used first (to rank again at once)."""
        now = time.monotonic()
        cache = ResponseCache(size, self.stale_seconds)
        refused: list[tuple[Key, Entry]] = []
        if self.stale_seconds <= 0 or size <= 0:
            return cache, refused
        with self._lock:
            entries = list(self._items.items())
        for key, entry in entries[-size:]:
            if entry.age(now) > self.stale_seconds:
                continue
            if keep(entry):
                cache._items[key] = entry if entry.stale_since is not None else replace(entry, stale_since=now)
            else:
                refused.append((key, entry))
        refused.reverse()
        return cache, refused


def carried_over(cache: ResponseCache, previous: Snapshot, current: Snapshot, size: int) -> tuple[ResponseCache, list[tuple[Key, Entry]]]:
    """``current``'s cache: ``previous``'s answers, stale, unless the writes between them touched
    the asking member or a member the answer lists, or added a member; and those left out, to rank
    again on ``current`` before a reader asks (``ResponseCache.carried``)."""
    before, after = previous.members_by_id, current.members_by_id
    if after.keys() - before.keys():
        # A new member may belong in any answer, and a secretariat that adds one looks for it in
        # the others' peers at once: every answer is ranked again (as readers ask, then the
        # pre-computation), as before any staleness was allowed.
        return ResponseCache(size, cache.stale_seconds), []
    # A written resource changes its authors' evidence (an explanation may quote it).
    authors = {
        author
        for resources in (previous.resources_by_id, current.resources_by_id)
        for resource_id in _changed(previous.resources_by_id, current.resources_by_id)
        if (resource := resources.get(resource_id)) is not None
        for author in resource.authors
    }

    def untouched(member_id: str) -> bool:
        old, new = before.get(member_id), after.get(member_id)
        return new is not None and (old is new or old == new) and member_id not in authors

    def keep(entry: Entry) -> bool:
        asker = entry.question.member
        return isinstance(asker, str) and untouched(asker) and all(untouched(m) for m in entry.answer.ids)

    return cache.carried(size, keep)


def _changed(before: dict[str, Resource], after: dict[str, Resource]) -> set[str]:
    """Ids written or deleted between two snapshots' resources (a write keeps the unchanged
    records' objects, so identity answers for most)."""
    if before is after:
        return set()
    changed = {rid for rid, record in after.items() if (old := before.get(rid)) is not record and old != record}
    return changed | (before.keys() - after.keys())


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
    why = why_none(snapshot, question) if not ranked.ids else None
    page = PeerPage(total=len(ranked.ids), offset=offset, limit=size, items=items, answer_explanation=why)
    return RankedAnswer(tuple(ranked.ids), tuple(ranked.scores), page.model_dump_json().encode(), snapshot.store_revision)


def cache_key(question: PeerQuestion, k: int | None, offset: int) -> Key | None:
    return None if question.key is None else (*question.key, k, offset)


@overload
def cached_peer_answer(
    snapshot: Snapshot, cache: ResponseCache, question: PeerQuestion, k: int | None = ..., offset: int = ..., *, refresh: bool = ...
) -> tuple[RankedAnswer, Served]: ...
@overload
def cached_peer_answer(
    snapshot: Snapshot,
    cache: ResponseCache,
    question: PeerQuestion,
    k: int | None = ...,
    offset: int = ...,
    *,
    refresh: bool = ...,
    compute: bool,
) -> tuple[RankedAnswer, Served] | None: ...
def cached_peer_answer(
    snapshot: Snapshot,
    cache: ResponseCache,
    question: PeerQuestion,
    k: int | None = None,
    offset: int = 0,
    *,
    refresh: bool = False,
    compute: bool = True,
) -> tuple[RankedAnswer, Served] | None:
    """``peer_answer`` from ``cache`` (this snapshot's), computed and kept on a miss; and how it was
    served. ``refresh``: a stale answer counts as a miss. ``compute`` False: None on a miss."""
    key = cache_key(question, k, offset)
    kept = cache.entry(key) if key is not None and refresh else None
    found = None if key is None or (kept is not None and kept.stale_since is not None) else cache.get(key)
    if found is not None:
        return found.answer, "current" if found.stale_since is None else "stale"
    if not compute:
        return None
    answer = peer_answer(snapshot, question, k, offset)
    if key is not None:
        cache.put(key, Entry(answer, question, k, offset))
    return answer, "computed"


def refresh_due(cache: ResponseCache, key: Key) -> bool:
    """Whether a stale answer just served should be ranked again now: once it is between a tenth and
    eight tenths of its bound old, at a point fixed per question. A burst of writes makes almost
    every answer stale at once; a due time shared by all would bring their refreshes at once too,
    and readers would then wait behind the refresher, or find answers past the bound and rank them
    themselves (measured: refreshing all at two thirds of the bound, readers' p99 rose to 9 times
    the no-writer figure in a 45 s burst). Spread over the bound, a read answer is ranked again
    about once per bound, at an even pace."""
    entry = cache.entry(key)
    if entry is None:
        return False
    point = (hash(key) & 0xFFFF) / 0xFFFF  # fixed per question in this process
    return entry.age(time.monotonic()) >= cache.stale_seconds * (0.1 + 0.7 * point)
