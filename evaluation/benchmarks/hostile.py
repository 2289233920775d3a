"""The service under hostile traffic (issue 13), as a repeatable run on loopback.

Run: ``python -m evaluation.benchmarks.hostile [--data-dir DIR]``. DIR is a data dir made by
``peermatch demo`` (without one, a demo is built first, with the real model: a few minutes). It is
copied to a temporary folder, so the run changes nothing of yours; the server (uvicorn, one worker,
127.0.0.1 only) runs in its own process on the copy and is stopped at the end. Every probe is
bounded in count and time. Each prints its figure:

* a chunked 200 MiB body without a key, and with a read key: the status, and how much the client
  had sent when the answer came (the server stops reading at once, or at the size limit);
* an 11 MiB member name sent chunked: 413, and the member is not stored;
* ``HEAVY`` concurrent peer requests: how many were computed, how many told to retry (503), and
  /health's latency meanwhile (p50/p99/max);
* 60 pairing jobs at once: accepted (202) and refused (503);
* an expert request with 5,000 aspects (refused), and the vectors a request with 20 new aspects
  adds to the on-disk embedding cache (none: query vectors are not persisted);
* a key created, then revoked, while serving: how long until it works, and until it is refused;
* ``offset=99999999999999999999``; the modes of the data directory and its secret files;
  /docs and /redoc without a network;
* ``rel21``: the cases of issue 21 (bulk and sign-in bounds, references, scopes, lax types,
  malformed bodies, import files that crashed the reader, download headers, cookies).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

HOST = "127.0.0.1"
MIB = 2**20


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)


async def call(port: int, method: str, path: str, key: str | None = None, body: Any = None, timeout: float = 120) -> Answer:
    """One request on its own connection (Connection: close)."""
    started = time.perf_counter()
    reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), timeout)
    payload = json.dumps(body).encode() if body is not None else b""
    head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\nContent-Length: {len(payload)}\r\n"
    head += "Content-Type: application/json\r\n" if body is not None else ""
    head += f"Authorization: Bearer {key}\r\n" if key else ""
    writer.write(head.encode() + b"\r\n" + payload)
    try:
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    return _parse(raw, time.perf_counter() - started)


async def _answer(reader: asyncio.StreamReader, started: float) -> Answer:
    """Read one answer (status line, headers, a Content-Length body), not waiting for the connection to close."""
    status_line = await reader.readline()
    headers: dict[str, str] = {}
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    parts = status_line.split()
    return Answer(int(parts[1]) if len(parts) > 1 else 0, headers, body, time.perf_counter() - started)


def _parse(raw: bytes, seconds: float) -> Answer:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    return Answer(status, headers, body, seconds)


async def chunked_upload(
    port: int, path: str, key: str | None, total: int, payload: bytes = b"", chunk: int = MIB, timeout: float = 60
) -> tuple[Answer, int]:
    """Send ``payload`` (else ``total`` bytes of filler) with Transfer-Encoding: chunked until the
    server answers; the answer and the bytes the client had written by then (some of them still in
    the kernel's socket buffers)."""
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection(HOST, port)
    head = f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n"
    head += f"Authorization: Bearer {key}\r\n" if key else ""
    writer.write(head.encode() + b"\r\n")
    response = asyncio.ensure_future(asyncio.wait_for(_answer(reader, started), timeout))
    sent = 0
    filler = b"[" + b" " * (chunk - 1)
    total = len(payload) or total
    try:
        while sent < total and not response.done():
            piece = payload[sent : sent + chunk] if payload else filler[: min(chunk, total - sent)]
            writer.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            await writer.drain()
            sent += len(piece)
            await asyncio.sleep(0)
        if not response.done():
            writer.write(b"0\r\n\r\n")
            await writer.drain()
    except (ConnectionResetError, BrokenPipeError):
        pass  # the server answered and closed while we were still sending
    answer = await response
    try:  # did the server hang up after answering?
        closed = await asyncio.wait_for(reader.read(1), 2) == b""
    except TimeoutError:
        closed = False
    except ConnectionResetError:  # closed with our unread bytes in its buffers: a reset
        closed = True
    writer.close()
    answer.headers["x-closed-by-server"] = str(closed)
    return answer, sent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _mode(path: Path) -> str:
    return oct(path.stat().st_mode & 0o777) if path.exists() else "missing"


def _cached_vectors(data_dir: Path) -> int:
    """Vectors in the on-disk embedding cache (read-only)."""
    import sqlite3

    with sqlite3.connect(f"file:{data_dir / 'embedding-cache.sqlite'}?mode=ro", uri=True) as db:
        return int(db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0])


