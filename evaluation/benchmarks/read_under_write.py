"""Benchmark: peer reads while one client writes (issue 21, item 2), on loopback.

Run: ``python -m evaluation.benchmarks.read_under_write`` (``--help`` for options). The server is
``peermatch serve --workers 2`` in its own process, over a copy of a data dir loaded with
``peermatch demo`` (made in a temporary folder when none is given). Reader threads, one
keep-alive connection pinned to each worker, ask ``GET /v1/members/{id}/peers`` back to back
for ``--seconds``; first with no writer (the baseline), then while one client PUTs a member back
to back, each PUT a real change (new text to embed). Printed: reads, p50/p95/p99/max of each
phase, writes done, and the with-writer / no-writer ratios. The target is p99 within 2x.
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


def _pinned(port: int, key: str, workers: int, deadline: float) -> list[http.client.HTTPConnection]:
    """One keep-alive connection per worker process (new connections land where they land)."""
    by_pid: dict[int, http.client.HTTPConnection] = {}
    while len(by_pid) < workers and time.monotonic() < deadline:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            status, body = call(connection, "GET", "/ready", key)
            pid = int(json.loads(body)["pid"])
            if status == 200 and pid not in by_pid:
                by_pid[pid] = connection
                continue
        except (OSError, ValueError, KeyError, http.client.HTTPException):
            time.sleep(0.5)
        connection.close()
    if len(by_pid) < workers:
        raise SystemExit(f"only {len(by_pid)} of {workers} workers answered in time")
    return list(by_pid.values())


def _read_phase(
    connections: list[http.client.HTTPConnection], key: str, member_ids: list[str], seconds: float, writer: threading.Thread | None
) -> tuple[list[float], int]:
    """Back-to-back reads on every connection for ``seconds``; latencies in ms and errors."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def read(connection: http.client.HTTPConnection, seed: int) -> None:
        pick = random.Random(seed)
        mine: list[float] = []
        while time.monotonic() < stop:
            started = time.perf_counter()
            status, _ = call(connection, "GET", f"/v1/members/{pick.choice(member_ids)}/peers?k=10", key)
            mine.append((time.perf_counter() - started) * 1000)
            if status != 200:
                errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=read, args=(c, i)) for i, c in enumerate(connections)]
    if writer is not None:
        writer.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors[0]


def _figures(latencies: list[float]) -> dict[str, float]:
    values = np.asarray(latencies)
    return {
        "reads": float(len(values)),
        "p50": float(np.percentile(values, 50)),
        "p95": float(np.percentile(values, 95)),
        "p99": float(np.percentile(values, 99)),
        "max": float(values.max()),
    }


def main(
    data_dir: Annotated[Path | None, typer.Option(help="A data dir loaded with 'peermatch demo' (copied; not changed).")] = None,
    seconds: Annotated[float, typer.Option(help="Length of each phase.")] = 20.0,
    workers: Annotated[int, typer.Option(help="Server worker processes.")] = 2,
) -> None:
    scratch = Path(tempfile.mkdtemp(prefix="read-under-write-"))
    env = {**os.environ, "PEERMATCH_LOG_JSON": "false"}
    cli = [sys.executable, "-m", "cli.main"]
    try:
        copy = scratch / "data"
        if data_dir is None:
            typer.echo("loading the demo into a temporary data dir (peermatch demo)...")
            subprocess.run([*cli, "demo", "--data-dir", str(copy)], env=env, check=True, stdout=subprocess.DEVNULL)
        else:
            shutil.copytree(data_dir, copy)
        keys = dict(line.split("=", 1) for line in (copy / "demo-keys.txt").read_text().split())
        port = free_port()
        server = subprocess.Popen(
            [*cli, "serve", "--data-dir", str(copy), "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            readers = _pinned(port, keys["read"], workers, time.monotonic() + 300)
            status, body = call(readers[0], "GET", "/v1/members?limit=500", keys["read"])
            member_ids = [m["id"] for m in json.loads(body)["items"]]
            _read_phase(readers, keys["read"], member_ids, 3.0, None)  # warm-up: connections, caches
            quiet, quiet_errors = _read_phase(readers, keys["read"], member_ids, seconds, None)
            writes = [0]
            write_errors = [0]
            stop = threading.Event()
            template = json.loads(call(readers[0], "GET", f"/v1/members/{member_ids[0]}", keys["read"])[1])

            def write() -> None:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                while not stop.is_set():
                    body = {**template, "profile": f"{template['profile']} Revision {writes[0]}: school gardens and flood drills."}
                    status, _ = call(connection, "PUT", f"/v1/members/{template['id']}", keys["write"], body)
                    writes[0] += 1
                    write_errors[0] += status != 200

            writer = threading.Thread(target=write)
            busy, busy_errors = _read_phase(readers, keys["read"], member_ids, seconds, writer)
            stop.set()
            writer.join()
        finally:
            server.terminate()
            server.wait(timeout=60)
        a, b = _figures(quiet), _figures(busy)
        typer.echo(
            f"{workers} workers, {len(readers)} reader connections (one a worker), {seconds:.0f} s a phase, {len(member_ids)} members"
        )
        for name, f, errors in (("no writer", a, quiet_errors), ("one writer", b, busy_errors)):
            typer.echo(
                f"{name:11} reads {f['reads']:6.0f}  p50 {f['p50']:8.2f} ms  p95 {f['p95']:8.2f} ms  p99 {f['p99']:8.2f} ms"
                f"  max {f['max']:8.2f} ms  errors {errors}"
            )
        typer.echo(f"writes done during the second phase: {writes[0]} ({write_errors[0]} not 200)")
        typer.echo(f"ratio one writer / no writer: p50 {b['p50'] / a['p50']:.2f}x  p99 {b['p99'] / a['p99']:.2f}x  (target p99 <= 2x)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    typer.run(main)
