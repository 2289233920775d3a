"""A writer that dies between its store commit and its index write (issue 21, item 1): the
records it committed must reach the index at the next write, at start and from the watcher,
with one line saying so, and never be hidden behind an index that says it is current."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from matcher.ingest.importing import passages_of
from matcher.records import Member, Resource
from service.settings import ServiceSettings
from service.state import ServiceState
from tests.conftest import member
from tests.fakes import FakeEncoder


def _members(prefix: str, count: int, text: str) -> list[Member | Resource]:
    return [Member.model_validate(member(f"{prefix}-{i}", strengths=[{"text": f"{text} {i}"}])) for i in range(count)]


def _die_after_commit(state: ServiceState, records: list[Member | Resource]) -> int:
    """What a worker killed after its commit leaves: the store written, the index not."""
    written = state.workspace.store.write(records, passages_of(list(records), state.settings))
    return written.revision


def _indexed_owners(state: ServiceState) -> set[str]:
    return {p.owner_id for p in state.snapshot.indexes["members"].live_passages()}


@pytest.fixture
def settings(tmp_path: Path) -> ServiceSettings:
    return ServiceSettings(data_dir=tmp_path / "data", log_json=False, watch_seconds=0)


def test_next_write_on_another_worker_closes_the_gap(settings: ServiceSettings, caplog: pytest.LogCaptureFixture) -> None:
    first, second = ServiceState(settings, FakeEncoder()), ServiceState(settings, FakeEncoder())
    first.upsert(_members("seed", 3, "flood drills"))
    second.start()
    lost = _members("kill", 40, "school gardens")
    revision = _die_after_commit(first, lost)
    with caplog.at_level(logging.WARNING):
        second.upsert(_members("other", 1, "budget"))
    assert second.snapshot.store_revision == revision + 1
    owners = _indexed_owners(second)
    assert {m.id for m in lost} <= owners  # the dead writer's records are searchable
    assert {m.id for m in second.snapshot.members} == owners
    assert [r for r in caplog.records if "kill" not in r.getMessage() and "store revision" in r.getMessage()]
    restarted = ServiceState(settings, FakeEncoder())
    restarted.start()
    assert _indexed_owners(restarted) == owners
    assert len(restarted.snapshot.members) == 44


def test_start_closes_the_gap_with_one_line(settings: ServiceSettings, caplog: pytest.LogCaptureFixture) -> None:
    first = ServiceState(settings, FakeEncoder())
    first.upsert(_members("seed", 3, "flood drills"))
    generation = first.snapshot.generation
    lost = _members("kill", 5, "school gardens")
    _die_after_commit(first, lost)
    with caplog.at_level(logging.WARNING):
        restarted = ServiceState(settings, FakeEncoder())
        restarted.start()
    assert {m.id for m in lost} <= _indexed_owners(restarted)
    # closed by a delta on the same base, not by re-embedding everything
    assert restarted.snapshot.generation.split("+")[0] == generation.split("+")[0]
    lines = [r.getMessage() for r in caplog.records if "store revision" in r.getMessage()]
    assert len(lines) == 1, lines


def test_a_gap_larger_than_a_delta_may_be_is_closed_by_a_full_build(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A gap as large as the corpus (an index written by an older peermatch, or a writer killed in a
    bulk import) is folded in as a large write is, by a full build: as a delta, its lexical side
    would be scored on the delta's own statistics and differ from a fresh build's."""
    settings = ServiceSettings(data_dir=tmp_path / "data", log_json=False, watch_seconds=0, delta_max_rows=10, delta_max_share=0.1)
    first = ServiceState(settings, FakeEncoder())
    first.upsert(_members("seed", 3, "flood drills"))
    generation = first.snapshot.generation
    lost = _members("kill", 40, "school gardens")
    _die_after_commit(first, lost)
    with caplog.at_level(logging.WARNING):
        restarted = ServiceState(settings, FakeEncoder())
        restarted.start()
    assert {m.id for m in lost} <= _indexed_owners(restarted)
    assert restarted.snapshot.indexes.delta_rows == 0 and restarted.snapshot.generation != generation  # a new base
    assert [r for r in caplog.records if "store revision" in r.getMessage()]  # still said, once
    small = _members("late", 2, "budget")
    _die_after_commit(restarted, small)
    again = ServiceState(settings, FakeEncoder())
    again.start()
    assert again.snapshot.indexes.delta_rows > 0  # a small gap stays a delta on the same base
    assert {m.id for m in small} <= _indexed_owners(again)


def test_the_watcher_closes_the_gap_of_a_dead_writer(tmp_path: Path) -> None:
    settings = ServiceSettings(data_dir=tmp_path / "data", log_json=False, watch_seconds=0.05)
    first = ServiceState(settings, FakeEncoder())
    first.upsert(_members("seed", 3, "flood drills"))
    survivor = ServiceState(settings, FakeEncoder())
    survivor.start()
    try:
        lost = _members("kill", 4, "school gardens")
        revision = _die_after_commit(first, lost)
        deadline = time.monotonic() + 10
        while survivor.workspace.current().store_revision != revision and time.monotonic() < deadline:  # type: ignore[union-attr]
            time.sleep(0.05)
        assert {m.id for m in lost} <= _indexed_owners(survivor)
        assert len(survivor.snapshot.members) == 7
    finally:
        survivor.stop()
