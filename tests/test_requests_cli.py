"""``peermatch requests``: offers and requests from files, named errors, listing and export (no model needed)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from tests.conftest import member, write_jsonl
from tests.test_requests import offer, request_row

runner = CliRunner()


def test_offers_and_requests_from_files_then_listed_and_exported(tmp_path: Path) -> None:
    data = ["--data-dir", str(tmp_path / "data")]
    members = write_jsonl(tmp_path / "members.jsonl", [member("gov-sn", kind="government", country="SN", region="Africa"), member("alpha")])
    assert runner.invoke(app, ["import", str(members), *data, "--no-index"]).exit_code == 0
    bad = write_jsonl(
        tmp_path / "bad.jsonl", [offer("o1", "alpha", "financial", "grants"), offer("o2", "alpha", "in_kind", "x", capacity=-1)]
    )
    refused = runner.invoke(app, ["requests", "import-offers", str(bad), *data])
    assert refused.exit_code == 2 and "bad.jsonl:2" in refused.output.replace("\n", "") and "capacity" in refused.output
    good = write_jsonl(tmp_path / "offers.jsonl", [offer("o1", "alpha", "financial", "grants"), offer("o2", "alpha", "in_kind", "tablets")])
    written = runner.invoke(app, ["requests", "import-offers", str(good), *data, "--json"])
    assert json.loads(written.stdout) == {"written": 2}
    unknown = write_jsonl(tmp_path / "orphan.jsonl", [offer("o3", "nobody", "content", "radio")])
    assert "no member with id 'nobody'" in runner.invoke(app, ["requests", "import-offers", str(unknown), *data]).output
    requests = write_jsonl(tmp_path / "requests.jsonl", [request_row()])
    received = runner.invoke(app, ["requests", "import", str(requests), *data, "--actor", "user:alice", "--json"])
    assert json.loads(received.stdout) == {"received": ["req-sn"]}
    listed = json.loads(runner.invoke(app, ["requests", "list", "--country", "sn", "--type", "in_kind", *data, "--json"]).stdout)
    assert [(r["id"], r["status"]) for r in listed["items"]] == [("req-sn", "received")]
    assert runner.invoke(app, ["requests", "export-offers", str(tmp_path / "all.csv"), *data]).exit_code == 0
    assert (tmp_path / "all.csv").read_text(encoding="utf-8").splitlines()[0].startswith("id,member_id,type,description")
