"""Benchmark: /health while one bulk request of 5,000 records is validated and written (issue 21, item 6).

Run: ``python -m evaluation.benchmarks.health_under_bulk`` (``--help`` for options). The server is
``peermatch serve --workers 1`` in its own process (one worker: the bulk and /health meet in the
same process, as they would on a busy worker), over a copy of a data dir loaded with ``peermatch
demo`` (made in a temporary folder when none is given). A sampler asks ``GET /health`` every
20 ms on its own keep-alive connection: first with nothing else running (the baseline), then
while ``POST /v1/members/bulk`` sends ``--bulk`` valid new members (validated, embedded, indexed:
each round new texts, so each is a real write), then while it sends as many empty records
(``{}``: validated, refused with a 422). Printed for each phase: /health p50/p99/max, the bulks'
statuses and times, and the machine's 1-minute load average as the phase began.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from evaluation.benchmarks.loopback import call, free_port
from service.routes.records import BULK_MAX

SAMPLE_EVERY = 0.02


def _sampled(port: int, work: Callable[[], list[tuple[int, float]]]) -> tuple[list[tuple[int, float]], list[float]]:
    """Run ``work`` while sampling /health every 20 ms; its result and the /health latencies (ms)."""
    samples: list[float] = []
    done = threading.Event()

    def sample() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while not done.is_set():
            started = time.perf_counter()
            connection.request("GET", "/health")
            connection.getresponse().read()
            samples.append((time.perf_counter() - started) * 1000)
            time.sleep(SAMPLE_EVERY)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        result = work()
    finally:
        done.set()
        sampler.join()
    return result, samples


def _members(template: dict[str, Any], count: int, round_: int) -> list[dict[str, Any]]:
    """``count`` new members like ``template``, each with its own id, name and a profile new in this round."""
    return [
        {
            **template,
            "id": f"bulk-{i:05d}",
            "name": f"Bulk member {i}",
            "partners": [],
            "profile": f"Round {round_}, member {i}: school gardens, flood drills and teacher exchanges in district {i % 97}.",
        }
        for i in range(count)
    ]


def main(
    data_dir: Annotated[Path | None, typer.Option(help="A data dir loaded with 'peermatch demo' (copied; not changed).")] = None,
    idle_seconds: Annotated[float, typer.Option(help="Length of the idle phase.")] = 10.0,
    bulk: Annotated[int, typer.Option(min=1, max=BULK_MAX, help="Records in each bulk request.")] = BULK_MAX,
    rounds: Annotated[int, typer.Option(min=1, help="Bulk requests in each bulk phase, one after the other.")] = 2,
) -> None:
    scratch = Path(tempfile.mkdtemp(prefix="health-under-bulk-"))
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
        # No time limit on the bulk's place in the write queue, and no answer pre-computation: the
        # figure is the bulk's own effect on /health.
        server_env = {**env, "PEERMATCH_QUEUE_SECONDS": "600", "PEERMATCH_PRECOMPUTE_PEERS": "false"}
        command = [*cli, "serve", "--data-dir", str(copy), "--port", str(port), "--workers", "1"]
        server = subprocess.Popen(command, env=server_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 300
            while True:
                try:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
                    if call(connection, "GET", "/ready", keys["read"])[0] == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not get ready in 300 s")
                time.sleep(0.5)
            first = json.loads(call(connection, "GET", "/v1/members?limit=1", keys["read"])[1])["items"][0]

            def bulks(make: Callable[[int], list[dict[str, Any]]]) -> Callable[[], list[tuple[int, float]]]:
                def run() -> list[tuple[int, float]]:
                    out = []
                    for round_ in range(rounds):
                        body = make(round_)
                        started = time.perf_counter()
                        fresh = http.client.HTTPConnection("127.0.0.1", port, timeout=600)  # an idle one may be closed
                        status, _ = call(fresh, "POST", "/v1/members/bulk", keys["write"], body)
                        fresh.close()
                        out.append((status, time.perf_counter() - started))
                    return out

                return run

            def wait() -> list[tuple[int, float]]:
                time.sleep(idle_seconds)
                return []

            phases: list[tuple[str, list[tuple[int, float]], list[float], float]] = []
            load = os.getloadavg()[0]
            _, idle = _sampled(port, wait)
            phases.append(("idle", [], idle, load))
            load = os.getloadavg()[0]
            answers, busy = _sampled(port, bulks(lambda round_: _members(first, bulk, round_)))
            phases.append((f"bulk of {bulk:,} valid members", answers, busy, load))
            load = os.getloadavg()[0]
            answers, refused = _sampled(port, bulks(lambda round_: [{}] * bulk))
            phases.append((f"bulk of {bulk:,} empty records", answers, refused, load))
        finally:
            server.terminate()
            server.wait(timeout=60)
        base = float(np.percentile(idle, 99))
        for name, answers, samples, load in phases:
            values = np.asarray(samples)
            typer.echo(
                f"{name:30} /health n {len(values):4d}  p50 {np.percentile(values, 50):7.2f} ms  p99 {np.percentile(values, 99):7.2f} ms"
                f"  max {values.max():7.2f} ms  (p99 {np.percentile(values, 99) / base:.2f}x idle)  load {load:.2f}"
            )
            if answers:
                typer.echo(f"{'':30} bulks: {', '.join(f'{status} in {seconds:.1f} s' for status, seconds in answers)}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    typer.run(main)
