"""``Idempotency-Key`` on /v1 POSTs: a retried request (same key, same API key, same method, path
and body) gets the first answer again, with ``Idempotent-Replayed: true``, and does nothing twice.

A hub whose connection dropped after posting feedback or a proposal step cannot know whether it
landed; with a key it simply retries. The same key with a different request is refused (422,
``idempotency_key_reused``), since answering it with another request's result would be wrong.
Answers are kept ``KEEP_SECONDS`` in the service's own SQLite file (every worker sees them), or in
the PostgreSQL store's database (PEERMATCH_DATABASE_URL: a retry that lands on another replica);
server errors (5xx) and refusals of the key (401, 403) are not kept, so a retry runs again. Two
identical requests that arrive at the same instant may both run: the key guards retries, not races.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from anyio import to_thread
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from matcher.store.read_only import connect
from service.errors import error_response

KEEP_SECONDS = 24 * 3600  # a day: longer than any client's retry schedule
MAX_KEY_LENGTH = 200
NOT_KEPT = {401, 403}


@dataclass(frozen=True)
class Kept:
    fingerprint: str
    status: int
    content_type: str
    body: bytes


TABLE = (
    "CREATE TABLE IF NOT EXISTS answers (who TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,"
    " status INTEGER NOT NULL, content_type TEXT NOT NULL, body {blob} NOT NULL, at {real} NOT NULL, PRIMARY KEY (who, key))"
)


class IdempotencyStore:
    """First answers by (API key digest, Idempotency-Key), in ``path`` (SQLite), or in the
    PostgreSQL database at ``database_url`` (shared by the replicas)."""

    def __init__(self, path: Path, database_url: str | None = None) -> None:
        self._lock = threading.Lock()
        if database_url is not None:
            from matcher.store.postgres import MIGRATION_LOCK_KEY, Connection

            self._db = cast(sqlite3.Connection, Connection(database_url))  # the store's adapter: the same statements
            table = TABLE.format(blob="BYTEA", real="DOUBLE PRECISION")
            self._db.executescript(f"BEGIN; SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY}); {table}; COMMIT;")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db, read_only = connect(path)
        if read_only:  # replays are read; a new answer cannot be kept (until a restart once writable)
            return
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA busy_timeout = 10000")
        self._db.execute(TABLE.format(blob="BLOB", real="REAL"))

    def get(self, who: str, key: str) -> Kept | None:
        with self._lock:
            row = self._db.execute(
                "SELECT fingerprint, status, content_type, body FROM answers WHERE who = ? AND key = ? AND at > ?",
                (who, key, time.time() - KEEP_SECONDS),
            ).fetchone()
        return Kept(row[0], int(row[1]), row[2], bytes(row[3])) if row else None

    def put(self, who: str, key: str, kept: Kept) -> None:
        with self._lock:
            self._db.execute("DELETE FROM answers WHERE at <= ?", (time.time() - KEEP_SECONDS,))
            self._db.execute(
                "INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (who, key) DO UPDATE SET fingerprint = excluded.fingerprint,"
                " status = excluded.status, content_type = excluded.content_type, body = excluded.body, at = excluded.at",
                (who, key, kept.fingerprint, kept.status, kept.content_type, kept.body, time.time()),
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()


class Idempotency:
    def __init__(self, app: ASGIApp, store: IdempotencyStore) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # A lifespan message has no headers: reading them first made the app's lifespan fail, so its
        # shutdown (the key uses written, the store closed) never ran under uvicorn.
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get("idempotency-key")
        if scope["method"] != "POST" or not scope["path"].startswith("/v1/") or key is None:
            await self.app(scope, receive, send)
            return
        if not 1 <= len(key) <= MAX_KEY_LENGTH:
            message = f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters (got {len(key)})"
            await error_response(422, "invalid", message, field="Idempotency-Key")(scope, receive, send)
            return
        credentials = headers.get("authorization") or headers.get("x-api-key") or ""
        who = hashlib.sha256(credentials.encode()).hexdigest()  # keys of one API key only; never stored in clear
        body = await _read_body(receive)
        request = b"\0".join([scope["method"].encode(), scope["path"].encode(), scope.get("query_string", b""), body])
        fingerprint = hashlib.sha256(request).hexdigest()
        kept = await to_thread.run_sync(self.store.get, who, key)
        if kept is not None:
            if kept.fingerprint != fingerprint:
                message = f"Idempotency-Key '{key[:40]}' was used for a different request; use a new key for a new request"
                await error_response(422, "idempotency_key_reused", message, field="Idempotency-Key")(scope, receive, send)
                return
            replay = [(b"content-type", kept.content_type.encode()), (b"idempotent-replayed", b"true")]
            await send({"type": "http.response.start", "status": kept.status, "headers": replay})
            await send({"type": "http.response.body", "body": kept.body})
            return
        await self._run_and_keep(scope, body, send, who, key, fingerprint)

    async def _run_and_keep(self, scope: Scope, body: bytes, send: Send, who: str, key: str, fingerprint: str) -> None:
        sent = False

        async def replayed() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        start: Message = {}
        chunks: list[bytes] = []

        async def keeping(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False) and start["status"] < 500 and start["status"] not in NOT_KEPT:
                    content_type = Headers(raw=start.get("headers", [])).get("content-type", "application/json")
                    kept = Kept(fingerprint, start["status"], content_type, b"".join(chunks))
                    await to_thread.run_sync(self.store.put, who, key, kept)
            await send(message)

        await self.app(scope, replayed, keeping)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)
