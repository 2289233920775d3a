"""A declined pair is not proposed again unless asked, and leaving it out never costs a place:
exclusions are applied before the per-country cap, whoever asks (API, console, CLI)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli.main import app
from matcher.partnerships import Partnerships
from matcher.workspace import Workspace
from service.app import create_app
from tests.conftest import import_file, member, write_jsonl
from tests.fakes import FakeEncoder
from tests.test_service import READ, auth, seeded_settings

HELPS = "digital literacy for older adults"


def test_the_cli_leaves_out_declined_partners_unless_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = seeded_settings(tmp_path)
    workspace = Workspace(settings, FakeEncoder())
    monkeypatch.setattr("cli.recommend.workspace_for", lambda data_dir: workspace)
    runner = CliRunner()

    def peers(*extra: str) -> list[str]:
        result = runner.invoke(app, ["recommend", "peers", "dakar", "--json", *extra])
        assert result.exit_code == 0, result.output
        return [row["id"] for row in json.loads(result.stdout)]

    assert peers()[0] == "lyon"
    book = Partnerships(workspace.store)
    book.reject(book.propose("recommendation", "dakar", "lyon", "user:alice").id, "user:alice", "already twinned")
    assert "lyon" not in peers()
    assert peers("--include-declined")[0] == "lyon"


@pytest.fixture
def capped(tmp_path: Path) -> tuple[TestClient, Workspace]:
    """Dakar's helpers: three in France (two at level 5, one at level 4) and one in Canada; at most
    two a country, so the third French city is ranked only when a French one is left out."""
    settings = seeded_settings(tmp_path)
    helpers = [
        member("lyon", strengths=[{"text": HELPS, "level": 5}]),
        member("nantes", strengths=[{"text": HELPS, "level": 5}]),
        member("nice", strengths=[{"text": HELPS, "level": 4}]),
        member("quebec", country="CA", strengths=[{"text": HELPS, "level": 2}]),
    ]
    import_file(Workspace(settings, FakeEncoder()), write_jsonl(tmp_path / "helpers.jsonl", helpers), settings)
    service = create_app(settings, FakeEncoder())
    return TestClient(service), service.state.service.workspace


def test_a_declined_member_frees_its_countrys_place_in_every_answer(
    capped: tuple[TestClient, Workspace], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, workspace = capped

    def get() -> list[str]:
        return [item["id"] for item in client.get("/v1/members/dakar/peers?k=3", headers=auth(READ)).json()["items"]]

    def post() -> list[str]:
        body = {"member_id": "dakar", "options": {"k": 3}}
        return [item["id"] for item in client.post("/v1/recommendations/peers", headers=auth(READ), json=body).json()["items"]]

    monkeypatch.setattr("cli.recommend.workspace_for", lambda data_dir: workspace)

    def cli() -> list[str]:
        result = CliRunner().invoke(app, ["recommend", "peers", "dakar", "-k", "3", "--json"])
        assert result.exit_code == 0, result.output
        return [row["id"] for row in json.loads(result.stdout)]

    first = get()  # cached now, with lyon in it
    assert first == post() == cli() and "nice" not in first and {"lyon", "nantes"} <= set(first)
    book = Partnerships(workspace.store)
    proposal = book.propose("recommendation", "dakar", "lyon", "user:alice")
    book.approve(proposal.id, "user:alice")
    book.respond(proposal.id, "lyon", False, "user:alice")
    after = get()
    # Ranked without lyon before the cap: nice takes France's second place, the list stays 3 long.
    assert after == post() == cli() and "lyon" not in after and len(after) == 3 and "nice" in after
    included = [item["id"] for item in client.get("/v1/members/dakar/peers?k=3&include_declined=true", headers=auth(READ)).json()["items"]]
    assert included == first
