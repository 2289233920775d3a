"""API keys with scopes, stored as SHA-256 hashes: read, answer (the hub: reads, and its members'
answers to proposals), write (imports, the secretariat's steps), admin.

Keys are random 32-byte tokens, so a plain SHA-256 is enough to store them (no dictionary to
guess from); comparison is constant-time. A request sends ``Authorization: Bearer KEY`` or
``X-API-Key: KEY``.

The keys live in the store's ``api_keys`` table (service/key_store.py), so that every replica on a
shared PostgreSQL database accepts the same keys. Each process reads the table again at most every
``RECHECK_SECONDS``: a key created, revoked or given an ``expires`` time, through any replica or
``peermatch keys``, takes effect on every replica within that time (plus one read of the table),
without a restart.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from matcher.errors import PeermatchError

Scope = Literal["read", "answer", "write", "admin"]
SCOPES: tuple[Scope, ...] = ("read", "answer", "write", "admin")
# A side's answer to a proposal changes data, so a read key cannot give it: the hub gets an
# ``answer`` key (reads and answers, nothing else); the secretariat's write key answers too.
IMPLIED: dict[str, set[str]] = {
    "read": {"read"},
    "answer": {"read", "answer"},
    "write": {"read", "answer", "write"},
    "admin": {"read", "answer", "write", "admin"},
}
# How stale a process's view of the key table may be: a revoked key stops working on every replica within this time.
RECHECK_SECONDS = 0.5

logger = logging.getLogger("peermatch.auth")


@dataclass(frozen=True)
class ApiKey:
    name: str
    digest: str
    scopes: frozenset[str]
    expires: dt.datetime | None = None

    def allows(self, scope: str) -> bool:
        return any(scope in IMPLIED[granted] for granted in self.scopes)

    def expired(self, now: dt.datetime | None = None) -> bool:
        return self.expires is not None and (now or dt.datetime.now(dt.UTC)) >= self.expires


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def presented_key(authorization: str | None, api_key: str | None) -> str | None:
    """The key a request presents: ``Authorization: Bearer KEY``, else ``X-API-Key: KEY``."""
    if authorization:
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() == "bearer" and credentials.strip():
            return credentials.strip()
    return api_key or None


class KeyRing:
    """The keys of the store's ``api_keys`` table (read again at most every ``RECHECK_SECONDS``)
    plus fixed inline keys (PEERMATCH_API_KEYS). ``load`` reads the table; while it fails (the
    database unreachable a moment), the last keys read keep serving and the failure is said once."""

    def __init__(self, load: Callable[[], list[ApiKey]], inline: list[ApiKey] | None = None) -> None:
        self._load = load
        self._inline = inline or []
        self._stored = load()  # at start a failure is raised: a service that cannot read its keys does not start
        self._checked = time.monotonic()
        self._lock = threading.Lock()
        self._failing = False

    @property
    def keys(self) -> list[ApiKey]:
        self._refresh()
        return self._stored + self._inline

    @property
    def stored(self) -> list[ApiKey]:
        self._refresh()
        return self._stored

    def find(self, presented: str) -> ApiKey | None:
        candidate = digest(presented)
        found = None
        for key in self.keys:  # no early exit: the time taken does not say which key was close
            if hmac.compare_digest(key.digest, candidate):
                found = key
        return found

    def _refresh(self) -> None:
        if time.monotonic() - self._checked < RECHECK_SECONDS:
            return
        # One thread reads the table; the others meanwhile use the keys read last time (at most
        # RECHECK_SECONDS old) rather than queue behind it.
        if not self._lock.acquire(blocking=False):
            return
        try:
            if time.monotonic() - self._checked < RECHECK_SECONDS:
                return
            try:
                self._stored = self._load()
            except (sqlite3.Error, PeermatchError) as error:
                if not self._failing:
                    logger.error("API keys not reloaded (the last keys read keep serving): %s", error)
                self._failing = True
            else:
                if self._failing:
                    logger.warning("API keys read again")
                self._failing = False
            self._checked = time.monotonic()
        finally:
            self._lock.release()


def inline_keys(inline: str) -> list[ApiKey]:
    """The keys of PEERMATCH_API_KEYS: ``name:scope+scope:sha256`` entries separated by ``;``."""
    keys: list[ApiKey] = []
    for number, entry in enumerate(filter(None, inline.split(";")), start=1):
        parts = entry.split(":")
        if len(parts) != 3:
            raise PeermatchError(f"PEERMATCH_API_KEYS entry #{number}: expected 'name:scope+scope:sha256'")
        keys.append(api_key(parts[0], parts[2], parts[1].split("+"), None, f"PEERMATCH_API_KEYS entry #{number}"))
    return keys


def api_key(name: object, sha256: object, scopes: object, expires: object, where: str) -> ApiKey:
    if not isinstance(name, str) or not name:
        raise PeermatchError(f"{where}: field 'name' is missing")
    if not isinstance(sha256, str) or len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise PeermatchError(f"{where}: field 'sha256' must be 64 lower-case hex digits (the key's SHA-256)")
    if not isinstance(scopes, list) or not scopes or any(s not in SCOPES for s in scopes):
        raise PeermatchError(f"{where}: field 'scopes' must list some of {', '.join(SCOPES)}")
    return ApiKey(name, sha256, frozenset(scopes), _expiry(expires, where))


def _expiry(value: object, where: str) -> dt.datetime | None:
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError as error:
        raise PeermatchError(f"{where}: field 'expires' must be an ISO 8601 time, e.g. 2027-01-31T00:00:00Z (got {value!r})") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
