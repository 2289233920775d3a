from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from matcher.importing import import_file
from matcher.settings import Settings
from matcher.workspace import Workspace
from service.app import create_app
from tests.conftest import resource, write_jsonl
from tests.fakes import FakeEncoder


def test_health_search_and_field_errors(tmp_path: Path, settings: Settings, fake_encoder: FakeEncoder) -> None:
    workspace = Workspace(settings, fake_encoder)
    rows = [resource("floods", "Flood drills", "Schools prepare for floods."), resource("gardens", "Gardens", "Garden.")]
    import_file(workspace.store, write_jsonl(tmp_path / "resources.jsonl", rows), settings)
    workspace.build()
    workspace.close()

    client = TestClient(create_app(settings, fake_encoder))
    assert client.get("/health").json()["status"] == "ok"
    response = client.post("/v1/resources/search", json={"query": "inondations", "k": 1})
    assert response.status_code == 200
    assert [hit["id"] for hit in response.json()["results"]] == ["floods"]
    assert client.get("/v1/resources/search", params={"q": "floods"}).json()["results"][0]["id"] == "floods"
    bad = client.post("/v1/resources/search", json={"k": 1})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "query"


def test_search_before_any_index_says_what_to_run(settings: Settings, fake_encoder: FakeEncoder) -> None:
    client = TestClient(create_app(settings, fake_encoder))
    response = client.post("/v1/resources/search", json={"query": "x"})
    assert response.status_code == 503
    assert "peermatch index" in response.json()["message"]
