"""One data directory opened: its store, the embedder, the current indexes and the searchers.

The command line and the service both work through a Workspace; parts load on first use.
"""

from __future__ import annotations

import threading
from functools import cached_property
from pathlib import Path
from typing import Any

from embeddings.embedder import TextEncoder
from matcher.graph.build import ExpertiseGraph
from matcher.importing import ImportReport, import_file
from matcher.indexing import BuildReport, Indexes, build_indexes, current_store_revision, load_indexes
from matcher.records import RecordType
from matcher.search.resources import ResourceSearcher
from matcher.settings import Settings
from matcher.store import Store


class Workspace:
    def __init__(self, settings: Settings, encoder: TextEncoder | None = None) -> None:
        self.settings = settings
        self._encoder = encoder
        self._lock = threading.Lock()
        self._indexes: Indexes | None = None
        self._resource_searcher: ResourceSearcher | None = None
        self._graph: ExpertiseGraph | None = None

    @cached_property
    def store(self) -> Store:
        return Store(self.settings.store_path)

    @property
    def encoder(self) -> TextEncoder:
        if self._encoder is None:
            with self._lock:
                if self._encoder is None:
                    self._encoder = _load_embedder(self.settings)
        return self._encoder

    @property
    def indexes(self) -> Indexes:
        return self._indexes or self.reload()[0]

    def reload(self) -> tuple[Indexes, ResourceSearcher]:
        """Swap in the current index generation (and the records it was built from) at once."""
        indexes = load_indexes(self.settings)
        searcher = ResourceSearcher(indexes, self.store.resources(), self.encoder, self.settings)
        self._indexes, self._resource_searcher = indexes, searcher
        return indexes, searcher

    @property
    def resources(self) -> ResourceSearcher:
        return self._resource_searcher or self.reload()[1]

    @property
    def graph(self) -> ExpertiseGraph:
        """The member-expertise graph, built from the store on first use and kept in step by
        ``import_file`` and ``delete`` (record by record, not rebuilt)."""
        if self._graph is None:
            from matcher.graph.taxonomy import TopicAssigner, load_taxonomy

            taxonomy = load_taxonomy(self.settings.taxonomy_path)
            self._graph = ExpertiseGraph.build(
                self.store.members(), self.store.resources(), taxonomy, TopicAssigner(taxonomy, self.encoder)
            )
        return self._graph

    def forget_graph(self) -> None:
        """Drop the graph so that the next use rebuilds it from the store (another process wrote)."""
        self._graph = None

    def import_file(self, path: Path, **options: Any) -> ImportReport:
        report = import_file(self.store, path, self.settings, **options)
        if self._graph is not None:
            for record_id in report.changed_ids:
                if report.record_type == "members":
                    self._graph.upsert_member(self.store.get("members", record_id))
                else:
                    self._graph.upsert_resource(self.store.get("resources", record_id))
        return report

    def delete(self, collection: RecordType, ids: list[str]) -> int:
        deleted = self.store.delete(collection, ids)
        if self._graph is not None:
            for record_id in ids:
                self._graph.remove(collection, record_id)
        return deleted

    def build(self, *, progress: bool = False, reload: bool = True) -> BuildReport:
        """Write a new index generation; ``reload`` also loads it here (the service loads its own snapshot)."""
        report = build_indexes(self.store, self.encoder, self.settings, progress=progress)
        if reload:
            self.reload()
        return report

    def index_is_stale(self) -> bool:
        """Whether the store has changed since the current index generation was built."""
        return current_store_revision(self.settings) != self.store.revision()

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()


def _load_embedder(settings: Settings) -> TextEncoder:
    from embeddings.cache import EmbeddingCache
    from embeddings.embedder import Embedder
    from embeddings.loading import load_model, model_id

    model = load_model(settings.model, trust_remote_code=settings.trust_remote_code)
    return Embedder(model, model_id(settings.model), EmbeddingCache(settings.embedding_cache_path), settings.batch_size)
