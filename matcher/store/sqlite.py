"""The store: records as validated JSON, their passages, and a change log, in SQLite (the
embedded default) or in PostgreSQL (``PEERMATCH_DATABASE_URL``: replicas on several machines).

Every write is one transaction: an import either lands whole or not at all, and a
reader on another connection never sees half of it (WAL gives readers a snapshot; on
PostgreSQL a repeatable-read transaction does).
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast, overload

from matcher.errors import DamagedStoreError, ReferencedRecordError, UnknownIdError
from matcher.passages import Passage
from matcher.records import Member, RecordType, Resource
from matcher.store.migrations import identity_tables, migrate, migrate_postgres
from matcher.store.postgres import CHANGES_CHANNEL, WRITE_LOCK_KEY, is_postgres_url, redacted
from matcher.store.read_only import connect, on_read_only_file_system, refused

log = logging.getLogger("peermatch.store")
_SINGULAR = {"members": "member", "resources": "resource"}
IDLE_READERS = 8  # PostgreSQL read connections kept open between reads, per process


@dataclass
class Written:
    """What one write changed: records upserted (those that differed) and ids deleted, by collection."""

    revision: int = 0
    previous: int = 0  # the store's revision just before this write (another replica's write may lie between it and an index's)
    upserted: dict[RecordType, list[Member | Resource]] = field(default_factory=lambda: {"members": [], "resources": []})
    deleted: dict[RecordType, list[str]] = field(default_factory=lambda: {"members": [], "resources": []})

    @property
    def changed_ids(self) -> list[str]:
        return [r.id for records in self.upserted.values() for r in records]

    @property
    def count(self) -> int:
        return sum(map(len, self.upserted.values())) + sum(map(len, self.deleted.values()))


@dataclass(frozen=True)
class StoredRecord:
    """A record with the time it was last written (UTC, to the second), read from its own row."""

    record: Member | Resource
    updated_at: dt.datetime


@contextmanager
def immediate_transaction(db: sqlite3.Connection, lock: threading.Lock | threading.RLock) -> Iterator[sqlite3.Connection]:
    """One write transaction on ``db`` (autocommit mode), taken at once (BEGIN IMMEDIATE) so that it
    never fails half-way on a lock; ``lock`` keeps this process's threads off the connection meanwhile."""
    with lock:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


