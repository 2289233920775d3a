"""The workers' activity trace (``service.activity``) and what the read-under-write benchmark makes of it."""

from __future__ import annotations

import gc
import os
import time
from pathlib import Path

from evaluation.benchmarks.read_under_write import Read, _attribution
from service.activity import ActivityTrace, read_trace


def test_spans_and_garbage_collector_passes_are_traced_with_the_pid(tmp_path: Path) -> None:
    path = tmp_path / "trace.txt"
    trace = ActivityTrace(path)
    try:
        with trace.span("write"):
            time.sleep(0.01)
        gc.collect()
    finally:
        trace.stop()
    spans = read_trace(path)[os.getpid()]
    kinds = [kind for kind, _, _ in spans]
    assert kinds[0] == "write" and "gc2" in kinds
    _, began, ended = spans[0]
    assert ended - began >= 0.01
    gc.collect()  # stopped: no more lines
    assert len(read_trace(path)[os.getpid()]) == len(spans)


def test_no_trace_file_when_none_is_asked_for(tmp_path: Path) -> None:
    trace = ActivityTrace(None)
    with trace.span("write"):
        gc.collect()
    assert list(tmp_path.iterdir()) == []


def test_slow_reads_are_set_against_the_work_they_overlapped(tmp_path: Path) -> None:
    """Worker 1 wrote from t=10.0 to 10.1; its slow read at 10.05 overlapped that write, its fast
    one at 11 nothing; the other worker's slow read at 12 overlapped worker 1's catch-up. Work is
    counted within the phase (its first read to its last), so the write's first 0.05 s are not."""
    path = tmp_path / "trace.txt"
    path.write_text("1 write 10.0 10.1\n1 catch-up 11.9 12.1\n2 refresh 10.06 10.08\n", encoding="utf-8")
    reads = [
        Read(10.05, 9.0, 0, "stale", 1.0, connection=0),
        Read(11.0, 1.0, 0, "stale", 0.5, connection=0),
        Read(12.0, 9.0, 0, "stale", 1.0, connection=1),
    ]
    lines = _attribution(reads, [1, 2], path, slow_ms=4.0)
    assert lines[0].startswith("worker 1, time in its background work") and lines[0].endswith("catch-up 0.11 s (1), write 0.05 s (1)")
    assert "refresh 0.02 s (1)" in lines[1]
    assert "overlapping work in the worker that served it: write 50% (33.3%), nothing 50% (66.7%)" in lines[2]
    assert "overlapping work in the other worker:" in lines[3] and "catch-up 50% (33.3%)" in lines[3]
