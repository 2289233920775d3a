"""When each API key was last used, kept beside the key file (``api-keys-usage.json``).

Requests update a time in memory; the file is written when a key's time there is older than
``PRECISION_SECONDS`` (so at most about once a minute per key, not once per request), and at
shutdown. Several worker processes share the file: each merges under a lock, keeping the latest time.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from service.auth import ApiKey, KeyRing

log = logging.getLogger("peermatch.keys")

# Last use is shown to the minute: finer would mean a file write per request.
PRECISION_SECONDS = 60.0


def usage_path(keys_path: Path) -> Path:
    return keys_path.with_name(keys_path.stem + "-usage.json")


class KeyUsage:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._latest: dict[str, float] = {}
        self._written: dict[str, float] = {}
        self._lock = threading.Lock()
        self._failing = False  # the file could not be written: said once, tried again a minute later

    def touch(self, name: str, now: float | None = None) -> None:
        """Note that key ``name`` was used now; write the file if this key's written time is stale."""
        moment = time.time() if now is None else now
        with self._lock:
            self._latest[name] = moment
            stale = moment - self._written.get(name, 0.0) >= PRECISION_SECONDS
        if stale:
            self.flush()

    def flush(self) -> None:
        """Merge this process's times into the file (the latest of each wins). A file that cannot
        be written (a read-only or full disk) never fails a request: the times stay in memory, the
        failure is said once, and the write is tried again a minute later, until it works."""
        try:
            self._flush()
        except OSError as error:
            with self._lock:
                self._written.update(self._latest)  # the next try in PRECISION_SECONDS, not at every request
                if not self._failing:
                    log.warning("%s: key last-use times not written (%s); kept in memory, retried every minute", self.path, error)
                self._failing = True
            return
        if self._failing:
            log.warning("%s: key last-use times written again", self.path)
            self._failing = False

    def _flush(self) -> None:
        with self._lock:
            latest = dict(self._latest)
            if not latest:
                return
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with open(self.path.with_suffix(".lock"), "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                merged = read_usage(self.path)
                for name, moment in latest.items():
                    merged[name] = max(moment, merged.get(name, 0.0))
                temporary = self.path.with_suffix(".tmp")
                descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                    json.dump({name: _iso(moment) for name, moment in sorted(merged.items())}, handle, indent=2)
                temporary.replace(self.path)
            self._written.update(latest)


def read_usage(path: Path) -> dict[str, float]:
    """Key name -> last use (epoch seconds) from the usage file; empty when there is none."""
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return {}  # a file cut short by a crash: the next flush writes it whole again
    return {str(name): dt.datetime.fromisoformat(str(value)).timestamp() for name, value in data.items()}


@dataclass(frozen=True)
class KeyInfo:
    """What may be shown about a key: never its hash."""

    name: str
    scopes: list[str]
    expires: str | None
    expired: bool
    last_used: str | None
    source: str  # "file" or "environment"


def list_keys(keys_path: Path, inline: str = "", pending: KeyUsage | None = None) -> list[KeyInfo]:
    """Every key of ``keys_path`` (and of PEERMATCH_API_KEYS ``inline``) with its last use, for
    ``peermatch keys list`` and ``GET /v1/keys``; ``pending``: a running service's unwritten times."""
    ring = KeyRing.load(keys_path, inline)
    used = read_usage(usage_path(keys_path))
    if pending is not None:
        with pending._lock:
            for name, moment in pending._latest.items():
                used[name] = max(moment, used.get(name, 0.0))
    from_file = {key.digest for key in ring._file_keys}
    return [
        KeyInfo(
            name=key.name,
            scopes=sorted(key.scopes),
            expires=key.expires.isoformat() if key.expires else None,
            expired=key.expired(),
            last_used=_iso(used[key.name]) if key.name in used else None,
            source="file" if key.digest in from_file else "environment",
        )
        for key in _unique(ring.keys)
    ]


def _unique(keys: list[ApiKey]) -> list[ApiKey]:
    return list({key.name: key for key in keys}.values())


def _iso(moment: float) -> str:
    return dt.datetime.fromtimestamp(moment, dt.UTC).isoformat(timespec="seconds")
