"""FAISS inner-product search over L2-normalised float32 vectors, with one id map.

A dense index is a *base* (a FAISS index: exact ``IndexFlatIP`` for small collections, HNSW
above a threshold) plus, after incremental writes, a small *delta* of rows searched exactly,
and a set of *dead* rows (replaced or deleted passages) that no search returns. Rows are
integers inside: base rows first, then delta rows; passage keys appear only at the edges.
A write never changes an index in place: ``extended`` returns a new object that shares the
base, so a reader holding the old one keeps a consistent view.
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path

import faiss
import numpy as np

EXACT = "exact"
HNSW = "hnsw"


class DenseIndex:
    def __init__(
        self,
        index: faiss.Index,
        keys: list[str],
        kind: str,
        delta: np.ndarray | None = None,
        dead: np.ndarray | None = None,
    ) -> None:
        base_rows = int(index.ntotal)
        delta = np.zeros((0, int(index.d)), np.float32) if delta is None else delta
        if base_rows + len(delta) != len(keys):
            raise ValueError(f"index holds {base_rows} + {len(delta)} vectors but {len(keys)} keys")
        self.index = index
        self.keys = keys
        self.kind = kind
        self.delta = delta
        self.dead = np.zeros(len(keys), dtype=bool) if dead is None else dead
        self.base_rows = base_rows
        self._base_dead = int(self.dead[:base_rows].sum())

    @cached_property
    def row_of(self) -> dict[str, int]:
        """Key -> live row (built on first use: a write must not pay for it)."""
        return {key: row for row, key in enumerate(self.keys) if not self.dead[row]}

    @property
    def dimension(self) -> int:
        return int(self.index.d)

    def __len__(self) -> int:
        """Rows, dead ones included (rows stay aligned with the collection's passages)."""
        return len(self.keys)

    @property
    def live(self) -> int:
        return len(self.keys) - int(self.dead.sum())

    @classmethod
    def build(
        cls,
        vectors: np.ndarray,
        keys: list[str],
        *,
        exact_max: int = 50_000,
        hnsw_m: int = 32,
        ef_construction: int = 200,
        ef_search: int = 128,
    ) -> DenseIndex:
        """Index ``vectors`` (n, d) float32, L2-normalised; ``keys[i]`` names row i."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[0] != len(keys):
            raise ValueError(f"expected ({len(keys)}, d) vectors, got {vectors.shape}")
        dimension = vectors.shape[1]
        if len(keys) <= exact_max:
            index: faiss.Index = faiss.IndexFlatIP(dimension)
            kind = EXACT
        else:
            index = faiss.IndexHNSWFlat(dimension, hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = ef_construction
            index.hnsw.efSearch = ef_search
            kind = HNSW
        if len(keys):
            index.add(vectors)
        return cls(index, keys, kind)

    def extended(self, vectors: np.ndarray, keys: list[str], dead_rows: np.ndarray) -> DenseIndex:
        """A new index: this one's rows with ``dead_rows`` retired and ``vectors`` appended as
        delta rows (searched exactly). The FAISS base is shared, not copied."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(keys), self.dimension)
        dead = np.concatenate([self.dead, np.zeros(len(keys), dtype=bool)])
        dead[np.asarray(dead_rows, dtype=np.int64)] = True
        return DenseIndex(self.index, [*self.keys, *keys], self.kind, np.concatenate([self.delta, vectors]), dead)

    def vector(self, row: int) -> np.ndarray:
        """One row's vector (a base row from FAISS, a delta row from the delta)."""
        return self.delta[row - self.base_rows] if row >= self.base_rows else np.asarray(self.index.reconstruct(row), dtype=np.float32)

    def vectors(self) -> np.ndarray:
        """Every row's vector, (rows, d), dead rows included (so row numbers stay valid)."""
        base = self.index.reconstruct_n(0, self.base_rows) if self.base_rows else np.zeros((0, self.dimension), np.float32)
        return np.concatenate([base, self.delta]) if len(self.delta) else base

    def search(self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k live rows and inner products per query, best first; rows are -1 where fewer
        than k exist. ``allowed``: search only these rows."""
        queries = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.dimension)
        n = len(queries)
        k = max(1, k)
        parts_rows: list[np.ndarray] = []
        parts_scores: list[np.ndarray] = []
        base_allowed = None if allowed is None else allowed[allowed < self.base_rows]
        if self.base_rows and (base_allowed is None or len(base_allowed)):
            rows, scores = self._search_base(queries, k, base_allowed)
            parts_rows.append(rows)
            parts_scores.append(scores)
        if len(self.delta):
            candidates = np.arange(self.base_rows, len(self.keys)) if allowed is None else allowed[allowed >= self.base_rows]
            candidates = candidates[~self.dead[candidates]]
            if len(candidates):
                scores = queries @ self.delta[candidates - self.base_rows].T
                parts_rows.append(np.broadcast_to(candidates, scores.shape))
                parts_scores.append(scores.astype(np.float32))
        if not parts_rows:
            return np.full((n, 1), -1, dtype=np.int64), np.zeros((n, 1), np.float32)
        rows = np.concatenate(parts_rows, axis=1)
        scores = np.concatenate(parts_scores, axis=1)
        scores = np.where(rows >= 0, scores, -np.inf)
        order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        rows = np.take_along_axis(rows, order, axis=1)
        scores = np.take_along_axis(scores, order, axis=1)
        rows = np.where(np.isfinite(scores), rows, -1)
        return rows.astype(np.int64), np.where(np.isfinite(scores), scores, 0.0).astype(np.float32)

    def _search_base(self, queries: np.ndarray, k: int, allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        if allowed is None and not self._base_dead:
            scores, rows = self.index.search(queries, min(k, self.base_rows))
            return rows, scores
        if allowed is None:
            # Dead rows are few (a compaction folds them away): ask for that many more and drop them.
            scores, rows = self.index.search(queries, min(k + self._base_dead, self.base_rows))
        else:
            allowed = allowed[~self.dead[allowed]]
            if not len(allowed):
                return np.full((len(queries), 1), -1, dtype=np.int64), np.zeros((len(queries), 1), np.float32)
            scores, rows = self.index.search(queries, min(k, len(allowed)), params=self._selector(allowed))
        valid = rows >= 0
        dead = np.zeros_like(valid)
        dead[valid] = self.dead[rows[valid]]
        return np.where(dead, -1, rows), scores

    def _selector(self, allowed: np.ndarray) -> faiss.SearchParameters:
        selector = faiss.IDSelectorBatch(allowed)
        if self.kind == HNSW:
            # faiss's bundled type hints lack the HNSW parameters and the selector keyword.
            params = faiss.SearchParametersHNSW(sel=selector)  # type: ignore[attr-defined]
            params.efSearch = max(faiss.downcast_index(self.index).hnsw.efSearch, 64)  # type: ignore[attr-defined]
            return params
        return faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]

    def save(self, folder: Path) -> None:
        """Write the base (a delta is written by the generation's own delta files)."""
        if len(self.delta) or self.dead.any():
            raise ValueError("only a compacted index (no delta, no dead rows) is saved as a base")
        folder.mkdir(parents=True, exist_ok=True)
        faiss.write_index(self.index, str(folder / "dense.faiss"))
        (folder / "dense-keys.json").write_text(json.dumps({"kind": self.kind, "keys": self.keys}))

    @classmethod
    def load(cls, folder: Path, *, ef_search: int | None = None) -> DenseIndex:
        index = faiss.read_index(str(folder / "dense.faiss"))
        meta = json.loads((folder / "dense-keys.json").read_text())
        if meta["kind"] == HNSW and ef_search is not None:
            faiss.downcast_index(index).hnsw.efSearch = ef_search  # type: ignore[attr-defined]
        return cls(index, meta["keys"], meta["kind"])