@contextmanager
def postgres_transaction(db: sqlite3.Connection, lock: threading.Lock | threading.RLock) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE's counterpart on PostgreSQL: a transaction that first takes the one write
    lock (an advisory lock held to its end), so that writes, and the revisions and log ids they
    take, commit one after another across every replica, as they do on SQLite."""
    with lock:
        db.execute("BEGIN")
        try:
            db.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK_KEY,))
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


class Store:
    """Open (and create or migrate) the store at ``path``, or in the PostgreSQL database at
    ``database_url`` (``postgresql://...``) when one is given."""

    def __init__(self, path: Path, database_url: str | None = None) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._readers = threading.local()  # one read connection per thread, for ``reading``
        self._reader_connections: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()  # not the write lock: a reader never waits for a writer
        self._idle_readers: list[sqlite3.Connection] = []  # PostgreSQL's read connections between two reads
        self.database_url = database_url if is_postgres_url(database_url) else None
        if database_url and self.database_url is None:
            raise DamagedStoreError(f"PEERMATCH_DATABASE_URL: '{redacted(database_url)}' is not a postgresql:// URL")
        if self.database_url is not None:
            self.where = redacted(self.database_url)
            self._db = self._connect_postgres()
            with self._lock:
                migrate_postgres(self._db, self.where)  # type: ignore[arg-type]
            # A read transaction sees one state of the store throughout (PostgreSQL's default,
            # READ COMMITTED, would let a revision and the records read after it disagree).
            self._read_begin = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
            return
        self.where = str(path)
        self._read_begin = "BEGIN"
        self._generation = 0  # moves on when the file is opened again (writable again): readers reconnect
        if not on_read_only_file_system(path):
            path.parent.mkdir(parents=True, exist_ok=True)
        self._db, self.read_only = self._open()

    def _open(self) -> tuple[sqlite3.Connection, bool]:
        """The writing connection, set up and migrated; on a read-only file system, a read-only one."""
        db, read_only = connect(self.path)
        try:
            if read_only:  # nothing can be set up or migrated: check that it is a store at all
                db.execute("SELECT COUNT(*) FROM changes").fetchone()
                return db, True
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA busy_timeout = 10000")
            with self._lock:
                migrate(db, str(self.path))
        except sqlite3.DatabaseError as error:  # not a database, or damaged: say which file, not a traceback
            db.close()
            raise DamagedStoreError(f"{self.path}: not a usable SQLite store ({error}); restore it from a backup") from error
        return db, False

    def _writable(self) -> None:
        """Before a write: a store opened on a read-only file system is opened again, normally, once
        the file system is writable (recovering by itself); while it is not, the write is refused."""
        if not self.read_only:
            return
        with self._lock:
            if not self.read_only:
                return
            if on_read_only_file_system(self.path):
                raise refused(self.path)
            db, read_only = self._open()
            self._db.close()
            self._db, self.read_only = db, read_only
            self._generation += 1
            log.warning("%s: the file system is writable again; writes are accepted", self.path)

    @property
    def engine(self) -> str:
        return "postgresql" if self.database_url is not None else "sqlite"

    def _connect_postgres(self) -> sqlite3.Connection:
        """A connection to the database (the adapter that speaks as sqlite3 does: see matcher/store/postgres.py)."""
        from matcher.store.postgres import Connection

        assert self.database_url is not None  # noqa: S101 - only called with one
        try:
            return cast(sqlite3.Connection, Connection(self.database_url, identity_tables()))
        except Exception as error:  # psycopg's: cannot connect, bad credentials
            raise DamagedStoreError(f"{self.where}: cannot open the PostgreSQL store ({error})") from error

    def close(self) -> None:
        with self._lock:
            self._db.close()
        with self._readers_lock:
            for reader in self._reader_connections:
                reader.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        if self.database_url is not None:
            return postgres_transaction(self._db, self._lock)
        self._writable()
        return immediate_transaction(self._db, self._lock)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE: one writer across processes) for the modules
        that keep their own tables (``matcher.partnerships``): all of it lands, or none."""
        with self._transaction() as db:
            yield db

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """A read transaction (one consistent state of the store, as of the last commit) on this
        thread's own read-only connection: it never waits for a write in progress, so a request
        that only reads (a cached peer answer checking declined partners) is not held up by a
        bulk import."""
        if self.database_url is not None:
            with self._pooled_reader() as pooled:
                yield pooled
            return
        db: sqlite3.Connection | None = getattr(self._readers, "db", None)
        if db is not None and self._readers.generation != self._generation:
            db = None  # opened read-only and immutable, before the file system was writable again
        if db is None:
            db, _ = connect(self.path)
            db.execute("PRAGMA busy_timeout = 10000")
            db.execute("PRAGMA query_only = ON")
            self._readers.db, self._readers.generation = db, self._generation
            with self._readers_lock:
                self._reader_connections.append(db)
        db.execute(self._read_begin)
        try:
            yield db
        finally:
            db.execute("COMMIT")

    @contextmanager
    def _pooled_reader(self) -> Iterator[sqlite3.Connection]:
        """PostgreSQL: a read connection from a small pool, not one per thread. A connection costs
        the server a process, and a thread pool's threads come and go (anyio retires idle ones):
        one connection per thread would be opened again and again, and the old ones never closed."""
        with self._readers_lock:
            idle = self._idle_readers.pop() if self._idle_readers else None
        db = idle if idle is not None else self._connect_postgres()
        if idle is None:
            with self._readers_lock:
                self._reader_connections.append(db)
        db.execute(self._read_begin)
        try:
            yield db
        finally:
            db.execute("COMMIT")
            with self._readers_lock:
                kept = len(self._idle_readers) < IDLE_READERS
                if kept:
                    self._idle_readers.append(db)
                else:
                    self._reader_connections.remove(db)
            if not kept:
                db.close()

    # ---- writes ---------------------------------------------------------------------------

    def delete(self, collection: RecordType, ids: Iterable[str]) -> int:
        """Delete records and their passages; an unknown id deletes nothing and raises."""
        return len(self.write(deletes={collection: list(ids)}).deleted[collection])

    def write(
        self,
        records: Iterable[Member | Resource] = (),
        passages: Iterable[Passage] = (),
        deletes: Mapping[RecordType, Iterable[str]] | None = None,
    ) -> Written:
        """Upsert ``records`` (with their ``passages``) and delete ``deletes``, all in one
        transaction: every change lands, or (an unknown id to delete, a crash) none does."""
        by_owner: dict[str, list[Passage]] = {}
        for passage in passages:
            by_owner.setdefault(passage.owner_id, []).append(passage)
        now = _now()
        written = Written()
        with self._transaction() as db:
            written.previous = int(db.execute("SELECT COALESCE(MAX(revision), 0) FROM changes").fetchone()[0])
            for record in records:
                collection: RecordType = _collection_of(record)
                body = record.model_dump_json()
                row = db.execute(f"SELECT body FROM {collection} WHERE id = ?", (record.id,)).fetchone()
                if row is not None and row[0] == body:
                    continue
                db.execute(
                    f"INSERT INTO {collection} (id, body, updated_at) VALUES (?, ?, ?) "
                    "ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
                    (record.id, body, now),
                )
                db.execute("DELETE FROM passages WHERE collection = ? AND owner_id = ?", (collection, record.id))
                db.executemany(
                    "INSERT INTO passages (key, collection, owner_id, field, position, language, text, text_hash)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (p.key, collection, p.owner_id, p.field, p.position, p.language, p.text, p.text_hash)
                        for p in by_owner.get(record.id, [])
                    ],
                )
                db.execute(
                    "INSERT INTO changes (collection, record_id, operation, at) VALUES (?, ?, 'upsert', ?)",
                    (collection, record.id, now),
                )
                written.upserted[collection].append(record)
            deleting = {c: set(ids) for c, ids in (deletes or {}).items()}
            for record_id in sorted(deleting.get("members", ())):
                _refuse_if_referenced(db, record_id, deleting)
            for collection, ids in (deletes or {}).items():
                for record_id in dict.fromkeys(ids):
                    gone = db.execute(f"DELETE FROM {collection} WHERE id = ?", (record_id,)).rowcount
                    if not gone:
                        raise UnknownIdError(_SINGULAR[collection], record_id)
                    db.execute("DELETE FROM passages WHERE collection = ? AND owner_id = ?", (collection, record_id))
                    db.execute(
                        "INSERT INTO changes (collection, record_id, operation, at) VALUES (?, ?, 'delete', ?)",
                        (collection, record_id, now),
                    )
                    written.deleted[collection].append(record_id)
            written.revision = int(db.execute("SELECT COALESCE(MAX(revision), 0) FROM changes").fetchone()[0])
            if self.database_url is not None and written.count:
                db.execute("SELECT pg_notify(?, ?)", (CHANGES_CHANNEL, str(written.revision)))  # delivered at commit
        return written

    def add_feedback(
        self, member_id: str, item_id: str, task: str, verdict: str | None, rating: int | None, comment: str | None, key_name: str | None
    ) -> int:
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO feedback (member_id, item_id, task, verdict, rating, comment, key_name, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (member_id, item_id, task, verdict, rating, comment, key_name, _now()),
            )
        return int(cursor.lastrowid or 0)

    def save_job(self, row: dict[str, object]) -> None:
        """Insert or replace a pairing job's row (its columns: see migration 3; service/jobs.py
        gives them meaning)."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO pairing_jobs (id, status, created, finished, owner, request, result, error)"
                " VALUES (:id, :status, :created, :finished, :owner, :request, :result, :error)"
                " ON CONFLICT (id) DO UPDATE SET status = excluded.status, created = excluded.created,"
                " finished = excluded.finished, owner = excluded.owner, request = excluded.request,"
                " result = excluded.result, error = excluded.error",
                row,
            )

    def claim_job(self, row: dict[str, object]) -> bool:
        """Insert a pairing job's row unless one with its id exists: True when this call inserted
        it (and so runs the job), False when another process (a replica) already had: a job asked
        twice under one id runs once."""
        with self._transaction() as db:
            inserted = db.execute(
                "INSERT INTO pairing_jobs (id, status, created, finished, owner, request, result, error)"
                " VALUES (:id, :status, :created, :finished, :owner, :request, :result, :error)"
                " ON CONFLICT (id) DO NOTHING",
                row,
            ).rowcount
        return inserted == 1

    def forget_jobs(self, finished_before: float) -> int:
        """Delete pairing jobs that finished before this time (seconds since the epoch)."""
        with self._transaction() as db:
            return db.execute("DELETE FROM pairing_jobs WHERE finished IS NOT NULL AND finished < ?", (finished_before,)).rowcount

    # ---- reads ----------------------------------------------------------------------------

    def job(self, job_id: str) -> dict[str, object] | None:
        """A pairing job's row, or None."""
        with self._lock:
            cursor = self._db.execute("SELECT * FROM pairing_jobs WHERE id = ?", (job_id,))
            row = cursor.fetchone()
            names = [d[0] for d in cursor.description]
        return dict(zip(names, row, strict=True)) if row else None

    def page(
        self, collection: RecordType, offset: int, limit: int, after: str | None = None, updated_since: dt.datetime | None = None
    ) -> tuple[int, list[StoredRecord]]:
        """Records ordered by id, each with its time, for paginated listings: ``(how many match, the page)``. ``after``:
        only ids past it (a cursor, stable while records come and go); ``updated_since``: only
        records written at or after it (an upsert counts; a delete is in the change log)."""
        where, arguments = _record_filters(after, updated_since)
        count_where, count_arguments = _record_filters(None, updated_since)
        with self._lock:
            total = int(self._db.execute(f"SELECT COUNT(*) FROM {collection}{count_where}", count_arguments).fetchone()[0])
            sql = f"SELECT body, updated_at FROM {collection}{where} ORDER BY id LIMIT ? OFFSET ?"
            rows = self._db.execute(sql, [*arguments, limit, offset]).fetchall()
        return total, [StoredRecord(_parse(collection, body), _time(at)) for body, at in rows]

    def feedback(self, offset: int, limit: int) -> tuple[int, list[dict[str, object]]]:
        with self._lock:
            total = int(self._db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])
            cursor = self._db.execute("SELECT * FROM feedback ORDER BY id LIMIT ? OFFSET ?", (limit, offset))
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        return total, rows

    def revision(self) -> int:
        """The number of the last change; indexes built at this revision are up to date."""
        with self._lock:
            row = self._db.execute("SELECT COALESCE(MAX(revision), 0) FROM changes").fetchone()
        return int(row[0])

    def count(self, collection: RecordType) -> int:
        with self._lock:
            return int(self._db.execute(f"SELECT COUNT(*) FROM {collection}").fetchone()[0])

    def existing(self, collection: RecordType, ids: Iterable[str]) -> set[str]:
        """Those of ``ids`` that the store holds in ``collection``."""
        wanted = sorted(set(ids))
        found: set[str] = set()
        with self._lock:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                found.update(row[0] for row in self._db.execute(f"SELECT id FROM {collection} WHERE id IN ({marks})", chunk))
        return found

    @overload
    def get(self, collection: Literal["members"], record_id: str) -> Member: ...
    @overload
    def get(self, collection: Literal["resources"], record_id: str) -> Resource: ...
    def get(self, collection: RecordType, record_id: str) -> Member | Resource:
        with self._lock:
            row = self._db.execute(f"SELECT body FROM {collection} WHERE id = ?", (record_id,)).fetchone()
        if row is None:
            raise UnknownIdError(_SINGULAR[collection], record_id)
        return _parse(collection, row[0])

    def get_stored(self, collection: RecordType, record_id: str) -> StoredRecord:
        """A record with the time it was last written; raises UnknownIdError for an unknown id."""
        with self._lock:
            row = self._db.execute(f"SELECT body, updated_at FROM {collection} WHERE id = ?", (record_id,)).fetchone()
        if row is None:
            raise UnknownIdError(_SINGULAR[collection], record_id)
        return StoredRecord(_parse(collection, row[0]), _time(row[1]))

    def read_all(self) -> tuple[int, list[Member], list[Resource]]:
        """Revision, members and resources read in one transaction: a consistent snapshot."""
        with self._lock:
            self._db.execute(self._read_begin)
            try:
                revision = int(self._db.execute("SELECT COALESCE(MAX(revision), 0) FROM changes").fetchone()[0])
                members = [Member.model_validate_json(r[0]) for r in self._db.execute("SELECT body FROM members ORDER BY id")]
                resources = [Resource.model_validate_json(r[0]) for r in self._db.execute("SELECT body FROM resources ORDER BY id")]
            finally:
                self._db.execute("COMMIT")
        return revision, members, resources

    def members(self) -> list[Member]:
        with self._lock:
            rows = self._db.execute("SELECT body FROM members ORDER BY id").fetchall()
        return [Member.model_validate_json(row[0]) for row in rows]

    def resources(self) -> list[Resource]:
        with self._lock:
            rows = self._db.execute("SELECT body FROM resources ORDER BY id").fetchall()
        return [Resource.model_validate_json(row[0]) for row in rows]

    def changed_since(self, revision: int, *, begin: bool = True) -> tuple[int, dict[RecordType, set[str]]]:
        """The store's revision and, by collection, the ids of records written or deleted after
        ``revision`` (from the change log), read in one transaction (``begin=False``: in the
        caller's)."""
        changed: dict[RecordType, set[str]] = {"members": set(), "resources": set()}
        with self._lock:
            if begin:
                self._db.execute(self._read_begin)
            try:
                last = int(self._db.execute("SELECT COALESCE(MAX(revision), 0) FROM changes").fetchone()[0])
                for collection, record_id in self._db.execute("SELECT collection, record_id FROM changes WHERE revision > ?", (revision,)):
                    changed[collection].add(record_id)
            finally:
                if begin:
                    self._db.execute("COMMIT")
        return last, changed

    def written_since(self, revision: int) -> Written:
        """Everything written after ``revision`` as one Written (records as stored now, ids
        deleted), with the store's revision, read in one transaction: a process whose snapshot
        is at ``revision`` advances it by these few records instead of reading every record."""
        with self._lock:
            self._db.execute(self._read_begin)
            try:
                last, changed = self.changed_since(revision, begin=False)
                written = Written(revision=last, previous=revision)
                for collection, ids in changed.items():
                    wanted = sorted(ids)
                    for start in range(0, len(wanted), 500):
                        chunk = wanted[start : start + 500]
                        marks = ",".join("?" * len(chunk))
                        rows = self._db.execute(f"SELECT body FROM {collection} WHERE id IN ({marks}) ORDER BY id", chunk)
                        written.upserted[collection] += [_parse(collection, row[0]) for row in rows]
                    stored = {record.id for record in written.upserted[collection]}
                    written.deleted[collection] = [record_id for record_id in wanted if record_id not in stored]
            finally:
                self._db.execute("COMMIT")
        return written

    def catch_up(
        self, revision: int
    ) -> tuple[int, dict[RecordType, set[str]], dict[RecordType, list[Passage]], list[Member], list[Resource]]:
        """What an index at ``revision`` lacks, and the records to serve with it, read in one
        transaction (one state of the store, whatever other replicas write meanwhile): the store's
        revision, the ids changed since ``revision`` by collection, the passages of those still
        stored, and every member and resource."""
        with self._lock:
            self._db.execute(self._read_begin)
            try:
                last, changed = self.changed_since(revision, begin=False)
                added = {c: self.passages_of_owners(c, self.existing(c, ids)) for c, ids in changed.items()}
                members = [Member.model_validate_json(r[0]) for r in self._db.execute("SELECT body FROM members ORDER BY id")]
                resources = [Resource.model_validate_json(r[0]) for r in self._db.execute("SELECT body FROM resources ORDER BY id")]
            finally:
                self._db.execute("COMMIT")
        return last, changed, added, members, resources

    def passages_of_owners(self, collection: RecordType, owners: Iterable[str]) -> list[Passage]:
        """The stored passages of these records, ordered by key."""
        wanted = sorted(set(owners))
        rows: list[tuple[str, str, str, str, int, str | None, str]] = []
        with self._lock:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows += self._db.execute(
                    "SELECT key, collection, owner_id, field, position, language, text FROM passages"
                    f" WHERE collection = ? AND owner_id IN ({marks})",
                    (collection, *chunk),
                ).fetchall()
        return [Passage(*row) for row in sorted(rows)]

    def read_passages(self) -> tuple[int, dict[RecordType, list[Passage]]]:
        """Revision and every passage of both collections, read in one transaction."""
        with self._lock:
            self._db.execute(self._read_begin)
            try:
                revision = int(self._db.execute("SELECT COALESCE(MAX(revision), 0) FROM changes").fetchone()[0])
                passages = {collection: self.passages(collection) for collection in ("members", "resources")}
            finally:
                self._db.execute("COMMIT")
        return revision, passages  # type: ignore[return-value]

    def passages(self, collection: RecordType) -> list[Passage]:
        """Every passage of a collection, ordered by key so that builds are deterministic."""
        with self._lock:
            rows = self._db.execute(
                "SELECT key, collection, owner_id, field, position, language, text FROM passages WHERE collection = ? ORDER BY key",
                (collection,),
            ).fetchall()
        return [Passage(*row) for row in rows]


