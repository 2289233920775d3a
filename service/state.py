"""What the service holds between requests that is its own: the answer cache of the current
snapshot, the pairing jobs, and background threads. The data view itself (records, indexes,
graph, recommender) is the Workspace's Snapshot, read once per request.

A write goes through ``Workspace.write``: one store transaction, a delta appended to the index,
the next snapshot swapped in; a reader sees all of a write or none of it. Another worker
process's writes are picked up by a watcher thread (and by any request), so an idle worker does
not serve, nor report as ready, an old generation.
"""

from __future__ import annotations

import gc
import logging
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from embeddings.embedder import Embedder, TextEncoder
from matcher.errors import IndexNotBuiltError, PeermatchError
from matcher.ingest.importing import ImportReport
from matcher.ingest.readers import Labels
from matcher.notify import MailSettings
from matcher.partnerships import Partnerships
from matcher.recommend.peer_weights import sync_shared
from matcher.recommend.peers import PeerOptions
from matcher.records import Member, RecordType, Resource
from matcher.snapshot import Snapshot
from matcher.usecases.peers import peer_question
from matcher.workspace import Workspace
from service.activity import ActivityTrace
from service.answers import Entry, Key, ResponseCache, cached_peer_answer, carried_over, paged, refresh_due
from service.jobs import Jobs
from service.settings import ServiceSettings

log = logging.getLogger("peermatch.service")
# At most this many answers a write touched are ranked again in the background at once; a bulk
# write touches most, and the pre-computation (after a quiet spell) and readers take the rest.
TOUCHED_AT_ONCE = 256
T = TypeVar("T")


