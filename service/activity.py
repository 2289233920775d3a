"""What a worker's background threads were doing, and when: a diagnostic trace, off by default.

With ``PEERMATCH_ACTIVITY_TRACE=FILE``, each worker appends one line per span of work that shares
its interpreter with the readers: ``pid kind start end`` (``time.monotonic()``, the same clock in
every process of the machine), where kind is ``write``, ``catch-up``, ``touched`` (an answer a
write touched, ranked again), ``refresh`` (a stale answer ranked again), ``precompute`` or
``gc0``/``gc1``/``gc2`` (a pass of the garbage collector, which holds every thread of the worker).
``python -m evaluation.benchmarks.read_under_write --attribute`` reads it to tell which of them the
slow reads overlapped (issue 21, item 2). Lines are small and appended whole, so the workers of
one server share the file.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any


class ActivityTrace:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._gc_started = 0.0
        if path is not None:
            gc.callbacks.append(self._on_gc)

    def span(self, kind: str) -> AbstractContextManager[None]:
        """A span of ``kind`` around a block; nothing at all when no trace is asked for."""
        return nullcontext() if self.path is None else self._span(kind)

    def since(self, kind: str, started: float) -> None:
        """A span of ``kind`` from ``started`` (``time.monotonic()``) to now, for work known to have
        happened only once it is over (a watcher's tick that did catch up)."""
        if self.path is not None:
            self._write(kind, started)

    @contextmanager
    def _span(self, kind: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            self._write(kind, started)

    def stop(self) -> None:
        if self.path is not None and self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_started = time.monotonic()
        else:
            self._write(f"gc{info['generation']}", self._gc_started)

    def _write(self, kind: str, started: float) -> None:
        assert self.path is not None
        line = f"{os.getpid()} {kind} {started:.6f} {time.monotonic():.6f}\n"
        with open(self.path, "a", encoding="utf-8") as trace:
            trace.write(line)


def read_trace(path: Path) -> dict[int, list[tuple[str, float, float]]]:
    """The spans of a trace file by worker pid: (kind, start, end)."""
    spans: dict[int, list[tuple[str, float, float]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        pid, kind, start, end = line.split()
        spans.setdefault(int(pid), []).append((kind, float(start), float(end)))
    return spans
