"""API keys in the store, on both engines; on PostgreSQL, every replica accepts the same keys: a key
created through replica A's ``peermatch keys create`` is accepted by replica B, and a revoked key is
refused by both, within ``auth.RECHECK_SECONDS`` (0.5 s) plus one read of the table."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from matcher.errors import PeermatchError
from matcher.store import Store
from service.app import create_app
from service.auth import RECHECK_SECONDS, digest
from service.key_store import create_key, import_key_file, last_uses, revoke_key, stored_keys
from service.settings import ServiceSettings
from tests.fakes import FakeEncoder

ROOT = Path(__file__).resolve().parents[1]
# What the tests allow a change of keys to take on another replica: the recheck interval, one read
# of the table, and a loaded machine's scheduling.
BOUND_SECONDS = 2 * RECHECK_SECONDS + 1.0


def test_keys_are_created_replaced_listed_and_revoked_on_both_engines(tmp_path: Path, database_url: str | None) -> None:
    with Store(tmp_path / "peermatch.sqlite", database_url) as store:
        hub = create_key(store, "hub", ["read", "answer"], expires=dt.datetime(2030, 1, 31))  # naive: UTC
        old = create_key(store, "old", ["read"], expires=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
        keys = {key.name: key for key in stored_keys(store)}
        assert keys["hub"].digest == digest(hub) and keys["hub"].scopes == {"read", "answer"}
        assert keys["hub"].expires == dt.datetime(2030, 1, 31, tzinfo=dt.UTC) and not keys["hub"].expired()
        assert keys["old"].expired() and keys["old"].digest == digest(old)
        with store.reading() as db:  # the hash only: the key itself is nowhere in the table
            rows = db.execute("SELECT name, sha256, scopes, expires, created_at, revoked_at FROM api_keys").fetchall()
        assert not any(hub in str(value) or old in str(value) for row in rows for value in row)
        again = create_key(store, "hub", ["write"])  # the same name: replaced
        assert {k.name: k.digest for k in stored_keys(store)}["hub"] == digest(again) != digest(hub)
        revoke_key(store, "hub")
        assert [k.name for k in stored_keys(store)] == ["old"]
        with pytest.raises(PeermatchError, match=r"no key named 'hub' \(keys: old\)"):
            revoke_key(store, "hub")
        with pytest.raises(PeermatchError, match="unknown scope 'owner'"):
            create_key(store, "x", ["owner"])
        assert [k.name for k in stored_keys(store)] == ["old"]


def test_an_old_key_file_is_imported_once_and_cannot_bring_a_revoked_key_back(
    tmp_path: Path, database_url: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "data" / "api-keys.json"
    path.parent.mkdir()
    entries = [
        {"name": "hub", "sha256": digest("hub-key"), "scopes": ["answer"]},
        {"name": "staff", "sha256": digest("staff-key"), "scopes": ["write"], "expires": "2031-06-30T00:00:00Z"},
    ]
    path.write_text(json.dumps({"keys": entries}))
    path.with_name("api-keys-usage.json").write_text(json.dumps({"hub": "2026-11-30T10:00:00+00:00"}))
    backup = path.read_text()
    with Store(tmp_path / "data" / "peermatch.sqlite", database_url) as store:
        with caplog.at_level(logging.WARNING, logger="peermatch.keys"):
            done = import_key_file(store, path)
        assert done is not None and done.added == ["hub", "staff"] and done.skipped == []
        lines = [r.getMessage() for r in caplog.records if r.name == "peermatch.keys"]
        assert len(lines) == 1 and "imported 2 API keys from" in lines[0] and "api-keys.json.imported" in lines[0]
        assert not path.exists() and (tmp_path / "data" / "api-keys.json.imported").read_text() == backup
        assert (tmp_path / "data" / "api-keys-usage.json.imported").exists()
        keys = {k.name: k for k in stored_keys(store)}
        assert keys["hub"].digest == digest("hub-key") and keys["staff"].expires == dt.datetime(2031, 6, 30, tzinfo=dt.UTC)
        assert last_uses(store) == {"hub": dt.datetime(2026, 11, 30, 10, tzinfo=dt.UTC).timestamp()}
        assert import_key_file(store, path) is None  # no file any more: nothing to do
        revoke_key(store, "hub")
        path.write_text(backup)  # an old copy put back (a restored backup, another replica's folder)
        again = import_key_file(store, path)
        assert again is not None and again.added == [] and again.skipped == ["hub", "staff"]
        assert [k.name for k in stored_keys(store)] == ["staff"]  # the revoked key stays revoked


def _settings(folder: Path, database_url: str | None) -> ServiceSettings:
    return ServiceSettings(data_dir=folder, database_url=database_url, api_keys="", log_json=False, precompute_peers=False)


def _replica(folder: Path, database_url: str) -> TestClient:
    """A replica's app in its own folder on the shared database; used as a context manager, so that
    its threads stop (the lifespan's end) before the test's database goes."""
    return TestClient(create_app(_settings(folder, database_url), FakeEncoder()))


def _status_within(client: TestClient, key: str, status: int, seconds: float) -> float | None:
    """How long until ``client`` answers ``status`` to ``key``; None if not within ``seconds``."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if client.get("/v1/members", headers={"Authorization": f"Bearer {key}"}).status_code == status:
            return time.monotonic() - started
        time.sleep(0.02)
    return None


def _cli(folder: Path, database_url: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PEERMATCH_DATABASE_URL": database_url, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "keys", *arguments, "--data-dir", str(folder)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        timeout=120,
    )


def test_a_key_created_through_one_replica_is_accepted_by_another_and_revoked_on_both(tmp_path: Path, postgres_url: str) -> None:
    with _replica(tmp_path / "a", postgres_url) as a, _replica(tmp_path / "b", postgres_url) as b:
        _created_on_a_revoked_on_b(tmp_path, postgres_url, a, b)


def _created_on_a_revoked_on_b(tmp_path: Path, postgres_url: str, a: TestClient, b: TestClient) -> None:
    created = _cli(tmp_path / "a", postgres_url, "create", "hub", "--scope", "read")  # replica A's command line
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("pm_") and "stored as a hash in postgresql://" in created.stderr
    accepted = [_status_within(replica, key, 200, BOUND_SECONDS) for replica in (a, b)]
    assert None not in accepted, accepted
    assert not (tmp_path / "a" / "api-keys.json").exists()  # nothing written beside replica A
    listed = _cli(tmp_path / "b", postgres_url, "list", "--json")  # replica B's command line lists it
    assert listed.returncode == 0, listed.stderr
    assert [(k["name"], k["scopes"], k["source"]) for k in json.loads(listed.stdout)] == [("hub", ["read"], "store")]
    revoked = _cli(tmp_path / "b", postgres_url, "revoke", "hub")  # revoked through replica B
    assert revoked.returncode == 0, revoked.stderr
    refused = [_status_within(replica, key, 401, BOUND_SECONDS) for replica in (a, b)]
    assert None not in refused, refused
    shown = [f"{(seconds or 0) * 1000:.0f} ms" for seconds in accepted + refused]  # after each command's exit; with -s
    print("key created beside A, accepted by A, B after {}, {}; revoked beside B, refused by A, B after {}, {}".format(*shown))
    unknown = _cli(tmp_path / "a", postgres_url, "revoke", "hub")
    assert unknown.returncode == 2 and "no key named 'hub' (keys: none)" in " ".join(unknown.stderr.split())


def test_last_uses_on_any_replica_are_listed_by_every_replica(tmp_path: Path, postgres_url: str) -> None:
    with Store(tmp_path / "unused.sqlite", postgres_url) as store:
        admin = create_key(store, "ops", ["admin"])
        hub = create_key(store, "hub", ["read"])
    with _replica(tmp_path / "a", postgres_url) as a, _replica(tmp_path / "b", postgres_url) as b:
        before = time.time()
        assert b.get("/v1/members", headers={"Authorization": f"Bearer {hub}"}).status_code == 200  # used on B only
        deadline = time.monotonic() + BOUND_SECONDS
        seen = None
        while time.monotonic() < deadline and seen is None:  # B writes the time in a thread of its own
            items = {k["name"]: k for k in a.get("/v1/keys", headers={"Authorization": f"Bearer {admin}"}).json()["items"]}
            seen = items["hub"]["last_used"]
            time.sleep(0.05)
    assert seen is not None and abs(dt.datetime.fromisoformat(seen).timestamp() - before) < 2


def test_workers_starting_together_import_an_old_key_file_once(tmp_path: Path, database_url: str | None) -> None:
    """``uvicorn service.main:app --workers 4`` (or replicas on a shared volume) start at the same
    moment, each importing the file: every key lands once, whichever worker's transaction runs
    first. (The narrower race, a worker finding the file gone between its check and its read, is
    handled in import_key_file but not reproduced here.)"""
    from concurrent.futures import ThreadPoolExecutor

    path = tmp_path / "api-keys.json"
    names = [f"k{i}" for i in range(20)]
    path.write_text(json.dumps({"keys": [{"name": n, "sha256": digest(n), "scopes": ["read"]} for n in names]}))
    stores = [Store(tmp_path / "peermatch.sqlite", database_url) for _ in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        done = list(pool.map(lambda store: import_key_file(store, path), stores))
    added = [name for result in done if result is not None for name in result.added]
    assert sorted(added) == sorted(names) and not path.exists() and path.with_name("api-keys.json.imported").exists()
    assert sorted(k.name for k in stored_keys(stores[0])) == sorted(names)
    for store in stores:
        store.close()
