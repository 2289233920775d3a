"""SQLite files on a file system mounted read-only (a remounted or full disk, a read-only volume).

A WAL database needs its ``-shm`` side file: where that cannot be made, ``sqlite3.connect``
fails with "unable to open database file", although every byte can still be read. Opened
``immutable`` (SQLite takes no locks and makes no side file), the file is read as it is; writes
get "attempt to write a readonly database", which the service answers with a 503 naming the
cause. The caller opens the file normally again once the file system is writable.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

log = logging.getLogger("peermatch.store")

READ_ONLY_MESSAGE = "the file system is read-only"
_said: set[Path] = set()  # files already said to be read-only in this process: once, not per connection


def on_read_only_file_system(path: Path) -> bool:
    """Whether the file system holding ``path`` (or its nearest existing folder) is mounted read-only."""
    target = path
    while not target.exists() and target != target.parent:
        target = target.parent
    try:
        return bool(os.statvfs(target).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def connect(path: Path) -> tuple[sqlite3.Connection, bool]:
    """``sqlite3.connect(path)`` for any thread, in autocommit mode, or on a read-only file system the
    file opened read-only and immutable (said in one line); the connection and whether it is the latter."""
    if not on_read_only_file_system(path):
        return sqlite3.connect(path, check_same_thread=False, isolation_level=None), False
    if not path.exists():  # cannot be made there: an empty one in memory, gone at the next start
        log.warning("%s: %s; it cannot be created, and what it would keep is kept in memory until a restart", path, READ_ONLY_MESSAGE)
        return sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None), False
    if path not in _said:
        _said.add(path)
        log.warning("%s: %s; its data is read as it is, and writes are refused until it is writable again", path, READ_ONLY_MESSAGE)
    immutable = f"file:{quote(str(path))}?mode=ro&immutable=1"
    return sqlite3.connect(immutable, uri=True, check_same_thread=False, isolation_level=None), True


def refused(path: Path) -> sqlite3.OperationalError:
    """The error a write gets while ``path`` is on a read-only file system (the service's 503 names it)."""
    return sqlite3.OperationalError(f"attempt to write a readonly database: {path}: {READ_ONLY_MESSAGE}")
