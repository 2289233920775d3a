"""From the store to searchable indexes: passages -> embeddings -> FAISS + BM25, one generation.

A full build embeds every passage (the embedding cache skips unchanged ones) and writes a new
base generation. A write of a few records appends a *delta* instead: the changed records'
passages, embedded, and the owners whose earlier passages retire. Loading applies the base and
its deltas in order; a process that already holds the base applies only the deltas it lacks.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, get_args

import numpy as np

from embeddings.embedder import TextEncoder, encode_in_roles
from matcher.errors import DamagedIndexError, IndexNotBuiltError, WrongModelIndexError
from matcher.index.dense import DenseIndex
from matcher.index.generations import Pointer, append_delta, read_delta, read_meta, read_pointer, write_generation
from matcher.index.lexical import LexicalIndex
from matcher.passages import Passage
from matcher.records import RecordType
from matcher.scoring.calibration import USEM3_SCALE, EncoderScale, encoder_scale
from matcher.settings import Settings
from matcher.store import Store

COLLECTIONS: tuple[RecordType, ...] = get_args(RecordType)


@dataclass
class CollectionIndex:
    """The indexes of one collection, and its passages by row (dead rows included: see ``live``)."""

    dense: DenseIndex
    lexical: LexicalIndex
    passages: list[Passage]
    scale: EncoderScale = USEM3_SCALE  # how the vectors' encoder spreads its cosines (calibration)
    _rows_by_language: dict[str, np.ndarray] | None = field(default=None, repr=False)
    _owner_rows: dict[str, list[int]] | None = field(default=None, repr=False)
    # What the scorers work out from this collection once (``PassageMatrix.of``), kept with it:
    # a write that leaves the collection alone keeps this index, and so this too.
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def live(self) -> np.ndarray:
        """Per row: False for a passage replaced or deleted since the base was built."""
        return ~self.dense.dead

    def passage(self, row: int) -> Passage:
        return self.passages[row]

    def live_passages(self) -> list[Passage]:
        live = self.live
        return [p for row, p in enumerate(self.passages) if live[row]]

    def rows_by_language(self) -> dict[str, np.ndarray]:
        """Row numbers of the live passages in each language (computed once)."""
        if self._rows_by_language is None:
            groups: dict[str, list[int]] = {}
            live = self.live
            for row, passage in enumerate(self.passages):
                if live[row]:
                    groups.setdefault(passage.language or "", []).append(row)
            self._rows_by_language = {lang: np.asarray(rows, dtype=np.int64) for lang, rows in groups.items()}
        return self._rows_by_language

    def owner_rows(self) -> dict[str, list[int]]:
        """Each owner's live rows (computed once per collection index)."""
        if self._owner_rows is None:
            rows: dict[str, list[int]] = {}
            live = self.live
            for row, passage in enumerate(self.passages):
                if live[row]:
                    rows.setdefault(passage.owner_id, []).append(row)
            self._owner_rows = rows
        return self._owner_rows

    def extended(self, passages: list[Passage], vectors: np.ndarray, retired_owners: set[str]) -> CollectionIndex:
        """A new collection index: the passages of ``retired_owners`` retire (a record replaced
        or deleted) and ``passages`` with their ``vectors`` are appended. Nothing here changes,
        and a write that changes nothing in this collection gets this one back: what is worked
        out from it once (``derived``) serves the next snapshot too."""
        owner_rows = self.owner_rows()
        dead = np.asarray(sorted(row for owner in retired_owners for row in owner_rows.get(owner, ())), dtype=np.int64)
        if not passages and not len(dead):
            return self
        keys = [p.key for p in passages]
        start = len(self.passages)
        new_owner_rows = {owner: rows for owner, rows in owner_rows.items() if owner not in retired_owners}
        for offset, passage in enumerate(passages):
            new_owner_rows.setdefault(passage.owner_id, []).append(start + offset)
        return CollectionIndex(
            self.dense.extended(vectors, keys, dead),
            self.lexical.extended([p.text for p in passages], keys, dead),
            [*self.passages, *passages],
            self.scale,
            _owner_rows=new_owner_rows,
        )

    @property
    def delta_rows(self) -> int:
        return len(self.dense.delta)


