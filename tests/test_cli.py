from __future__ import annotations

import json
from pathlib import Path

import pytest
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


def test_one_import_command_is_one_transaction_across_its_files(tmp_path: Path) -> None:
    """Defect 2: good members and a bad resource file: 'nothing was imported' must be true."""
    good = write_jsonl(tmp_path / "good-members.jsonl", [member("lyon")])
    bad = tmp_path / "bad-resources.csv"
    bad.write_text("id,title,summary,kind,language\nr1,Floods,Drills,publication,klingon\n")
    data_dir = tmp_path / "data"
    result = runner.invoke(app, ["import", str(good), str(bad), "--data-dir", str(data_dir)])
    output = result.output.replace("\n", "")  # rich wraps long lines
    assert result.exit_code == 2 and "nothing was imported" in output and "bad-resources.csv:2" in output
    status = json.loads(runner.invoke(app, ["status", "--data-dir", str(data_dir), "--json"]).stdout)
    assert (status["members"], status["resources"], status["store_revision"], status["index"]) == (0, 0, 0, None)


def test_json_output_has_no_nan() -> None:
    """--json printed NaN (eval run --json), which is not JSON."""
    from cli.common import finite

    def strict(constant: str) -> None:
        raise ValueError(constant)

    payload = {"ndcg": float("nan"), "runs": [1.0, float("inf")], "ok": 0.5}
    text = json.dumps(finite(payload), allow_nan=False)
    assert json.loads(text, parse_constant=strict) == {"ndcg": None, "runs": [1.0, None], "ok": 0.5}


def test_import_refuses_partners_that_name_no_member(tmp_path: Path) -> None:
    members = write_jsonl(tmp_path / "members.jsonl", [member("lyon", partners=["quito"]), member("dakar", partners=["atlantis"])])
    data_dir = tmp_path / "data"
    result = runner.invoke(app, ["import", str(members), "--data-dir", str(data_dir)])
    output = result.output.replace("\n", "")
    assert result.exit_code == 2 and "partners.0" in output and "unknown member 'quito'" in output
    both = write_jsonl(tmp_path / "more-members.jsonl", [member("quito"), member("atlantis")])
    result = runner.invoke(app, ["import", str(members), str(both), "--data-dir", str(data_dir), "--json"])  # same import: known
    assert result.exit_code == 0, result.output
    assert {r["changed"] for r in json.loads(result.stdout)["imports"]} == {2}


def test_status_of_a_missing_data_dir_creates_nothing(tmp_path: Path) -> None:
    result = runner.invoke(app, ["status", "--data-dir", str(tmp_path / "nowhere"), "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["members"] == 0
    assert not (tmp_path / "nowhere").exists()


def test_users_create_list_unlock_and_refuse_bad_input(tmp_path: Path) -> None:
    from service.console.accounts import Accounts, SignInRefused

    data_dir = str(tmp_path / "data")
    create_alice = ["users", "create", "alice", "--role", "secretariat", "--password-stdin", "--data-dir", data_dir]
    created = runner.invoke(app, create_alice, input="a long password\n")
    assert created.exit_code == 0, created.output
    generated = runner.invoke(app, ["users", "create", "bob", "--generate", "--data-dir", data_dir])
    assert generated.exit_code == 0 and len(generated.stdout.strip()) >= 16  # the password, printed once
    bad_role = runner.invoke(app, ["users", "create", "carol", "--role", "admin", "--generate", "--data-dir", data_dir])
    assert bad_role.exit_code == 2 and "role 'admin'" in bad_role.output
    listed = json.loads(runner.invoke(app, ["users", "list", "--json", "--data-dir", data_dir]).stdout)
    assert [(u["name"], u["role"]) for u in listed] == [("alice", "secretariat"), ("bob", "viewer")]
    accounts = Accounts(tmp_path / "data" / "console.sqlite", max_failures=1)
    with pytest.raises(SignInRefused) as refused:
        accounts.authenticate("alice", "wrong")
    assert refused.value.reason == "locked"
    assert runner.invoke(app, ["users", "unlock", "alice", "--data-dir", data_dir]).exit_code == 0
    assert accounts.authenticate("alice", "a long password").name == "alice"
    assert (tmp_path / "data" / "console.sqlite").stat().st_mode & 0o077 == 0  # the owner's only


def test_the_command_line_counts_in_english_plural_forms() -> None:
    from cli.common import counted

    assert [counted(1, "tie"), counted(3, "tie"), counted(0, "problem"), counted(2, "city", "cities")] == [
        "1 tie",
        "3 ties",
        "0 problems",
        "2 cities",
    ]


def test_serve_runs_one_blas_thread_a_process_with_one_worker_too(tmp_path: Path) -> None:
    """A request's products are small: a BLAS thread pool spinning on a busy core slowed a peer
    ranking from about 4 to 7 ms. ``serve`` limits it, in its own process (one worker) and, by the
    environment, in the workers it starts."""
    import os
    import subprocess
    import sys

    script = """
import json, os, sys
import numpy  # loaded first, as the command line loads it before serve starts
import uvicorn
from threadpoolctl import threadpool_info

def blas_threads():
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]

before = blas_threads()
def report(*args, **kwargs):
    print(json.dumps({"before": before, "after": blas_threads(), "env": os.environ.get("OPENBLAS_NUM_THREADS")}))

uvicorn.run = report
from cli.main import app
app(["serve", "--data-dir", sys.argv[1]], standalone_mode=False)
"""
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "data")], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    if max(seen["before"], default=1) <= 1:
        pytest.skip("numpy's BLAS runs one thread on this machine already: nothing to limit")
    assert (set(seen["after"]), seen["env"]) == ({1}, "1")
