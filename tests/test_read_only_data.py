"""Issue 21, item 3: a data directory that cannot be written (a full or remounted disk). Reads
keep working, writes get a 503 naming the cause, workers start, and it recovers by itself.
(The tests run as root, whom file modes do not stop: the failures are made by a file where a
folder must be, or, for SQLite and chmod, by the error those calls give on a read-only mount.)"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from matcher.store import Store
from service.app import create_app
from service.key_store import last_uses
from service.keys_usage import PRECISION_SECONDS, KeyUsage
from tests.conftest import member
from tests.fakes import FakeEncoder
from tests.test_service import READ, WRITE, auth, seeded_settings


def test_key_usage_that_cannot_be_written_is_kept_in_memory_and_written_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store = Store(tmp_path / "peermatch.sqlite")
    usage = KeyUsage(store, background=False)

    def read_only(*args: object, **kwargs: object) -> object:
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(Store, "transaction", read_only)
    with caplog.at_level(logging.WARNING):
        usage.touch("hub", now=1000.0)  # no exception: a request never fails for its key's last use
        usage.touch("hub", now=1000.0 + PRECISION_SECONDS + 1)  # retried once a minute at most, said once
    assert len([r for r in caplog.records if "readonly" in r.getMessage()]) == 1
    assert last_uses(store) == {}
    monkeypatch.undo()
    usage.touch("hub", now=1000.0 + 3 * PRECISION_SECONDS)
    assert last_uses(store) == {"hub": 1000.0 + 3 * PRECISION_SECONDS}
    store.close()


def test_a_key_whose_last_use_cannot_be_written_still_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 21 item 3 with the keys in the store: a read's key use is a store write, and a store
    that refuses writes must not turn the read into a 500 (here written in the request's own thread)."""
    app = create_app(seeded_settings(tmp_path, precompute_peers=False), FakeEncoder())
    app.state.key_usage.background = False

    def read_only(*args: object, **kwargs: object) -> object:
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(Store, "transaction", read_only)
    client = TestClient(app)
    assert client.get("/v1/members/dakar/peers", headers=auth(READ)).status_code == 200
    assert client.get("/v1/members", headers=auth(READ)).status_code == 200
    assert "read" in app.state.key_usage.pending()  # kept in memory, written once the store takes writes
    monkeypatch.undo()


def test_a_read_only_store_answers_reads_and_refuses_writes_with_a_503(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    client = TestClient(create_app(seeded_settings(tmp_path, precompute_peers=False), FakeEncoder()))

    def read_only(*args: object, **kwargs: object) -> object:
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(Store, "write", read_only)
    refused = client.put("/v1/members/paris", headers=auth(WRITE), json=member("paris"))
    assert refused.status_code == 503, refused.text
    assert "readonly" in refused.json()["message"] and refused.headers.get("Retry-After")
    assert client.get("/v1/members/dakar/peers", headers=auth(READ)).status_code == 200
    monkeypatch.undo()
    assert client.put("/v1/members/paris", headers=auth(WRITE), json=member("paris")).status_code == 200


def test_a_worker_starts_when_the_data_directory_cannot_be_chmodded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    settings = seeded_settings(tmp_path)
    os.chmod(settings.data_dir, 0o755)

    def remounted(path: object, mode: int, **options: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr("matcher.store.permissions.os.chmod", remounted)
    with caplog.at_level(logging.WARNING):
        client = TestClient(create_app(settings, FakeEncoder()))
    assert client.get("/v1/members/dakar/peers", headers=auth(READ)).status_code == 200
    assert any("Read-only file system" in r.getMessage() for r in caplog.records)
