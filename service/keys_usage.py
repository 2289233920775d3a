"""When each API key was last used, kept in the store's ``api_key_uses`` table (every replica's).

Requests update a time in memory; the table is written when a key's written time is older than
``PRECISION_SECONDS`` (so at most about once a minute per key, not once per request), in a thread
of its own (a write may wait behind another writer's transaction: a request never does), and at
shutdown. Replicas and worker processes each write their own times: the latest one wins.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import threading
import time
from dataclasses import dataclass

from matcher.errors import PeermatchError
from matcher.store import Store
from service.auth import ApiKey, KeyRing
from service.key_store import last_uses, record_uses

log = logging.getLogger("peermatch.keys")

# Last use is shown to the minute: finer would mean a store write per request.
PRECISION_SECONDS = 60.0


class KeyUsage:
    def __init__(self, store: Store, background: bool = True) -> None:
        self.store = store
        self.background = background  # write in a thread of its own (the service); off: in the caller's
        self._latest: dict[str, float] = {}
        self._written: dict[str, float] = {}
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._failing = False  # the store could not be written: said once, tried again a minute later

    def touch(self, name: str, now: float | None = None) -> None:
        """Note that key ``name`` was used now; write the times if this key's written time is stale."""
        moment = time.time() if now is None else now
        with self._lock:
            self._latest[name] = moment
            stale = moment - self._written.get(name, 0.0) >= PRECISION_SECONDS
            if stale:
                self._written[name] = moment  # the next try in PRECISION_SECONDS, whatever this one does
        if stale:
            if self.background:
                threading.Thread(target=self.flush, name="peermatch-key-usage", daemon=True).start()
            else:
                self.flush()

    def pending(self) -> dict[str, float]:
        with self._lock:
            return dict(self._latest)

    def flush(self) -> None:
        """Write this process's times into the store (the latest of each wins). A store that cannot
        be written (read-only or full, the database away) never fails a request: the times stay in
        memory, the failure is said once, and the write is tried again a minute later, until it works."""
        with self._flushing:  # one write at a time: a second would only write the same times
            latest = self.pending()
            if not latest:
                return
            try:
                record_uses(self.store, latest)
            except (sqlite3.Error, PeermatchError) as error:
                with self._lock:
                    if not self._failing:
                        where = self.store.where
                        log.warning("%s: key last-use times not written (%s); kept in memory, retried every minute", where, error)
                    self._failing = True
                return
            with self._lock:
                self._written.update(latest)
                if self._failing:
                    log.warning("%s: key last-use times written again", self.store.where)
                self._failing = False


@dataclass(frozen=True)
class KeyInfo:
    """What may be shown about a key: never its hash."""

    name: str
    scopes: list[str]
    expires: str | None
    expired: bool
    last_used: str | None
    source: str  # "store" or "environment"


def list_keys(store: Store, inline: list[ApiKey], pending: KeyUsage | None = None, ring: KeyRing | None = None) -> list[KeyInfo]:
    """Every key of the store's table (and of PEERMATCH_API_KEYS ``inline``) with its last use, for
    ``peermatch keys list`` and ``GET /v1/keys``; ``pending``: a running service's unwritten times;
    ``ring``: its view of the table (else the table is read now)."""
    from service.key_store import stored_keys

    stored = ring.stored if ring is not None else stored_keys(store)
    try:
        used = last_uses(store)
    except sqlite3.Error as error:  # the listing still says which keys exist
        log.warning("%s: key last-use times not read (%s)", store.where, error)
        used = {}
    if pending is not None:
        for name, moment in pending.pending().items():
            used[name] = max(moment, used.get(name, 0.0))
    # A name in both: the environment's key is the one that counts (it is found last by the gate too).
    keys = {key.name: (key, "store") for key in stored} | {key.name: (key, "environment") for key in inline}
    return [
        KeyInfo(
            name=key.name,
            scopes=sorted(key.scopes),
            expires=key.expires.isoformat() if key.expires else None,
            expired=key.expired(),
            last_used=_iso(used[key.name]) if key.name in used else None,
            source=source,
        )
        for key, source in keys.values()
    ]


def _iso(moment: float) -> str:
    return dt.datetime.fromtimestamp(moment, dt.UTC).isoformat(timespec="seconds")
