"""Hybrid retrieval over one collection: passages from FAISS and BM25, rolled up to their owners.

An owner (a resource or a member) is ranked by its best passage in each retriever; the two
owner rankings are fused by RRF. Each hit keeps the passages and scores that put it there.
"""

from __future__ import annotations

import weakref
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from matcher.index.indexes import CollectionIndex
from matcher.passages import Passage
from matcher.scoring.calibration import EncoderScale, affinity, match_score, routed_rows, unrelated_spread
from matcher.search.fusion import reciprocal_rank_fusion, weighted_score_fusion

MODES = ("hybrid", "dense", "lexical")
MIN_CALIBRATION_ROWS = 20  # below this a language is too small to estimate its own cohort
COHORT_SAMPLE = 2000  # passages per language whose cosines with a query make its cohort
FUSIONS = ("weighted", "rrf")


@dataclass(frozen=True)
class Evidence:
    """One retriever's best passage for an owner, its raw score and the owner's rank there.

    ``ranking_score`` is what the owner was ranked by: the raw score, or for dense evidence
    the language-calibrated cosine.
    """

    passage: Passage
    score: float
    rank: int
    ranking_score: float | None = None
    match: float | None = None  # the match score of the passage (``calibration.match_score``), when calibrated

    @property
    def ranked_by(self) -> float:
        return self.score if self.ranking_score is None else self.ranking_score


@dataclass(frozen=True)
class OwnerHit:
    owner_id: str
    score: float
    dense: Evidence | None
    lexical: Evidence | None

    @property
    def best_passage(self) -> Passage:
        """The passage of whichever retriever ranked this owner higher."""
        candidates = [e for e in (self.dense, self.lexical) if e is not None]
        return min(candidates, key=lambda e: e.rank).passage


def retrieve(
    index: CollectionIndex,
    query_text: str,
    query_vector: np.ndarray,
    *,
    depth: int,
    rrf_k: int = 60,
    mode: str = "hybrid",
    fusion: str = "weighted",
    lexical_weight: float = 0.01,
    calibrate_languages: bool = True,
    owners: Collection[str] | None = None,
    fields: Collection[str] | None = None,
) -> list[OwnerHit]:
    """Owners ranked best first; ``owners`` and ``fields`` (passage field prefixes) restrict the search.

    ``fusion`` 'weighted' adds cosine and lexical_weight * BM25 / best BM25; 'rrf' is
    reciprocal rank fusion with constant ``rrf_k``.
    """
    if mode not in MODES:
        raise ValueError(f"unknown retrieval mode '{mode}' (expected one of {', '.join(MODES)})")
    if fusion not in FUSIONS:
        raise ValueError(f"unknown fusion '{fusion}' (expected one of {', '.join(FUSIONS)})")
    allowed = _allowed_rows(index, owners, fields)
    dense = _dense(index, query_vector, depth, allowed, calibrate_languages) if mode != "lexical" else {}
    lexical = _lexical(index, query_text, depth, allowed) if mode != "dense" else {}
    if fusion == "rrf":
        fused = reciprocal_rank_fusion({"dense": list(dense), "lexical": list(lexical)}, k=rrf_k)
    else:
        weights = {"dense": 1.0 - lexical_weight if lexical else 1.0, "lexical": lexical_weight if dense else 1.0}
        fused = weighted_score_fusion(
            {"dense": {o: e.ranked_by for o, e in dense.items()}, "lexical": {o: e.score for o, e in lexical.items()}},
            weights,
        )
    return [OwnerHit(owner, score, dense.get(owner), lexical.get(owner)) for owner, score in fused.items()]


def _allowed_rows(index: CollectionIndex, owners: Collection[str] | None, fields: Collection[str] | None) -> np.ndarray | None:
    if owners is None and fields is None:
        return None
    owner_set = set(owners) if owners is not None else None
    prefixes = tuple(fields) if fields is not None else None
    live = index.live
    rows = [
        row
        for row, p in enumerate(index.passages)
        if live[row] and (owner_set is None or p.owner_id in owner_set) and (prefixes is None or p.field.startswith(prefixes))
    ]
    return np.asarray(rows, dtype=np.int64)


