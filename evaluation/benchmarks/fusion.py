"""Which fusion of dense and BM25 scores ranks the demo's resources best, across languages?

Run: ``python -m evaluation.benchmarks.fusion [--data-dir DIR]`` on a data directory loaded
with ``peermatch demo``. Queries are each demo topic's need sentence in English, French and
Spanish (60); a resource is relevant when it is about the query's topic. This is a planted
ground truth on synthetic demo data: it compares variants, it is not real-world evidence.
"other-language" scores count only relevant resources in a language other than the query's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from ranx import Qrels, Run, evaluate

from matcher.demo.topics import TOPICS
from matcher.search.retrieval import retrieve
from matcher.settings import Settings
from matcher.workspace import Workspace

VARIANTS: dict[str, dict[str, Any]] = {
    "dense": {"mode": "dense", "calibrate_languages": False},
    "dense, calibrated": {"mode": "dense"},
    "lexical (BM25)": {"mode": "lexical"},
    "rrf": {"fusion": "rrf", "calibrate_languages": False},
    "rrf, calibrated": {"fusion": "rrf"},
    "weighted 0.10": {"lexical_weight": 0.10, "calibrate_languages": False},
    "weighted 0.01, calibrated (default)": {"lexical_weight": 0.01},
    "weighted 0.05, calibrated": {"lexical_weight": 0.05},
    "weighted 0.10, calibrated": {"lexical_weight": 0.10},
    "weighted 0.20, calibrated": {"lexical_weight": 0.20},
}


def main(data_dir: Annotated[Optional[Path], typer.Option(help="A data dir loaded with 'peermatch demo'.")] = None) -> None:  # noqa: UP045
    workspace = Workspace(Settings(data_dir=data_dir) if data_dir else Settings())
    snapshot = workspace.snapshot()
    index = snapshot.indexes["resources"]
    resources = snapshot.resources
    queries, qrels, other_language = {}, {}, {}
    for topic in TOPICS:
        for language in ("en", "fr", "es"):
            qid = f"{topic.id}-{language}"
            queries[qid] = topic.words(language).need
            qrels[qid] = {r.id: 1 for r in resources if topic.id in r.topics}
            other_language[qid] = {r.id: 1 for r in resources if topic.id in r.topics and r.language != language}
    vectors = workspace.encoder.encode(list(queries.values()))
    typer.echo(f"{'variant':38} nDCG@10  MAP@100 | other-language nDCG@10  R@15")
    for name, options in VARIANTS.items():
        run = {}
        for (qid, text), vector in zip(queries.items(), vectors, strict=True):
            hits = retrieve(index, text, vector, depth=200, **options)
            run[qid] = {hit.owner_id: hit.score for hit in hits} or {"(none)": 0.0}
        every = evaluate(Qrels(qrels), Run(run), ["ndcg@10", "map@100"])
        cross = evaluate(Qrels(other_language), Run(run), ["ndcg@10", "recall@15"])
        typer.echo(
            f"{name:38} {every['ndcg@10']:.3f}    {every['map@100']:.3f}   | "
            f"{cross['ndcg@10']:.3f}                  {cross['recall@15']:.3f}"
        )


if __name__ == "__main__":
    typer.run(main)
