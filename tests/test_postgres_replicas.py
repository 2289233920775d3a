"""Replicas on one PostgreSQL store: two serving processes on two ports, each with its own data
folder (its own indexes), one database. A write through one is in the other's answers within
BOUND_SECONDS; a burst through both ends with both indexes equal to a fresh build from the
database; a replica killed with -9 mid-burst restarts and catches up with nothing lost; a
pairing job asked of both runs once."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import pytest

from matcher.index.indexes import COLLECTIONS, Indexes, build_indexes, load_indexes
from matcher.settings import Settings
from matcher.store import Store
from matcher.workspace import Workspace
from service.auth import digest
from tests.conftest import member, resource, write_jsonl
from tests.fakes import FakeEncoder

ROOT = Path(__file__).resolve().parents[1]
READ, WRITE = "replica-read-key", "replica-write-key"
# What the README documents: a write acknowledged by one replica is in the other's answers within
# this long (its watcher looks every PEERMATCH_WATCH_SECONDS, 0.25 s, then applies the change log
# as one delta; measured by evaluation/benchmarks/replicas.py).
BOUND_SECONDS = 5.0


def _port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Replica:
    name: str
    data_dir: Path
    env: dict[str, str]
    port: int = field(default_factory=_port)
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> Replica:
        return self.launch().wait_ready()

    def launch(self) -> Replica:
        log = open(self.data_dir.parent / f"{self.name}.log", "ab")  # noqa: SIM115 - the child keeps it
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.replica_server", str(self.data_dir), str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=log,
        )
        return self

    def wait_ready(self) -> Replica:
        assert self.process is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.call("GET", "/ready")[0] == 200:
                    return self
            except OSError:
                pass
            assert self.process.poll() is None, (self.data_dir.parent / f"{self.name}.log").read_text()[-3000:]
            time.sleep(0.1)
        raise AssertionError(f"replica {self.name} did not get ready")

    def call(self, method: str, path: str, body: object = None, key: str = WRITE, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            sent = {"Authorization": f"Bearer {key}", "Content-Type": "application/json", **(headers or {})}
            connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=sent)
            response = connection.getresponse()
            return response.status, json.loads(response.read() or b"null")
        finally:
            connection.close()

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def postgres_url(postgres_cluster: Any) -> Iterator[str]:
    """One database for the module's replicas (starting a pair takes seconds: the tests share one)."""
    from tests.postgres import new_database

    yield new_database(postgres_cluster)


@pytest.fixture(scope="module")
def tmp_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("replicas")


@pytest.fixture(scope="module")
def replicas(tmp_path: Path, postgres_url: str) -> Iterator[tuple[Replica, Replica]]:
    """Replicas A and B, each with its own data folder, on one database seeded with three members
    and three resources; the tests run in order on the same pair (and B, killed once, restarted)."""
    from matcher.records import Resource

    rows = [
        member("dakar", country="SN", region="Africa", needs=[{"text": "digital skills for older adults", "priority": 5}]),
        member("lyon", strengths=[{"text": "digital literacy courses for older adults", "level": 5}]),
        member("lima", country="PE", region="Latin America and the Caribbean", languages=["es"], strengths=[{"text": "flood drills"}]),
    ]
    workspace = Workspace(Settings(data_dir=tmp_path / "seed", database_url=postgres_url), FakeEncoder())
    workspace.import_files([write_jsonl(tmp_path / "members.jsonl", rows)])
    workspace.write([Resource.model_validate(resource(f"seed-{i}", f"Gardens {i}", "School gardens.")) for i in range(3)])
    workspace.close()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PEERMATCH_DATABASE_URL": postgres_url,
        "PEERMATCH_API_KEYS": f"read:read:{digest(READ)};write:write:{digest(WRITE)}",
        "PEERMATCH_LOG_JSON": "false",
        "PEERMATCH_PRECOMPUTE_PEERS": "false",
    }
    pair = (Replica("a", tmp_path / "a", env), Replica("b", tmp_path / "b", env))
    try:
        for replica in pair:
            replica.launch()  # both start at once: their migrations and first builds race, as in a deployment
        for replica in pair:
            replica.wait_ready()
        yield pair
    finally:
        for replica in pair:
            replica.stop()


def _put(replica: Replica, resource_id: str, words: str) -> bool:
    try:
        status, _ = replica.call("PUT", f"/v1/resources/{resource_id}", resource(resource_id, f"{words} {resource_id}", f"About {words}."))
    except OSError:  # the replica was killed mid-request: not acknowledged
        return False
    return status == 200


