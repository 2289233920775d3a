"""Embeddings cached by (model id, passage hash) in SQLite, so unchanged text is never embedded twice.

The cache only saves time: a file that cannot be opened or written (a read-only or full disk) is
skipped, said once, and opened again at a later use once it can be, so that it never stops a
worker from starting nor a write from being embedded.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
import time
from pathlib import Path

import numpy as np

log = logging.getLogger("peermatch.embeddings")
RETRY_SECONDS = 60.0  # a cache that could not be opened is tried again this long after


class EmbeddingCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._next_try = 0.0
        self._opened()

    def _opened(self) -> sqlite3.Connection | None:
        """The connection, opened now if it is not and the last failed try is old enough; None while it cannot be."""
        if self._db is not None or time.monotonic() < self._next_try:
            return self._db
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, check_same_thread=False)
            db.execute("PRAGMA journal_mode = WAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS embeddings ("
                " model_id TEXT NOT NULL, text_hash TEXT NOT NULL, vector BLOB NOT NULL,"
                " PRIMARY KEY (model_id, text_hash))"
            )
            db.commit()
        except (sqlite3.OperationalError, OSError) as error:
            self._failed(error)
            return None
        if self._next_try:
            log.warning("%s: the embedding cache can be used again", self.path)
        self._db, self._next_try = db, 0.0
        return db

    def _failed(self, error: Exception) -> None:
        if not self._next_try:  # said once, not at every write
            log.warning("%s: embedding cache not used (%s); texts are embedded without it until it can be", self.path, error)
        self._next_try = time.monotonic() + RETRY_SECONDS
        if self._db is not None:
            self._db.close()
            self._db = None

    def get_many(self, model_id: str, hashes: list[str], dimension: int) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._lock:
            db = self._opened()
            if db is None:
                return found
            for start in range(0, len(hashes), 500):
                chunk = hashes[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(
                    f"SELECT text_hash, vector FROM embeddings WHERE model_id = ? AND text_hash IN ({marks})",
                    [model_id, *chunk],
                ).fetchall()
                for text_hash, blob in rows:
                    vector = np.frombuffer(blob, dtype=np.float32)
                    if vector.shape[0] == dimension:
                        found[text_hash] = vector
        return found

    def put_many(self, model_id: str, items: dict[str, np.ndarray]) -> None:
        with self._lock:
            db = self._opened()
            if db is None:
                return
            try:
                db.executemany(
                    "INSERT OR REPLACE INTO embeddings (model_id, text_hash, vector) VALUES (?, ?, ?)",
                    [(model_id, h, np.ascontiguousarray(v, dtype=np.float32).tobytes()) for h, v in items.items()],
                )
                db.commit()
            except sqlite3.OperationalError as error:  # a read-only or full disk: the vectors are still returned
                db.rollback()
                self._failed(error)

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()


def text_hash(text: str) -> str:
    """The key of a text in the cache (and of a passage's text in the store)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