def _dense(index: CollectionIndex, vector: np.ndarray, depth: int, allowed: np.ndarray | None, calibrate: bool) -> dict[str, Evidence]:
    if len(index.dense) == 0 or (allowed is not None and len(allowed) == 0):
        return {}
    query = np.ascontiguousarray(vector, dtype=np.float32).reshape(1, -1)
    groups = index.rows_by_language() if calibrate else {}
    if not groups:
        rows, scores = _search(index, query, depth, allowed)
        return _roll_up(index, rows, scores)
    # The encoder scores text in the query's own language higher across the board, relevant or
    # not. Each language's scores are set against the query's cohort in that language (the mean
    # of its cosines with a fixed sample of the language's passages; the spread over all), then mapped to
    # the calibrated 0-1 scale (matcher.scoring.calibration): the best English answer to a
    # French query can outrank a mediocre French one, and a query with no answer keeps low
    # scores. Raw cosines stay in the evidence for the explanation.
    cohorts = language_cohorts(index)
    searched: list[tuple[np.ndarray, np.ndarray, str]] = []
    for language, rows_of_language in groups.items():
        subset = rows_of_language if allowed is None else np.intersect1d(rows_of_language, allowed)
        if len(subset):
            rows, scores = _search(index, query, depth, subset)
            searched.append((rows, scores, language))
    scale = index.scale.routed if index.scale.routed is not None and routed_rows(index.scale, query)[0] else index.scale
    statistics, unrelated = _cohort_statistics(query[0], cohorts, scale)
    calibrated: list[tuple[float, int, float, float]] = []
    for rows, scores, language in searched:
        mean, spread = statistics[language]
        levels = affinity((scores - mean) / spread)
        matches = match_score((scores - mean) / unrelated)
        calibrated += [(float(a), int(r), float(s), float(m)) for r, s, a, m in zip(rows, scores, levels, matches, strict=True)]
    calibrated.sort(key=lambda item: -item[0])
    best: dict[str, Evidence] = {}
    for adjusted, row, cosine, match in calibrated:
        passage = index.passage(row)
        if passage.owner_id not in best:
            best[passage.owner_id] = Evidence(passage, cosine, len(best) + 1, adjusted, match)
    return best


# id(index) -> (a weak reference to the index, its cohorts): an index generation is replaced, not changed.
_COHORTS: dict[int, tuple[weakref.ref[CollectionIndex], dict[str, np.ndarray]]] = {}


def language_cohorts(index: CollectionIndex) -> dict[str, np.ndarray]:
    """Per language, the (d, m) vectors of an evenly spaced sample of at most COHORT_SAMPLE of its
    passages, taken from the index once and kept while the index lives."""
    cached = _COHORTS.get(id(index))
    if cached is not None and cached[0]() is index:
        return cached[1]
    cohorts = {}
    for language, rows in index.rows_by_language().items():
        sample = rows[:: max(1, len(rows) // COHORT_SAMPLE)][:COHORT_SAMPLE]
        vectors = np.stack([index.dense.vector(int(row)) for row in sample])
        cohorts[language] = np.ascontiguousarray(vectors.T, dtype=np.float32)
    key = id(index)
    _COHORTS[key] = (weakref.ref(index, lambda _: _COHORTS.pop(key, None)), cohorts)
    return cohorts


def _cohort_statistics(
    query: np.ndarray, cohorts: dict[str, np.ndarray], scale: EncoderScale
) -> tuple[dict[str, tuple[float, float]], float]:
    """The query's cosine mean in each language, and its spread over all of them (as
    ``calibration.cohort_statistics``); a language with fewer than MIN_CALIBRATION_ROWS passages
    takes the mean of the larger ones. Second: the spread of the unrelated passages, which match
    scores are measured in (``calibration.unrelated_spread``)."""
    cosines = {language: query @ vectors for language, vectors in cohorts.items()}
    everything = np.concatenate(list(cosines.values()))
    spread = max(float(everything.std()), scale.spread_floor) / scale.gain
    own = {language: float(values.mean()) for language, values in cosines.items() if len(values) >= MIN_CALIBRATION_ROWS}
    fallback = float(np.mean(list(own.values()))) if own else float(everything.mean())
    means = {language: own.get(language, fallback) for language in cohorts}
    codes = np.concatenate([np.full(len(values), code) for code, values in enumerate(cosines.values())])
    unrelated = float(unrelated_spread(everything[None, :], codes, np.asarray([[*means.values(), 0.0]]), scale)[0])
    return {language: (means[language], spread) for language in cohorts}, unrelated


def _search(index: CollectionIndex, query: np.ndarray, depth: int, allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    k = min(depth, len(index.dense) if allowed is None else len(allowed))
    rows, scores = index.dense.search(query, k, allowed)
    keep = rows[0] >= 0
    return rows[0][keep], scores[0][keep]


def _lexical(index: CollectionIndex, text: str, depth: int, allowed: np.ndarray | None) -> dict[str, Evidence]:
    if allowed is not None and len(allowed) == 0:
        return {}
    rows, scores = index.lexical.search(text, depth, allowed)
    return _roll_up(index, rows, scores)


def _roll_up(index: CollectionIndex, rows: np.ndarray, scores: np.ndarray) -> dict[str, Evidence]:
    """Best passage per owner, owners in order of their best passage."""
    best: dict[str, Evidence] = {}
    for row, score in zip(rows.tolist(), scores.tolist(), strict=True):
        if row < 0:
            continue
        passage = index.passage(row)
        if passage.owner_id not in best:
            best[passage.owner_id] = Evidence(passage, float(score), len(best) + 1)
    return best
