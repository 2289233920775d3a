"""A throwaway PostgreSQL cluster for the tests: started once per session in a temporary folder,
listening on loopback only, stopped and removed at the end. Each test gets a database of its own.

Where PostgreSQL is not installed the tests that need it are skipped, saying so; in CI
(``CI=true``, where .ci/run installs Debian's postgresql) they fail instead, so they always run.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class Cluster:
    port: int
    folder: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"


def _tool(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _as_postgres(command: list[str]) -> list[str]:
    """initdb refuses to run as root: as root, run the server's tools as the ``postgres`` user."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required in CI: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_cluster() -> Iterator[Cluster]:
    initdb, pg_ctl = _tool("initdb"), _tool("pg_ctl")
    if initdb is None or pg_ctl is None:
        _unavailable("PostgreSQL is not installed (no initdb/pg_ctl on PATH or in /usr/lib/postgresql/*/bin): apt-get install postgresql")
    assert initdb is not None and pg_ctl is not None
    if os.geteuid() == 0 and subprocess.run(["id", "postgres"], capture_output=True).returncode != 0:
        _unavailable("running as root and there is no 'postgres' user to run the cluster as")
    # Not under pytest's tmp folder: that one is private to this user, and the server runs as postgres.
    folder = Path(tempfile.mkdtemp(prefix="peermatch-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data, port = folder / "pg", _free_port()
    try:
        subprocess.run(
            _as_postgres([initdb, "-A", "trust", "-U", "postgres", "-D", str(data)]), check=True, capture_output=True, cwd=folder
        )
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=500 -c fsync=off"
        subprocess.run(
            _as_postgres([pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "server.log"), "-w", "start"]),
            check=True,
            capture_output=True,
            cwd=folder,  # the postgres user may not enter the checkout's folder
        )
    except subprocess.CalledProcessError as error:
        log = (folder / "server.log").read_text() if (folder / "server.log").exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"could not start PostgreSQL: {error.stderr.decode(errors='replace')}{log[-2000:]}")
    try:
        yield Cluster(port, folder)
    finally:
        subprocess.run(_as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]), capture_output=True, cwd=folder)
        shutil.rmtree(folder, ignore_errors=True)


def new_database(cluster: Cluster) -> str:
    """A fresh, empty database on ``cluster``; its URL."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(cluster.url(), autocommit=True) as db:
        db.execute(f"CREATE DATABASE {name}")  # type: ignore[arg-type]  # a generated name, not user input
    return cluster.url(name)
