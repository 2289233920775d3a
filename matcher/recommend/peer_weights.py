"""How a peer score is made from its parts ("who can help me" mode): the default weights, or
weights learned from feedback (``peermatch eval learn-weights --apply``) kept as plain JSON in
the data directory.

    score = w_gives × gives + w_context × context + w_graph × graph share

The parts: ``gives`` (the candidate's evidence for the member's needs, 0-1), ``context`` (the
same challenges, profile, kind and clusters, 0-1) and the graph share (the candidate's
personalised PageRank over the best one's, 0-1, and 0 without at least partial evidence: see
``peers.graph_bonus``). The defaults are ``(1, 0, PEERMATCH_GRAPH_WEIGHT)``: the ranking the
relevance work chose on the development sets.

On a shared PostgreSQL store (replicas, each with its own folder) the applied weights are also kept
in the database, and every replica copies them into its folder within a watcher tick or two.

A learned file is used only when it is valid: the same parts in the same order, this
``SCORE_VERSION`` (a change to how a part is computed makes old files stale), the encoder it was
learned with (``model_id``), finite weights in [-1, 1] whose absolute values sum to 1, at least
one of them positive. Otherwise the defaults are used and the reason is logged, naming the file
and the field.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from matcher.errors import WeightsFileError

if TYPE_CHECKING:
    from matcher.store import Store

PARTS = ("gives", "context", "graph")
SCORE_VERSION = "peers-complementary/2"  # 2: the context part on 0-1 (it was in z units)
WEIGHTS_FILE = "peer-weights.json"
SUM_TOLERANCE = 1e-6

log = logging.getLogger("peermatch.weights")


@dataclass(frozen=True)
class PartWeights:
    """One weight per part (``PARTS``); ``source``: 'defaults' or the learned file's path."""

    gives: float
    context: float
    graph: float
    source: str = "defaults"

    def vector(self) -> np.ndarray:
        return np.asarray([self.gives, self.context, self.graph], dtype=np.float64)

    def combine(self, gives: np.ndarray, context: np.ndarray, graph_share: np.ndarray) -> np.ndarray:
        """The score of every candidate from its parts."""
        return self.gives * gives + self.context * context + self.graph * graph_share

    def normalised(self) -> dict[str, float]:
        """The weights scaled so their absolute values sum to 1 (rankings do not change with scale)."""
        total = float(np.abs(self.vector()).sum()) or 1.0
        return {part: round(float(w) / total, 6) for part, w in zip(PARTS, self.vector(), strict=True)}


def default_weights(graph_weight: float) -> PartWeights:
    return PartWeights(1.0, 0.0, graph_weight)


def weights_path(data_dir: Path) -> Path:
    return data_dir / WEIGHTS_FILE


def weights_mark(data_dir: Path) -> tuple[int, int] | None:
    """What tells a changed weights file from the one a snapshot was made with: its modification
    time and size (one stat), or None when there is none."""
    try:
        status = weights_path(data_dir).stat()
    except OSError:
        return None
    return (status.st_mtime_ns, status.st_size)


def read_learned(path: Path, model_id: str) -> PartWeights:
    """The learned weights in ``path``; WeightsFileError naming the file and the field when they cannot be used."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise WeightsFileError(f"{path}: cannot be read: {error}") from error
    except json.JSONDecodeError as error:
        raise WeightsFileError(f"{path}: invalid JSON: {error.msg} (line {error.lineno})") from error
    if not isinstance(data, dict):
        raise WeightsFileError(f"{path}: expected a JSON object")
    if data.get("score_version") != SCORE_VERSION:
        raise WeightsFileError(f"{path}: field 'score_version': {data.get('score_version')!r}, this peermatch scores {SCORE_VERSION!r}")
    if data.get("model_id") != model_id:
        raise WeightsFileError(f"{path}: field 'model_id': learned with {data.get('model_id')!r}, the encoder is {model_id!r}")
    weights = data.get("weights")
    if not isinstance(weights, dict) or list(weights) != list(PARTS):
        raise WeightsFileError(f"{path}: field 'weights': expected the parts {', '.join(PARTS)} in that order")
    values = []
    for part in PARTS:
        value = weights[part]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or not -1.0 <= value <= 1.0:
            raise WeightsFileError(f"{path}: field 'weights.{part}': {value!r} is not a number from -1 to 1")
        values.append(float(value))
    if abs(sum(abs(v) for v in values) - 1.0) > SUM_TOLERANCE:
        raise WeightsFileError(f"{path}: field 'weights': their absolute values sum to {sum(abs(v) for v in values):.6f}, not 1")
    if max(values) <= 0:
        raise WeightsFileError(f"{path}: field 'weights': none is positive")
    return PartWeights(values[0], values[1], values[2], source=str(path))


def load_weights(data_dir: Path, model_id: str) -> PartWeights | None:
    """The learned weights of ``data_dir`` when its file exists and is valid; None (the defaults)
    otherwise, with the reason logged when a file is there but cannot be used."""
    path = weights_path(data_dir)
    if not path.is_file():
        return None
    try:
        return read_learned(path, model_id)
    except WeightsFileError as error:
        log.warning("learned peer weights not used, the defaults are: %s", error)
        return None


def write_learned(path: Path, weights: dict[str, float], model_id: str, evidence: dict[str, Any]) -> None:
    """Write learned ``weights`` (normalised, in PARTS order) with what they were learned from
    and how they did (``evidence``), atomically."""
    total = sum(abs(weights[p]) for p in PARTS)
    if total <= 0:
        raise WeightsFileError(f"{path}: every learned weight is 0")
    body = {
        "score_version": SCORE_VERSION,
        "model_id": model_id,
        "weights": {part: weights[part] / total for part in PARTS},
        "learned_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "evidence": evidence,
    }
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)
    read_learned(path, model_id)  # what was written is what will be read


# On a shared PostgreSQL store each replica has its own folder: the weights file's text is kept in
# the database too (table ``peer_weights``), and every replica copies a new version into its own
# folder (``sync_shared``, from its watcher), where the file-based path above picks it up.
SHARED_NAME = "peers"


def publish_shared(store: Store, data_dir: Path) -> None:
    """Put ``data_dir``'s weights file (or its absence: the defaults) in the shared store, as a new version."""
    path = weights_path(data_dir)
    body = path.read_text(encoding="utf-8") if path.is_file() else None
    with store.transaction() as db:
        db.execute(
            "INSERT INTO peer_weights (name, body, version) VALUES (?, ?, 1)"
            " ON CONFLICT (name) DO UPDATE SET body = excluded.body, version = peer_weights.version + 1",
            (SHARED_NAME, body),
        )


def sync_shared(store: Store, data_dir: Path, seen: int | None) -> int | None:
    """Copy the shared weights into ``data_dir`` when their version is not ``seen``; returns the
    version now in the folder (``seen`` when nothing was shared yet: a folder's own file stays)."""
    with store.reading() as db:
        row = db.execute("SELECT version, body FROM peer_weights WHERE name = ?", (SHARED_NAME,)).fetchone()
    if row is None or int(row[0]) == seen:
        return seen
    version, body = int(row[0]), row[1]
    path = weights_path(data_dir)
    if body is None:
        path.unlink(missing_ok=True)
        log.warning("learned peer weights removed (version %d from %s): the defaults are used", version, store.where)
    elif not path.is_file() or path.read_text(encoding="utf-8") != body:
        temporary = path.with_suffix(".tmp")
        temporary.write_text(body, encoding="utf-8")
        os.replace(temporary, path)
        log.warning("learned peer weights version %d copied from %s to %s", version, store.where, path)
    return version
