"""Issue 21, item 1, on the real thing: `peermatch serve --workers 2`, a worker killed with
`kill -9` once SQLite holds its records and before its index write, on the bulk, single-write
and console-import paths; then a write through the other worker, then a restart. Every
committed record must be in every answer, on both workers, and after the restart."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import member, write_jsonl

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "cli.main"]
PASSWORD = "a long enough pass phrase 21"


def _strengths(tag: str, count: int) -> list[dict[str, Any]]:
    """Unique texts (new to the embedding cache), so that the index write takes a while after the commit."""
    return [{"text": f"{tag} programme {i}: adult learning circles in district {i} of {tag}"} for i in range(count)]


def _stored(data_dir: Path, ids: set[str]) -> bool:
    with sqlite3.connect(f"file:{data_dir / 'peermatch.sqlite'}?mode=ro", uri=True, timeout=5) as db:
        marks = ",".join("?" * len(ids))
        return int(db.execute(f"SELECT COUNT(*) FROM members WHERE id IN ({marks})", sorted(ids)).fetchone()[0]) == len(ids)


def _store_revision(data_dir: Path) -> tuple[int, int]:
    with sqlite3.connect(f"file:{data_dir / 'peermatch.sqlite'}?mode=ro", uri=True, timeout=5) as db:
        revision = int(db.execute("SELECT COALESCE(MAX(revision), 0) FROM changes").fetchone()[0])
        return revision, int(db.execute("SELECT COUNT(*) FROM members").fetchone()[0])


def _pointer(data_dir: Path) -> str:
    return (data_dir / "indexes" / "CURRENT").read_text()


class Server:
    def __init__(self, data_dir: Path, env: dict[str, str]) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.process = subprocess.Popen(
            [*CLI, "serve", "--data-dir", str(data_dir), "--port", str(self.port), "--workers", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def client(self, key: str) -> httpx.Client:
        """One keep-alive connection: every request of this client reaches the same worker."""
        return httpx.Client(
            base_url=f"http://127.0.0.1:{self.port}",
            headers={"Authorization": f"Bearer {key}"},
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            timeout=120,
            follow_redirects=True,
        )

    def pinned(self, key: str, avoid: set[int], deadline: float) -> tuple[int, httpx.Client]:
        """A client on a worker whose pid is not in ``avoid`` (connections land where they land)."""
        while time.monotonic() < deadline:
            client = self.client(key)
            try:
                pid = int(client.get("/ready").json()["pid"])
                if pid not in avoid:
                    return pid, client
            except (httpx.HTTPError, ValueError, KeyError):
                time.sleep(0.5)
            client.close()
        raise AssertionError(f"no worker other than {avoid} answered in time")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


@pytest.fixture
def prepared(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str], str]]:
    data_dir = tmp_path / "data"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PEERMATCH_LOG_JSON": "false", "PEERMATCH_COOKIE_SECURE": "false"}
    env["PEERMATCH_KEEP_ALIVE_SECONDS"] = "300"  # pinned connections wait while the other worker writes
    seed = [member(f"seed-{i}", strengths=[{"text": f"digital skills for older adults {i}"}]) for i in range(3)]
    subprocess.run([*CLI, "import", str(write_jsonl(tmp_path / "seed.jsonl", seed)), "--data-dir", str(data_dir)], env=env, check=True)
    created = subprocess.run(
        [*CLI, "keys", "create", "w", "--scope", "write", "--data-dir", str(data_dir)], env=env, check=True, capture_output=True, text=True
    )
    subprocess.run(
        [*CLI, "users", "create", "alice", "--role", "secretariat", "--password-stdin", "--data-dir", str(data_dir)],
        env=env,
        input=PASSWORD + "\n",
        check=True,
        capture_output=True,
        text=True,
    )
    yield data_dir, env, created.stdout.strip().splitlines()[-1]


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def _console_import(client: httpx.Client, tmp_path: Path, rows: list[dict[str, Any]]) -> Callable[[], object]:
    """Sign in and upload the file on ``client``'s worker; returns the confirm step (the write)."""
    page = client.get("/signin")
    signed = client.post("/signin", data={"name": "alice", "password": PASSWORD, "csrf_token": _csrf(page.text), "next": "/import"})
    assert signed.status_code == 200, signed.text[:300]
    with open(write_jsonl(tmp_path / "console.jsonl", rows), "rb") as handle:
        checked = client.post("/import", data={"csrf_token": _csrf(signed.text)}, files={"file": ("console.jsonl", handle)})
    assert checked.status_code == 200, checked.text[:300]
    token = re.search(r'action="/import/([A-Za-z0-9_-]+)"', checked.text)
    assert token is not None
    return lambda: client.post(f"/import/{token.group(1)}", data={"csrf_token": _csrf(checked.text)})