def main(
    data_dir: Annotated[Path | None, typer.Option(help="A data dir made by 'peermatch demo' (copied, never changed).")] = None,
    heavy: Annotated[int, typer.Option(help="Concurrent peer requests in the load probe.")] = 120,
    seconds: Annotated[float, typer.Option(help="Longest time the load probe may take.")] = 120.0,
    probe: Annotated[
        list[str] | None, typer.Option(help="Run only these probes (repeatable): bodies, load, pairing, work, keys, contract, rel21.")
    ] = None,
) -> None:
    work = Path(tempfile.mkdtemp(prefix="peermatch-hostile-"))
    try:
        target = work / "data"
        if data_dir is None:
            typer.echo("building a demo data dir (real model) ...")
            subprocess.run([sys.executable, "-m", "matcher.cli", "demo", "--data-dir", str(target)], check=True, stdout=subprocess.DEVNULL)
        else:
            shutil.copytree(data_dir, target)
        _run(target, heavy, seconds, probe or list(PROBES))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(data_dir: Path, heavy: int, seconds: float, probes: list[str]) -> None:
    keys = dict(line.split("=", 1) for line in (data_dir / "demo-keys.txt").read_text().split())
    os.chmod(data_dir, 0o755)  # as an older version left it: the service must make it private
    port = _free_port()
    env = {**os.environ, "PEERMATCH_DATA_DIR": str(data_dir), "PEERMATCH_LOG_JSON": "false"}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "service.main:app", "--host", HOST, "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 300
        while time.time() < deadline:
            try:
                if asyncio.run(call(port, "GET", "/ready", timeout=2)).status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            raise SystemExit("the server was not ready in 300 s")
        for name in probes:
            asyncio.run(PROBES[name](port, data_dir, keys, heavy, seconds))
    finally:
        server.terminate()
        server.wait(timeout=30)


def _upload(answer: Answer, sent: int) -> str:
    closed = "the server closed the connection" if answer.headers["x-closed-by-server"] == "True" else "connection left open"
    return f"{answer.status} after {sent / MIB:.1f} MiB sent, {answer.seconds * 1000:.0f} ms; {closed}"


def report(name: str, figure: str) -> None:
    typer.echo(f"{name:58} {figure}")


async def bodies(port: int, data_dir: Path, keys: dict[str, str], heavy: int, seconds: float) -> None:
    """Bodies are counted while read; the key is checked before the body."""
    read, write = keys["read"], keys["write"]
    answer, sent = await chunked_upload(port, "/v1/resources/search", None, 200 * MIB)
    report("chunked 200 MiB, no key", _upload(answer, sent))
    answer, sent = await chunked_upload(port, "/v1/resources/search", read, 200 * MIB)
    report("chunked 200 MiB, read key (limit 10 MiB)", _upload(answer, sent))
    name = "x" * (11 * MIB)
    row = {"id": "huge", "name": name, "kind": "city", "country": "FR", "region": "Africa", "languages": ["fr"]}
    answer, sent = await chunked_upload(port, "/v1/members/bulk", write, 0, json.dumps([row]).encode())
    stored = (await call(port, "GET", "/v1/members/huge", read)).status
    report("11 MiB member name, chunked, write key", f"{_upload(answer, sent)}; GET /v1/members/huge -> {stored}")


async def load(port: int, data_dir: Path, keys: dict[str, str], heavy: int, seconds: float) -> None:
    """Liveness under load: ``heavy`` peer requests for unsaved profiles (each new text embedded), at once."""
    read = keys["read"]
    members = (await call(port, "GET", "/v1/members?limit=500", read)).json()["items"]
    health: list[float] = []
    done = asyncio.Event()

    async def sample() -> None:
        while not done.is_set():
            health.append((await call(port, "GET", "/health", timeout=60)).seconds * 1000)
            await asyncio.sleep(0.02)

    sampler = asyncio.ensure_future(sample())
    profiles = [_visitor(members[i % len(members)], i) for i in range(heavy)]
    requests = [call(port, "POST", "/v1/recommendations/peers", read, {"profile": p, "options": {"k": 10}}, seconds) for p in profiles]
    answers = await asyncio.gather(*requests, return_exceptions=True)
    done.set()
    await sampler
    ok = [a for a in answers if isinstance(a, Answer) and a.status == 200]
    busy = [a for a in answers if isinstance(a, Answer) and a.status == 503]
    other = len(answers) - len(ok) - len(busy)
    p50, p99 = np.percentile(health, [50, 99]) if health else (0.0, 0.0)
    report(f"{heavy} concurrent POST /v1/recommendations/peers", f"{len(ok)} x 200, {len(busy)} x 503, {other} other")
    if ok:
        report("  computed ones: median / max latency", f"{np.median([a.seconds for a in ok]):.2f} s / {max(a.seconds for a in ok):.2f} s")
    if busy:
        report(
            "  told to retry: Retry-After, median latency",
            f"{busy[0].headers.get('retry-after')} s, {np.median([a.seconds for a in busy]) * 1000:.0f} ms",
        )
    report("  /health meanwhile: p50 / p99 / max", f"{p50:.1f} / {p99:.1f} / {max(health, default=0):.1f} ms ({len(health)} samples)")


