"""Live updates: readers never see half a write; kill -9 during writes loses nothing committed."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from matcher.records import Resource
from service.activity import read_trace
from service.settings import ServiceSettings
from service.state import ServiceState
from tests.conftest import resource
from tests.fakes import FakeEncoder

ROOT = Path(__file__).resolve().parents[1]


def test_readers_see_whole_writes_only(tmp_path: Path) -> None:
    state = ServiceState(ServiceSettings(data_dir=tmp_path / "data", log_json=False), FakeEncoder())
    state.upsert([Resource.model_validate(resource(k, k, "flood v0")) for k in ("a", "b")])
    stop = threading.Event()
    seen: list[str] = []
    problems: list[str] = []

    def read() -> None:
        while not stop.is_set():
            snapshot = state.snapshot
            records = snapshot.searcher.resources
            versions = {records["a"].summary, records["b"].summary}
            if len(versions) != 1:
                problems.append(f"half a write: {versions}")
            indexed = {p.text for p in snapshot.searcher.indexes["resources"].live_passages() if p.field == "body"}
            if indexed != versions:
                problems.append(f"index and records from different writes: {indexed} vs {versions}")
            seen.append(versions.pop())
            time.sleep(0.0005)  # let the writer have the interpreter too

    readers = [threading.Thread(target=read) for _ in range(2)]
    for thread in readers:
        thread.start()
    for version in range(1, 13):
        state.upsert([Resource.model_validate(resource(k, k, f"flood v{version}")) for k in ("a", "b")])
    stop.set()
    for thread in readers:
        thread.join()
    assert not problems, problems[:3]
    assert len(set(seen)) > 3  # the readers did see writes go by
    assert state.snapshot.searcher.resources["a"].summary == "flood v12"


def answers(state: ServiceState) -> list[list[str]]:
    return [[h.id for h in state.snapshot.searcher.search(q, k=5)] for q in ("flood", "garden budget", "teachers")]


def test_kill_9_during_writes_loses_nothing_committed(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.crash_writer", str(data_dir)], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    committed: list[str] = []
    assert child.stdout is not None
    for line in child.stdout:
        committed.append(line.split()[1])
        if len(committed) == 40:
            break
    os.kill(child.pid, signal.SIGKILL)  # mid-way through the next write, or its index build
    child.wait()
    assert child.returncode == -signal.SIGKILL

    with sqlite3.connect(data_dir / "peermatch.sqlite") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0] for row in db.execute("SELECT id FROM resources")}
        passages = {row[0] for row in db.execute("SELECT DISTINCT owner_id FROM passages")}
    assert set(committed) <= stored  # every acknowledged write survived
    assert stored == passages  # no record without its passages: nothing half-written
    assert len(stored) - len(committed) <= 1  # at most the write in flight, committed but not yet acknowledged

    first = ServiceState(ServiceSettings(data_dir=data_dir, log_json=False), FakeEncoder())
    first.start()  # rebuilds the index if the crash came between a commit and its index build
    assert first.snapshot.store_revision == first.workspace.store.revision()
    assert set(first.snapshot.searcher.resources) == stored
    before = answers(first)
    first.workspace.close()
    second = ServiceState(ServiceSettings(data_dir=data_dir, log_json=False), FakeEncoder())
    second.start()
    assert answers(second) == before
    assert not list((data_dir / "indexes").glob(".building-*"))  # a build cut short leaves no litter after a start


def test_a_write_through_one_worker_is_seen_by_another(tmp_path: Path) -> None:
    settings = ServiceSettings(data_dir=tmp_path / "data", log_json=False)
    first = ServiceState(settings, FakeEncoder())
    first.upsert([Resource.model_validate(resource("a", "a", "flood"))])
    second = ServiceState(settings, FakeEncoder())  # another worker process on the same data dir
    second.start()
    assert set(second.snapshot.searcher.resources) == {"a"}
    first.upsert([Resource.model_validate(resource("b", "b", "garden"))])
    # A reader does not wait for the catch-up: the watcher brings the write within a few ticks.
    deadline = time.monotonic() + 10
    while set(second.snapshot.searcher.resources) != {"a", "b"} and time.monotonic() < deadline:
        time.sleep(settings.watch_seconds / 5)
    assert set(second.snapshot.searcher.resources) == {"a", "b"}
    assert second.snapshot.generation == first.snapshot.generation
    assert "resource:b" in second.snapshot.recommender.graph.graph  # type: ignore[union-attr]


def test_two_real_worker_processes_answer_alike_after_writes_on_each(tmp_path: Path) -> None:
    """The review's reproduction, on `peermatch serve --workers 2`: a keep-alive connection pinned
    to each worker, a member written through one, a resource through the other; both then answer
    /ready, /v1/capacity and peers identically (before: strength_links 327 vs 330)."""
    import http.client
    import json
    import socket

    from tests.conftest import member, write_jsonl

    data_dir = tmp_path / "data"
    members = [
        member("dakar", country="SN", region="Africa", needs=[{"text": "digital skills for older adults", "priority": 5}]),
        member("lyon", strengths=[{"text": "digital literacy courses for older adults", "level": 5}]),
        member("lima", country="PE", region="Latin America and the Caribbean", languages=["es"], strengths=[{"text": "flood drills"}]),
    ]
    # Connections pinned to a worker stay idle while the other worker writes (seconds on a busy machine).
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PEERMATCH_LOG_JSON": "false", "PEERMATCH_KEEP_ALIVE_SECONDS": "120"}
    cli = [sys.executable, "-m", "cli.main"]
    subprocess.run(
        [*cli, "import", str(write_jsonl(tmp_path / "members.jsonl", members)), "--data-dir", str(data_dir)], env=env, check=True
    )
    key = (
        subprocess.run(
            [*cli, "keys", "create", "t", "--scope", "write", "--data-dir", str(data_dir)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [*cli, "serve", "--data-dir", str(data_dir), "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def call(connection: http.client.HTTPConnection, method: str, path: str, body: object = None) -> dict:  # type: ignore[type-arg]
            headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
            connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
            response = connection.getresponse()
            payload = json.loads(response.read())
            assert response.status == 200, payload
            return payload  # type: ignore[no-any-return]

        by_pid: dict[int, http.client.HTTPConnection] = {}
        deadline = time.time() + 120
        while len(by_pid) < 2 and time.time() < deadline:  # keep-alive connections until each worker has one
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                by_pid.setdefault(call(connection, "GET", "/ready")["pid"], connection)
            except (OSError, AssertionError):
                time.sleep(0.5)
        assert len(by_pid) == 2, "did not reach both workers"
        a, b = by_pid.values()
        probe = member("probe-stale", strengths=[{"text": "digital literacy for older adults"}], partners=["dakar"])
        call(b, "PUT", "/v1/members/probe-stale", probe)
        call(a, "PUT", "/v1/resources/extra", resource("extra", "Extra", "School gardens and budgets."))
        deadline = time.time() + 5  # each worker's watcher looks every 0.25 s
        while call(a, "GET", "/ready")["generation"] != call(b, "GET", "/ready")["generation"] and time.time() < deadline:
            time.sleep(0.05)
        answers = [
            (call(c, "GET", "/ready")["generation"], call(c, "GET", "/v1/capacity"), call(c, "GET", "/v1/members/dakar/peers"))
            for c in (a, b)
        ]
        assert answers[0] == answers[1]
        assert answers[0][1]["totals"]["members"] == 4
    finally:
        server.terminate()
        server.wait(timeout=30)


def _swaps_during_a_burst(tmp_path: Path, fold: float) -> int:
    """Another worker's snapshots swapped in while one worker writes 15 times, 0.1 s apart."""
    folder = tmp_path / f"fold-{fold}"
    settings = ServiceSettings(data_dir=folder, log_json=False, watch_seconds=0.02, write_share=1, catch_up_fold_seconds=fold)
    writer = ServiceState(settings, FakeEncoder())
    writer.upsert([Resource.model_validate(resource("seed", "seed", "flood"))])
    watcher = ServiceState(settings, FakeEncoder())
    swaps: list[float] = []
    watcher.on_swap = lambda: swaps.append(time.monotonic())
    watcher.start()
    try:
        for n in range(15):
            writer.upsert([Resource.model_validate(resource("seed", "seed", f"flood drill {n}"))])
            time.sleep(0.1)
        burst_end = time.monotonic()
        deadline = burst_end + 10
        while watcher.workspace.current().store_revision != writer.workspace.store.revision() and time.monotonic() < deadline:  # type: ignore[union-attr]
            time.sleep(0.02)
        assert watcher.workspace.current().store_revision == writer.workspace.store.revision()  # type: ignore[union-attr]
        return sum(1 for at in swaps if at <= burst_end)
    finally:
        watcher.stop()


