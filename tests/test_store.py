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


def test_a_store_stamped_9_before_migration_9_grew_opens(settings: Settings) -> None:
    """Migration 9 grew on main (answer links and notifications, then check-in dates and joining
    steps): a store stamped 9 by an earlier version lacked them, and migration 10 stopped on it."""
    from matcher.store.migrations import GROWN, MIGRATIONS, sqlite_script

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    early_nine = sqlite_script(MIGRATIONS[GROWN - 1]).split("CREATE TABLE answer_links")[0]
    with sqlite3.connect(settings.store_path) as db:
        db.executescript("".join(sqlite_script(m) for m in MIGRATIONS[: GROWN - 1]) + early_nine)
        db.execute(f"PRAGMA user_version = {GROWN}")
    store = Store(settings.store_path)
    store.close()
    with sqlite3.connect(settings.store_path) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"answer_links", "notifications", "joining_steps", "network_changes"} <= tables
        assert "check_in_due" in {row[1] for row in db.execute("PRAGMA table_info(proposals)")}
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