def _visitor(like: dict[str, Any], i: int) -> dict[str, Any]:
    """An unsaved profile modelled on a stored member, with texts no cache has seen."""
    needs = [{"text": f"{n['text']} (visit {i}, {time.time()})", "priority": n.get("priority")} for n in like.get("needs", [])]
    return {
        "id": f"visitor-{i}",
        "name": f"Visitor {i}",
        "kind": like["kind"],
        "country": like["country"],
        "region": like["region"],
        "languages": like["languages"],
        "profile": f"{like.get('profile', '')} (visit {i})",
        "needs": needs or [{"text": f"teacher training for digital literacy (visit {i})"}],
        "strengths": [{"text": f"{s['text']} (visit {i})"} for s in like.get("strengths", [])],
    }


async def pairing(port: int, data_dir: Path, keys: dict[str, str], heavy: int, seconds: float) -> None:
    """The pairing queue is bounded."""
    read = keys["read"]
    cohort = {"mentee_regions": ["Africa"], "mentor_other_regions": True}
    jobs = await asyncio.gather(*(call(port, "POST", "/v1/pairings", read, cohort) for _ in range(60)))
    report("60 pairing jobs at once", f"{sum(a.status == 202 for a in jobs)} x 202, {sum(a.status == 503 for a in jobs)} x 503")


async def work(port: int, data_dir: Path, keys: dict[str, str], heavy: int, seconds: float) -> None:
    """Bounded work per request; query vectors are not persisted."""
    read = keys["read"]
    aspects = [f"aspect number {i}" for i in range(5000)]
    answer = await call(port, "POST", "/v1/recommendations/experts", read, {"theme": "floods", "options": {"aspects": aspects}})
    report("experts with 5,000 aspects", f"{answer.status} {answer.json().get('field')} in {answer.seconds * 1000:.0f} ms")
    before = _cached_vectors(data_dir)
    fresh = [f"hostile probe aspect {time.time()} {i}" for i in range(20)]
    answer = await call(port, "POST", "/v1/recommendations/experts", read, {"theme": "floods", "options": {"aspects": fresh}})
    report("experts with 20 new aspects: vectors added to the disk cache", f"{answer.status}, {_cached_vectors(data_dir) - before}")


async def live_keys(port: int, data_dir: Path, keys: dict[str, str], heavy: int, seconds: float) -> None:
    """Keys created and revoked while serving take effect without a restart."""
    from matcher.store import Store
    from service.key_store import create_key, revoke_key

    with Store(data_dir / "peermatch.sqlite") as store:  # as `peermatch keys create` does, beside the running service
        key = create_key(store, "hostile-probe", ["read"])
        report("new key: time until it works", f"{await _until(port, key, 200):.2f} s")
        revoke_key(store, "hostile-probe")
        report("revoked key: time until it is refused", f"{await _until(port, key, 401):.2f} s")


async def contract(port: int, data_dir: Path, keys: dict[str, str], heavy: int, seconds: float) -> None:
    """Odd input, file modes, offline docs."""
    read = keys["read"]
    answer = await call(port, "GET", "/v1/members?offset=99999999999999999999", read)
    report("GET /v1/members?offset=99999999999999999999", f"{answer.status} {answer.headers.get('content-type')} {answer.body[:60]!r}")
    modes = [_mode(data_dir), _mode(data_dir / "peermatch.sqlite")]  # the API keys' hashes are in the store
    report("modes: data dir, peermatch.sqlite", ", ".join(modes))
    for page in ("/docs", "/redoc"):
        html = (await call(port, "GET", page)).body.decode()
        script = html.split('<script src="')[1].split('"')[0] if '<script src="' in html else ""
        asset = (await call(port, "GET", script)).status if script.startswith("/") else 0
        report(f"{page}: script from", f"{script} -> {asset}")


async def _until(port: int, key: str, status: int, limit: float = 5.0) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        if (await call(port, "GET", "/v1/members?limit=1", key)).status == status:
            return time.perf_counter() - started
        await asyncio.sleep(0.02)
    return float("inf")


async def issue21(port: int, data_dir: Path, keys: dict[str, str], heavy: int, seconds: float) -> None:
    """The cases of issue 21 (evaluation/benchmarks/hostile_rel21.py)."""
    from evaluation.benchmarks.hostile_rel21 import rel21

    await rel21(port, data_dir, keys, heavy, seconds, report)


PROBES = {
    "bodies": bodies,
    "load": load,
    "pairing": pairing,
    "work": work,
    "keys": live_keys,
    "contract": contract,
    "rel21": issue21,
}

if __name__ == "__main__":
    typer.run(main)
