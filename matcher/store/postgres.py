"""PostgreSQL behind the same small connection API the store's modules already use (psycopg 3).

Why an adapter and not a rewrite: about 170 statements in 17 modules are written against
``sqlite3.Connection.execute(sql, params)`` with ``?`` (and a few ``:name``) placeholders, tuple rows,
``rowcount`` and ``lastrowid``. Rewriting them per engine would fork every module; instead this
adapter translates each statement's placeholders once (cached), keeps tuple rows, and gives
``lastrowid`` through ``RETURNING id`` on the tables whose ``id`` is generated. The SQL itself is
written so that both engines run it (``INSERT ... ON CONFLICT``, no ``INSERT OR REPLACE``, no
``rowid``); the few SQLite functions the statements use (``json_each``, ``json_extract``) exist on
PostgreSQL as SQL functions that migrations create (``migrations.POSTGRES_PRELUDE``).
"""

from __future__ import annotations

import functools
import logging
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

# One key for every write transaction: PostgreSQL runs transactions side by side, SQLite one writer
# at a time (BEGIN IMMEDIATE). The store's revisions and the modules' logs are read as "everything
# after id N", which is only sound when ids commit in the order they are given: so a write
# transaction takes this advisory lock first, as SQLite's writer takes its lock.
WRITE_LOCK_KEY = 7_341_026_001
MIGRATION_LOCK_KEY = 7_341_026_002
# Each write of records notifies this channel when it commits: replicas listening wake up at once
# instead of at their next poll. Only a wake-up call: what changed is read from the change log.
CHANGES_CHANNEL = "peermatch_changes"


def is_postgres_url(url: str | None) -> bool:
    return bool(url) and urlsplit(url or "").scheme in {"postgresql", "postgres"}


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


@functools.lru_cache(maxsize=4096)
def translate(sql: str) -> str:
    """A statement with SQLite placeholders (``?``, ``:name``) in psycopg's style (``%s``,
    ``%(name)s``), and every literal ``%`` doubled; text inside quotes is left as it is
    (but for the ``%``), and so is a ``::type`` cast."""
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c in "'\"":
            end = i + 1
            while end < n:
                if sql[end] == c:
                    if end + 1 < n and sql[end + 1] == c:  # a doubled quote inside the literal
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i : end + 1].replace("%", "%%"))
            i = end + 1
        elif c == "%":
            out.append("%%")
            i += 1
        elif c == "?":
            out.append("%s")
            i += 1
        elif c == ":" and i + 1 < n and sql[i + 1] == ":":
            out.append("::")
            i += 2
        elif c == ":" and i + 1 < n and (sql[i + 1].isalpha() or sql[i + 1] == "_") and (i == 0 or sql[i - 1] != ":"):
            match = re.match(r"[A-Za-z_][A-Za-z0-9_]*", sql[i + 1 :])
            assert match is not None  # noqa: S101 - guarded by the isalpha test above
            out.append(f"%({match.group(0)})s")
            i += 1 + len(match.group(0))
        else:
            out.append(c)
            i += 1
    return "".join(out)


_INSERT_INTO = re.compile(r"^\s*INSERT\s+INTO\s+([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)


class Cursor:
    """What ``execute`` returns: psycopg's cursor with ``lastrowid`` as sqlite3 has it."""

    def __init__(self, cursor: psycopg.Cursor[Any], lastrowid: int | None) -> None:
        self._cursor = cursor
        self.lastrowid = lastrowid

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def description(self) -> Any:
        return self._cursor.description

    def fetchone(self) -> Any:
        return self._cursor.fetchone() if self._cursor.description is not None else None

    def fetchall(self) -> list[Any]:
        return self._cursor.fetchall() if self._cursor.description is not None else []

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())


