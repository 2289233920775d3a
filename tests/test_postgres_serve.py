"""The real command: two ``peermatch serve`` processes (``python -m cli.main serve``, as an operator
starts them) on two ports, each with its own data folder (its own indexes), on one PostgreSQL
database, with the default model (the command cannot be given the tests' keyword encoder; the
session's embedding cache spares most of the embedding). A key made by ``peermatch keys create``
beside replica A, after both started, is accepted by replica B; a member written through A is in
B's peers within the bound the README documents; a key revoked through B's command line is
refused by both.

tests/test_postgres_replicas.py runs the app the command builds, with the keyword encoder, for
the burst and kill tests that would take minutes with the real model."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from evaluation.benchmarks.loopback import free_port
from matcher.settings import Settings
from matcher.workspace import Workspace
from tests.conftest import member, seed_embedding_cache, write_jsonl
from tests.fakes import FakeEncoder
from tests.test_postgres_keys import BOUND_SECONDS as KEY_BOUND_SECONDS
from tests.test_postgres_replicas import BOUND_SECONDS

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "cli.main"]


class Served:
    """One ``peermatch serve`` process on its own port and folder."""

    def __init__(self, name: str, data_dir: Path, env: dict[str, str]) -> None:
        self.name, self.data_dir, self.port = name, data_dir, free_port()
        self.log = data_dir.parent / f"{name}.log"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [*CLI, "serve", "--data-dir", str(data_dir), "--port", str(self.port)], cwd=ROOT, env=env, stdout=log, stderr=log
            )

    def call(self, method: str, path: str, key: str, body: object = None) -> tuple[int, Any]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
            connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
            response = connection.getresponse()
            return response.status, json.loads(response.read() or b"null")
        finally:
            connection.close()

    def wait_ready(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"serve {self.name} exited: {self.log.read_text()[-3000:]}"
            try:
                if self.call("GET", "/ready", "")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"serve {self.name} not ready: {self.log.read_text()[-3000:]}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)
        return self.process.returncode

    def within(self, seconds: float, check: Any) -> float:
        """How long until ``check(self)`` holds; fails the test past ``seconds``."""
        started = time.monotonic()
        while not check(self):
            assert time.monotonic() - started < seconds, f"not within {seconds} s on replica {self.name}"
            time.sleep(0.02)
        return time.monotonic() - started


def _keys(env: dict[str, str], data_dir: Path, *arguments: str) -> str:
    done = subprocess.run([*CLI, "keys", *arguments, "--data-dir", str(data_dir)], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def served(tmp_path: Path, postgres_url: str, embedding_cache_file: Path) -> Iterator[tuple[Served, Served, dict[str, str]]]:
    rows = [
        member("dakar", country="SN", region="Africa", needs=[{"text": "digital skills for older adults", "priority": 5}]),
        member("lima", country="PE", region="Latin America and the Caribbean", languages=["es"], strengths=[{"text": "flood drills"}]),
    ]
    seed = Workspace(Settings(data_dir=tmp_path / "seed", database_url=postgres_url), FakeEncoder())  # the records only
    seed.import_files([write_jsonl(tmp_path / "members.jsonl", rows)])
    seed.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PEERMATCH_DATABASE_URL": postgres_url, "PEERMATCH_LOG_JSON": "false"}
    env |= {"PEERMATCH_PRECOMPUTE_PEERS": "false", "PEERMATCH_API_KEYS": ""}  # no inline keys: every key comes from the store
    env.pop("PEERMATCH_MODEL", None)
    pair = []
    for name in ("a", "b"):
        if embedding_cache_file.exists():
            seed_embedding_cache(embedding_cache_file, tmp_path / name)
        pair.append(Served(name, tmp_path / name, env))
    try:
        started = time.monotonic()
        deadline = started + 120  # the model loads in each process: 12 s alone, more on a busy machine
        for replica in pair:
            replica.wait_ready(deadline)
        print(f"both replicas ready in {time.monotonic() - started:.1f} s")  # shown with -s
        yield pair[0], pair[1], env
    finally:
        for replica in pair:
            replica.stop()


def test_two_peermatch_serve_processes_share_keys_and_writes(served: tuple[Served, Served, dict[str, str]]) -> None:
    a, b, env = served
    key = _keys(env, a.data_dir, "create", "ops", "--scope", "write").splitlines()[-1]  # beside A, after both started
    for replica in (a, b):
        replica.within(KEY_BOUND_SECONDS, lambda r: r.call("GET", "/v1/members", key)[0] == 200)
    assert b.call("GET", "/v1/members/dakar/peers", key)[0] == 200
    probe = member("oslo", strengths=[{"text": "digital skills courses for older adults", "level": 5}])
    status, _ = a.call("PUT", "/v1/members/oslo", key, probe)
    assert status == 200
    delay = b.within(BOUND_SECONDS, lambda r: "oslo" in [p["id"] for p in r.call("GET", "/v1/members/dakar/peers", key)[1]["items"]])
    print(f"write through A in B's peers after {delay * 1000:.0f} ms")  # shown with -s
    _keys(env, b.data_dir, "revoke", "ops")  # revoked beside B
    for replica in (a, b):
        replica.within(KEY_BOUND_SECONDS, lambda r: r.call("GET", "/v1/members", key)[0] == 401)
