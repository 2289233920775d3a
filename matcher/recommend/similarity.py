"""Hybrid, language-calibrated similarity between query texts and passages, as matrices.

The same scale serves every recommendation: (1 - w) * calibrated cosine + w * BM25 / best BM25,
where each query's per-language shift and best BM25 are taken over a reference pool of
passages (for example every strength and profile in the network). Scores of passages outside
the pool (an unsaved member's own text) use the same shifts, so both directions of a pairing
are comparable.
"""

from __future__ import annotations

import numpy as np

from matcher.index.lexical import tokenize
from matcher.indexing import CollectionIndex
from matcher.search.retrieval import CALIBRATION_DEPTH, MIN_CALIBRATION_ROWS


class PassageMatrix:
    """A collection's passages with their vectors in memory (taken back from the FAISS index)."""

    def __init__(self, collection: CollectionIndex) -> None:
        self.collection = collection
        self.passages = collection.passages
        count = len(self.passages)
        dimension = collection.dense.dimension
        self.vectors = collection.dense.index.reconstruct_n(0, count) if count else np.zeros((0, dimension), np.float32)
        self.languages = np.asarray([p.language or "" for p in self.passages])
        self.owners = [p.owner_id for p in self.passages]
        self.fields = [p.field for p in self.passages]

    def rows(self, field_prefixes: tuple[str, ...], owners: set[str] | None = None) -> np.ndarray:
        return np.asarray(
            [
                row
                for row, (owner, field) in enumerate(zip(self.owners, self.fields, strict=True))
                if field.startswith(field_prefixes) and (owners is None or owner in owners)
            ],
            dtype=np.int64,
        )


class Similarity:
    def __init__(self, matrix: PassageMatrix, pool_rows: np.ndarray, lexical_weight: float, calibrate: bool) -> None:
        self.matrix = matrix
        self.pool_rows = pool_rows
        self.lexical_weight = lexical_weight
        self.calibrate = calibrate

    def prepare(self, texts: list[str], vectors: np.ndarray) -> Prepared:
        """Per-query language shifts and best BM25 over the pool, computed once per set of queries."""
        pool_cosines = vectors @ self.matrix.vectors[self.pool_rows].T if len(self.pool_rows) else None
        shifts: dict[str, np.ndarray] = {}
        if self.calibrate and pool_cosines is not None:
            pool_languages = self.matrix.languages[self.pool_rows]
            own: dict[str, np.ndarray] = {}
            for language in np.unique(pool_languages):
                group = pool_cosines[:, pool_languages == language]
                if group.shape[1] >= MIN_CALIBRATION_ROWS:
                    depth = min(CALIBRATION_DEPTH, group.shape[1])
                    own[str(language)] = -np.sort(-group, axis=1)[:, :depth].mean(axis=1)
            fallback = np.mean(list(own.values()), axis=0) if own else np.zeros(len(texts), np.float32)
            shifts = {str(language): own.get(str(language), fallback) for language in np.unique(pool_languages)}
            shifts[""] = fallback
        lexical = np.zeros((len(texts), len(self.matrix.passages)), dtype=np.float32)
        retriever = self.matrix.collection.lexical.retriever
        if self.lexical_weight > 0 and retriever is not None:
            for i, text in enumerate(texts):
                tokens = tokenize(text)
                if tokens:
                    scores = retriever.get_scores(tokens)
                    best = scores[self.pool_rows].max() if len(self.pool_rows) else 0.0
                    if best > 0:
                        lexical[i] = scores / best
        return Prepared(vectors, shifts, lexical)

    def rows(self, prepared: Prepared, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(raw cosine, hybrid score) of each query against stored passages ``rows``."""
        raw = prepared.vectors @ self.matrix.vectors[rows].T
        calibrated = raw - self._shift(prepared, self.matrix.languages[rows])
        lexical = prepared.lexical[:, rows]
        return raw, (1 - self.lexical_weight) * calibrated + self.lexical_weight * np.minimum(lexical, 1.0)

    def vectors(self, prepared: Prepared, vectors: np.ndarray, languages: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """The same for passages that are not stored (dense only: BM25 knows only stored text)."""
        raw = prepared.vectors @ vectors.T
        calibrated = raw - self._shift(prepared, np.asarray(languages))
        return raw, (1 - self.lexical_weight) * calibrated

    def _shift(self, prepared: Prepared, languages: np.ndarray) -> np.ndarray | float:
        if not prepared.shifts:
            return 0.0
        fallback = prepared.shifts[""]
        columns = [prepared.shifts.get(str(language), fallback) for language in languages]
        if not columns:
            return 0.0
        return np.stack(columns, axis=1)


class Prepared:
    def __init__(self, vectors: np.ndarray, shifts: dict[str, np.ndarray], lexical: np.ndarray) -> None:
        self.vectors = vectors
        self.shifts = shifts
        self.lexical = lexical


def max_by_owner(scores: np.ndarray, codes: np.ndarray, n_owners: int) -> tuple[np.ndarray, np.ndarray]:
    """Per query, each owner's best score and the column it came from (-1 where it has none).

    ``scores`` is (queries, columns); ``codes[j]`` is the owner of column j.
    """
    best = np.full((scores.shape[0], n_owners), -np.inf, dtype=np.float32)
    where = np.full((scores.shape[0], n_owners), -1, dtype=np.int64)
    if scores.shape[1] == 0:
        return best, where
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    starts = np.concatenate([[0], np.flatnonzero(np.diff(sorted_codes)) + 1])
    ordered = scores[:, order]
    best[:, sorted_codes[starts]] = np.maximum.reduceat(ordered, starts, axis=1)
    # argmax within each owner's block: the first column whose score equals the block's best
    block_of_column = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(order))))
    is_best = ordered == best[:, sorted_codes[starts]][:, block_of_column]
    for q in range(scores.shape[0]):
        columns = np.flatnonzero(is_best[q])
        owners_seen, first = np.unique(block_of_column[columns], return_index=True)
        where[q, sorted_codes[starts[owners_seen]]] = order[columns[first]]
    return best, where