def test_a_burst_of_another_workers_writes_is_folded_into_a_catch_up_a_second(tmp_path: Path) -> None:
    """Each catch-up builds the next snapshot in the watching worker, time its readers wait for:
    after one, the next waits ``catch_up_fold_seconds``, whatever the other worker writes meanwhile
    (and everything is still caught up at the end)."""
    folded = _swaps_during_a_burst(tmp_path, fold=1.0)
    unfolded = _swaps_during_a_burst(tmp_path, fold=0.0)
    assert folded <= 3 < 6 <= unfolded, (folded, unfolded)


def test_the_activity_trace_times_a_workers_writes_and_its_catch_ups_with_anothers(tmp_path: Path) -> None:
    """``PEERMATCH_ACTIVITY_TRACE``: what ``read_under_write --attribute`` sets slow reads against."""
    trace = tmp_path / "trace.txt"
    settings = ServiceSettings(data_dir=tmp_path / "data", log_json=False, watch_seconds=0.02, activity_trace=trace)
    writer = ServiceState(settings, FakeEncoder())
    writer.upsert([Resource.model_validate(resource("a", "a", "flood"))])
    watcher = ServiceState(settings, FakeEncoder())
    watcher.start()
    try:
        writer.upsert([Resource.model_validate(resource("b", "b", "garden"))])
        deadline = time.monotonic() + 10
        while watcher.workspace.current().store_revision != writer.workspace.store.revision() and time.monotonic() < deadline:  # type: ignore[union-attr]
            time.sleep(0.02)
        time.sleep(0.1)  # the watcher's span is written once its catch-up is over
    finally:
        watcher.stop()
        writer.close()
    kinds = [kind for spans in read_trace(trace).values() for kind, _, _ in spans]
    assert kinds.count("write") == 2 and kinds.count("catch-up") == 1, kinds


def test_a_worker_that_waited_for_its_own_write_does_not_trace_it_as_a_catch_up(tmp_path: Path) -> None:
    """The watcher of the worker that writes sees the new index before the write swaps its snapshot
    in, and waits for it: that wait is the write's, not a catch-up (``--attribute`` counted it twice)."""
    trace = tmp_path / "trace.txt"
    settings = ServiceSettings(data_dir=tmp_path / "data", log_json=False, watch_seconds=0.001, activity_trace=trace)
    state = ServiceState(settings, FakeEncoder())
    state.upsert([Resource.model_validate(resource("a", "a", "flood"))])
    state.start()
    try:
        for number in range(20):
            state.upsert([Resource.model_validate(resource(f"r{number}", f"r{number}", f"garden {number}"))])
        time.sleep(0.1)
    finally:
        state.close()
    kinds = [kind for spans in read_trace(trace).values() for kind, _, _ in spans]
    assert kinds.count("write") == 21 and kinds.count("catch-up") == 0, kinds
