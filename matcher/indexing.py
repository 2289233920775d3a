"""From the store to searchable indexes: passages -> embeddings -> FAISS + BM25, one generation."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, get_args

import numpy as np

from embeddings.embedder import TextEncoder
from matcher.errors import IndexNotBuiltError
from matcher.index.dense import DenseIndex
from matcher.index.generations import current_generation, write_generation
from matcher.index.lexical import LexicalIndex
from matcher.passages import Passage
from matcher.records import RecordType
from matcher.settings import Settings
from matcher.store import Store

COLLECTIONS: tuple[RecordType, ...] = get_args(RecordType)


@dataclass
class CollectionIndex:
    """The indexes of one collection, and its passages by row."""

    dense: DenseIndex
    lexical: LexicalIndex
    passages: list[Passage]
    _rows_by_language: dict[str, np.ndarray] | None = field(default=None, repr=False)

    def passage(self, row: int) -> Passage:
        return self.passages[row]

    def rows_by_language(self) -> dict[str, np.ndarray]:
        """Row numbers of the passages in each language (computed once)."""
        if self._rows_by_language is None:
            groups: dict[str, list[int]] = {}
            for row, passage in enumerate(self.passages):
                groups.setdefault(passage.language or "", []).append(row)
            self._rows_by_language = {lang: np.asarray(rows, dtype=np.int64) for lang, rows in groups.items()}
        return self._rows_by_language


@dataclass
class Indexes:
    generation: str
    meta: dict[str, Any]
    collections: dict[str, CollectionIndex] = field(default_factory=dict)

    @property
    def store_revision(self) -> int:
        """The store revision these indexes were built from."""
        return int(self.meta["store_revision"])

    def __getitem__(self, collection: str) -> CollectionIndex:
        return self.collections[collection]


@dataclass
class BuildReport:
    generation: str
    store_revision: int
    passages: dict[str, int]
    index_kind: dict[str, str]
    embedded: int
    seconds: float


def build_indexes(store: Store, encoder: TextEncoder, settings: Settings, *, progress: bool = False) -> BuildReport:
    """Embed every passage (the cache skips unchanged ones) and write a new index generation."""
    started = time.perf_counter()
    revision = store.revision()
    before = getattr(encoder, "encoded_count", 0)
    built: dict[str, CollectionIndex] = {}
    for collection in COLLECTIONS:
        passages = store.passages(collection)
        vectors = encoder.encode([p.text for p in passages], progress=progress)
        keys = [p.key for p in passages]
        dense = DenseIndex.build(
            vectors.reshape(len(passages), encoder.dimension),
            keys,
            exact_max=settings.exact_search_max,
            hnsw_m=settings.hnsw_m,
            ef_construction=settings.hnsw_ef_construction,
            ef_search=settings.hnsw_ef_search,
        )
        built[collection] = CollectionIndex(dense, LexicalIndex.build([p.text for p in passages], keys), passages)
    meta = {
        "store_revision": revision,
        "model_id": encoder.model_id,
        "dimension": encoder.dimension,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }

    def fill(folder: Path) -> None:
        for collection, index in built.items():
            target = folder / collection
            index.dense.save(target)
            index.lexical.save(target)
            (target / "passages.json").write_text(json.dumps([asdict(p) for p in index.passages], ensure_ascii=False))
        (folder / "meta.json").write_text(json.dumps(meta, indent=2))

    final = write_generation(settings.index_dir, fill)
    return BuildReport(
        generation=final.name,
        store_revision=revision,
        passages={c: len(i.passages) for c, i in built.items()},
        index_kind={c: i.dense.kind for c, i in built.items()},
        embedded=getattr(encoder, "encoded_count", 0) - before,
        seconds=round(time.perf_counter() - started, 3),
    )


def current_store_revision(settings: Settings) -> int:
    """The store revision of the current generation, read from its meta.json alone (no index loaded)."""
    folder = current_generation(settings.index_dir)
    if folder is None:
        raise IndexNotBuiltError(f"no index in {settings.index_dir}; run 'peermatch index' (or 'peermatch demo') first")
    return int(json.loads((folder / "meta.json").read_text())["store_revision"])


def load_indexes(settings: Settings) -> Indexes:
    """The current generation, fully in memory (later rebuilds do not disturb it)."""
    folder = current_generation(settings.index_dir)
    if folder is None:
        raise IndexNotBuiltError(f"no index in {settings.index_dir}; run 'peermatch index' (or 'peermatch demo') first")
    meta = json.loads((folder / "meta.json").read_text())
    indexes = Indexes(folder.name, meta)
    for collection in COLLECTIONS:
        target = folder / collection
        passages = [Passage(**p) for p in json.loads((target / "passages.json").read_text())]
        indexes.collections[collection] = CollectionIndex(
            DenseIndex.load(target, ef_search=settings.hnsw_ef_search), LexicalIndex.load(target), passages
        )
    return indexes
