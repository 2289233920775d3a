"""API keys in the store's ``api_keys`` table (SQLite or the shared PostgreSQL database): created,
revoked and listed by ``peermatch keys`` and read by every replica (service/auth.py ``KeyRing``).

Only a key's SHA-256 is stored, never the key. A revoked key keeps its row (``revoked_at``), so an
old copy of a key file imported again cannot bring it back. Key files of earlier versions
(DATA_DIR/api-keys.json and its usage file) are imported once, when the service or a ``keys``
command opens the store: names the table already knows are skipped, and the files are renamed
``*.imported`` so that nobody edits a file that is no longer read.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

from matcher.errors import PeermatchError
from matcher.store import Store
from service.auth import SCOPES, ApiKey, api_key, digest

log = logging.getLogger("peermatch.keys")

IMPORTED_SUFFIX = ".imported"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def stored_keys(store: Store) -> list[ApiKey]:
    """The keys of the table that are not revoked (expired ones included: the gate says they expired)."""
    with store.reading() as db:
        rows = db.execute("SELECT name, sha256, scopes, expires FROM api_keys WHERE revoked_at IS NULL ORDER BY name").fetchall()
    return [
        api_key(name, sha256, scopes.split("+"), expires, f"{store.where}: api_keys '{name}'") for name, sha256, scopes, expires in rows
    ]


def create_key(store: Store, name: str, scopes: list[str], expires: dt.datetime | None = None) -> str:
    """Make a new key, store its hash under ``name`` and return the key (shown once, never stored).
    A key of the same name, revoked or not, is replaced; ``expires``: when the key stops working (UTC if naive)."""
    if not name:
        raise PeermatchError("a key needs a name")
    for scope in scopes:
        if scope not in SCOPES:
            raise PeermatchError(f"unknown scope '{scope}' (expected {', '.join(SCOPES)})")
    if not scopes:
        raise PeermatchError(f"a key needs a scope (one of {', '.join(SCOPES)})")
    key = "pm_" + secrets.token_urlsafe(32)
    until = _utc(expires).isoformat() if expires is not None else None
    with store.transaction() as db:
        db.execute(
            "INSERT INTO api_keys (name, sha256, scopes, expires, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, NULL)"
            " ON CONFLICT (name) DO UPDATE SET sha256 = excluded.sha256, scopes = excluded.scopes, expires = excluded.expires,"
            " created_at = excluded.created_at, revoked_at = NULL",
            (name, digest(key), "+".join(dict.fromkeys(scopes)), until, _now()),
        )
    return key


def revoke_key(store: Store, name: str) -> None:
    """Mark the key called ``name`` revoked; every running replica refuses it within RECHECK_SECONDS."""
    with store.transaction() as db:
        done = db.execute("UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", (_now(), name)).rowcount
        if not done:
            names = [row[0] for row in db.execute("SELECT name FROM api_keys WHERE revoked_at IS NULL ORDER BY name").fetchall()]
            raise PeermatchError(f"{store.where}: no key named '{name}' (keys: {', '.join(names) or 'none'})")


def record_uses(store: Store, uses: dict[str, float]) -> None:
    """Keep the latest use (epoch seconds) of each key name, whichever replica saw it."""
    with store.transaction() as db:
        for name, moment in uses.items():
            db.execute(
                "INSERT INTO api_key_uses (name, last_used) VALUES (?, ?) ON CONFLICT (name) DO UPDATE"
                " SET last_used = excluded.last_used WHERE api_key_uses.last_used < excluded.last_used",
                (name, moment),
            )


def last_uses(store: Store) -> dict[str, float]:
    """Key name -> last use (epoch seconds), as recorded by every replica."""
    with store.reading() as db:
        return {name: float(moment) for name, moment in db.execute("SELECT name, last_used FROM api_key_uses").fetchall()}


@dataclass(frozen=True)
class Imported:
    """What importing a key file did: keys added, names skipped (the table had them), where the file went."""

    added: list[str]
    skipped: list[str]
    moved_to: Path | None


def import_key_file(store: Store, path: Path) -> Imported | None:
    """Import the key file of an earlier version (and its ``-usage.json``) into the table, once:
    new names are added, names the table knows (revoked ones included) are skipped, then both
    files are renamed ``*.imported`` (on a read-only mount they stay, and importing again adds
    nothing). Says what it did in one log line; None when there is no file."""
    try:
        entries = _read_file(path)
    except FileNotFoundError:
        return None  # none, or another worker starting at the same moment imported it and set it aside
    usage = _read_usage(path.with_name(path.stem + "-usage.json"))
    added: list[str] = []
    skipped: list[str] = []
    with store.transaction() as db:
        known = {value for row in db.execute("SELECT name, sha256 FROM api_keys").fetchall() for value in row}
        for key in entries:
            if key.name in known or key.digest in known:
                skipped.append(key.name)
                continue
            until = key.expires.isoformat() if key.expires else None
            db.execute(
                "INSERT INTO api_keys (name, sha256, scopes, expires, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, NULL)",
                (key.name, key.digest, "+".join(sorted(key.scopes)), until, _now()),
            )
            known |= {key.name, key.digest}
            added.append(key.name)
    if usage:
        record_uses(store, usage)
    moved_to = _set_aside(path)
    if moved_to is not None:
        _set_aside(path.with_name(path.stem + "-usage.json"))
    where = f"the file is now {moved_to} and no longer read" if moved_to else "the file stays (importing it again adds nothing)"
    skipped_note = f", skipped {len(skipped)} whose names the store already has ({', '.join(skipped)})" if skipped else ""
    counted = f"{len(added)} API key{'' if len(added) == 1 else 's'}"
    log.warning("imported %s from %s into the store (%s)%s; %s", counted, path, store.where, skipped_note, where)
    return Imported(added, skipped, moved_to)


def _set_aside(path: Path) -> Path | None:
    if not path.is_file():
        return None
    target = path.with_name(path.name + IMPORTED_SUFFIX)
    try:
        path.replace(target)
    except FileNotFoundError:
        return target if target.exists() else None  # another worker set it aside first
    except OSError as error:
        log.warning("%s: cannot rename it to %s (%s)", path, target.name, error.strerror)
        return None
    return target


def _read_file(path: Path) -> list[ApiKey]:
    """The keys of an earlier version's key file ``{"keys": [{name, sha256, scopes, expires?}]}``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise PeermatchError(f"{path}: invalid JSON: {error.msg} (line {error.lineno})") from error
    if not isinstance(data, dict) or not isinstance(data.get("keys", []), list):
        raise PeermatchError(f'{path}: expected an object {{"keys": [...]}}, found {type(data).__name__}')
    if any(not isinstance(item, dict) for item in data.get("keys", [])):
        raise PeermatchError(f"{path}: each entry of 'keys' must be an object with name, sha256 and scopes")
    return [
        api_key(item.get("name"), item.get("sha256"), item.get("scopes"), item.get("expires"), f"{path}: key #{number}")
        for number, item in enumerate(data.get("keys", []), start=1)
    ]


def _read_usage(path: Path) -> dict[str, float]:
    """Key name -> last use from an earlier version's usage file; empty when missing or cut short."""
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(name): dt.datetime.fromisoformat(str(value)).timestamp() for name, value in data.items()}
    except (json.JSONDecodeError, ValueError, AttributeError):
        return {}  # last uses are a convenience: a damaged file loses them, not the keys
