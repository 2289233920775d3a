"""One data directory opened: its store, the embedder, and the current Snapshot.

The Workspace is the only owner of the view the rest of peermatch reads (``snapshot()``) and the
only way to change the data (``write``, ``import_files``, ``build``). A write takes the write
lock (threads and processes), commits the store in one transaction, appends the changed
passages to the index as a delta, and returns the next snapshot, derived from the one it was
written on. When another process has written, ``snapshot()`` catches up from the index on disk
and rebuilds the graph from the records of that revision, so no copy can drift.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from matcher.errors import DamagedIndexError, IndexNotBuiltError, InvalidRecordsError, WrongModelIndexError
from matcher.ingest.importing import ImportReport, ValidatedFile, passages_of, validate_import, write_rejections
from matcher.ingest.readers import Labels
from matcher.ingest.validate import check_references
from matcher.records import Member, RecordType, Resource
from matcher.settings import Settings
from matcher.store import Store

if TYPE_CHECKING:
    from embeddings.embedder import TextEncoder
    from matcher.index.indexes import BuildReport, Indexes
    from matcher.passages import Passage
    from matcher.snapshot import Snapshot
    from matcher.store.sqlite import Written

log = logging.getLogger("peermatch.workspace")
# A catch-up of at most this many changed records (or a tenth of them all) advances the snapshot
# record by record; a larger one reads the store whole.
CATCH_UP_RECORDS = 100


@dataclass(frozen=True)
class CommittedWrite:
    written: Written
    snapshot: Snapshot | None  # None when the write changed nothing and no index exists yet


class Workspace:
    def __init__(self, settings: Settings, encoder: TextEncoder | None = None) -> None:
        self.settings = settings
        self._encoder = encoder
        self._lock = threading.RLock()  # guards the snapshot reference and the encoder's loading
        self._catch_up = threading.Lock()
        self._write_lock = threading.RLock()
        self._write_owner: int | None = None
        self._snapshot: Snapshot | None = None
        self._closed = False  # closed: a watcher still running has nothing left to watch
        # Run on each new snapshot before it is swapped in: the service builds its recommender
        # there, in the writer's or the watcher's thread, so that no reader has to.
        self.prepare: Callable[[Snapshot], None] = lambda snapshot: None
        self.written_generation: str | None = None  # the generation this process's last delta write made

    @cached_property
    def store(self) -> Store:
        from matcher.store.permissions import secure_data_dir

        secure_data_dir(self.settings)  # the folder 700, the store 600, before anything is written
        return Store(self.settings.store_path, self.settings.database_url)

    @property
    def encoder(self) -> TextEncoder:
        if self._encoder is None:
            with self._lock:
                if self._encoder is None:
                    self._encoder = load_encoder(self.settings)
        return self._encoder

    # ---- reading -----------------------------------------------------------------------------

    def snapshot(self, *, wait: bool = True) -> Snapshot:
        """The current snapshot. If the index on disk moved on (another process wrote), catch
        up first: one small file read when nothing changed. ``wait=False`` (a reader whose
        process has a watcher): serve the snapshot in memory at once when another thread is
        catching up or the index moved on; the watcher or the writer brings the next one, so a
        reader never waits for a rebuild."""
        from matcher.index.generations import read_pointer
        from matcher.recommend.peer_weights import weights_mark

        current = self._snapshot
        pointer = read_pointer(self.settings.index_dir)
        if current is not None and (pointer is None or pointer.name == current.generation):
            if current.weights_mark == weights_mark(self.settings.data_dir):
                return current
            return self._reweighted(current) if wait else current
        if current is not None and not wait:
            return current
        with self._catch_up:
            current = self._snapshot
            pointer = read_pointer(self.settings.index_dir)
            if current is not None and (pointer is None or pointer.name == current.generation):
                return current
            indexes = self._load_indexes(current)
            unusable = pointer.name if indexes is None and pointer is not None else None  # said once, not loaded again
            loaded = self._assemble(indexes, current) if indexes is not None else None
            if loaded is not None:
                self._swap(loaded)
                return loaded
        if current is not None and not self._holds_write_lock():
            # A writer has committed and is writing its index, or died doing so: this view is
            # whole, serve it; the next write, the watcher or a restart closes a dead writer's gap.
            return current
        # Lock order is write lock, then catch-up: never wait for the writer while holding the latter.
        with self._writing():
            return self._settle_locked(unusable)

    def _settle_locked(self, unusable: str | None = None) -> Snapshot:
        """Under the write lock: the index on disk brought to the store's revision (a delta for
        the records a dead writer committed, or a full build when there is no usable index).
        ``unusable``: a generation already found damaged, not to be read again."""
        from matcher.index.generations import read_pointer

        pointer = read_pointer(self.settings.index_dir)
        indexes = None
        if pointer is not None and pointer.name != unusable:
            with self._catch_up:
                indexes = self._load_indexes(self._snapshot)
        revision = self.store.revision()
        if indexes is not None and indexes.store_revision == revision:
            with self._catch_up:
                found = self._assemble(indexes, self._snapshot)
                if found is None and self.store.engine != "postgresql":
                    found = self._assemble_locked(indexes)  # says that the store moved under the write lock
                if found is not None:
                    self._swap(found)
                    return found
            return self._close_gap(indexes)  # another replica wrote since ``revision`` was read
        if indexes is not None and indexes.store_revision < revision:
            return self._close_gap(indexes)
        if indexes is not None:
            log.warning(
                "%s: the index is at store revision %d, ahead of the store (%d; a store restored from a backup?); rebuilding it",
                self.settings.index_dir,
                indexes.store_revision,
                revision,
            )
        return self._build_locked(progress=False)[1]

    def _close_gap(self, indexes: Indexes) -> Snapshot:
        """Under the write lock: append to the index, as one delta, every record written or
        deleted in the store after ``indexes.store_revision`` (what a writer killed between its
        commit and its index write left out), and swap in the snapshot of the store as it is."""
        from matcher.index.indexes import Change, apply_change
        from matcher.snapshot import assemble

        # One read transaction gives the changes, their passages and the records to serve: a
        # consistent view at ``revision`` even while other replicas write (a shared PostgreSQL store).
        revision, changed, added, members, resources = self.store.catch_up(indexes.store_revision)
        retired: dict[str, set[str]] = {collection: set(ids) for collection, ids in changed.items()}
        if self.store.engine == "postgresql":  # replicas share the store: another one's writes, the usual case
            log.info("%s: catching up from store revision %d to %d", self.settings.index_dir, indexes.store_revision, revision)
        else:
            log.warning(
                "%s: the index %s is at store revision %d but the store is at %d (a writer stopped between its commit"
                " and its index write); indexing its %d changed records now",
                self.settings.index_dir,
                indexes.generation,
                indexes.store_revision,
                revision,
                sum(map(len, changed.values())),
            )
        if self._delta_too_large(indexes, sum(map(len, added.values()))):
            # As a large write does: a full build (the embedding cache re-embeds nothing unchanged).
            # A gap as large as the corpus (an index from an older peermatch) folded in as a delta
            # would score the lexical side on the delta's own statistics, not as a fresh build does.
            return self._build_locked(progress=False)[1]
        with self._catch_up:
            change = Change(revision, retired, {collection: passages for collection, passages in added.items()})
            closed = apply_change(indexes, change, self.encoder, self.settings)
            snapshot = assemble(closed, members, resources, self.encoder, self.settings)
            self._swap(snapshot)
        return snapshot

    def close_abandoned_gap(self) -> bool:
        """For a watcher: if the store holds changes the current index lacks and no writer is at
        work (the write lock is free, so the writer that committed them died), close the gap now.
        Never waits for a live writer. True when a gap was closed."""
        current = self._snapshot
        if current is None or self.store.revision() == current.store_revision:
            return False
        with self._try_writing() as acquired:
            if not acquired:
                return False
            snapshot = self.snapshot()
            if self.store.revision() == snapshot.store_revision:
                return False  # a writer finished in the meantime
            self._settle_locked()
            return True

    def _reweighted(self, current: Snapshot) -> Snapshot:
        """The current snapshot again, scoring peers with the weights file now on disk."""
        with self._catch_up:
            if self._snapshot is current:
                self._swap(current.with_current_weights())
            return self._snapshot or current

    def current(self) -> Snapshot | None:
        """The snapshot in memory, without looking at the disk (None before the first load)."""
        return self._snapshot

    def _load(self, previous: Snapshot | None) -> Snapshot | None:
        """The current index with the records of its store revision, or None when that cannot
        be had: a damaged generation, one built by another model, or one that is not at the
        store's revision (each said in one line). Raises IndexNotBuiltError on an empty store."""
        indexes = self._load_indexes(previous)
        if indexes is None:
            return None
        return self._assemble(indexes, previous)

    def _load_indexes(self, previous: Snapshot | None) -> Indexes | None:
        """The current index (only the deltas ``previous`` lacks are read), or None when it is
        damaged, built by another model or missing (each said in one line)."""
        from matcher.index.indexes import load_indexes

        try:
            return load_indexes(self.settings, self.encoder.model_id, since=previous.indexes if previous else None)
        except (DamagedIndexError, WrongModelIndexError) as problem:
            log.warning("%s; the index will be rebuilt from the store", problem)
            return None
        except IndexNotBuiltError:
            if self.store.count("members") + self.store.count("resources") == 0:
                raise
            log.warning("no index yet for the records in %s; building it", self.settings.store_path)
            return None

    def _assemble_locked(self, indexes: Indexes) -> Snapshot:
        """``_assemble`` under the write lock, where the store cannot move: say so if it did."""
        snapshot = self._assemble(indexes)
        if snapshot is None:
            raise IndexNotBuiltError(f"the store moved away from revision {indexes.store_revision} under the write lock")
        return snapshot

    def _assemble(self, indexes: Indexes, previous: Snapshot | None = None) -> Snapshot | None:
        """The snapshot of ``indexes`` and the stored records, if the store is at their revision.
        ``previous``: a snapshot of an earlier revision; when few records changed since, it is
        advanced by them (read from the change log), as the writer's own process does, instead of
        every record being read and parsed again while this process's readers wait for the interpreter."""
        from matcher.snapshot import advance, assemble

        if previous is not None and previous.store_revision <= indexes.store_revision:
            written = self.store.written_since(previous.store_revision)
            if written.revision != indexes.store_revision:
                return None
            if written.count <= max(CATCH_UP_RECORDS, (len(previous.members) + len(previous.resources)) // 10):
                return advance(previous, written, indexes)
        revision, members, resources = self.store.read_all()
        if revision != indexes.store_revision:
            return None
        return assemble(indexes, members, resources, self.encoder, self.settings)

    def index_is_stale(self) -> bool:
        """Whether the store has changed since the current index was written (reads meta.json only)."""
        from matcher.index.generations import current_store_revision

        return current_store_revision(self.settings.index_dir) != self.store.revision()

    # ---- writing -----------------------------------------------------------------------------

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One writer at a time: across threads (a lock) and across processes (flock on a file)."""
        with self._write_lock:
            if self._write_owner == threading.get_ident():  # re-entered by the writing thread
                yield
                return
            self.settings.data_dir.mkdir(parents=True, exist_ok=True)
            with open(self.settings.data_dir / "write.lock", "w") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                self._write_owner = threading.get_ident()
                try:
                    yield
                finally:
                    self._write_owner = None
                    fcntl.flock(handle, fcntl.LOCK_UN)

    @contextmanager
    def _try_writing(self) -> Iterator[bool]:
        """The write lock if it is free now (yields True), else nothing (False): never waits."""
        if not self._write_lock.acquire(blocking=False):
            yield False
            return
        try:
            if self._write_owner is not None:  # this thread already writes: no second, nested writer
                yield False
                return
            self.settings.data_dir.mkdir(parents=True, exist_ok=True)
            with open(self.settings.data_dir / "write.lock", "w") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    yield False
                    return
                self._write_owner = threading.get_ident()
                try:
                    yield True
                finally:
                    self._write_owner = None
                    fcntl.flock(handle, fcntl.LOCK_UN)
        finally:
            self._write_lock.release()

    def _holds_write_lock(self) -> bool:
        return self._write_owner == threading.get_ident()

    def write(
        self,
        upserts: Sequence[Member | Resource] = (),
        deletes: Mapping[RecordType, Sequence[str]] | None = None,
        *,
        progress: bool = False,
    ) -> CommittedWrite:
        """The one write path: commit ``upserts`` and ``deletes`` in one store transaction, bring
        the index along (a delta, or a full build when the delta would be large), and swap in
        the next snapshot, which is returned. ``progress``: a progress bar while embedding."""
        passages = passages_of(list(upserts), self.settings)
        with self._writing():
            base = self.snapshot() if self._has_index() else None
            if base is not None and self.store.revision() != base.store_revision:
                base = self._settle_locked()  # a writer died between its commit and its index write
            written = self.store.write(upserts, passages, deletes)
            if base is not None and written.previous != base.store_revision:
                # Another replica wrote between this one's catch-up and its write (a shared
                # PostgreSQL store): a delta of this write alone would miss that write, so close the
                # whole gap from the change log instead.
                return CommittedWrite(written, self._settle_locked())
            if written.count == 0 and base is not None:
                return CommittedWrite(written, base)
            if base is None or self._should_compact(base, len(passages)):
                report, snapshot = self._build_locked(progress=progress)
                return CommittedWrite(written, snapshot)
            return CommittedWrite(written, self._advance(base, written, passages, progress))

    def _has_index(self) -> bool:
        from matcher.index.generations import read_pointer

        return read_pointer(self.settings.index_dir) is not None

    def _should_compact(self, base: Snapshot, new_passages: int) -> bool:
        return self._delta_too_large(base.indexes, new_passages)

    def _delta_too_large(self, indexes: Indexes, new_passages: int) -> bool:
        """A delta is worth it while it stays small next to the base; beyond, a full build (which
        re-embeds nothing unchanged, thanks to the embedding cache) folds it in."""
        pending = indexes.delta_rows + new_passages
        return pending > max(self.settings.delta_max_rows, self.settings.delta_max_share * indexes.base_rows)

    def _advance(self, base: Snapshot, written: Written, passages: list[Passage], progress: bool = False) -> Snapshot:
        """The next snapshot from ``base``: ``passages`` are those of every upserted record, the
        changed ones' are appended to the index (unchanged records wrote nothing)."""
        from matcher.index.indexes import Change, apply_change
        from matcher.snapshot import advance

        retired: dict[str, set[str]] = {c: set(ids) for c, ids in written.deleted.items()}
        changed: dict[str, set[str]] = {collection: {r.id for r in records} for collection, records in written.upserted.items()}
        for collection, ids in changed.items():
            retired.setdefault(collection, set()).update(ids)
        added: dict[str, list[Passage]] = {collection: [] for collection in changed}
        for passage in passages:
            if passage.owner_id in changed[passage.collection]:
                added[passage.collection].append(passage)
        # Under the catch-up lock: a reader of this process waits for this snapshot instead of
        # loading the same delta from disk on its own.
        with self._catch_up:
            change = Change(written.revision, retired, added)
            indexes = apply_change(base.indexes, change, self.encoder, self.settings, progress=progress)
            snapshot = advance(base, written, indexes)
            self._swap(snapshot, by_write=True)
        return snapshot

    def _swap(self, snapshot: Snapshot, *, by_write: bool = False) -> None:
        self.prepare(snapshot)
        with self._lock:
            if by_write:  # set before the swap: a watcher that waited for this write finds it made here
                self.written_generation = snapshot.generation
            self._snapshot = snapshot

    def check_import(
        self, paths: Sequence[Path], *, record_type: RecordType | None = None, labels: Labels | None = None
    ) -> list[ValidatedFile]:
        """Read and validate every file, references included (partners and authors must name
        stored members or members of these same files); nothing is written. ``labels``: names a
        person reads that spreadsheets may hold instead of codes (the console's)."""
        validated = [validate_import(path, record_type, labels) for path in paths]
        importing = {r.id for v in validated for r in v.records if isinstance(r, Member)}

        def known(ids: set[str]) -> set[str]:
            return (ids & importing) | self.store.existing("members", ids - importing)

        for v in validated:
            unknown = check_references(v.validated, known)
            if unknown:
                refused = {p.record_id for p in unknown}
                v.validated.problems.extend(unknown)
                v.validated.records = [r for r in v.records if r.id not in refused]
        return validated

    def import_files(
        self,
        paths: Sequence[Path],
        *,
        record_type: RecordType | None = None,
        skip_invalid: bool = False,
        report_path: Path | None = None,
        progress: bool = False,
        labels: Labels | None = None,
    ) -> tuple[list[ImportReport], CommittedWrite]:
        """Validate every file first; then one transaction writes the records of all of them.

        By default any bad record refuses the whole import (InvalidRecordsError, nothing
        written); ``skip_invalid`` imports the good ones and writes the bad ones' problems as
        JSON lines next to each file (or to ``report_path``)."""
        validated = self.check_import(paths, record_type=record_type, labels=labels)
        problems = [p for v in validated for p in v.problems]
        if problems and not skip_invalid:
            raise InvalidRecordsError(problems)
        reports = [write_rejections(v, report_path) for v in validated]
        records: dict[str, Member | Resource] = {}
        for v in validated:
            for record in v.records:
                records[record.id] = record  # a later file's version of a record wins
        result = self.write(list(records.values()), progress=progress)
        changed = set(result.written.changed_ids)
        for report, v in zip(reports, validated, strict=True):
            report.changed_ids = [r.id for r in v.records if r.id in changed]
            report.changed = len(report.changed_ids)
        return reports, result

    def delete(self, collection: RecordType, ids: Sequence[str]) -> CommittedWrite:
        return self.write(deletes={collection: list(ids)})

    def build(self, *, progress: bool = False) -> BuildReport:
        """Embed what changed and write a new full index generation (folding in any delta)."""
        with self._writing():
            return self._build_locked(progress=progress)[0]

    def _build_locked(self, *, progress: bool) -> tuple[BuildReport, Snapshot]:
        from matcher.index.indexes import build_indexes
        from matcher.snapshot import assemble

        report, indexes = build_indexes(self.store, self.encoder, self.settings, progress=progress)
        revision, members, resources = self.store.read_all()
        if revision != indexes.store_revision:
            if self.store.engine != "postgresql":  # cannot happen under the write lock; say so if it does
                raise IndexNotBuiltError(f"the store moved from revision {indexes.store_revision} to {revision} during a locked build")
            return report, self._close_gap(indexes)  # another replica wrote during the build
        snapshot = assemble(indexes, members, resources, self.encoder, self.settings)
        self._swap(snapshot)
        return report, snapshot

    def remove_scratch(self) -> int:
        """Remove what writes cut short by a crash left behind (under the write lock: never a live write's)."""
        from matcher.index.generations import remove_scratch
        from matcher.store.read_only import on_read_only_file_system

        if on_read_only_file_system(self.settings.data_dir):
            return 0  # nothing can be removed (nor written) there; a worker still starts and serves reads
        with self._writing():
            return remove_scratch(self.settings.index_dir)

    def needs_compaction(self) -> bool:
        """Whether the deltas have grown past ``delta_max_rows`` (a background thread may fold them in)."""
        current = self._snapshot
        return current is not None and current.indexes.delta_rows > self.settings.delta_max_rows

    def compact_if_needed(self) -> bool:
        """Fold the deltas into a new base when they have grown (for a background thread)."""
        if not self.needs_compaction():
            return False
        self.build()
        return True

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        self._closed = True
        if "store" in self.__dict__:
            self.store.close()


def load_encoder(settings: Settings) -> TextEncoder:
    from embeddings.cache import EmbeddingCache
    from embeddings.embedder import Embedder
    from embeddings.errors import ModelNotFoundError as MissingModel
    from embeddings.loading import load_encoding_model, model_id
    from matcher.errors import ModelNotFoundError

    try:
        model = load_encoding_model(settings.model, trust_remote_code=settings.trust_remote_code)
    except MissingModel as error:
        raise ModelNotFoundError(str(error)) from error
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    return Embedder(model, model_id(settings.model), EmbeddingCache(settings.embedding_cache_path), settings.batch_size)
