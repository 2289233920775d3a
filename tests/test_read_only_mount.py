"""Issue 21, item 3, on a real read-only file system: the data directory seen through a read-only
bind mount (root ignores file modes, not a read-only mount). The service starts, answers reads,
refuses writes with a 503 naming the cause, and writes again once the mount is writable, without
a restart. Skipped where the sandbox does not allow mounts."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import ServiceSettings
from tests.conftest import member
from tests.fakes import FakeEncoder
from tests.test_service import READ, WRITE, auth, seeded_settings


def _mount(*arguments: str) -> bool:
    return subprocess.run(["mount", *arguments], capture_output=True).returncode == 0


@contextmanager
def bind_mounted(source: Path, target: Path) -> Iterator[None]:
    target.mkdir()
    if not _mount("--bind", str(source), str(target)):
        pytest.skip("mount --bind is not allowed here")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


def test_a_read_only_mount_serves_reads_refuses_writes_and_recovers_by_itself(tmp_path: Path) -> None:
    source = seeded_settings(tmp_path / "source", precompute_peers=False)
    with TestClient(create_app(source, FakeEncoder())):
        pass  # the index built while writable; the store closed, as after a clean stop
    assert not source.store_path.with_name(source.store_path.name + "-shm").exists()  # SQLite cannot make it on a read-only mount
    with bind_mounted(source.data_dir, tmp_path / "mounted"):
        if not _mount("-o", "remount,ro,bind", str(tmp_path / "mounted")):
            pytest.skip("a read-only remount is not allowed here")
        settings = ServiceSettings(**{**source.model_dump(), "data_dir": tmp_path / "mounted"})
        client = TestClient(create_app(settings, FakeEncoder()))  # starts: no chmod, no lock file, no store migration
        assert client.get("/v1/members/dakar/peers", headers=auth(READ)).status_code == 200
        assert client.get("/v1/members/lyon", headers=auth(READ)).status_code == 200
        refused = client.put("/v1/members/paris", headers=auth(WRITE), json=member("paris"))
        assert refused.status_code == 503, refused.text
        assert "read-only" in refused.json()["message"].lower() and refused.headers.get("Retry-After")
        proposal = {"kind": "recommendation", "member_id": "dakar", "partner_id": "lyon", "reason": "probe"}
        assert client.post("/v1/proposals", headers=auth(WRITE), json=proposal).status_code == 503
        assert client.get("/health").status_code == 200
        assert _mount("-o", "remount,rw,bind", str(tmp_path / "mounted"))
        written = client.put("/v1/members/paris", headers=auth(WRITE), json=member("paris"))
        assert written.status_code == 200, written.text
        assert client.get("/v1/members/paris", headers=auth(READ)).status_code == 200
        assert client.post("/v1/proposals", headers=auth(WRITE), json=proposal).status_code == 201
        client.close()
