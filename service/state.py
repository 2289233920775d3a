"""What the service holds between requests, and how a write becomes visible.

Readers take ``state.snapshot`` once per request: a recommender and a resource searcher built
from one index generation, one copy of the graph and the records of one store revision. A write
takes the write lock, commits to the store (one transaction), rebuilds the indexes (a new
generation, swapped in atomically) and only then replaces the snapshot reference, so a reader
sees all of a write or none of it. After a crash, the store holds every committed write; at
start an index older than the store is rebuilt before the service says it is ready.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from embeddings.embedder import TextEncoder
from matcher.errors import IndexNotBuiltError
from matcher.graph.build import ExpertiseGraph
from matcher.graph.taxonomy import TopicAssigner, load_taxonomy
from matcher.importing import passages_of
from matcher.index.generations import current_generation, remove_scratch
from matcher.indexing import load_indexes
from matcher.recommend.engine import Recommender
from matcher.records import Member, RecordType, Resource
from matcher.search.resources import ResourceSearcher
from matcher.workspace import Workspace
from service.jobs import Jobs
from service.settings import ServiceSettings


@dataclass(frozen=True)
class Snapshot:
    generation: str
    store_revision: int
    recommender: Recommender
    searcher: ResourceSearcher
    # Serialised answers for this generation only: a new snapshot starts empty, so a cached
    # answer can never outlive the data it came from.
    cache: ResponseCache = field(default_factory=lambda: ResponseCache(0))


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


class ServiceState:
    def __init__(self, settings: ServiceSettings, encoder: TextEncoder | None = None) -> None:
        self.settings = settings
        self.workspace = Workspace(settings, encoder)
        self.write_lock = threading.Lock()
        self._catch_up = threading.Lock()
        self._snapshot: Snapshot | None = None
        self.jobs = Jobs(self.workspace.store, settings.pairing_job_days)
        self.swaps = 0

    @property
    def snapshot(self) -> Snapshot:
        """The current snapshot; if another worker process swapped in a newer index generation,
        this process catches up first (one small file read per request)."""
        current = current_generation(self.settings.index_dir)
        if current is not None and (self._snapshot is None or current.name != self._snapshot.generation):
            with self._catch_up:
                if self._snapshot is None or current.name != self._snapshot.generation:
                    self._refresh()  # built by another worker process: the graph is rebuilt from its records
        if self._snapshot is None:
            raise IndexNotBuiltError("the service is not ready: no index has been built yet (import records first)")
        return self._snapshot

    @property
    def ready(self) -> bool:
        return self._snapshot is not None

    def start(self) -> None:
        """Load the model and the current indexes; rebuild first if the store moved on (a crash
        between a commit and its index build)."""
        self.workspace.encoder  # noqa: B018 - a missing model fails here, at start
        remove_scratch(self.settings.index_dir)
        store = self.workspace.store
        if store.count("members") + store.count("resources") == 0:
            return
        try:
            stale = self.workspace.index_is_stale()
        except IndexNotBuiltError:
            stale = True
        if stale:
            self.workspace.build(reload=False)
        self._refresh(self.workspace.graph.snapshot())

    def _refresh(self, graph: ExpertiseGraph | None = None) -> bool:
        """Swap in a snapshot of the current generation, if the store is at that generation's revision.

        Records and revision are read in one transaction, so they match each other; if a write
        has committed but its index is not built yet, the revisions differ and the old snapshot
        stays (it is whole); the next request tries again. ``graph``: this process's graph, kept
        in step by its own writes; without it, the graph is built from the records read here.
        """
        ws = self.workspace
        indexes = load_indexes(self.settings)
        revision, members, resources = ws.store.read_all()
        if revision != indexes.store_revision:
            return False
        if graph is None:
            taxonomy = load_taxonomy(self.settings.taxonomy_path)
            graph = ExpertiseGraph.build(members, resources, taxonomy, TopicAssigner(taxonomy, ws.encoder))
        searcher = ResourceSearcher(indexes, resources, ws.encoder, ws.settings)
        recommender = Recommender(indexes, members, resources, ws.encoder, ws.settings, graph)
        recommender.peer_recommender  # noqa: B018 - built (with its evidence) before the swap, not on the first request
        self._snapshot = Snapshot(
            indexes.generation,
            indexes.store_revision,
            recommender,
            searcher,
            ResponseCache(self.settings.peer_cache_size),
        )
        self.swaps += 1
        if self.settings.precompute_peers and self.settings.peer_cache_size > 0:
            threading.Thread(target=self._precompute, args=(self._snapshot,), daemon=True, name="precompute-peers").start()
        return True

    def _precompute(self, snapshot: Snapshot) -> None:
        """Fill the snapshot's cache with each stored member's default peer answer (k=10), as the
        GET route would; stops early when a newer snapshot replaces this one."""
        from service.routes.recommend import default_peer_answer  # the route's own key and options

        for member in snapshot.recommender.members:
            if self._snapshot is not snapshot:
                return
            key, body = default_peer_answer(snapshot, member.id)
            snapshot.cache.put(key, body)

    # ---- writes ------------------------------------------------------------------------------

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One writer at a time: across threads (a lock) and across worker processes (flock on a file)."""
        with self.write_lock:
            self.settings.data_dir.mkdir(parents=True, exist_ok=True)
            with open(self.settings.data_dir / "write.lock", "w") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)

    def upsert(self, records: list[Member | Resource]) -> list[str]:
        with self._writing():
            ws = self.workspace
            changed = ws.store.upsert(records, passages_of(records, ws.settings))
            if changed:
                for record in records:
                    if record.id in changed:
                        if isinstance(record, Member):
                            ws.graph.upsert_member(record)
                        else:
                            ws.graph.upsert_resource(record)
                ws.build(reload=False)
                self._refresh(ws.graph.snapshot())
            return changed

    def delete(self, collection: RecordType, record_id: str) -> None:
        with self._writing():
            self.workspace.delete(collection, [record_id])
            self.workspace.build(reload=False)
            self._refresh(self.workspace.graph.snapshot())

    def describe(self) -> dict[str, Any]:
        snapshot = self._snapshot
        return {
            "ready": snapshot is not None,
            "pid": os.getpid(),
            "generation": snapshot.generation if snapshot else None,
            "store_revision": snapshot.store_revision if snapshot else None,
            "members": len(snapshot.recommender.members) if snapshot else 0,
            "resources": len(snapshot.recommender.resources) if snapshot else 0,
        }
