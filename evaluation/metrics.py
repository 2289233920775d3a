"""Accuracy through ranx (nDCG, P, R, MRR, MAP, paired significance), and what accuracy misses:
catalogue coverage, intra-list diversity, exposure by region, reciprocity."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from itertools import combinations

import numpy as np
from ranx import Qrels, Run, compare, evaluate

from matcher.records import Member
from matcher.regions import country_groups
from matcher.scoring.similarity import PassageMatrix

ACCURACY = ["ndcg@10", "precision@10", "recall@10", "mrr", "map@100"]
SOUTH = "Global South"  # members on the South side of matcher.regions (not high income, or declared South)


def accuracy(qrels: dict[str, dict[str, int]], runs: dict[str, dict[str, float]]) -> dict[str, float]:
    judged = {q: r for q, r in runs.items() if q in qrels and qrels[q]}
    scores = evaluate(Qrels({q: qrels[q] for q in judged}), Run(judged), ACCURACY, make_comparable=True)
    return {metric: round(float(value), 4) for metric, value in scores.items()}


def significance(qrels: dict[str, dict[str, int]], named_runs: dict[str, dict[str, dict[str, float]]]) -> dict[str, object]:
    """Paired two-sided t-test (ranx, Student) between every pair of variants, per metric."""
    judged = set.intersection(*(set(r) for r in named_runs.values())) & {q for q, r in qrels.items() if r}
    runs = []
    for name, run in named_runs.items():
        ranx_run = Run({q: run[q] for q in judged}, name=name)
        runs.append(ranx_run)
    report = compare(Qrels({q: qrels[q] for q in judged}), runs=runs, metrics=ACCURACY, stat_test="student", max_p=0.05)
    return report.to_dict()


def coverage(runs: dict[str, dict[str, float]], catalogue: int, k: int = 10) -> float:
    shown = {item for scores in runs.values() for item in _top(scores, k)}
    return round(len(shown) / catalogue, 4) if catalogue else 0.0


def intra_list_diversity(runs: dict[str, dict[str, float]], vectors: dict[str, np.ndarray], k: int = 10) -> float:
    """Mean over queries of 1 - mean pairwise cosine among the top-k items' vectors."""
    values = []
    for scores in runs.values():
        items = [i for i in _top(scores, k) if i in vectors]
        if len(items) < 2:
            continue
        sims = [float(vectors[a] @ vectors[b]) for a, b in combinations(items, 2)]
        values.append(1 - float(np.mean(sims)))
    return round(float(np.mean(values)), 4) if values else 0.0


def exposure_by_region(
    runs: dict[str, dict[str, float]], members: Mapping[str, Member], k: int = 10, classify: Callable[[Member], str] | None = None
) -> dict[str, float]:
    """Share of the top-k items from each region, and from the Global South (``classify``: North or
    South of a member; default the classification in force, matcher.regions)."""
    side = classify or country_groups().side
    counts: dict[str, int] = {}
    total = 0
    for scores in runs.values():
        for item in _top(scores, k):
            if item in members:
                region = members[item].region
                counts[region] = counts.get(region, 0) + 1
                total += 1
    shares = {region: round(n / total, 4) for region, n in sorted(counts.items())} if total else {}
    south = sum(side(members[item]) == "South" for scores in runs.values() for item in _top(scores, k) if item in members)
    shares[SOUTH] = round(south / total, 4) if total else 0.0
    return shares


def reciprocity(runs: dict[str, dict[str, float]], query_member: dict[str, str], members: Mapping[str, Member], k: int = 10) -> float:
    """Share of recommended pairs where the candidate also needs a topic the asker is strong in."""
    hits, total = 0, 0
    for qid, scores in runs.items():
        asker = members.get(query_member.get(qid, ""))
        if asker is None:
            continue
        offers = {s.topic for s in asker.strengths if s.topic}
        for item in _top(scores, k):
            if item in members:
                total += 1
                hits += bool(offers & {n.topic for n in members[item].needs if n.topic})
    return round(hits / total, 4) if total else 0.0


def item_vectors(matrix: PassageMatrix) -> dict[str, np.ndarray]:
    """One unit vector per owner: the mean of its passages' vectors."""
    sums: dict[str, np.ndarray] = {}
    for owner, vector in zip(matrix.owners, matrix.vectors, strict=True):
        sums[owner] = sums.get(owner, 0) + vector
    return {owner: v / (np.linalg.norm(v) or 1.0) for owner, v in sums.items()}


def _top(scores: dict[str, float], k: int) -> list[str]:
    return [item for item, _ in sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))[:k] if item != "(none)"]
