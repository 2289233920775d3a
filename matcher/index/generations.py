"""Index generations on disk: a base folder written aside and swapped in by one atomic rename of
the pointer, then small deltas appended to it (one ``.npz`` file each), swapped in the same way.

``CURRENT`` names the generation and how many of its deltas are in force (``gen-123+2``). A
failure mid-write leaves a stray scratch folder and the previous state serving. Every file of a
base or a delta is listed with its SHA-256 in that folder's ``meta.json`` (written last), so a
damaged file is found at load time instead of changing scores.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from matcher.errors import DamagedIndexError, IndexNotBuiltError

log = logging.getLogger("peermatch.index")

POINTER = "CURRENT"
META = "meta.json"
DELTAS = "deltas"


@dataclass(frozen=True)
class Pointer:
    """What ``CURRENT`` says: a base generation folder and the number of its deltas in force."""

    folder: Path
    deltas: int

    @property
    def name(self) -> str:
        return f"{self.folder.name}+{self.deltas}" if self.deltas else self.folder.name

    def delta_path(self, number: int) -> Path:
        return self.folder / DELTAS / f"{number:06d}.npz"


POINTER_FORM = re.compile(r"^(gen-[0-9]+)(?:\+([0-9]+))?$")
_reported: set[tuple[Path, str]] = set()  # malformed pointers already said, said once each


def read_pointer(index_dir: Path) -> Pointer | None:
    """The current generation, or None when none was ever built, its folder is gone, or the
    pointer is malformed (said in one line: the next load rebuilds the index from the store)."""
    pointer = index_dir / POINTER
    try:
        text = pointer.read_text().strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        text = f"unreadable: {error}"
    form = POINTER_FORM.match(text)
    if form is None:
        if (pointer, text) not in _reported:
            _reported.add((pointer, text))
            log.warning("%s: malformed (%r, not gen-<number>[+<deltas>]); the index will be rebuilt from the store", pointer, text[:80])
        return None
    folder = index_dir / form.group(1)
    return Pointer(folder, int(form.group(2) or 0)) if folder.is_dir() else None


def current_generation(index_dir: Path) -> Path | None:
    pointer = read_pointer(index_dir)
    return pointer.folder if pointer else None


def generations(index_dir: Path) -> list[Path]:
    """Every complete base generation, newest first."""
    return sorted((p for p in index_dir.glob("gen-*") if p.is_dir()), key=lambda p: p.name, reverse=True)


def write_generation(index_dir: Path, fill: Callable[[Path], dict[str, Any]], keep: int = 2) -> Path:
    """Call ``fill(folder)`` on a fresh scratch folder (it returns the meta), checksum what it
    wrote, then make the folder the current generation, with no deltas."""
    index_dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".building-", dir=index_dir))
    try:
        _seal(scratch, fill(scratch))
        final = index_dir / f"gen-{time.time_ns()}"
        scratch.rename(final)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    _fsync_dir(index_dir)
    _point(index_dir, final.name)
    # Old generations (with their deltas: many small files) go in the background, not under the write lock.
    threading.Thread(target=_prune, args=(index_dir, keep), daemon=True, name="prune-generations").start()
    return final


def append_delta(index_dir: Path, base: Pointer, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> Pointer:
    """Write delta number ``base.deltas + 1`` of ``base``'s generation as one ``.npz`` file
    (written aside, fsynced, renamed), then point to it. One file a write keeps a write cheap,
    and the zip format's CRC-32 of every array finds a damaged delta at load time."""
    number = base.deltas + 1
    parent = base.folder / DELTAS
    parent.mkdir(exist_ok=True)
    final = base.delta_path(number)
    scratch = parent / f".building-{final.name}"
    try:
        with open(scratch, "wb") as handle:
            np.savez(handle, meta=np.asarray(json.dumps(meta, ensure_ascii=False)), **arrays)  # type: ignore[arg-type]  # numpy stubs type **kwds by allow_pickle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(scratch, final)  # replaces a delta left by a writer that died before its pointer swap
    except BaseException:
        scratch.unlink(missing_ok=True)
        raise
    _fsync_dir(parent)
    pointer = Pointer(base.folder, number)
    _point(index_dir, pointer.name)
    return pointer


def read_delta(pointer: Pointer, number: int) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """A delta's meta and arrays; DamagedIndexError naming the file if it is missing or damaged."""
    path = pointer.delta_path(number)
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
        meta: dict[str, Any] = json.loads(str(arrays.pop("meta")))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as error:
        raise DamagedIndexError(f"{path}: missing or damaged ({error})") from error
    return meta, arrays


def read_meta(folder: Path, *, verify: bool = True) -> dict[str, Any]:
    """A base's or delta's meta.json; ``verify`` also checks every file it lists against its
    checksum. Raises DamagedIndexError naming the file."""
    path = folder / META
    try:
        meta: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise DamagedIndexError(f"{path}: unreadable ({error})") from error
    if verify:
        for name, expected in meta.get("checksums", {}).items():
            try:
                actual = _sha256(folder / name)
            except OSError as error:
                raise DamagedIndexError(f"{folder / name}: missing or unreadable ({error.strerror})") from error
            if actual != expected:
                raise DamagedIndexError(f"{folder / name}: checksum mismatch (the file changed after it was written)")
    return meta


def current_store_revision(index_dir: Path) -> int:
    """The store revision of the current generation and deltas, read from meta.json alone (no index loaded)."""
    pointer = read_pointer(index_dir)
    if pointer is None:
        raise IndexNotBuiltError(f"no index in {index_dir}; run 'peermatch index' (or 'peermatch demo') first")
    if pointer.deltas:
        return int(read_delta(pointer, pointer.deltas)[0]["store_revision"])
    return int(read_meta(pointer.folder, verify=False)["store_revision"])


def current_meta(index_dir: Path) -> dict[str, Any] | None:
    """The current generation's meta (model, dimension, build time) and revision, without loading it."""
    pointer = read_pointer(index_dir)
    if pointer is None:
        return None
    meta = read_meta(pointer.folder, verify=False)
    meta.pop("checksums", None)
    return {**meta, "store_revision": current_store_revision(index_dir), "generation": pointer.name}


def remove_scratch(index_dir: Path) -> int:
    """Remove the scratch folders of writes that a crash cut short (call with no write running)."""
    stray = [*index_dir.glob(".building-*"), *index_dir.glob(f"gen-*/{DELTAS}/.building-*")]
    for path in stray:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return len(stray)


def _seal(folder: Path, meta: dict[str, Any]) -> None:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and DELTAS not in p.relative_to(folder).parts)
    meta = {**meta, "checksums": {str(p.relative_to(folder)): _sha256(p) for p in files}}
    with open(folder / META, "w") as handle:
        json.dump(meta, handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _point(index_dir: Path, name: str) -> None:
    pointer_tmp = index_dir / f".{POINTER}.tmp"
    with open(pointer_tmp, "w") as handle:
        handle.write(name)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(pointer_tmp, index_dir / POINTER)  # the atomic swap
    _fsync_dir(index_dir)


def _prune(index_dir: Path, keep: int) -> None:
    """Remove all but the ``keep`` newest generations (a server may still read the previous one)."""
    for old in generations(index_dir)[keep:]:
        shutil.rmtree(old, ignore_errors=True)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
