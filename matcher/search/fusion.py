"""Reciprocal rank fusion (Cormack et al., 2009): sum of weight / (k + rank) over the rankings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def reciprocal_rank_fusion(
    rankings: Mapping[str, Sequence[str]],
    k: int = 60,
    weights: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """Fused scores of every id in any ranking (ranks start at 1), best first."""
    fused: dict[str, float] = {}
    for name, ranking in rankings.items():
        weight = 1.0 if weights is None else weights.get(name, 0.0)
        if weight == 0.0:
            continue
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return dict(sorted(fused.items(), key=lambda pair: (-pair[1], pair[0])))


def weighted_score_fusion(
    scores: Mapping[str, Mapping[str, float]],
    weights: Mapping[str, float],
) -> dict[str, float]:
    """Sum of weight * score / (best score of that retriever), best first.

    Dividing by the best score puts BM25 (unbounded) on the scale of cosine similarity. With a
    small lexical weight, exact-term matches break ties without drowning documents in other
    languages, which BM25 cannot see at all (measured by `python -m evaluation.benchmarks.fusion`).
    """
    fused: dict[str, float] = {}
    for name, by_item in scores.items():
        weight = weights.get(name, 0.0)
        if weight == 0.0 or not by_item:
            continue
        top = max(by_item.values())
        scale = top if name != "dense" and top > 0 else 1.0
        for item, score in by_item.items():
            fused[item] = fused.get(item, 0.0) + weight * score / scale
    return dict(sorted(fused.items(), key=lambda pair: (-pair[1], pair[0])))
