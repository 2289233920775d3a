from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from matcher.errors import StoreVersionError
from matcher.settings import Settings
from matcher.store import Store
from matcher.store.migrations import SCHEMA_VERSION
from tests.conftest import import_file, member, write_jsonl


def test_everything_survives_a_restart(tmp_path: Path, database_url: str | None) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url)
    path = write_jsonl(tmp_path / "members.jsonl", [member("lyon", strengths=[{"text": "Jardins partagés"}])])
    store = Store(settings.store_path, settings.database_url)
    assert store.engine == ("postgresql" if database_url else "sqlite")
    import_file(store, path, settings)
    revision = store.revision()
    store.close()
    reopened = Store(settings.store_path, settings.database_url)
    assert reopened.get("members", "lyon").strengths[0].text == "Jardins partagés"
    assert {p.field for p in reopened.passages("members")} == {"profile", "strength:0"}
    assert reopened.revision() == revision
    reopened.close()


def test_schema_is_versioned(settings: Settings) -> None:
    Store(settings.store_path).close()
    with sqlite3.connect(settings.store_path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreVersionError, match="newer"):
        Store(settings.store_path)