class ServiceState:
    def __init__(self, settings: ServiceSettings, encoder: TextEncoder | None = None) -> None:
        self.settings = settings
        self.workspace = Workspace(settings, encoder)
        self.jobs = Jobs(self.workspace.store, settings.pairing_job_days, settings.pairing_queue)
        self._cache_lock = threading.Lock()
        self._cache: tuple[Snapshot | None, ResponseCache] = (None, ResponseCache(0))
        self._stop = threading.Event()
        self._wake = threading.Event()  # set by stop() and by PostgreSQL notifications of writes
        self._compacting = threading.Lock()
        self.on_swap: Callable[[], None] = lambda: None  # told of every snapshot this process starts serving
        self._watching = threading.Event()  # set while the watcher thread brings other workers' writes
        self._pace = threading.Lock()
        self._rest_until = 0.0  # monotonic time before which this process starts no write (``_paced``)
        self._weights_version: int | None = None  # the shared learned weights' version copied into this folder
        self._weights_failing = False
        self._refresh_queue: queue.SimpleQueue[Key] = queue.SimpleQueue()  # stale answers to rank again
        self._touched: queue.SimpleQueue[tuple[Key, Entry]] = queue.SimpleQueue()  # answers a write touched, first
        self._refreshing: set[Key] = set()
        self.workspace.prepare = _warm
        self.mail = MailSettings(smtp_host=None)  # create_app sets the real ones; none here: nothing is sent
        self.trace = ActivityTrace(settings.activity_trace)

    @property
    def snapshot(self) -> Snapshot:
        """The current snapshot. While the watcher runs, a reader is served the snapshot in
        memory and never waits for the next one (the watcher, or this process's writer, brings
        it, recommender built, within ``watch_seconds``); without a watcher it catches up first."""
        try:
            snapshot = self.workspace.snapshot(wait=not self._watching.is_set())
        except IndexNotBuiltError as error:
            raise IndexNotBuiltError("the service is not ready: no index has been built yet (import records first)") from error
        self._on_snapshot(snapshot)
        return snapshot

    def serving_now(self) -> tuple[Snapshot, ResponseCache] | None:
        """The snapshot in memory and its answer cache, when a read may be served from them on
        the event loop: a watcher keeps the snapshot current (no catch-up to wait for), its cache
        is already made (no carry-over to compute), and the store is the embedded SQLite file,
        whose reads (a member's declined partners) never wait for a write. None otherwise: the
        read goes to the thread pool (a PostgreSQL read is a round trip, not for the event loop)."""
        snapshot, cache = self._cache
        if not self._watching.is_set() or self.settings.database_url is not None or snapshot is None:
            return None
        return (snapshot, cache) if snapshot is self.workspace.current() else None

    def cache_for(self, snapshot: Snapshot) -> ResponseCache:
        """The answer cache of this snapshot: it starts with the last snapshot's answers, stale,
        each served for at most ``answer_stale_seconds`` (``service.answers``); an older snapshot,
        still held by a request, gets none."""
        current, cache = self._cache
        return cache if current is snapshot else ResponseCache(0)

    def _on_snapshot(self, snapshot: Snapshot) -> None:
        if self._cache[0] is snapshot:
            return
        with self._cache_lock:
            previous, cache = self._cache
            if previous is snapshot:
                return
            size, stale = self.settings.peer_cache_size, self.settings.answer_stale_seconds
            cache, touched = (ResponseCache(size, stale), []) if previous is None else carried_over(cache, previous, snapshot, size)
            cache.on_stale_hit = self._stale_answer_served
            self._cache = (snapshot, cache)
        # The answers this write touched, ranked again now in the background, so that a reader
        # rarely has to (the same work, off the readers' path); a bulk write's many, up to a bound.
        for item in touched[:TOUCHED_AT_ONCE]:
            self._touched.put(item)
        self.on_swap()
        if self.settings.precompute_peers and self.settings.peer_cache_size > 0:
            threading.Thread(target=self._precompute, args=(snapshot,), daemon=True, name="precompute-peers").start()

    @property
    def ready(self) -> bool:
        return self.workspace.current() is not None

    def start(self) -> None:
        """Load the model and the current snapshot (rebuilding the index first if it is missing,
        damaged, built by another model or older than the store), then watch for other
        workers' writes."""
        encoder = self.workspace.encoder  # a missing model fails here, at start
        if isinstance(encoder, Embedder):
            encoder.warm()  # its weights loaded now, not during the first write, while readers wait
        self.workspace.remove_scratch()
        store = self.workspace.store
        self._sync_weights()  # the replicas' shared learned weights, in this folder before the first snapshot
        if store.count("members") + store.count("resources") > 0:
            snapshot = self.snapshot
            snapshot.recommender.peer_recommender  # noqa: B018 - built before the first request, not during it
        if self.settings.answer_stale_seconds > 0 and self.settings.peer_cache_size > 0:
            threading.Thread(target=self._refresh, daemon=True, name="refresh-answers").start()
        if self.settings.watch_seconds > 0:
            self._watching.set()
            threading.Thread(target=self._watch, daemon=True, name="watch-index").start()
            if self.settings.database_url is not None:  # other replicas' writes wake the watcher at once
                from matcher.store.postgres import listen

                args = (self.settings.database_url, self._wake, self._stop)
                threading.Thread(target=listen, args=args, daemon=True, name="listen-changes").start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._watching.clear()

    def close(self) -> None:
        """Stop the background threads and pairing jobs and close the store."""
        self.stop()
        self.trace.stop()
        self.jobs.shutdown()
        self.workspace.close()

    def _watch(self) -> None:
        """Catch up with other worker processes' writes while idle (one small file read a tick), and
        with other replicas' writes on a shared PostgreSQL store (the change log, past this
        replica's index revision, applied as one delta)."""
        failing = False
        while True:
            self._wake.wait(self.settings.watch_seconds)  # a tick, or woken by another replica's write (LISTEN)
            self._wake.clear()
            if self._stop.is_set() or self.workspace.closed:
                return
            self._sync_weights()
            try:
                if self.workspace.current() is not None or self.workspace.store.revision() > 0:
                    spent, before, began = time.thread_time(), self.workspace.current(), time.monotonic()
                    self._on_snapshot(self.workspace.snapshot())  # the watcher's time, not a reader's
                    if self.workspace.close_abandoned_gap():
                        self._on_snapshot(self.workspace.snapshot())
                    # Another worker's back-to-back writes take this one's interpreter too (each
                    # next snapshot loaded and its recommender built): paced as its own writes are,
                    # and, once it caught up, not again for a while, with the writes of the pause
                    # folded into one catch-up. The first write after a quiet spell is still seen
                    # within a tick.
                    rest = (time.thread_time() - spent) * (1 / self.settings.write_share - 1)
                    now = self.workspace.current()
                    if now is not before:
                        rest = max(rest, self.settings.catch_up_fold_seconds)
                        if now is not None and now.generation != self.workspace.written_generation:
                            self.trace.since("catch-up", began)  # not this worker's own write, which it waited for
                    if self._stop.wait(rest):
                        return
                if failing:
                    log.warning("catching up with the index works again")
                failing = False
            except Exception:  # noqa: BLE001 - a watcher must outlive one failed catch-up; the next request reports it
                if not failing:  # said once, not four times a second while a database is away
                    log.exception("catching up with the index failed; retrying")
                failing = True

    def _sync_weights(self) -> None:
        """PostgreSQL: copy the learned peer weights another replica applied into this replica's
        folder (the next snapshot uses them). A failure is said once, and tried again next tick."""
        if self.settings.database_url is None:
            return  # SQLite: the workers share one folder, and its file
        try:
            self._weights_version = sync_shared(self.workspace.store, self.settings.data_dir, self._weights_version)
        except (OSError, sqlite3.Error, PeermatchError) as error:
            if not self._weights_failing:
                log.warning("learned peer weights not copied from the store (%s); trying again", error)
            self._weights_failing = True
            return
        self._weights_failing = False

    def _stale_answer_served(self, key: Key) -> None:
        """A stale answer was served: ranked again in the background once due (``refresh_due``)."""
        if key not in self._refreshing and refresh_due(self._cache[1], key):
            self._refreshing.add(key)
            self._refresh_queue.put(key)

    def _refresh(self) -> None:
        """Rank again, on the current snapshot, first the answers a write touched (before a reader
        has to: the same work, off the readers' path), paced as writes are, then stale answers one
        at a time, taking at most half of ``write_share`` of the interpreter: during a burst
        of writes the writer (or the watcher) takes up to ``write_share`` too, and any computing
        thread slows the readers beyond its share (each of a reader's hand-overs of the
        interpreter waits behind it)."""
        while not self._stop.is_set():
            try:
                key, touched = self._touched.get_nowait()
            except queue.Empty:
                touched = None
                try:
                    key = self._refresh_queue.get(timeout=0.2)
                except queue.Empty:
                    continue
                self._refreshing.discard(key)
            snapshot, cache = self._cache
            entry = cache.entry(key)
            if touched is not None:
                if entry is not None and entry.stale_since is None:
                    continue  # a reader ranked it first
                entry = touched
            if snapshot is None or entry is None or entry.stale_since is None and touched is None:
                continue
            spent = time.thread_time()
            try:
                with self.trace.span("touched" if touched is not None else "refresh"):
                    cached_peer_answer(snapshot, cache, entry.question, entry.k, entry.offset, refresh=True)
            except PeermatchError:
                continue  # the member is gone from this snapshot: its readers get the 404 themselves
            except Exception:  # noqa: BLE001 - the refresher must outlive one failed answer; its reader ranks it then
                log.exception("ranking a cached answer again failed; its next reader ranks it")
                continue
            # The touched ones as writes are paced (a bulk touches hundreds), the stale ones at half of that.
            share = self.settings.write_share if touched is not None else self.settings.write_share / 2
            if self._stop.wait((time.thread_time() - spent) * (1 / share - 1)):
                return

    def _precompute(self, snapshot: Snapshot) -> None:
        """Fill the snapshot's cache with each stored member's default peer answer (the GET
        route's question with its default options), once the snapshot has stayed current for
        ``precompute_quiet_seconds``; stops early when a newer snapshot replaces this one. It rests
        as long as each answer took, so that readers keep at least half of the interpreter."""
        if self._stop.wait(self.settings.precompute_quiet_seconds):
            return
        cache = self.cache_for(snapshot)
        book = Partnerships(self.workspace.store)
        for member in snapshot.members:
            if self._cache[0] is not snapshot or self._stop.is_set():
                return
            started = time.perf_counter()
            question = peer_question(book, member.id, paged(PeerOptions()))
            with self.trace.span("precompute"):
                cached_peer_answer(snapshot, cache, question, PeerOptions().k, refresh=True)
            time.sleep(time.perf_counter() - started)

    # ---- writes ------------------------------------------------------------------------------

    def _paced(self, write: Callable[[], T]) -> T:
        """Run ``write`` once the previous write's rest is over, then rest in proportion to the
        interpreter time it took (its embedding, index delta and next snapshot's recommender,
        all in this thread): the process's readers share the interpreter with it, and back-to-back
        writes would otherwise leave them a fraction of it (issue 21, item 2)."""
        with self._pace:
            delay = self._rest_until - time.monotonic()
            if delay > 0:
                time.sleep(delay)  # a worker thread sleeping: no interpreter, no event loop held
        spent = time.thread_time()
        try:
            with self.trace.span("write"):
                return write()
        finally:
            computed = time.thread_time() - spent
            with self._pace:
                self._rest_until = time.monotonic() + computed * (1 / self.settings.write_share - 1)

    def upsert(self, records: list[Member | Resource]) -> list[str]:
        result = self._paced(lambda: self.workspace.write(records))
        self._after_write(result.snapshot)
        return result.written.changed_ids

    def import_files(
        self,
        paths: list[Path],
        *,
        record_type: RecordType | None = None,
        skip_invalid: bool = False,
        report_path: Path | None = None,
        labels: Labels | None = None,
    ) -> list[ImportReport]:
        """``Workspace.import_files`` (validated first, one transaction), then the new snapshot served."""
        importing = partial(self.workspace.import_files, paths, record_type=record_type, skip_invalid=skip_invalid)
        reports, result = self._paced(partial(importing, report_path=report_path, labels=labels))
        self._after_write(result.snapshot)
        return reports

    def delete(self, collection: RecordType, record_id: str) -> None:
        result = self._paced(lambda: self.workspace.delete(collection, [record_id]))
        self._after_write(result.snapshot)

    def _after_write(self, snapshot: Snapshot | None) -> None:
        if snapshot is not None:
            self._on_snapshot(snapshot)  # its answers are pre-computed in the background
        if self.settings.compact_in_background and self.workspace.needs_compaction() and not self._compacting.locked():
            threading.Thread(target=self._compact, daemon=True, name="compact-index").start()

    def _compact(self) -> None:
        with self._compacting:
            if self.workspace.compact_if_needed():
                self._on_snapshot(self.workspace.snapshot())

    def describe(self) -> dict[str, Any]:
        """Readiness, from the snapshot in memory: no I/O and no lock, since /ready runs on the
        event loop. The watcher thread keeps that snapshot within ``watch_seconds`` of the disk,
        so an idle worker reports another worker's write within that time."""
        snapshot = self.workspace.current()
        return {
            "ready": snapshot is not None,
            "pid": os.getpid(),
            "generation": snapshot.generation if snapshot else None,
            "store_revision": snapshot.store_revision if snapshot else None,
            "members": len(snapshot.members) if snapshot else 0,
            "resources": len(snapshot.resources) if snapshot else 0,
        }


def freeze_loaded_heap() -> None:
    """Leave what a started server holds (modules, the model's weights, the first snapshot) out of
    every later garbage collection: a full collection walked these 150,000-290,000 objects for
    120-290 ms on this machine, pausing every thread (/health and the readers too), and a bulk or
    a burst of writes makes such collections happen. Garbage is collected first, so nothing dead
    is kept. A replaced snapshot is still freed: it holds no reference cycle, so its reference
    counts free it (checked with weak references). Called by ``peermatch serve`` once the app has
    started, not by ``create_app``: a process that makes many apps (the tests) would keep each
    one's cycles."""
    gc.collect()
    gc.freeze()


def _warm(snapshot: Snapshot) -> None:
    """Build a snapshot's peer recommender (its graph and evidence) before it serves a reader."""
    if snapshot.members:
        snapshot.recommender.peer_recommender  # noqa: B018 - built here, by the writer or the watcher
