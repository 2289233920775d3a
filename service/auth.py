"""API keys with scopes, stored as SHA-256 hashes: read, answer (the hub: reads, and its members'
answers to proposals), write (imports, the secretariat's steps), admin.

Keys are random 32-byte tokens, so a plain SHA-256 is enough to store them (no dictionary to
guess from); comparison is constant-time. A request sends ``Authorization: Bearer KEY`` or
``X-API-Key: KEY``.

The key file is read again when it changes (its size, mtime or inode), looked at no more than
every ``RECHECK_SECONDS``: a key created, revoked or given an ``expires`` time while the service
runs takes effect within that time, without a restart.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
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
# How stale the service's view of the key file may be: a revoked key stops working within this time.
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
    """The keys of a key file (re-read when it changes) plus fixed inline keys (PEERMATCH_API_KEYS)."""

    def __init__(self, keys: list[ApiKey], path: Path | None = None, inline: list[ApiKey] | None = None) -> None:
        self._file_keys = keys
        self._inline = inline or []
        self.path = path
        self._seen: tuple[int, int, int] | None = _signature(path) if path else None
        self._checked = time.monotonic()
        self._lock = threading.Lock()

    @property
    def keys(self) -> list[ApiKey]:
        self._refresh()
        return self._file_keys + self._inline

    def find(self, presented: str) -> ApiKey | None:
        candidate = digest(presented)
        found = None
        for key in self.keys:  # no early exit: the time taken does not say which key was close
            if hmac.compare_digest(key.digest, candidate):
                found = key
        return found

    def _refresh(self) -> None:
        if self.path is None or time.monotonic() - self._checked < RECHECK_SECONDS:
            return
        with self._lock:
            if time.monotonic() - self._checked < RECHECK_SECONDS:
                return
            signature = _signature(self.path)
            if signature != self._seen:
                try:
                    self._file_keys = _read_file(self.path)
                except PeermatchError as error:
                    # A hand edit in progress: keep serving the last good keys, say so, and try
                    # again when the file changes next.
                    logger.error("API keys not reloaded: %s", error)
                self._seen = signature
            self._checked = time.monotonic()

    @classmethod
    def load(cls, path: Path, inline: str = "") -> KeyRing:
        keys: list[ApiKey] = []
        for number, entry in enumerate(filter(None, inline.split(";")), start=1):
            parts = entry.split(":")
            if len(parts) != 3:
                raise PeermatchError(f"PEERMATCH_API_KEYS entry #{number}: expected 'name:scope+scope:sha256'")
            keys.append(_key(parts[0], parts[2], parts[1].split("+"), None, f"PEERMATCH_API_KEYS entry #{number}"))
        return cls(_read_file(path), path, keys)


def _signature(path: Path) -> tuple[int, int, int]:
    try:
        status = path.stat()
    except FileNotFoundError:
        return (0, 0, 0)
    return (status.st_ino, status.st_size, status.st_mtime_ns)


def _read_file(path: Path) -> list[ApiKey]:
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise PeermatchError(f"{path}: invalid JSON: {error.msg}") from error
    if not isinstance(data, dict) or not isinstance(data.get("keys", []), list):
        raise PeermatchError(f'{path}: expected an object {{"keys": [...]}}, found {type(data).__name__}')
    if any(not isinstance(item, dict) for item in data.get("keys", [])):
        raise PeermatchError(f"{path}: each entry of 'keys' must be an object with name, sha256 and scopes")
    return [
        _key(item.get("name"), item.get("sha256"), item.get("scopes"), item.get("expires"), f"{path}: key #{number}")
        for number, item in enumerate(data.get("keys", []), start=1)
    ]


def _key(name: object, sha256: object, scopes: object, expires: object, where: str) -> ApiKey:
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


def _write(path: Path, data: dict[str, object]) -> None:
    """Replace the key file at once, readable by its owner only."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(data, indent=2))
    os.chmod(temporary, 0o600)  # an older temporary file keeps its mode through O_CREAT
    temporary.replace(path)


def _entries(path: Path) -> list[dict[str, object]]:
    entries: list[dict[str, object]] = json.loads(path.read_text(encoding="utf-8")).get("keys", []) if path.is_file() else []
    return entries


def create_key(path: Path, name: str, scopes: list[str], expires: dt.datetime | None = None) -> str:
    """Make a new key, append its hash to ``path`` and return the key (shown once, never stored).
    A key of the same name is replaced; ``expires``: when the key stops working (UTC if naive)."""
    for scope in scopes:
        if scope not in SCOPES:
            raise PeermatchError(f"unknown scope '{scope}' (expected {', '.join(SCOPES)})")
    key = "pm_" + secrets.token_urlsafe(32)
    entry: dict[str, object] = {"name": name, "sha256": digest(key), "scopes": scopes}
    if expires is not None:
        entry["expires"] = (expires if expires.tzinfo else expires.replace(tzinfo=dt.UTC)).isoformat()
    _write(path, {"keys": [k for k in _entries(path) if k.get("name") != name] + [entry]})
    return key


def revoke_key(path: Path, name: str) -> None:
    """Remove the key called ``name`` from ``path``; a running service refuses it within RECHECK_SECONDS."""
    entries = _entries(path)
    kept = [k for k in entries if k.get("name") != name]
    if len(kept) == len(entries):
        raise PeermatchError(f"{path}: no key named '{name}' (keys: {', '.join(str(k.get('name')) for k in entries) or 'none'})")
    _write(path, {"keys": kept})
