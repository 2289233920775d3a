"""Benchmark: replicas on PostgreSQL against the embedded SQLite default (issue 26, item 5), on loopback.

Run: ``python -m evaluation.benchmarks.replicas`` (``--help`` for options). Everything in one run,
on the same machine: the demo (``peermatch demo``) loaded once into a SQLite data dir and once into
a PostgreSQL database (a throwaway cluster started in a temporary folder, as the tests do, unless
``--database-url`` names one), then ``peermatch serve`` processes (one worker each, the real model):

1. one replica on SQLite,
2. one replica on PostgreSQL,
3. two replicas on PostgreSQL, each with its own data folder (its own indexes), the clients split
   between them as a load balancer would;

each phase (``--rounds`` times each, in turn): ``--clients`` threads ask ``GET /v1/members/{id}/peers`` (random demo members, keep-alive)
back to back for ``--seconds``; printed: answers per second and p50/p99. Then the write-to-visible
delay between replicas: ``--writes`` times, a member PUT through replica A (a real change, new
text to embed), and the time until replica B's ``/ready`` reports that write's store revision
(B's answers come from that snapshot); printed: median and p99.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from evaluation.benchmarks.loopback import call, free_port
from evaluation.benchmarks.pgcluster import ClusterUnavailable, throwaway_cluster

READ, WRITE = "bench-replicas-read", "bench-replicas-write"


class Server:
    """``peermatch serve`` (one worker) on ``data_dir``; ``database_url``: its PostgreSQL store."""

    def __init__(self, data_dir: Path, env: dict[str, str], database_url: str | None) -> None:
        self.port = free_port()
        environment = {**env, **({"PEERMATCH_DATABASE_URL": database_url} if database_url else {})}
        command = [sys.executable, "-m", "cli.main", "serve", "--data-dir", str(data_dir), "--port", str(self.port)]
        self.process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def wait_ready(self, seconds: float = 300) -> Server:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"peermatch serve on port {self.port} exited ({self.process.returncode})")
            try:
                if call(self.connection(), "GET", "/ready", READ)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.25)
        raise SystemExit(f"peermatch serve on port {self.port} was not ready in {seconds:.0f} s")

    def revision(self) -> int:
        return int(json.loads(call(self.connection(), "GET", "/ready", READ)[1])["store_revision"])

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


def _peers_phase(servers: list[Server], members: list[str], clients: int, seconds: float) -> dict[str, float]:
    """``clients`` threads, each on one keep-alive connection to one server (round robin)."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    deadline = time.monotonic() + seconds

    def ask(i: int) -> None:
        connection, rng = servers[i % len(servers)].connection(), random.Random(i)
        while time.monotonic() < deadline:
            started = time.perf_counter()
            status, _ = call(connection, "GET", f"/v1/members/{rng.choice(members)}/peers", READ)
            latencies[i].append(time.perf_counter() - started)
            errors[i] += status != 200

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = np.array([x for row in latencies for x in row]) * 1000
    return {
        "answers": len(every),
        "per_second": len(every) / seconds,
        "p50_ms": float(np.percentile(every, 50)),
        "p99_ms": float(np.percentile(every, 99)),
        "errors": sum(errors),
    }


def _visible_delays(a: Server, b: Server, members: list[str], writes: int) -> list[float]:
    """Seconds from a PUT's answer through A to B's snapshot holding that write."""
    delays = []
    connection = a.connection()
    for i in range(writes):
        member_id = members[i % len(members)]
        _, body = call(connection, "GET", f"/v1/members/{member_id}", READ)
        record = json.loads(body)
        record["profile"] = f"{record.get('profile') or ''} Replica benchmark change {i}: school gardens and flood drills."
        status, answer = call(connection, "PUT", f"/v1/members/{member_id}", WRITE, record)
        if status != 200:
            raise SystemExit(f"PUT through A answered {status}: {answer[:300]!r}")
        acknowledged = time.perf_counter()
        target = a.revision()  # A answers a write once its own snapshot has it: this revision or a later one
        while b.revision() < target:
            time.sleep(0.005)
        delays.append(time.perf_counter() - acknowledged)
        time.sleep(0.2)  # writes apart, as people make them: each delay is one write's
    return delays


