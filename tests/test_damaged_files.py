"""Issue 21, item 9: a malformed CURRENT pointer, a corrupt store, a key file of the wrong shape.
Each gives one line naming the file and what happens next, never a raw traceback or a 500."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from matcher.errors import PeermatchError
from matcher.records import Resource
from matcher.store import Store
from matcher.workspace import Workspace
from service.app import create_app
from tests.conftest import resource
from tests.fakes import FakeEncoder
from tests.test_service import READ, auth, seeded_settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("content", ["gen-x+abc", "", "../../etc+1", "gen-1+2+3"])
def test_a_malformed_current_pointer_is_one_line_and_a_rebuild(tmp_path: Path, content: str, caplog: pytest.LogCaptureFixture) -> None:
    settings = seeded_settings(tmp_path)
    workspace = Workspace(settings, FakeEncoder())
    workspace.write([Resource.model_validate(resource("r1", "Floods", "flood drills"))])
    (settings.index_dir / "CURRENT").write_text(content)
    reopened = Workspace(settings, FakeEncoder())
    with caplog.at_level(logging.WARNING):
        snapshot = reopened.snapshot()
    assert "r1" in {r.id for r in snapshot.resources}
    lines = [r.getMessage() for r in caplog.records if "CURRENT" in r.getMessage()]
    assert len(lines) == 1 and "rebuilt" in lines[0], lines
    assert not any(r.exc_info for r in caplog.records)


def test_a_corrupt_store_is_one_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "data" / "peermatch.sqlite"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a database" * 200)
    with pytest.raises(PeermatchError, match="peermatch.sqlite"):
        Store(path)
    status = subprocess.run(
        [sys.executable, "-m", "cli.main", "status", "--data-dir", str(path.parent)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "400"},  # one line, as a terminal this wide shows it
    )
    assert status.returncode != 0 and "Traceback" not in status.stderr + status.stdout
    assert "peermatch.sqlite" in status.stderr + status.stdout


@pytest.mark.parametrize("content", ["[]", "null", '{"keys": "x"}', '{"keys": [1]}', "7", '{"keys": [{"name": "hub"}]}'])
def test_an_old_key_file_of_the_wrong_shape_is_refused_naming_the_file_and_kept(tmp_path: Path, content: str) -> None:
    from service.key_store import import_key_file

    path = tmp_path / "api-keys.json"
    path.write_text(content)
    with Store(tmp_path / "peermatch.sqlite") as store, pytest.raises(PeermatchError, match="api-keys.json"):
        import_key_file(store, path)
    assert path.read_text() == content  # nothing imported, nothing renamed: fix the file and start again


def test_a_key_table_that_cannot_be_read_while_serving_keeps_the_last_good_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import sqlite3

    from service.key_store import create_key, revoke_key

    settings = seeded_settings(tmp_path).model_copy(update={"api_keys": ""})
    with Store(settings.store_path) as store:
        key = create_key(store, "hub", ["read"])
    client = TestClient(create_app(settings, FakeEncoder()))
    assert client.get("/v1/members", headers=auth(key)).status_code == 200

    def unreachable(store: Store) -> list[object]:
        raise sqlite3.OperationalError("the database is away")

    monkeypatch.setattr("service.app.stored_keys", unreachable)
    with caplog.at_level(logging.ERROR):
        for _ in range(3):
            time.sleep(0.6)  # the table is read again every 0.5 s
            assert client.get("/v1/members", headers=auth(key)).status_code == 200
    assert len([r for r in caplog.records if "the database is away" in r.getMessage()]) == 1  # said once
    assert client.get("/v1/members", headers=auth(READ)).status_code == 401
    monkeypatch.undo()
    with Store(settings.store_path) as store:
        revoke_key(store, "hub")
    time.sleep(0.6)
    assert client.get("/v1/members", headers=auth(key)).status_code == 401  # read again once it can be
