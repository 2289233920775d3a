"""Benchmark: the affinity matrix (50 needs x all members) and peer-recommendation latency on the demo.

Run: ``python -m evaluation.benchmarks.recommend --data-dir DIR`` on a data dir loaded with
``peermatch demo``. The naive baseline scores each (need, member) pair on its own: one
matrix-vector product per member's passages in a Python loop, dense only, no calibration,
which is what a first version would do.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from matcher.recommend.peers import PeerOptions
from matcher.settings import Settings
from matcher.workspace import Workspace


def main(
    data_dir: Annotated[Path | None, typer.Option(help="A data dir loaded with 'peermatch demo'.")] = None,
    needs: Annotated[int, typer.Option(help="Rows of the affinity matrix.")] = 50,
    repeats: Annotated[int, typer.Option(help="Peer requests to time.")] = 200,
) -> None:
    workspace = Workspace(Settings(data_dir=data_dir) if data_dir else Settings())
    recommender = workspace.snapshot().recommender
    started = time.perf_counter()
    recommender.evidence  # noqa: B018 - built once per index generation
    setup = time.perf_counter() - started
    needy = [m.id for m in recommender.members if m.needs]
    rows, chosen = 0, []
    for member_id in needy:
        chosen.append(member_id)
        rows += len(recommender.member(member_id).needs)
        if rows >= needs:
            break
    started = time.perf_counter()
    matrix = recommender.affinity(chosen)
    affinity_seconds = time.perf_counter() - started

    # naive: one member at a time, one passage block at a time
    texts = matrix.need_texts
    vectors = recommender.encoder.encode(texts)
    started = time.perf_counter()
    member_matrix = recommender.member_matrix
    rows_of: dict[str, list[int]] = {}
    for row, owner in enumerate(member_matrix.owners):
        rows_of.setdefault(owner, []).append(row)
    naive = np.zeros((len(texts), len(recommender.members)))
    for i in range(len(texts)):
        for j, member in enumerate(recommender.members):
            block = member_matrix.vectors[rows_of.get(member.id, [])]
            naive[i, j] = float((block @ vectors[i]).max()) if len(block) else 0.0
    naive_seconds = time.perf_counter() - started

    latencies = []
    ids = [m.id for m in recommender.members]
    for n in range(repeats):
        started = time.perf_counter()
        recommender.peers(ids[n % len(ids)], PeerOptions(k=10))
        latencies.append((time.perf_counter() - started) * 1000)
    p50, p95, p99 = np.percentile(latencies, [50, 95, 99])
    typer.echo(f"evidence set-up (once per index generation): {setup:.3f} s")
    typer.echo(
        f"affinity matrix {matrix.scores.shape[0]} needs x {matrix.scores.shape[1]} members: {affinity_seconds:.3f} s "
        f"(naive per-pair loop, dense only: {naive_seconds:.3f} s; ratio {naive_seconds / affinity_seconds:.1f}x)"
    )
    typer.echo(f"peer recommendations (k=10, stored members, {repeats} requests): p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms")


if __name__ == "__main__":
    typer.run(main)
