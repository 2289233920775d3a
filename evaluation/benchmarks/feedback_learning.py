"""Benchmark: learned re-weighting of the peer score's parts against the defaults, on held-out
simulated feedback whose hidden preferences are known (and on a data dir's real feedback).

Run: ``python -m evaluation.benchmarks.feedback_learning`` (``--help`` for sizes;
``--data-dir DIR`` adds the store's own feedback). Each scenario simulates members judging
candidates with a hidden weighting of (gives, context, graph share) plus noise
(``evaluation.feedback_simulation``), then runs the same comparison as ``peermatch eval
learn-weights``: 5 folds by member, nDCG@10 and AUC on the held-out members, the weights learned
on all members beside the hidden ones, and whether they would be applied.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from evaluation.feedback_simulation import judge, simulate
from evaluation.reweighting import NotEnoughFeedbackError, compare, table
from matcher.recommend.peer_weights import PARTS, default_weights
from matcher.settings import Settings

SCENARIOS = {
    "favours context (same challenges, kind, clusters)": (0.25, 0.65, 0.10),
    "favours the graph (introductions, shared topics)": (0.35, 0.05, 0.60),
    "the defaults are the truth": (1.0, 0.0, 0.1),
}


def main(
    members: Annotated[int, typer.Option(help="Simulated members.")] = 300,
    candidates: Annotated[int, typer.Option(help="Judged candidates per member.")] = 12,
    noise: Annotated[list[float] | None, typer.Option(help="Sd of the utility noise (repeatable).")] = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    data_dir: Annotated[Path | None, typer.Option(help="Also learn from this data dir's proposals and feedback.")] = None,
    real_parts: Annotated[
        Path | None, typer.Option(help="Also simulate judgements of each member's top peers in this data dir, with their real parts.")
    ] = None,
    shown: Annotated[int, typer.Option(help="With --real-parts: peers shown to (and judged by) each member.")] = 20,
) -> None:
    graph_weight = Settings().graph_weight
    defaults = default_weights(graph_weight).vector()
    typer.echo(f"defaults (gives, context, graph) = (1, 0, {graph_weight}); {members} members x {candidates} candidates each")
    summary = ["", "| scenario | noise | hidden | learned | nDCG@10 defaults | nDCG@10 learned | AUC defaults | AUC learned | applied |"]
    summary.append("|---" * 9 + "|")
    for noise_sd in noise or [0.1, 0.2]:
        for name, hidden in SCENARIOS.items():
            started = time.perf_counter()
            comparison = compare(simulate(hidden, members, candidates, noise_sd, seed), defaults, seed=seed)
            seconds = time.perf_counter() - started
            hidden_norm = np.asarray(hidden) / np.abs(hidden).sum()
            typer.echo(f"\n## {name}, noise sd {noise_sd} ({seconds:.1f} s)\n")
            typer.echo(f"hidden (normalised): {_fmt(hidden_norm)}")
            typer.echo(table(comparison))
            summary.append(
                f"| {name} | {noise_sd} | {_fmt(hidden_norm)} | {_fmt(comparison.weights)} | {comparison.default_ndcg:.4f}"
                f" | {comparison.learned_ndcg:.4f} | {comparison.default_auc:.4f} | {comparison.learned_auc:.4f}"
                f" | {'yes' if comparison.better else 'no'} |"
            )
    if real_parts is not None:
        from evaluation.learn_weights import shown_parts
        from matcher.workspace import Workspace

        started = time.perf_counter()
        network = shown_parts(Workspace(Settings(data_dir=real_parts)), shown)
        typer.echo(
            f"\n## real parts: the top {shown} peers of each of {len(np.unique(network.members))} members in {real_parts}"
            f" ({len(network.grades)} pairs, {time.perf_counter() - started:.1f} s to rank and compute them)"
        )
        for noise_sd in noise or [0.1, 0.2]:
            for name, hidden in SCENARIOS.items():
                judged = judge(network, hidden, noise_sd, np.random.default_rng(seed))
                comparison = compare(judged, defaults, seed=seed)
                hidden_norm = np.asarray(hidden) / np.abs(hidden).sum()
                summary.append(
                    f"| real parts: {name} | {noise_sd} | {_fmt(hidden_norm)} | {_fmt(comparison.weights)} | {comparison.default_ndcg:.4f}"
                    f" | {comparison.learned_ndcg:.4f} | {comparison.default_auc:.4f} | {comparison.learned_auc:.4f}"
                    f" | {'yes' if comparison.better else 'no'} |"
                )
    typer.echo("\n".join(summary))
    if data_dir is not None:
        from evaluation.learn_weights import learn_weights
        from matcher.workspace import Workspace

        typer.echo(f"\n## real feedback in {data_dir}\n")
        try:
            typer.echo(table(learn_weights(Workspace(Settings(data_dir=data_dir)), apply=False, seed=seed).comparison))
        except NotEnoughFeedbackError as error:
            typer.echo(str(error))


def _fmt(weights: np.ndarray) -> str:
    return ", ".join(f"{part} {w:.2f}" for part, w in zip(PARTS, weights, strict=True))


if __name__ == "__main__":
    typer.run(main)
