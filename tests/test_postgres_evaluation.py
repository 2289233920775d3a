"""The same evaluation run gives identical TREC run files on two replicas sharing a PostgreSQL
store (each with its own index folder) and on the single-process SQLite baseline."""

from __future__ import annotations

from pathlib import Path

from cli.evaluate import DEMO_SET
from evaluation.dataset import load_dataset, write_trec_run
from evaluation.runner import Harness
from evaluation.variants import resolve
from tests.fakes import FakeEncoder


def _trec(harness: Harness, path: Path) -> bytes:
    variant = resolve("hybrid")
    runs = harness.run(variant)
    write_trec_run(path, {qid: scores for task in runs.values() for qid, scores in task.items()}, variant.name)
    harness.workspace.close()
    return path.read_bytes()


def test_replicas_and_sqlite_write_identical_trec_runs(tmp_path: Path, postgres_url: str) -> None:
    dataset = load_dataset(DEMO_SET)
    baseline = _trec(Harness.open(dataset, tmp_path / "sqlite", FakeEncoder()), tmp_path / "sqlite.trec")
    # Replica A imports the dataset into the database; replica B, its own folder, finds the records
    # there (its import changes nothing) and builds its own index from the database.
    a = _trec(Harness.open(dataset, tmp_path / "a", FakeEncoder(), postgres_url), tmp_path / "a.trec")
    b_harness = Harness.open(dataset, tmp_path / "b", FakeEncoder(), postgres_url)
    assert b_harness.workspace.store.engine == "postgresql" and not (tmp_path / "b" / "peermatch.sqlite").exists()
    b = _trec(b_harness, tmp_path / "b.trec")
    assert len(baseline.splitlines()) > 1000  # every task's queries ranked
    assert a == baseline
    assert b == baseline