def _database_revision(url: str) -> int:
    with psycopg.connect(url) as db:
        row = db.execute("SELECT COALESCE(MAX(revision), 0) FROM changes").fetchone()
    return int(row[0]) if row else 0


def _caught_up(replicas: tuple[Replica, ...], url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        target = _database_revision(url)
        if all(r.call("GET", "/ready")[1]["store_revision"] == target for r in replicas):
            return
        time.sleep(0.1)
    raise AssertionError(f"not caught up with revision {_database_revision(url)}: {[r.call('GET', '/ready')[1] for r in replicas]}")


def fingerprint(indexes: Indexes) -> dict[str, tuple[list[str], str]]:
    """By collection: the live passages' keys, and a checksum of their vectors (keys' order)."""
    out: dict[str, tuple[list[str], str]] = {}
    for collection in COLLECTIONS:
        dense = indexes[collection].dense
        vectors = np.vstack([dense.index.reconstruct_n(0, dense.base_rows), dense.delta]) if len(dense.keys) else np.zeros((0, 1))
        live = sorted((key, row) for row, key in enumerate(dense.keys) if not dense.dead[row])
        digest_ = hashlib.sha256()
        for key, row in live:
            digest_.update(key.encode() + np.round(vectors[row], 5).astype(np.float32).tobytes())
        out[collection] = ([key for key, _ in live], digest_.hexdigest())
    return out


def _database_fingerprint(tmp_path: Path, url: str) -> dict[str, tuple[list[str], str]]:
    """The index a fresh full build from the database gives."""
    settings = Settings(data_dir=tmp_path / "fresh", database_url=url)
    with Store(settings.store_path, url) as store:
        _, indexes = build_indexes(store, FakeEncoder(), settings)
    return fingerprint(indexes)


def _assert_replicas_match_database(tmp_path: Path, url: str, pair: tuple[Replica, Replica]) -> set[str]:
    """Both replicas at the database's revision, each serving an index equal to a fresh build from
    the database; the resources that index holds."""
    _caught_up(pair, url)
    expected = _database_fingerprint(tmp_path, url)
    indexed: set[str] = set()
    for replica in pair:
        ready = replica.call("GET", "/ready")[1]
        indexes = load_indexes(Settings(data_dir=replica.data_dir))
        assert indexes.generation == ready["generation"], "the replica serves the index on its disk"
        assert fingerprint(indexes) == expected, replica.name
        with psycopg.connect(url) as db:
            stored = db.execute("SELECT COUNT(*) FROM resources").fetchone()
        assert stored is not None and ready["resources"] == stored[0]
        indexed = {p.owner_id for p in indexes["resources"].live_passages()}
    return indexed


def test_a_write_through_one_replica_is_in_the_others_search_and_peers_within_the_bound(replicas: tuple[Replica, Replica]) -> None:
    a, b = replicas
    assert a.call("GET", "/ready")[1]["store_revision"] == b.call("GET", "/ready")[1]["store_revision"]
    status, _ = b.call("GET", "/v1/resources/search?q=flood", key=READ)
    assert status == 200
    started = time.monotonic()
    assert _put(a, "flood-plan", "flood")
    while "flood-plan" not in json.dumps(b.call("GET", "/v1/resources/search?q=flood", key=READ)[1]):
        assert time.monotonic() - started < BOUND_SECONDS, "not in B's search within the bound"
        time.sleep(0.02)
    probe = member("replica-probe", strengths=[{"text": "digital literacy for older adults", "level": 5}])
    started = time.monotonic()
    assert a.call("PUT", "/v1/members/replica-probe", probe)[0] == 200
    while "replica-probe" not in json.dumps(b.call("GET", "/v1/members/dakar/peers", key=READ)[1]):
        assert time.monotonic() - started < BOUND_SECONDS, "not in B's peers within the bound"
        time.sleep(0.02)


def test_a_burst_through_both_replicas_ends_with_indexes_equal_to_the_database(
    tmp_path: Path, postgres_url: str, replicas: tuple[Replica, Replica]
) -> None:
    acknowledged: list[str] = []

    def writer(replica: Replica, prefix: str) -> None:
        for i in range(8):
            resource_id = f"{prefix}-{i}"
            if _put(replica, resource_id, ["flood", "garden", "budget", "teacher"][i % 4]):
                acknowledged.append(resource_id)

    threads = [threading.Thread(target=writer, args=(r, f"{r.name}{t}")) for r in replicas for t in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(acknowledged) == 32
    assert set(acknowledged) <= _assert_replicas_match_database(tmp_path, postgres_url, replicas)


def test_a_replica_killed_mid_burst_restarts_and_catches_up_with_nothing_lost(
    tmp_path: Path, postgres_url: str, replicas: tuple[Replica, Replica]
) -> None:
    a, b = replicas
    acknowledged: list[str] = []
    stop = threading.Event()

    def writer(replica: Replica, prefix: str) -> None:
        for i in range(12):
            if stop.is_set() and replica is b:
                return
            if _put(replica, f"{prefix}-{i}", ["flood", "garden"][i % 2]):
                acknowledged.append(f"{prefix}-{i}")

    threads = [threading.Thread(target=writer, args=(r, f"k{r.name}")) for r in replicas]
    for thread in threads:
        thread.start()
    while sum(1 for i in acknowledged if i.startswith("kb")) < 4:
        time.sleep(0.01)
    b.kill()  # mid-burst: B's writer is between two writes, or inside one
    stop.set()
    for thread in threads:
        thread.join()
    assert a.call("GET", "/ready")[0] == 200  # A kept serving
    assert "ka-11" in acknowledged  # and writing
    b.start()  # the same data folder: its index on disk, then the change log from that index's revision
    assert set(acknowledged) <= _assert_replicas_match_database(tmp_path, postgres_url, replicas)  # nothing lost


def test_one_pairing_job_asked_of_both_replicas_runs_once(postgres_url: str, replicas: tuple[Replica, Replica]) -> None:
    a, b = replicas
    body = {"mentees": ["dakar"], "mentors": ["lyon", "lima"]}
    asked = {"Idempotency-Key": "cohort-2027"}
    first = a.call("POST", "/v1/pairings", body, key=READ, headers=asked)
    second = b.call("POST", "/v1/pairings", body, key=READ, headers=asked)
    assert first[0] == second[0] == 202
    assert first[1]["id"] == second[1]["id"]
    with psycopg.connect(postgres_url) as db:
        rows = db.execute("SELECT id, owner FROM pairing_jobs").fetchall()
    assert len(rows) == 1  # one row: one process claimed it and runs it
    deadline = time.monotonic() + 30
    while (status := b.call("GET", f"/v1/pairings/{first[1]['id']}", key=READ)[1])["status"] != "done":
        assert time.monotonic() < deadline, status
        time.sleep(0.1)
    assert (
        a.call("GET", f"/v1/pairings/{first[1]['id']}/result", key=READ)[1]
        == b.call("GET", f"/v1/pairings/{first[1]['id']}/result", key=READ)[1]
    )
    other = b.call("POST", "/v1/pairings", body, key=READ, headers={"Idempotency-Key": "cohort-2028"})
    assert other[0] == 202 and other[1]["id"] != first[1]["id"]  # another key: another job


def test_a_retried_post_landing_on_the_other_replica_is_replayed_not_run_again(
    postgres_url: str, replicas: tuple[Replica, Replica]
) -> None:
    """A hub whose connection to A dropped retries with its Idempotency-Key; the proxy sends the
    retry to B: B answers the first answer again (the answers are in the database) and makes no
    second proposal."""
    body = json.dumps({"kind": "pairing", "member_id": "lima", "partner_id": "lyon"})
    headers = {"Authorization": f"Bearer {WRITE}", "Content-Type": "application/json", "Idempotency-Key": "retry-0001"}
    answers = []
    for replica in replicas:
        connection = http.client.HTTPConnection("127.0.0.1", replica.port, timeout=30)
        connection.request("POST", "/v1/proposals", body=body, headers=headers)
        response = connection.getresponse()
        answers.append((response.status, response.getheader("Idempotent-Replayed"), json.loads(response.read())))
        connection.close()
    assert answers[0][0] == answers[1][0] == 201
    assert answers[0][1] is None and answers[1][1] == "true"
    assert answers[0][2]["id"] == answers[1][2]["id"]
    with psycopg.connect(postgres_url) as db:
        row = db.execute("SELECT COUNT(*) FROM proposals WHERE member_id = 'lima' AND partner_id = 'lyon'").fetchone()
    assert row == (1,)