@dataclass
class Indexes:
    generation: str
    meta: dict[str, Any]
    collections: dict[str, CollectionIndex] = field(default_factory=dict)
    pointer: Pointer | None = None

    @property
    def store_revision(self) -> int:
        """The store revision these indexes were built from."""
        return int(self.meta["store_revision"])

    @property
    def delta_rows(self) -> int:
        return sum(c.delta_rows for c in self.collections.values())

    @property
    def base_rows(self) -> int:
        return sum(c.dense.base_rows for c in self.collections.values())

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


@dataclass(frozen=True)
class Change:
    """One write's effect on the indexes: per collection, the owners whose passages retire and
    the passages that replace them (of records upserted)."""

    store_revision: int
    retired: dict[str, set[str]]
    added: dict[str, list[Passage]]


def build_indexes(store: Store, encoder: TextEncoder, settings: Settings, *, progress: bool = False) -> tuple[BuildReport, Indexes]:
    """Embed every passage (the cache skips unchanged ones) and write a new base generation."""
    started = time.perf_counter()
    revision, passages_of = store.read_passages()
    before = getattr(encoder, "encoded_count", 0)
    built: dict[str, CollectionIndex] = {}
    for collection in COLLECTIONS:
        passages = passages_of[collection]
        vectors = encode_passages(encoder, passages, progress)
        keys = [p.key for p in passages]
        dense = DenseIndex.build(
            vectors.reshape(len(passages), encoder.dimension),
            keys,
            exact_max=settings.exact_search_max,
            hnsw_m=settings.hnsw_m,
            ef_construction=settings.hnsw_ef_construction,
            ef_search=settings.hnsw_ef_search,
        )
        built[collection] = CollectionIndex(
            dense, LexicalIndex.build([p.text for p in passages], keys), passages, _scale(str(encoder.model_id), settings)
        )
    meta = {
        "store_revision": revision,
        "model_id": encoder.model_id,
        "dimension": encoder.dimension,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }

    def fill(folder: Path) -> dict[str, Any]:
        for collection, index in built.items():
            target = folder / collection
            index.dense.save(target)
            index.lexical.save(target)
            (target / "passages.json").write_text(json.dumps([asdict(p) for p in index.passages], ensure_ascii=False))
        return meta

    final = write_generation(settings.index_dir, fill)
    report = BuildReport(
        generation=final.name,
        store_revision=revision,
        passages={c: len(i.passages) for c, i in built.items()},
        index_kind={c: i.dense.kind for c, i in built.items()},
        embedded=getattr(encoder, "encoded_count", 0) - before,
        seconds=round(time.perf_counter() - started, 3),
    )
    return report, Indexes(final.name, meta, built, Pointer(final, 0))


def encode_passages(encoder: TextEncoder, passages: list[Passage], progress: bool = False) -> np.ndarray:
    """(len(passages), d): each passage embedded in its role (a need asks, the rest states)."""
    return encode_in_roles(encoder, [p.text for p in passages], [p.role for p in passages], progress=progress)


def apply_change(indexes: Indexes, change: Change, encoder: TextEncoder, settings: Settings, *, progress: bool = False) -> Indexes:
    """Embed a write's passages, append them as the generation's next delta on disk, and return
    the indexes with the delta applied (``indexes`` itself is unchanged)."""
    if indexes.pointer is None:
        raise IndexNotBuiltError("these indexes were not loaded from a generation; build them first")
    vectors: dict[str, np.ndarray] = {
        collection: encode_passages(encoder, change.added.get(collection, []), progress)
        for collection in COLLECTIONS
    }
    meta = {**indexes.meta, "store_revision": change.store_revision}
    arrays: dict[str, np.ndarray] = {}
    for collection in COLLECTIONS:
        passages = [asdict(p) for p in change.added.get(collection, [])]
        arrays[f"{collection}.vectors"] = vectors[collection]
        arrays[f"{collection}.passages"] = np.asarray(json.dumps(passages, ensure_ascii=False))
    retired = {c: sorted(owners) for c, owners in change.retired.items()}
    pointer = append_delta(settings.index_dir, indexes.pointer, arrays, {**meta, "retired": retired})
    return _with_delta(indexes, pointer, meta, change.retired, change.added, vectors)