class Connection:
    """One psycopg connection in autocommit mode, driven like ``sqlite3.connect(..., isolation_level=None)``:
    the caller says BEGIN and COMMIT. ``identity_tables``: the tables whose ``id`` the database
    generates, for ``lastrowid``."""

    def __init__(self, url: str, identity_tables: frozenset[str] = frozenset(), *, named_rows: bool = False) -> None:
        self._url = url
        self._named_rows = named_rows
        self._pg = self._connect()
        self._identity_tables = identity_tables
        self._in_transaction = False

    def _connect(self) -> psycopg.Connection[Any]:
        connection = psycopg.connect(self._url, autocommit=True)
        if self._named_rows:
            connection.row_factory = _named_row  # type: ignore[assignment]
        return connection

    def _usable(self, sql: str) -> None:
        """Reconnect after the server went away (a restart, a failover) between two transactions;
        inside one, fail it: what it wrote is gone with the connection."""
        word = sql.lstrip()[:8].upper()
        if self._pg.closed or self._pg.broken:
            if self._in_transaction and not word.startswith("ROLLBACK"):
                raise sqlite3.OperationalError("the connection to PostgreSQL was lost during a transaction; retry it")
            with _errors():
                self._pg = self._connect()
        if word.startswith("BEGIN"):
            self._in_transaction = True
        elif word.startswith(("COMMIT", "ROLLBACK")):
            self._in_transaction = False

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Cursor:
        self._usable(sql)
        query = translate(sql)
        table = _INSERT_INTO.match(sql)
        returning = table is not None and table.group(1) in self._identity_tables and "RETURNING" not in sql.upper()
        if returning:
            query += " RETURNING id"
        with _errors():
            cursor = self._pg.cursor()
            try:
                cursor.execute(query, params)  # type: ignore[arg-type]  # a translated str, not a literal
            except psycopg.OperationalError:
                # The server dropped the connection since the last statement (psycopg learns it
                # only now): outside a transaction nothing is lost, so reconnect and run it again.
                if not self._pg.broken or (self._in_transaction and not sql.lstrip().upper().startswith("BEGIN")):
                    raise
                self._pg = self._connect()
                cursor = self._pg.cursor()
                cursor.execute(query, params)  # type: ignore[arg-type]
            lastrowid = None
            if returning:
                row = cursor.fetchone()
                lastrowid = int(row[0]) if row else None
        return Cursor(cursor, lastrowid)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any] | Mapping[str, Any]]) -> Cursor:
        batch = list(rows)
        self._usable(sql)
        with _errors():
            cursor = self._pg.cursor()
            if batch:
                cursor.executemany(translate(sql), batch)  # type: ignore[arg-type]
        return Cursor(cursor, None)

    def executescript(self, script: str) -> None:
        """Several statements at once (no parameters: PostgreSQL's simple query protocol)."""
        self._usable("")
        with _errors():
            self._pg.execute(script)  # type: ignore[call-overload]

    def close(self) -> None:
        self._pg.close()


class Row(tuple[Any, ...]):
    """A row read by position or by column name, as ``sqlite3.Row`` is (the console's accounts read by name)."""

    names: dict[str, int]

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        return super().__getitem__(self.names[key] if isinstance(key, str) else key)

    def keys(self) -> list[str]:
        return list(self.names)


def _named_row(cursor: Any) -> Any:
    names = {column.name: i for i, column in enumerate(cursor.description or ())}

    def make(values: Sequence[Any]) -> Row:
        row = Row(values)
        row.names = names
        return row

    return make


@contextmanager
def _errors() -> Iterator[None]:
    """psycopg's errors as the sqlite3 ones the modules already catch (a duplicate name is an
    IntegrityError on both engines; a lost connection an OperationalError, answered 503)."""
    try:
        yield
    except psycopg.IntegrityError as error:
        raise sqlite3.IntegrityError(str(error)) from error
    except psycopg.OperationalError as error:
        raise sqlite3.OperationalError(str(error)) from error


def listen(url: str, woken: threading.Event, stop: threading.Event, channel: str = CHANGES_CHANNEL) -> None:
    """Set ``woken`` on every notification of ``channel`` until ``stop`` is set (a thread's body).
    A lost connection is opened again a second later; meanwhile the poll still finds every change."""
    failing = False
    while not stop.is_set():
        try:
            with psycopg.connect(url, autocommit=True) as connection:
                connection.execute(f"LISTEN {channel}")  # type: ignore[arg-type]  # a constant name
                failing = False
                while not stop.is_set():
                    for _ in connection.notifies(timeout=1.0):
                        woken.set()
        except psycopg.Error as error:
            if not failing:  # said once, not every second while the database is away
                logging.getLogger("peermatch.store").warning("listening for other replicas' writes: %s; trying again every second", error)
            failing = True
            time.sleep(1.0)
