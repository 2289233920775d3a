"""FAISS inner-product search over L2-normalised float32 vectors, with one id map.

Exact (``IndexFlatIP``) for small collections; HNSW above a threshold. Rows are integers
inside; passage keys appear only at the edges (``keys[row]``).
"""

from __future__ import annotations

import json
from pathlib import Path

import faiss
import numpy as np

EXACT = "exact"
HNSW = "hnsw"


class DenseIndex:
    def __init__(self, index: faiss.Index, keys: list[str], kind: str) -> None:
        if index.ntotal != len(keys):
            raise ValueError(f"index holds {index.ntotal} vectors but {len(keys)} keys")
        self.index = index
        self.keys = keys
        self.kind = kind
        self.row_of = {key: row for row, key in enumerate(keys)}

    @property
    def dimension(self) -> int:
        return int(self.index.d)

    def __len__(self) -> int:
        return len(self.keys)

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

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k rows and inner products per query; rows are -1 where fewer than k exist."""
        queries = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.dimension)
        k = max(1, min(k, len(self.keys))) if len(self.keys) else 1
        if not len(self.keys):
            return np.full((len(queries), 1), -1, dtype=np.int64), np.zeros((len(queries), 1), np.float32)
        scores, rows = self.index.search(queries, k)
        return rows, scores

    def save(self, folder: Path) -> None:
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
