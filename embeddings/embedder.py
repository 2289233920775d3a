"""The Embedder: texts in, L2-normalised float32 vectors of shape (n, d) out, with a cache.

Passages (what the indexes hold) go through ``encode`` and are kept in the on-disk cache, so an
unchanged passage is never embedded twice. Queries (searches, themes, aspects, unsaved profiles)
go through ``encode_queries``: they may read the on-disk cache but never write it, so a client
cannot grow the data directory by asking; recent ones are kept in a bounded in-memory LRU.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Protocol

import numpy as np
from tqdm.auto import tqdm

from embeddings.cache import EmbeddingCache, text_hash

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from embeddings.usem3_direct import DirectUSEM3


class TextEncoder(Protocol):
    """What the rest of peermatch needs of an embedder (tests pass a fake one)."""

    model_id: str
    dimension: int

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray: ...

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Like ``encode``, for texts that come with a request: nothing is written to disk."""
        ...


def normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class Embedder:
    """A sentence-transformers model behind a (model id, text hash) cache."""

    def __init__(
        self,
        model: SentenceTransformer | DirectUSEM3,
        model_id: str,
        cache: EmbeddingCache | None = None,
        batch_size: int = 64,
        query_cache_size: int = 4096,
    ) -> None:
        self.model = model
        self.model_id = model_id
        self.cache = cache
        self.batch_size = batch_size
        self.query_cache_size = query_cache_size
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()  # text hash -> vector, least recent first
        self._queries_lock = threading.Lock()
        dimension = model.get_embedding_dimension() if hasattr(model, "get_embedding_dimension") else None
        self.dimension = int(dimension or model.encode(["x"]).shape[1])
        self.encoded_count = 0  # texts that actually went through the model (cache misses)

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        hashes = [text_hash(text) for text in texts]
        cached = self.cache.get_many(self.model_id, list(set(hashes)), self.dimension) if self.cache else {}
        missing = list(dict.fromkeys(h for h in hashes if h not in cached))
        if missing:
            text_of = dict(zip(hashes, texts, strict=True))
            fresh = self._encode_uncached([text_of[h] for h in missing], progress)
            new = dict(zip(missing, fresh, strict=True))
            if self.cache:
                self.cache.put_many(self.model_id, new)
            cached.update(new)
        return np.stack([cached[h] for h in hashes]).astype(np.float32, copy=False)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Vectors for request texts: from memory, else the on-disk cache (read only), else the model."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        hashes = [text_hash(text) for text in texts]
        found: dict[str, np.ndarray] = {}
        with self._queries_lock:
            for h in hashes:
                if h in self._queries:
                    self._queries.move_to_end(h)
                    found[h] = self._queries[h]
        wanted = list(dict.fromkeys(h for h in hashes if h not in found))
        if wanted and self.cache:
            found.update(self.cache.get_many(self.model_id, wanted, self.dimension))
        missing = [h for h in wanted if h not in found]
        if missing:
            text_of = dict(zip(hashes, texts, strict=True))
            found.update(zip(missing, self._encode_uncached([text_of[h] for h in missing], False), strict=True))
        with self._queries_lock:
            for h in wanted:
                self._queries[h] = found[h]
                self._queries.move_to_end(h)
            while len(self._queries) > self.query_cache_size:
                self._queries.popitem(last=False)
        return np.stack([found[h] for h in hashes]).astype(np.float32, copy=False)

    def _encode_uncached(self, texts: list[str], progress: bool) -> np.ndarray:
        chunks = []
        step = self.batch_size * 8  # chunks big enough for the model to sort by length
        with tqdm(total=len(texts), desc="embedding", unit="passage", disable=not progress) as bar:
            for start in range(0, len(texts), step):
                batch = texts[start : start + step]
                chunks.append(self.model.encode(batch, batch_size=self.batch_size, convert_to_numpy=True, show_progress_bar=False))
                bar.update(len(batch))
        self.encoded_count += len(texts)
        return normalise(np.concatenate(chunks))