# Proposal statuses that still involve both sides (matcher.partnerships.lifecycle.OPEN; the store
# sits below the partnerships module, so the names are repeated here, and a test checks they agree).
OPEN_PROPOSALS = ("proposed", "approved", "active")


def _refuse_if_referenced(db: sqlite3.Connection, member_id: str, deleting: Mapping[RecordType, set[str]]) -> None:
    """Raise ReferencedRecordError when deleting member ``member_id`` would leave a reference to
    nothing: a member (not deleted with it) listing it as a partner, a resource listing it as an
    author, an open proposal with it on one side. A dangling partner would make that member
    unsavable (its partners must name members), an open proposal would accept answers for no one."""
    references = [
        f"member '{row[0]}' lists it in 'partners'"
        for row in db.execute(
            "SELECT id FROM members WHERE id != ? AND EXISTS (SELECT 1 FROM json_each(body, '$.partners') WHERE value = ?) ORDER BY id",
            (member_id, member_id),
        )
        if row[0] not in deleting.get("members", set())
    ]
    references += [
        f"resource '{row[0]}' lists it in 'authors'"
        for row in db.execute(
            "SELECT id FROM resources WHERE EXISTS (SELECT 1 FROM json_each(body, '$.authors') WHERE value = ?) ORDER BY id", (member_id,)
        )
        if row[0] not in deleting.get("resources", set())
    ]
    marks = ",".join("?" * len(OPEN_PROPOSALS))
    references += [
        f"proposal {row[0]} is '{row[1]}'"
        for row in db.execute(
            f"SELECT id, status FROM proposals WHERE status IN ({marks}) AND (member_id = ? OR (partner_id = ? AND kind != 'expert_group'))"
            " ORDER BY id",
            (*OPEN_PROPOSALS, member_id, member_id),
        )
    ]
    if references:
        raise ReferencedRecordError("member", member_id, references)


