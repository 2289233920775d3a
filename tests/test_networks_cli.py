"""``peermatch networks load``: a secretariat's own structures file, refused with its section and
field when an entry is bad (nothing written), then loaded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from cli.main import app
from matcher.settings import Settings
from matcher.store import Store
from tests.conftest import member, write_jsonl

runner = CliRunner()


def test_networks_load_refuses_a_bad_entry_then_loads(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    members = write_jsonl(
        tmp_path / "members.jsonl", [member("lyon"), member("lima", country="PE", region="Latin America and the Caribbean")]
    )
    assert runner.invoke(app, ["import", str(members), "--data-dir", str(data_dir), "--no-index"]).exit_code == 0
    structures: dict[str, Any] = {
        "coordinators": [{"cluster": "Santé et bien-être", "member_id": "lyon", "starts": "2025-01-01"}],
        "events": [
            {
                "id": "ev",
                "title": "Visit",
                "kind": "field_visit",
                "cluster": "health",
                "starts": "2026-02-01T09:00:00Z",
                "ends": "2026-02-01T17:00:00Z",
                "place": "Lima",
                "hosts": ["lima"],
                "participants": ["lyon", "quito"],
            }
        ],
    }
    path = tmp_path / "structures.json"
    path.write_text(json.dumps(structures), encoding="utf-8")
    refused = runner.invoke(app, ["networks", "load", str(path), "--data-dir", str(data_dir)])
    assert refused.exit_code == 2
    said = " ".join(refused.output.split())  # the terminal wraps long lines
    assert "structures.json: events[0], field 'hosts/participants': no member with id 'quito'" in said
    with Store(Settings(data_dir=data_dir).store_path) as store, store.reading() as db:
        assert db.execute("SELECT COUNT(*) FROM cluster_coordinators").fetchone()[0] == 0
    structures["events"][0]["participants"] = ["lyon"]
    path.write_text(json.dumps(structures), encoding="utf-8")
    loaded = runner.invoke(app, ["networks", "load", str(path), "--data-dir", str(data_dir), "--json"])
    assert loaded.exit_code == 0, loaded.output
    assert json.loads(loaded.output) == {
        "coordinators": 1,
        "plan": 0,
        "updates": 0,
        "events": 1,
        "communities": 0,
        "links": 0,
        "people": 0,
    }
