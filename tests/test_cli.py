from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from tests.conftest import member, write_jsonl

runner = CliRunner()


def test_import_with_a_bad_record_names_line_and_field_and_writes_nothing(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "members.jsonl", [member("lyon"), member("bad", region="Mars")])
    data_dir = tmp_path / "data"
    result = runner.invoke(app, ["import", str(path), "--data-dir", str(data_dir), "--no-index"])
    assert result.exit_code == 2
    assert "members.jsonl:2" in result.output and "'region'" in result.output
    status = runner.invoke(app, ["status", "--data-dir", str(data_dir), "--json"])
    assert json.loads(status.stdout)["members"] == 0


def test_import_json_output_and_every_command_has_help(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "members.jsonl", [member("lyon")])
    result = runner.invoke(app, ["import", str(path), "--data-dir", str(tmp_path / "d"), "--no-index", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["imports"][0]["changed"] == 1
    for command in ("import", "delete", "index", "search", "serve", "demo", "status"):
        help_text = runner.invoke(app, [command, "--help"]).output
        assert "--data-dir" in help_text, command
