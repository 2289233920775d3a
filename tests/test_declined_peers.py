"""A declined pair is not proposed again unless asked: the cached answer's margin, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from matcher.partnerships import Partnerships
from matcher.workspace import Workspace
from service.answers import RankedAnswer
from tests.fakes import FakeEncoder
from tests.test_service import seeded_settings


def ranked(ids: str, depth: int) -> RankedAnswer:
    return RankedAnswer(tuple(ids), tuple(json.dumps({"id": i}).encode() for i in ids), depth)


def test_a_cached_ranking_serves_k_results_without_the_declined() -> None:
    answer = ranked("abcdef", depth=6)
    page = json.loads(answer.page(3, {"a", "c"}))
    # total: the results kept (b, d, e, f): one past the page says another page exists
    assert page == {"total": 4, "offset": 0, "limit": 3, "items": [{"id": "b"}, {"id": "d"}, {"id": "e"}]}
    assert json.loads(answer.page(3, {"a", "c"}, offset=3))["items"] == [{"id": "f"}]
    assert not answer.short(3, {"a", "c"})
    assert answer.short(3, {"a", "b", "c", "d"})  # two left of a full ranking: rank again, deeper
    assert not ranked("abcd", depth=6).short(3, {"a", "b"})  # the ranking had no more to give
    assert not answer.short(3, {"x", "y", "z", "w"})  # nothing of the list was left out


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