def _with_delta(
    indexes: Indexes,
    pointer: Pointer,
    meta: dict[str, Any],
    retired: Mapping[str, set[str]],
    added: Mapping[str, list[Passage]],
    vectors: Mapping[str, np.ndarray],
) -> Indexes:
    collections = {
        collection: index.extended(added.get(collection, []), vectors[collection], retired.get(collection, set()))
        for collection, index in indexes.collections.items()
    }
    return Indexes(pointer.name, meta, collections, pointer)


def _scale(model_id: str, settings: Settings) -> EncoderScale:
    return encoder_scale(model_id, settings.score_gain, settings.spread_floor)


def load_indexes(settings: Settings, model_id: str | None = None, *, since: Indexes | None = None) -> Indexes:
    """The current generation with its deltas, fully in memory (later writes do not disturb it).

    ``model_id``: refuse an index built by another model (WrongModelIndexError). ``since``: a
    view of the same base already in memory; only the deltas it lacks are read. Raises
    DamagedIndexError naming the file when a file is missing or differs from its checksum.
    """
    pointer = read_pointer(settings.index_dir)
    if pointer is None:
        raise IndexNotBuiltError(f"no index in {settings.index_dir}; run 'peermatch index' (or 'peermatch demo') first")
    held = since.pointer if since is not None else None
    if since is not None and held is not None and held.folder == pointer.folder and held.deltas <= pointer.deltas:
        indexes, first = since, held.deltas + 1
    else:
        indexes, first = _load_base(pointer.folder, settings), 1
    if model_id is not None and indexes.meta.get("model_id") != model_id:
        raise WrongModelIndexError(
            f"the index in {pointer.folder} was built by model '{indexes.meta.get('model_id')}', not by the configured "
            f"'{model_id}': its vectors are in another embedding space"
        )
    for number in range(first, pointer.deltas + 1):
        indexes = _load_delta(indexes, Pointer(pointer.folder, number))
    return indexes


def _load_base(folder: Path, settings: Settings) -> Indexes:
    meta = read_meta(folder)
    meta.pop("checksums", None)
    indexes = Indexes(folder.name, meta, pointer=Pointer(folder, 0))
    try:
        for collection in COLLECTIONS:
            target = folder / collection
            passages = [Passage(**p) for p in json.loads((target / "passages.json").read_text())]
            indexes.collections[collection] = CollectionIndex(
                DenseIndex.load(target, ef_search=settings.hnsw_ef_search),
                LexicalIndex.load(target),
                passages,
                _scale(str(meta.get("model_id", "")), settings),
            )
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as error:  # a file the checksums could not vouch for
        raise DamagedIndexError(f"{folder}: {error}") from error
    return indexes


def _load_delta(indexes: Indexes, pointer: Pointer) -> Indexes:
    meta, arrays = read_delta(pointer, pointer.deltas)
    try:
        added: dict[str, list[Passage]] = {c: [Passage(**p) for p in json.loads(str(arrays[f"{c}.passages"]))] for c in COLLECTIONS}
        vectors: dict[str, np.ndarray] = {c: arrays[f"{c}.vectors"] for c in COLLECTIONS}
        retired = {c: set(owners) for c, owners in meta.pop("retired").items()}
    except (ValueError, KeyError, TypeError) as error:
        raise DamagedIndexError(f"{pointer.delta_path(pointer.deltas)}: {error}") from error
    return _with_delta(indexes, pointer, meta, retired, added, vectors)
