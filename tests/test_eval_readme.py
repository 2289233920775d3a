"""An evaluator's first hour: the README's evaluation examples run as written, ``--run-out`` fails
before the work (not after) and says where runs go, every named variant reaches every task."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.evaluate import DEMO_SET, VARIANT_NAMES
from cli.main import app
from evaluation.dataset import load_dataset
from evaluation.runner import Harness
from evaluation.variants import NAMED
from tests.fakes import FakeEncoder
from tests.test_evaluation import _dataset

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def readme_evaluation_examples() -> list[list[str]]:
    """The commands of the README's "Evaluating" block, comments dropped, split as a shell would."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("### Evaluating", 1)[1]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    return [shlex.split(line.split("  #", 1)[0]) for line in block.splitlines() if line.strip()]


@pytest.fixture
def in_a_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory laid out as a checkout (the README's relative paths resolve), writing into
    tmp_path; the fake encoder stands in for the model, which the examples do not name."""
    (tmp_path / "evaluation").symlink_to(ROOT / "evaluation")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("matcher.workspace.load_encoder", lambda settings: FakeEncoder())
    return tmp_path


def test_the_readme_evaluation_examples_run_as_written(in_a_checkout: Path) -> None:
    examples = readme_evaluation_examples()
    assert [e[:3] for e in examples] == [["peermatch", "eval", c] for c in ("run", "ablate", "run", "expertise", "bench")]
    assert DEMO_SET.is_dir()  # the default dataset of run and ablate
    for example in examples[:3]:  # expertise names placeholder files; bench runs every benchmark (minutes)
        result = runner.invoke(app, example[1:])
        assert result.exit_code == 0, (example, result.output[-2000:])
        assert "| hybrid+graph |" in result.stdout or "hybrid+graph" in result.stdout, example
    assert {p.name for p in (in_a_checkout / "reports" / "eval").iterdir()} >= {"report.md", "report.json", "ndcg.png"}
    assert (in_a_checkout / "reports" / "ablation" / "sweep.png").is_file()
    expertise = [
        "eval",
        "expertise",
        "--archives",
        str(ROOT / "tests/data/openreview/archives"),
        "--submissions",
        str(ROOT / "tests/data/openreview/submissions.json"),
        "--out",
        "scores.json",
    ]
    assert runner.invoke(app, expertise).exit_code == 0 and (in_a_checkout / "scores.json").is_file()


def test_run_out_into_a_missing_folder_is_made_and_named_up_front(in_a_checkout: Path) -> None:
    (in_a_checkout / "set").mkdir()
    dataset = _dataset(in_a_checkout / "set")
    out = in_a_checkout / "not" / "yet" / "run.trec"
    result = runner.invoke(app, ["eval", "run", str(dataset), "--config", "lexical", "--config", "dense", "--run-out", str(out)])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in out.parent.iterdir())
    assert written == ["run.dense.trec", "run.lexical.trec"]
    said = result.output.replace("\n", "")
    assert said.index("runs will be written to") < said.index("run written")  # before the work, not after
    blocked = in_a_checkout / "a-file"
    blocked.write_text("")
    refused = runner.invoke(app, ["eval", "run", str(dataset), "--run-out", str(blocked / "run.trec")])
    assert refused.exit_code != 0 and "cannot make its folder" in refused.output.replace("\n", "")


def test_every_named_variant_reaches_the_experts_task(tmp_path: Path) -> None:
    harness = Harness.open(load_dataset(_dataset(tmp_path)), tmp_path / "work", FakeEncoder())
    experts = {name: harness.run(NAMED[name], tasks=("experts",))["experts"]["q3"] for name in ("lexical", "dense", "hybrid")}
    assert experts["lexical"] != experts["dense"] != experts["hybrid"]  # were one run under three names
    assert VARIANT_NAMES.split(", ") == list(NAMED)  # --help names every variant, hybrid+graph included


def test_the_quality_table_is_written_to_a_report_with_its_provenance(tmp_path: Path) -> None:
    import json

    from evaluation.quality import Row, write_report

    rows = [Row("expertise-dblp", "ndcg@10", False, {"default": 0.2, "tf-idf": 0.14}, 3.0)]
    written = write_report(tmp_path, "Quality", rows, (NAMED["hybrid"],), "usem3", {}, 12.0)
    data = json.loads(written[1].read_text())
    assert data["rows"][0]["scores"] == {"default": 0.2, "tf-idf": 0.14} and data["versions"]["ranx"] != "not installed"
    assert "| expertise-dblp | ndcg@10 | 0.2000 | 0.1400 |" in written[0].read_text()
