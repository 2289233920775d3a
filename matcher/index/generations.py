"""Index generations: each build writes a new folder aside, then one atomic rename makes it current.

A failure mid-build leaves a stray temporary folder and the old generation serving.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

POINTER = "CURRENT"


def current_generation(index_dir: Path) -> Path | None:
    pointer = index_dir / POINTER
    if not pointer.is_file():
        return None
    folder = index_dir / pointer.read_text().strip()
    return folder if folder.is_dir() else None


def write_generation(index_dir: Path, fill: Callable[[Path], None], keep: int = 2) -> Path:
    """Call ``fill(folder)`` on a fresh temporary folder, then make it the current generation."""
    index_dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".building-", dir=index_dir))
    try:
        fill(scratch)
        name = f"gen-{time.time_ns()}"
        final = index_dir / name
        scratch.rename(final)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    _fsync_dir(index_dir)
    pointer_tmp = index_dir / f".{POINTER}.tmp"
    with open(pointer_tmp, "w") as handle:
        handle.write(name)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(pointer_tmp, index_dir / POINTER)  # the atomic swap
    _fsync_dir(index_dir)
    _prune(index_dir, keep)
    return final


def remove_scratch(index_dir: Path) -> int:
    """Remove the scratch folders of builds that a crash cut short (call with no build running)."""
    stray = [p for p in index_dir.glob(".building-*") if p.is_dir()]
    for folder in stray:
        shutil.rmtree(folder, ignore_errors=True)
    return len(stray)


def _prune(index_dir: Path, keep: int) -> None:
    """Remove all but the ``keep`` newest generations (a server may still read the previous one)."""
    generations = sorted((p for p in index_dir.glob("gen-*") if p.is_dir()), key=lambda p: p.name)
    for old in generations[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