def _collection_of(record: object) -> RecordType:
    """Where a record is stored. Only the stored models are: a client's ``MemberWrite`` (or an
    unsaved profile) would be written with its read-only fields, so it is refused, not guessed."""
    if type(record) is Member:
        return "members"
    if type(record) is Resource:
        return "resources"
    raise TypeError(f"the store holds Member and Resource records, not {type(record).__name__} (convert it with .record())")


def _time(text: str) -> dt.datetime:
    """An ``updated_at`` column (ISO 8601 in UTC, written by ``_now``) as an aware datetime."""
    at = dt.datetime.fromisoformat(text)
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def _parse(collection: RecordType, body: str) -> Member | Resource:
    if collection == "members":
        return Member.model_validate_json(body)
    return Resource.model_validate_json(body)


def _record_filters(after: str | None, updated_since: dt.datetime | None) -> tuple[str, list[object]]:
    clauses: list[str] = []
    arguments: list[object] = []
    if after is not None:
        clauses.append("id > ?")
        arguments.append(after)
    if updated_since is not None:
        # updated_at is ISO 8601 in UTC to the second (_now), so text order is time order.
        since = updated_since if updated_since.tzinfo else updated_since.replace(tzinfo=dt.UTC)
        clauses.append("updated_at >= ?")
        arguments.append(since.astimezone(dt.UTC).replace(microsecond=0).isoformat(timespec="seconds"))
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), arguments


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