def _kill_in_the_gap(data_dir: Path, pid: int, ids: set[str], write: Callable[[], object]) -> None:
    """Start ``write`` on worker ``pid``; kill -9 it as soon as SQLite holds the records, then
    check that the kill landed between the commit and the index write (the pointer never moved)."""
    before = _pointer(data_dir)
    failed: list[BaseException] = []

    def run() -> None:
        try:
            write()
        except httpx.HTTPError as error:  # the connection dies with the worker
            failed.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 120
    while not _stored(data_dir, ids):
        assert time.monotonic() < deadline and thread.is_alive(), "the write never committed"
        time.sleep(0.002)
    os.kill(pid, signal.SIGKILL)
    assert _pointer(data_dir) == before, "the kill came after the index write: the test did not reach the gap"
    index_revision = json.loads((data_dir / "indexes" / before.split("+")[0] / "meta.json").read_text())["store_revision"]
    assert _store_revision(data_dir)[0] > index_revision or "+" in before  # the store is ahead of the index
    thread.join(timeout=60)
    assert failed, "the killed worker still answered"


def _same_answers(clients: list[httpx.Client], data_dir: Path, killed: set[str]) -> None:
    """Both workers at the store's revision, with every member, and peers for every killed record."""
    revision, members = _store_revision(data_dir)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready = [c.get("/ready").json() for c in clients]
        if all(r["store_revision"] == revision for r in ready):
            break
        time.sleep(0.1)
    assert [r["store_revision"] for r in ready] == [revision] * len(clients), ready
    assert [r["members"] for r in ready] == [members] * len(clients), ready
    for client in clients:
        for member_id in sorted(killed):
            answer = client.get(f"/v1/members/{member_id}/peers")
            assert answer.status_code == 200, (member_id, answer.text[:200])
        listed = client.get("/v1/members", params={"limit": 500}).json()
        assert killed <= {m["id"] for m in listed["items"]}
    status = subprocess.run([*CLI, "status", "--json", "--data-dir", str(data_dir)], capture_output=True, text=True, check=True)
    assert json.loads(status.stdout)["store_revision"] == revision


def test_kill_9_between_store_and_index_on_every_write_path(prepared: tuple[Path, dict[str, str], str], tmp_path: Path) -> None:
    data_dir, env, key = prepared
    server = Server(data_dir, env)
    killed: set[str] = set()
    try:
        deadline = time.monotonic() + 300
        victim_pid, victim = server.pinned(key, set(), deadline)
        survivor_pid, survivor = server.pinned(key, {victim_pid}, deadline)
        bulk = [member(f"kill-bulk-{i}", strengths=_strengths(f"bulk{i}", 3)) for i in range(40)]
        single = member("kill-single", strengths=_strengths("single", 50))
        console_rows = [member(f"kill-console-{i}", strengths=_strengths(f"console{i}", 3)) for i in range(20)]
        paths: list[tuple[str, set[str], Callable[[httpx.Client], Callable[[], object]]]] = [
            ("bulk", {r["id"] for r in bulk}, lambda c: lambda: c.post("/v1/members/bulk", json=bulk)),
            ("single", {"kill-single"}, lambda c: lambda: c.put("/v1/members/kill-single", json=single)),
            ("console", {r["id"] for r in console_rows}, lambda c: _console_import(c, tmp_path, console_rows)),
        ]
        for name, ids, make in paths:
            write = make(victim)
            _kill_in_the_gap(data_dir, victim_pid, ids, write)
            killed |= ids
            after = member(f"after-{name}", strengths=[{"text": "flood drills"}])
            assert survivor.put(f"/v1/members/after-{name}", json=after).status_code == 200
            victim.close()
            victim_pid, victim = server.pinned(key, {victim_pid, survivor_pid}, time.monotonic() + 300)  # the respawned worker
            _same_answers([survivor, victim], data_dir, killed)
        survivor.close()
        victim.close()
    finally:
        server.stop()
    restarted = Server(data_dir, env)
    try:
        deadline = time.monotonic() + 300
        first_pid, first = restarted.pinned(key, set(), deadline)
        _, second = restarted.pinned(key, {first_pid}, deadline)
        _same_answers([first, second], data_dir, killed)
        assert _store_revision(data_dir)[1] == 3 + 40 + 1 + 20 + 3
    finally:
        restarted.stop()