def main(
    seconds: Annotated[float, typer.Option(help="Length of each peers phase.")] = 10.0,
    clients: Annotated[int, typer.Option(help="Client threads asking for peers.")] = 4,
    writes: Annotated[int, typer.Option(help="Writes through A timed until B has them.")] = 40,
    rounds: Annotated[int, typer.Option(help="Times each setup is measured, in turn (a shared machine varies).")] = 2,
    database_url: Annotated[str | None, typer.Option(help="An empty PostgreSQL database (default: a throwaway cluster).")] = None,
) -> None:
    from service.auth import digest

    work = Path(tempfile.mkdtemp(prefix="peermatch-bench-replicas-"))
    env = {
        **os.environ,
        "PEERMATCH_LOG_JSON": "false",
        # No background pre-computation: it would take the cores during the phases unevenly (a
        # replica starting later computes later); the peer cache fills from the requests instead.
        "PEERMATCH_PRECOMPUTE_PEERS": "false",
        "PEERMATCH_API_KEYS": f"bench-read:read:{digest(READ)};bench-write:write:{digest(WRITE)}",
    }
    env.pop("PEERMATCH_DATABASE_URL", None)
    # The same throwaway cluster as the tests', fsync on as a real server has it.
    cluster = throwaway_cluster(max_connections=200, fsync=True) if database_url is None else None
    try:
        try:
            url = cluster.__enter__().url() if cluster is not None else database_url
        except ClusterUnavailable as missing:
            raise SystemExit(f"{missing}, or give --database-url") from None
        assert url is not None
        started = time.monotonic()
        typer.echo("loading the demo into SQLite and into PostgreSQL (peermatch demo, twice)...")
        cli = [sys.executable, "-m", "cli.main"]
        subprocess.run([*cli, "demo", "--no-keys", "--data-dir", str(work / "sqlite")], env=env, check=True, stdout=subprocess.DEVNULL)
        pg_env = {**env, "PEERMATCH_DATABASE_URL": url}
        subprocess.run([*cli, "demo", "--no-keys", "--data-dir", str(work / "loader")], env=pg_env, check=True, stdout=subprocess.DEVNULL)
        for name in ("a", "b"):  # each replica's own folder, with the embedding cache (nothing embedded twice)
            (work / name).mkdir()
            shutil.copy(work / "sqlite" / "embedding-cache.sqlite", work / name / "embedding-cache.sqlite")
        typer.echo(f"loaded in {time.monotonic() - started:.0f} s; {clients} clients, {seconds:.0f} s a phase\n")

        rows: list[tuple[str, dict[str, float]]] = []
        sqlite = Server(work / "sqlite", env, None).wait_ready()
        a = Server(work / "a", env, url).wait_ready()
        b = Server(work / "b", env, url).wait_ready()
        _, body = call(sqlite.connection(), "GET", "/v1/members?limit=500", READ)
        members = [m["id"] for m in json.loads(body)["items"]]
        setups = [("1 replica, SQLite", [sqlite]), ("1 replica, PostgreSQL", [a]), ("2 replicas, PostgreSQL", [a, b])]
        for servers in ([sqlite], [a, b]):
            _peers_phase(servers, members, clients, 5)  # warm-up: every member's answer computed once, then cached
        for _ in range(rounds):  # in turn, so that a busy moment of the machine does not fall on one setup only
            rows += [(name, _peers_phase(servers, members, clients, seconds)) for name, servers in setups]
        sqlite.stop()
        typer.echo("| setup | peers answers/s | p50 ms | p99 ms | errors |")
        typer.echo("| --- | --- | --- | --- | --- |")
        for name, r in sorted(rows, key=lambda row: [s[0] for s in setups].index(row[0])):
            typer.echo(f"| {name} | {r['per_second']:.1f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['errors']:.0f} |")
        delays = np.array(_visible_delays(a, b, members, writes)) * 1000
        typer.echo(
            f"\nwrite through A -> in B's answers ({writes} writes): median {np.median(delays):.0f} ms,"
            f" p99 {np.percentile(delays, 99):.0f} ms, max {delays.max():.0f} ms"
        )
        a.stop()
        b.stop()
    finally:
        if cluster is not None:
            cluster.__exit__(None, None, None)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    typer.run(main)
