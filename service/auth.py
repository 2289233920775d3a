"""API keys with scopes, stored as SHA-256 hashes: read (the hub), write (imports), admin.

Keys are random 32-byte tokens, so a plain SHA-256 is enough to store them (no dictionary to
guess from); comparison is constant-time. A request sends ``Authorization: Bearer KEY`` or
``X-API-Key: KEY``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from matcher.errors import PeermatchError

Scope = Literal["read", "write", "admin"]
SCOPES: tuple[Scope, ...] = ("read", "write", "admin")
IMPLIED: dict[str, set[str]] = {"read": {"read"}, "write": {"read", "write"}, "admin": {"read", "write", "admin"}}


@dataclass(frozen=True)
class ApiKey:
    name: str
    digest: str
    scopes: frozenset[str]

    def allows(self, scope: str) -> bool:
        return any(scope in IMPLIED[granted] for granted in self.scopes)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class KeyRing:
    def __init__(self, keys: list[ApiKey]) -> None:
        self.keys = keys

    def find(self, presented: str) -> ApiKey | None:
        candidate = digest(presented)
        found = None
        for key in self.keys:  # no early exit: the time taken does not say which key was close
            if hmac.compare_digest(key.digest, candidate):
                found = key
        return found

    @classmethod
    def load(cls, path: Path, inline: str = "") -> KeyRing:
        keys: list[ApiKey] = []
        if path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError as error:
                raise PeermatchError(f"{path}: invalid JSON: {error.msg}") from error
            for number, item in enumerate(data.get("keys", []), start=1):
                keys.append(_key(item.get("name"), item.get("sha256"), item.get("scopes"), f"{path}: key #{number}"))
        for number, entry in enumerate(filter(None, inline.split(";")), start=1):
            parts = entry.split(":")
            if len(parts) != 3:
                raise PeermatchError(f"PEERMATCH_API_KEYS entry #{number}: expected 'name:scope+scope:sha256'")
            keys.append(_key(parts[0], parts[2], parts[1].split("+"), f"PEERMATCH_API_KEYS entry #{number}"))
        return cls(keys)


def _key(name: object, sha256: object, scopes: object, where: str) -> ApiKey:
    if not isinstance(name, str) or not name:
        raise PeermatchError(f"{where}: field 'name' is missing")
    if not isinstance(sha256, str) or len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise PeermatchError(f"{where}: field 'sha256' must be 64 lower-case hex digits (the key's SHA-256)")
    if not isinstance(scopes, list) or not scopes or any(s not in SCOPES for s in scopes):
        raise PeermatchError(f"{where}: field 'scopes' must list some of {', '.join(SCOPES)}")
    return ApiKey(name, sha256, frozenset(scopes))


def create_key(path: Path, name: str, scopes: list[str]) -> str:
    """Make a new key, append its hash to ``path`` and return the key (shown once, never stored)."""
    for scope in scopes:
        if scope not in SCOPES:
            raise PeermatchError(f"unknown scope '{scope}' (expected {', '.join(SCOPES)})")
    key = "pm_" + secrets.token_urlsafe(32)
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {"keys": []}
    data["keys"] = [k for k in data["keys"] if k.get("name") != name]
    data["keys"].append({"name": name, "sha256": digest(key), "scopes": scopes})
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, indent=2), encoding="utf-8")
    temporary.replace(path)
    return key
