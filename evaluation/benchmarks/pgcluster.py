"""A throwaway PostgreSQL cluster on loopback, for the tests (tests/postgres.py) and the replica
benchmark (evaluation/benchmarks/replicas.py): ``initdb -A trust`` and ``pg_ctl start`` in a
temporary folder, listening on 127.0.0.1 and a socket in that folder only; stopped and removed at
the end. As root, the server's tools run as the ``postgres`` user (initdb refuses root).

Nothing here knows pytest: a machine without PostgreSQL raises ``ClusterUnavailable`` (the tests
skip, or fail in CI; the benchmark says how to install it), a cluster that will not start raises
``ClusterError`` with the end of the server's log.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from evaluation.benchmarks.loopback import free_port


class ClusterUnavailable(RuntimeError):
    """PostgreSQL's server tools are not installed here, or there is no user to run them as."""


class ClusterError(RuntimeError):
    """The cluster could not be made or started (the message ends with the server's log)."""


@dataclass(frozen=True)
class Cluster:
    port: int
    folder: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"


def tool(name: str) -> str | None:
    """A PostgreSQL program on PATH, else in Debian's /usr/lib/postgresql/<version>/bin (the newest)."""
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


@contextmanager
def throwaway_cluster(max_connections: int = 500, fsync: bool = True) -> Iterator[Cluster]:
    """A running cluster for the ``with`` block, removed after it. ``fsync=False``: faster, for
    tests whose data does not outlive them; a benchmark keeps it on, as a real server would."""
    initdb, pg_ctl = tool("initdb"), tool("pg_ctl")
    if initdb is None or pg_ctl is None:
        raise ClusterUnavailable(
            "PostgreSQL is not installed (no initdb/pg_ctl on PATH or in /usr/lib/postgresql/*/bin): apt-get install postgresql"
        )
    if os.geteuid() == 0 and subprocess.run(["id", "postgres"], capture_output=True).returncode != 0:
        raise ClusterUnavailable("running as root and there is no 'postgres' user to run the cluster as")
    # Not under pytest's tmp folder: that one is private to this user, and the server runs as postgres.
    folder = Path(tempfile.mkdtemp(prefix="peermatch-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data, port = folder / "pg", free_port()
    try:
        subprocess.run(
            _as_postgres([initdb, "-A", "trust", "-U", "postgres", "-D", str(data)]), check=True, capture_output=True, cwd=folder
        )
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections={max_connections}"
        options += "" if fsync else " -c fsync=off"
        subprocess.run(
            _as_postgres([pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "server.log"), "-w", "start"]),
            check=True,
            capture_output=True,
            cwd=folder,  # the postgres user may not enter the caller's folder
        )
    except subprocess.CalledProcessError as error:
        log = (folder / "server.log").read_text() if (folder / "server.log").exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise ClusterError(f"could not start PostgreSQL: {error.stderr.decode(errors='replace')}{log[-2000:]}") from error
    try:
        yield Cluster(port, folder)
    finally:
        # Immediate: the cluster is thrown away, nothing in it needs a checkpoint.
        subprocess.run(_as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]), capture_output=True, cwd=folder)
        shutil.rmtree(folder, ignore_errors=True)


def new_database(cluster: Cluster) -> str:
    """A fresh, empty database on ``cluster``; its URL."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(cluster.url(), autocommit=True) as db:
        db.execute(f"CREATE DATABASE {name}")  # type: ignore[arg-type]  # a generated name, not user input
    return cluster.url(name)
