"""Learned peer weights on a shared PostgreSQL store: ``learn-weights --apply`` on replica A reaches
replica B (running, its own folder) within a few watcher ticks, and a replica started later uses
them from its first snapshot; the defaults winning again reaches every replica too."""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from evaluation.feedback import Judgement
from evaluation.learn_weights import learn_weights, peer_parts
from matcher.recommend.peer_weights import publish_shared, weights_path
from matcher.settings import Settings
from matcher.workspace import Workspace
from service.app import create_app
from service.settings import ServiceSettings
from tests.conftest import write_jsonl
from tests.fakes import FakeEncoder
from tests.test_learn_weights_cli import network

BOUND_SECONDS = 3.0  # a watcher tick is 0.25 s; the rest is a loaded machine's scheduling


def _learned(client: TestClient) -> Any:
    return client.app.state.service.snapshot.recommender.peer_recommender.learned  # type: ignore[attr-defined]


def _within(seconds: float, check: Any) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"not within {seconds} s"
        time.sleep(0.05)


def _feedback_favouring_context(workspace: Workspace) -> None:
    """Ratings that follow 0.1 x gives + 0.9 x context (as tests/test_learn_weights_cli.py): learned weights win."""
    rng = random.Random(7)
    ids = [m.id for m in workspace.snapshot().members]
    judged, _ = peer_parts(workspace, [Judgement("peers", m, c, 0, "probe") for m in ids for c in ids if c != m])
    utility = judged.features @ np.asarray([0.1, 0.9, 0.0])
    for member_id in ids:
        shown = rng.sample(list(np.flatnonzero(judged.members == member_id)), 10)
        for place, row in enumerate(sorted(shown, key=lambda r: utility[r])):
            workspace.store.add_feedback(member_id, str(judged.items[row]), "peers", None, 1 + place * 5 // len(shown), None, "hub")


def _replica(folder: Path, url: str) -> TestClient:
    settings = ServiceSettings(data_dir=folder, database_url=url, api_keys="", log_json=False, precompute_peers=False)
    return TestClient(create_app(settings, FakeEncoder()))


def test_weights_applied_on_one_replica_reach_the_others(tmp_path: Path, postgres_url: str) -> None:
    a = Workspace(Settings(data_dir=tmp_path / "a", database_url=postgres_url), FakeEncoder())
    a.import_files([write_jsonl(tmp_path / "members.jsonl", network(40, seed=5))])
    _feedback_favouring_context(a)
    with _replica(tmp_path / "b", postgres_url) as b:
        assert _learned(b) is None
        report = learn_weights(a, apply=True)
        assert report.comparison.better and report.written == weights_path(tmp_path / "a")
        _within(BOUND_SECONDS, lambda: _learned(b) is not None)
        assert weights_path(tmp_path / "b").read_text() == weights_path(tmp_path / "a").read_text()
        learned = _learned(b)
        ours = a.snapshot().recommender.peer_recommender.learned
        assert ours is not None and learned.context == pytest.approx(ours.context) and learned.context > 0.5
        with _replica(tmp_path / "c", postgres_url) as c:  # started after the apply: from its first snapshot
            assert _learned(c) is not None and _learned(c).context == pytest.approx(learned.context)
        weights_path(tmp_path / "a").unlink()  # what the apply does when the defaults win again
        publish_shared(a.store, tmp_path / "a")
        _within(BOUND_SECONDS, lambda: _learned(b) is None)
        assert not weights_path(tmp_path / "b").exists()
    a.close()
