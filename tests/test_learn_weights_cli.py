"""End to end on a small network: feedback whose hidden preference is known, `peermatch eval
learn-weights --apply`, the weights file, and the recommender ranking by it; `eval feedback`."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cli.main import app
from evaluation.feedback import Judgement
from evaluation.learn_weights import peer_parts
from matcher.recommend.peer_weights import weights_path
from matcher.recommend.peers import PeerOptions
from matcher.settings import Settings
from matcher.workspace import Workspace
from tests.conftest import member, write_jsonl
from tests.fakes import CONCEPTS, FakeEncoder

KINDS = ["city", "local_government", "coalition"]
CLUSTERS = ["esd", "health", "equity"]


def network(size: int, seed: int) -> list[dict[str, object]]:
    rng = random.Random(seed)
    concepts = list(CONCEPTS)
    rows = []
    for i in range(size):
        rows.append(
            member(
                f"m{i:02d}",
                kind=rng.choice(KINDS),
                languages=["en"],
                profile=" ".join(rng.sample(concepts, 2)),
                needs=[{"text": f"{c} programme", "priority": rng.randint(1, 5)} for c in rng.sample(concepts, 2)],
                strengths=[{"text": f"{c} work", "level": rng.randint(1, 5)} for c in rng.sample(concepts, 2)],
                clusters=[{"cluster": c} for c in rng.sample(CLUSTERS, rng.randint(0, 2))],
            )
        )
    return rows


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    workspace = Workspace(Settings(data_dir=tmp_path / "data"), FakeEncoder())
    workspace.import_files([write_jsonl(tmp_path / "members.jsonl", network(40, seed=5))])
    monkeypatch.setattr("cli.evaluate.workspace_for", lambda data_dir: workspace)
    return workspace


def test_learned_from_feedback_that_favours_context_and_used_by_the_recommender(workspace: Workspace, tmp_path: Path) -> None:
    """Members here value a shared context (same challenges, kind, clusters) far above evidence:
    their ratings follow 0.1 x gives + 0.9 x context."""
    rng = random.Random(7)
    ids = [m.id for m in workspace.snapshot().members]
    asked = [Judgement("peers", m, c, 0, "probe") for m in ids for c in ids if c != m]
    judged, _ = peer_parts(workspace, asked)
    utility = judged.features @ np.asarray([0.1, 0.9, 0.0])
    store = workspace.store
    for member_id in ids:
        rows = [r for r in np.flatnonzero(judged.members == member_id)]
        shown = rng.sample(rows, 10)
        ranked = sorted(shown, key=lambda r: utility[r])
        for place, row in enumerate(ranked):  # the worst rated 1, the best 5
            store.add_feedback(member_id, str(judged.items[row]), "peers", None, 1 + place * 5 // len(ranked), None, "hub")

    runner = CliRunner()
    before = workspace.snapshot()
    assert before.recommender.peer_recommender.learned is None
    result = runner.invoke(app, ["eval", "learn-weights", "--apply", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    learned, held_out = report["weights"]["learned"], report["held_out"]
    assert report["better"] and report["written"] == str(weights_path(workspace.settings.data_dir))
    assert learned["context"] > learned["gives"] and learned["context"] > 0.5
    assert held_out["ndcg@10"]["learned"] > held_out["ndcg@10"]["defaults"]

    running = workspace.snapshot()  # a process already serving: the new file takes effect without a write
    assert running is not before and running.indexes is before.indexes and workspace.snapshot() is running
    assert running.recommender.peer_recommender.learned is not None
    fresh = Workspace(workspace.settings, FakeEncoder())  # a new process: reads the file
    peers = fresh.snapshot().recommender.peer_recommender
    assert peers.learned is not None and peers.learned.context == pytest.approx(learned["context"], abs=1e-3)
    results = fresh.snapshot().recommender.peers(ids[0], PeerOptions(k=5, max_per_country=None, graph_weight=0.0))
    assert results and [r.score for r in results] == sorted((r.score for r in results), reverse=True)
    for r in results:  # the score is the learned combination of its parts
        assert r.score == pytest.approx(peers.learned.gives * r.parts.gives + peers.learned.context * r.parts.context, abs=1e-3)

    table = runner.invoke(app, ["eval", "learn-weights"])
    assert "| ndcg@10 (held-out) |" in table.stdout and "learned weights beat the defaults" in table.stdout
    qrels = tmp_path / "qrels.tsv"
    written = runner.invoke(app, ["eval", "feedback", "--out", str(qrels), "--data-dir", str(workspace.settings.data_dir), "--json"])
    assert written.exit_code == 0, written.output
    assert json.loads(written.stdout)["judgements"] == 400 and len(qrels.read_text().splitlines()) == 400


def test_with_no_feedback_it_says_so(workspace: Workspace) -> None:
    result = CliRunner().invoke(app, ["eval", "learn-weights"])
    assert result.exit_code == 2 and "not enough feedback to learn from: 0 members have" in result.output
