"""Benchmark: peer reads while one client writes (issue 21, item 2), on loopback.

Run: ``python -m evaluation.benchmarks.read_under_write`` (``--help`` for options). The server is
``peermatch serve --workers 2`` in its own process, over a copy of a data dir loaded with
``peermatch demo`` (made in a temporary folder when none is given). Reader threads, one
keep-alive connection pinned to each worker, ask ``GET /v1/members/{id}/peers`` back to back
for ``--seconds``; first with no writer (the baseline), then while one client, a process of its
own, PUTs a member back to back, each PUT a real change (new text to embed). Printed: reads, p50/p95/p99/max of each
phase with the machine's 1-minute load average as the phase began, writes done, and the
with-writer / no-writer ratios; ``--runs N`` repeats the pair on a fresh server (the machine is
shared and noisy: one run proves little). Each write makes a new snapshot; its answer cache starts
with the last one's answers, served stale for at most ``PEERMATCH_ANSWER_STALE_SECONDS`` while
they are ranked again in the background (``service.answers``), so the second phase also prints
how stale the answers read were: the share ranked before the latest write acknowledged when the
read began, and how long after that write they were read (from ``X-Peermatch-Revision``).
``--no-answer-cache`` computes every read in both phases, which leaves what the writer's work
itself takes from the readers. ``--writer-nice N`` sends the writes to a second server at OS
priority N, so that the readers' workers only catch up with them: the cost of the write itself
told from that of the catch-ups; ``--writer-idle`` runs that server in the OS's idle scheduling
class instead. ``--idle-readers`` (with either) has the readers' workers do nothing but read: no
catch-up after the first, no stale answer ranked again (so their answers grow old, which no
deployment would accept): what is left is what a writing process on the same machine takes from
readers that do no work of their own, the floor of any design that writes on this machine.
``--attribute`` has the workers trace their background work (``service.activity``) and tells
which of it the slow reads overlapped. The target is p99 within 2x.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event as EventType
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from evaluation.benchmarks.loopback import call, call_with_headers, serve
from service.activity import read_trace


def _pinned(port: int, key: str, workers: int, deadline: float) -> dict[int, http.client.HTTPConnection]:
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
    return by_pid


@dataclass(frozen=True)
class Read:
    began: float  # time.monotonic() as the request was sent
    ms: float
    revision: int  # the store revision the answer was ranked at (X-Peermatch-Revision)
    served: str  # current, stale or computed (Server-Timing)
    server_ms: float  # the worker's own time for it (Server-Timing's dur)
    connection: int  # which reader connection, so which worker, asked it


def _read_phase(
    connections: list[http.client.HTTPConnection],
    key: str,
    member_ids: list[str],
    seconds: float,
    writer: BaseProcess | None,
    rate: float | None = None,
) -> tuple[list[Read], int]:
    """Reads on every connection for ``seconds``, back to back, or at ``rate`` reads a second in all
    (each connection its share, on a fixed schedule); each read, and the errors. At a rate, a read
    is timed from when it was due, not from when it was sent: a read held up by the one before it
    counts its wait (no coordinated omission)."""
    reads: list[Read] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    interval = len(connections) / rate if rate else 0.0

    def read(connection: http.client.HTTPConnection, seed: int) -> None:
        pick = random.Random(seed)
        mine: list[Read] = []
        due = time.perf_counter() + interval * seed / len(connections)  # connections staggered
        while time.monotonic() < stop:
            if interval:
                time.sleep(max(0.0, due - time.perf_counter()))
            began, started = time.monotonic(), (due if interval else time.perf_counter())
            due += interval
            status, _, headers = call_with_headers(connection, "GET", f"/v1/members/{pick.choice(member_ids)}/peers?k=10", key)
            ms = (time.perf_counter() - started) * 1000
            served, server_ms = _server_timing(headers.get("Server-Timing", ""))
            mine.append(Read(began, ms, int(headers.get("X-Peermatch-Revision") or 0), served, server_ms, seed))
            if status != 200:
                errors[0] += 1
        with lock:
            reads.extend(mine)

    threads = [threading.Thread(target=read, args=(c, i)) for i, c in enumerate(connections)]
    if writer is not None:
        writer.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return reads, errors[0]


def _server_timing(header: str) -> tuple[str, float]:
    """``answer;desc="stale";dur=0.8`` -> ("stale", 0.8); ("?", nan) when absent."""
    parts = dict(part.strip().partition("=")[::2] for part in header.split(";")[1:])
    try:
        return parts["desc"].strip('"'), float(parts["dur"])
    except (KeyError, ValueError):
        return "?", float("nan")


def _by_served(reads: list[Read]) -> str:
    """The reads by how they were served: share, client p50/p99 and worker p99 of each kind."""
    lines = []
    for served in ("current", "stale", "computed"):
        mine = [read for read in reads if read.served == served]
        if mine:
            client = np.asarray([read.ms for read in mine])
            worker = np.asarray([read.server_ms for read in mine])
            lines.append(
                f"{served} {len(mine) / len(reads):6.1%}: p50 {np.percentile(client, 50):6.2f} ms, p99 {np.percentile(client, 99):7.2f} ms"
                f" (in the worker p99 {np.percentile(worker, 99):7.2f} ms)"
            )
    return "\n      ".join(lines)


def _staleness(reads: list[Read], written: list[tuple[float, int]]) -> tuple[float, float, float]:
    """Of ``reads``, the share answered from a revision older than the latest write acknowledged
    (``written``: its time and store revision) when the read began, and the median and largest
    time since the first write the answer lacked."""
    ages = []
    for read in reads:
        missed = [at for at, revision in written if at <= read.began and revision > read.revision]
        ages.append(read.began - min(missed) if missed else 0.0)
    stale = [age for age in ages if age > 0]
    return len(stale) / max(len(reads), 1), float(np.median(stale)) if stale else 0.0, max(stale, default=0.0)


def _figures(reads: list[Read]) -> dict[str, float]:
    values = np.asarray([read.ms for read in reads])
    return {
        "reads": float(len(values)),
        "p50": float(np.percentile(values, 50)),
        "p95": float(np.percentile(values, 95)),
        "p99": float(np.percentile(values, 99)),
        "max": float(values.max()),
    }


@dataclass
class Phase:
    name: str
    figures: dict[str, float]
    by_served: str
    errors: int
    load: float  # the machine's 1-minute load average as the phase began


@dataclass
class Run:
    members: int
    connections: int
    phases: tuple[Phase, Phase]  # no writer, one writer
    writes: int
    write_errors: int
    staleness: tuple[float, float, float]  # the one-writer phase's share of stale answers, median and largest age (s)
    attribution: list[str]  # with --attribute: what the slow reads of the one-writer phase overlapped


def _write_back_to_back(
    port: int,
    key: str,
    template: dict[str, object],
    stop: EventType,
    results: multiprocessing.SimpleQueue[tuple[int, int, list[tuple[float, int]]]],
) -> None:
    """PUT the member ``template`` back to back, each a real change (new text to embed), until
    ``stop``; then put (writes, errors, each acknowledged write's time and store revision) in ``results``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    writes = errors = 0
    written: list[tuple[float, int]] = []
    while not stop.is_set():
        body = {**template, "profile": f"{template['profile']} Revision {writes}: school gardens and flood drills."}
        status, answer = call(connection, "PUT", f"/v1/members/{template['id']}", key, body)
        writes += 1
        errors += status != 200
        if status == 200:
            written.append((time.monotonic(), int(json.loads(answer)["store_revision"])))
    results.put((writes, errors, written))


def _attribution(reads: list[Read], pids: list[int], trace: Path, slow_ms: float) -> list[str]:
    """What the one-writer phase's reads slower than ``slow_ms`` overlapped, from the workers'
    activity trace (``service.activity``): per worker, the time each kind of work took during the
    phase; then the share of slow reads, and of all reads, that a span of each kind overlapped, in
    the worker that served the read and in the other one ("nothing": none did)."""
    spans = read_trace(trace)
    start, end = min(r.began for r in reads), max(r.began + r.ms / 1000 for r in reads)
    lines = []
    for pid in pids:
        took: dict[str, list[float]] = {}
        for kind, began, ended in spans.get(pid, []):
            if ended > start and began < end:
                took.setdefault(kind, []).append(min(ended, end) - max(began, start))
        shown = ", ".join(f"{kind} {sum(t):.2f} s ({len(t)})" for kind, t in sorted(took.items(), key=lambda kv: -sum(kv[1])))
        lines.append(f"worker {pid}, time in its background work during the {end - start:.0f} s: {shown or 'none'}")
    slow = [r for r in reads if r.ms > slow_ms]
    for label, served_by in (("the worker that served it", 0), ("the other worker", 1)):
        if len(pids) < 2 and served_by:
            continue
        overlapped: dict[str, list[int]] = {}  # kind -> [slow reads, all reads] it overlapped
        for read in reads:
            pid = pids[(read.connection + served_by) % len(pids)]
            finished = read.began + read.ms / 1000
            kinds = {kind for kind, began, ended in spans.get(pid, []) if began < finished and ended > read.began} or {"nothing"}
            for kind in kinds:
                counts = overlapped.setdefault(kind, [0, 0])
                counts[0] += read.ms > slow_ms
                counts[1] += 1
        ordered = sorted(overlapped.items(), key=lambda kv: -kv[1][0])
        shares = ", ".join(f"{kind} {c[0] / max(len(slow), 1):.0%} ({c[1] / len(reads):.1%})" for kind, c in ordered)
        lines.append(f"reads over {slow_ms:.1f} ms ({len(slow)}) overlapping work in {label}: {shares}  (of all reads in brackets)")
    return lines


def _run(
    copy: Path,
    keys: dict[str, str],
    seconds: float,
    workers: int,
    answer_cache: bool,
    rate: float | None,
    writer_nice: int | None,
    attribute: bool = False,
    *,
    writer_idle: bool = False,
    idle_readers: bool = False,
) -> Run:
    """One run over ``copy``: a fresh server, warm-up reads, the no-writer phase, the one-writer
    phase; with ``writer_nice``, the writes go to a second server of one worker on the same data
    dir, at that OS priority, so that the readers' workers only catch up with them; with
    ``attribute``, the workers trace their background work and the slow reads are set against it."""
    env = {**os.environ, "PEERMATCH_LOG_JSON": "false"}
    if not answer_cache:
        env["PEERMATCH_PEER_CACHE_SIZE"] = "0"
    trace = copy / "activity-trace.txt"
    if attribute:
        env["PEERMATCH_ACTIVITY_TRACE"] = str(trace)
    readers_env = dict(env)
    if idle_readers:  # the first catch-up, then none for the run; stale answers never due again
        readers_env |= {"PEERMATCH_CATCH_UP_FOLD_SECONDS": "100000", "PEERMATCH_ANSWER_STALE_SECONDS": "1000000"}
    server, port = serve(copy, readers_env, workers)
    apart = writer_nice is not None or writer_idle
    write_server, write_port = serve(copy, env, 1, nice=writer_nice or 0, idle=writer_idle) if apart else (None, port)
    try:
        pinned = _pinned(port, keys["read"], workers, time.monotonic() + 300)
        pids, readers = list(pinned), list(pinned.values())
        if write_server is not None:
            next(iter(_pinned(write_port, keys["read"], 1, time.monotonic() + 300).values())).close()
        status, body = call(readers[0], "GET", "/v1/members?limit=500", keys["read"])
        member_ids = [m["id"] for m in json.loads(body)["items"]]
        _read_phase(readers, keys["read"], member_ids, 3.0, None)  # warm-up: connections, caches
        quiet_load = os.getloadavg()[0]
        quiet, quiet_errors = _read_phase(readers, keys["read"], member_ids, seconds, None, rate)
        template = json.loads(call(readers[0], "GET", f"/v1/members/{member_ids[0]}", keys["read"])[1])
        # The writer is another client, in its own process (a hub writes from elsewhere): a thread
        # here would share this process's interpreter with the reader threads and add its waits to
        # their timings.
        stop = multiprocessing.get_context("fork").Event()
        results: multiprocessing.SimpleQueue[tuple[int, int, list[tuple[float, int]]]] = multiprocessing.get_context("fork").SimpleQueue()
        writer = multiprocessing.get_context("fork").Process(
            target=_write_back_to_back, args=(write_port, keys["write"], template, stop, results), daemon=True
        )
        busy_load = os.getloadavg()[0]
        busy, busy_errors = _read_phase(readers, keys["read"], member_ids, seconds, writer, rate)
        stop.set()
        writes, write_errors, written = results.get()
        writer.join(timeout=120)
    finally:
        for process in (server, write_server):
            if process is not None:
                process.terminate()
                process.wait(timeout=60)
    phases = (
        Phase("no writer", _figures(quiet), _by_served(quiet), quiet_errors, quiet_load),
        Phase("one writer", _figures(busy), _by_served(busy), busy_errors, busy_load),
    )
    # Slow: over the target, twice the no-writer p99.
    attribution = _attribution(busy, pids, trace, 2 * phases[0].figures["p99"]) if attribute and trace.exists() else []
    return Run(len(member_ids), len(readers), phases, writes, write_errors, _staleness(busy, written), attribution)


def main(
    data_dir: Annotated[Path | None, typer.Option(help="A data dir loaded with 'peermatch demo' (copied; not changed).")] = None,
    seconds: Annotated[float, typer.Option(help="Length of each phase.")] = 20.0,
    workers: Annotated[int, typer.Option(help="Server worker processes.")] = 2,
    runs: Annotated[int, typer.Option(min=1, help="Runs, each on a fresh copy and server, both phases in each.")] = 1,
    answer_cache: Annotated[
        bool,
        typer.Option(
            help="Keep the service's answer cache (as deployed). Off, every read is computed in both phases: what is left"
            " is what the writer's work takes from the readers, without the cache that each write empties."
        ),
    ] = True,
    rate: Annotated[
        float | None,
        typer.Option(
            min=1,
            help="Reads a second in all, on a fixed schedule (a hub's steady traffic), each timed from when it was due."
            " Default: back to back, as fast as the server answers (the machine saturated, readers and writer sharing its cores).",
        ),
    ] = None,
    attribute: Annotated[
        bool,
        typer.Option(
            "--attribute",
            help="A diagnostic: the workers trace their background work (PEERMATCH_ACTIVITY_TRACE: writes, catch-ups,"
            " answers ranked again, garbage-collector passes), and the one-writer phase's reads over the target (twice the"
            " no-writer p99) are set against it: the share of them each kind of work overlapped, in the worker that served"
            " the read and in the other.",
        ),
    ] = False,
    writer_nice: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=19,
            help="A diagnostic: send the writes to a second 'peermatch serve --workers 1' on the same data dir, run at this OS"
            " priority (nice), so that the readers' workers do not write, only catch up with the writes. It tells the cost"
            " of the write itself from that of the catch-ups.",
        ),
    ] = None,
    writer_idle: Annotated[
        bool,
        typer.Option(
            "--writer-idle",
            help="A diagnostic: as --writer-nice, the writes through a second server, run in the OS's idle scheduling class"
            " (SCHED_IDLE: it gets a core only when nothing else wants one).",
        ),
    ] = False,
    idle_readers: Annotated[
        bool,
        typer.Option(
            "--idle-readers",
            help="A diagnostic, with --writer-nice or --writer-idle: the readers' workers catch up once and never again,"
            " and rank no stale answer again, so they do nothing but read. What is left of the ratio is what a writing"
            " process on this machine takes from readers that do no work of their own.",
        ),
    ] = False,
) -> None:
    if idle_readers and writer_nice is None and not writer_idle:
        raise typer.BadParameter("--idle-readers needs the writes in a second server: add --writer-nice N or --writer-idle")
    scratch = Path(tempfile.mkdtemp(prefix="read-under-write-"))
    try:
        source = scratch / "source"
        if data_dir is None:
            typer.echo("loading the demo into a temporary data dir (peermatch demo)...")
            env = {**os.environ, "PEERMATCH_LOG_JSON": "false"}
            command = [sys.executable, "-m", "cli.main", "demo", "--data-dir", str(source)]
            subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
            data_dir = source
        ratios: list[float] = []
        for number in range(1, runs + 1):
            copy = scratch / f"run-{number}"
            shutil.copytree(data_dir, copy)
            keys = dict(line.split("=", 1) for line in (copy / "demo-keys.txt").read_text().split())
            run = _run(
                copy, keys, seconds, workers, answer_cache, rate, writer_nice, attribute, writer_idle=writer_idle, idle_readers=idle_readers
            )
            shutil.rmtree(copy, ignore_errors=True)
            typer.echo(
                f"run {number}: {workers} workers, {run.connections} reader connections (one a worker),"
                f" {f'{rate:.0f} reads/s' if rate else 'back to back'}, {seconds:.0f} s a phase, {run.members} members,"
                f" answer cache {'on' if answer_cache else 'off'}"
                + (f", writes through a second server at nice {writer_nice}" if writer_nice is not None and not writer_idle else "")
                + (", writes through a second server in the idle scheduling class" if writer_idle else "")
                + (", readers idle (no catch-up after the first, no answer ranked again)" if idle_readers else "")
            )
            for phase in run.phases:
                f = phase.figures
                typer.echo(
                    f"  {phase.name:11} reads {f['reads']:6.0f}  p50 {f['p50']:8.2f} ms  p95 {f['p95']:8.2f} ms  p99 {f['p99']:8.2f} ms"
                    f"  max {f['max']:8.2f} ms  errors {phase.errors}  load {phase.load:.2f}"
                )
                typer.echo(f"      {phase.by_served}")
            a, b = run.phases[0].figures, run.phases[1].figures
            ratios.append(b["p99"] / a["p99"])
            typer.echo(f"  writes done during the second phase: {run.writes} ({run.write_errors} not 200)")
            share, median, largest = run.staleness
            typer.echo(
                f"  answers ranked before the latest acknowledged write: {share:.1%}; read {median:.1f} s (median),"
                f" {largest:.1f} s (largest) after the first write they lack"
            )
            typer.echo(f"  ratio one writer / no writer: p50 {b['p50'] / a['p50']:.2f}x  p99 {ratios[-1]:.2f}x  (target p99 <= 2x)")
            for line in run.attribution:
                typer.echo(f"  {line}")
        if runs > 1:
            typer.echo(f"p99 ratios: {' '.join(f'{r:.2f}x' for r in ratios)}  median {float(np.median(ratios)):.2f}x")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    typer.run(main)
