"""One data directory opened: its store, the embedder, the current indexes and the searchers.

The command line and the service both work through a Workspace; parts load on first use.
"""

from __future__ import annotations

import threading
from functools import cached_property

from embeddings.embedder import TextEncoder
from matcher.indexing import BuildReport, Indexes, build_indexes, load_indexes
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

    def build(self, *, progress: bool = False) -> BuildReport:
        report = build_indexes(self.store, self.encoder, self.settings, progress=progress)
        self.reload()
        return report

    def index_is_stale(self) -> bool:
        return int(self.indexes.meta["store_revision"]) != self.store.revision()  # type: ignore[call-overload]

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()


def _load_embedder(settings: Settings) -> TextEncoder:
    from embeddings.cache import EmbeddingCache
    from embeddings.embedder import Embedder
    from embeddings.loading import load_model, model_id

    model = load_model(settings.model, trust_remote_code=settings.trust_remote_code)
    return Embedder(model, model_id(settings.model), EmbeddingCache(settings.embedding_cache_path), settings.batch_size)
