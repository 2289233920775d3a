"""Benchmark: the HTTP service under load, from another process, on loopback.

Run: ``python -m evaluation.benchmarks.service --data-dir DIR`` on a data dir loaded with
``peermatch demo`` (its demo read key is used). The server runs in its own process
(``peermatch serve``); the load comes from wrk when it is installed (Debian's ``wrk``: C,
event-driven, so the client takes little of the machine's two cores), else from a small asyncio
HTTP/1.1 keep-alive client in this process (which takes a core of its own at these rates). Each phase
is bounded in time; the trivial ``/health`` endpoint is measured first as the baseline.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from evaluation.benchmarks.loopback import serve


async def _worker(
    host: str,
    port: int,
    paths: list[str],
    key: str,
    deadline: float,
    latencies: list[float],
    errors: list[str],
    offset: int,
    limit: int | None = None,
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    i = offset
    try:
        while time.perf_counter() < deadline and (limit is None or i - offset < limit):
            path = paths[i % len(paths)]
            i += 1
            request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {key}\r\nConnection: keep-alive\r\n\r\n"
            started = time.perf_counter()
            writer.write(request.encode())
            await writer.drain()
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            await reader.readexactly(length)
            latencies.append((time.perf_counter() - started) * 1000)
            status = status_line.split()[1] if len(status_line.split()) > 1 else b"?"
            if status != b"200":
                errors.append(status.decode())
    finally:
        writer.close()


async def _phase(host: str, port: int, paths: list[str], key: str, seconds: float, connections: int) -> dict[str, float]:
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    await asyncio.gather(*(_worker(host, port, paths, key, deadline, latencies, errors, c * 7) for c in range(connections)))
    elapsed = time.perf_counter() - started
    p50, p95, p99 = np.percentile(latencies, [50, 95, 99]) if latencies else (0, 0, 0)
    return {"requests": len(latencies), "rps": len(latencies) / elapsed, "p50": p50, "p95": p95, "p99": p99, "errors": len(errors)}


def _wrk_phase(port: int, paths: list[str], key: str, seconds: float, connections: int) -> dict[str, float]:
    """The same phase driven by wrk (C, event-driven: it leaves the two cores to the server),
    cycling through ``paths``; its latency percentiles are 50/75/90/99 (p95 shows its 90th)."""
    import re
    import tempfile

    script = (
        "paths = {" + ",".join(f'"{p}"' for p in paths) + "}\n"
        "i = 0\n"
        "request = function()\n  i = i + 1\n"
        f'  return wrk.format("GET", paths[(i % #paths) + 1], {{["Authorization"] = "Bearer {key}"}})\nend\n'
        "done = function(summary, latency, requests)\n"
        '  io.write(string.format("ERRORS %d\\n", summary.errors.status + summary.errors.connect + summary.errors.read'
        " + summary.errors.write + summary.errors.timeout))\nend\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds:.0f}s", "--latency", "-s", handle.name, f"http://127.0.0.1:{port}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    Path(handle.name).unlink()

    def millis(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return {
        "requests": requests,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50": millis("50%"),
        "p95": millis("90%"),
        "p99": millis("99%"),
        "errors": int(re.search(r"ERRORS (\d+)", out).group(1)),  # type: ignore[union-attr]
    }


WRK = shutil.which("wrk") is not None



def main(
    data_dir: Annotated[Path, typer.Option(help="A data dir loaded with 'peermatch demo' (has demo-keys.txt).")],
    seconds: Annotated[float, typer.Option(help="Length of each phase.")] = 15.0,
    connections: Annotated[int, typer.Option(help="Concurrent keep-alive connections.")] = 8,
    workers: Annotated[int, typer.Option(help="Server worker processes.")] = 2,
) -> None:
    keys = dict(line.split("=", 1) for line in (data_dir / "demo-keys.txt").read_text().split())
    client = "wrk" if WRK else "the asyncio client (install wrk for a lighter one: apt install wrk)"
    typer.echo(f"client: {client}, {connections} keep-alive connections, {seconds:.0f} s per phase; server: {workers} worker process(es)")
    for cache in (False, True):
        _run_server(data_dir, keys, seconds, connections, workers, cache)


def _run_server(data_dir: Path, keys: dict[str, str], seconds: float, connections: int, workers: int, cache: bool) -> None:
    env = {**os.environ, "PEERMATCH_LOG_JSON": "false", "PEERMATCH_PEER_CACHE_SIZE": "20000" if cache else "0"}
    mode = "on (stored members pre-computed in the background)" if cache else "off (every request computed)"
    typer.echo(f"\nserver with the per-generation answer cache {mode}")
    server, port = serve(data_dir, env, workers)
    try:
        import json

        ready_pids: set[int] = set()
        deadline = time.time() + 180
        while len(ready_pids) < workers and time.time() < deadline:
            # Each new connection may reach another worker: poll until every worker has said it is ready.
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=1) as response:
                    ready_pids.add(json.loads(response.read())["pid"])
            except OSError:
                pass
            time.sleep(0.1)
        if not ready_pids:
            raise SystemExit("the server did not become ready in 180 s")
        if len(ready_pids) < workers:
            typer.echo(f"note: only {len(ready_pids)} of {workers} workers answered /ready; measuring anyway")
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/v1/members?limit=500", headers={"Authorization": f"Bearer {keys['read']}"}
        )
        with urllib.request.urlopen(request) as response:
            member_ids = [m["id"] for m in json.loads(response.read())["items"]]
        phases = {
            "GET /health (baseline)": ["/health"],
            "GET /v1/members/{id}/peers?k=10": [f"/v1/members/{m}/peers?k=10" for m in member_ids],
        }
        results = {}
        for name, paths in phases.items():
            # With the cache on, the server pre-computes every stored member's answer after start;
            # the warm-up gives it the time (a few seconds on the demo) and warms the connections.
            asyncio.run(_phase("127.0.0.1", port, paths[:20], keys["read"], 5.0 if cache else 2.0, connections))
            if WRK:
                figures = _wrk_phase(port, paths, keys["read"], seconds, connections)
            else:
                figures = asyncio.run(_phase("127.0.0.1", port, paths, keys["read"], seconds, connections))
            results[name] = figures
            typer.echo(
                f"{name:34} {figures['rps']:7.1f} req/s  p50 {figures['p50']:6.2f} ms  {'p90' if WRK else 'p95'} {figures['p95']:6.2f} ms  "
                f"p99 {figures['p99']:6.2f} ms  errors {figures['errors']} of {figures['requests']}"
            )
        base, peers = results["GET /health (baseline)"], results["GET /v1/members/{id}/peers?k=10"]
        typer.echo(f"peers / baseline throughput: {peers['rps'] / base['rps']:.3f}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    typer.run(main)
