"""The data directory is private: the folder 700, the store, caches and key files 600.

The store holds every member's profile and the key file the hashes of the API keys: nobody but
the service's own user has any business reading them. Files made later inside the folder (index
generations) are out of others' reach through the folder's mode.
"""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Iterable
from pathlib import Path

from matcher.settings import Settings

log = logging.getLogger("peermatch.store")

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def secure_data_dir(settings: Settings, extra: Iterable[Path] = ()) -> None:
    """Make ``settings.data_dir`` (created if missing) and its sensitive files private; the store
    file is created empty (SQLite takes an empty file for a new database) so that it is born 600.
    For the service at start and for every command that creates the data directory."""
    settings.data_dir.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    make_private(settings.data_dir, PRIVATE_DIR)
    if not settings.store_path.exists() and settings.database_url is None:
        os.close(os.open(settings.store_path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE))
    for path in (settings.store_path, settings.embedding_cache_path, *extra):
        for candidate in (path, *(path.with_name(path.name + suffix) for suffix in SQLITE_SIDE_FILES)):
            if candidate.exists():
                make_private(candidate, PRIVATE_FILE)


def make_private(path: Path, mode: int) -> None:
    """chmod ``path``; on a read-only file system (a full or remounted disk) say so in one line and
    go on: the service still answers reads, and writes get a 503 naming the cause."""
    if path.stat().st_mode & 0o777 == mode:
        return
    try:
        os.chmod(path, mode)
    except OSError as error:
        if error.errno not in (errno.EROFS, errno.EPERM, errno.EACCES):
            raise
        log.warning("%s: cannot make it private (%s); going on without", path, error.strerror)
