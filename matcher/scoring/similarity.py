"""Need-evidence similarity between query texts and passages, as matrices, on one scale.

Every score here is evidence in z units (see ``matcher.scoring.calibration``): the query's cosine
with a passage against the query's cosines with the reference pool in the passage's language,
plus ``lexical_gain`` times their stemmed TF-IDF cosine. The same pool serves every query, so
the scores of two queries, two candidates or two languages compare; passages outside the pool
(an unsaved member's own text) are scored against the same cohorts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from matcher.index.indexes import CollectionIndex
from matcher.scoring.calibration import cohort_statistics, routed_rows, unrelated_spread
from matcher.scoring.lexical_profiles import LexicalProfiles
from matcher.text_language import detect


class PassageMatrix:
    """A collection's passages with their vectors in memory (taken back from the FAISS index).
    Rows retired by a write since the last full build stay in ``passages`` (row numbers are
    shared with the indexes) but ``rows`` never selects them."""

    def __init__(self, collection: CollectionIndex) -> None:
        self.collection = collection
        self.passages = collection.passages
        count = len(self.passages)
        dimension = collection.dense.dimension
        self.vectors = collection.dense.vectors() if count else np.zeros((0, dimension), np.float32)
        self.live = collection.live
        self.languages = np.asarray([p.language or "" for p in self.passages])
        self.owners = [p.owner_id for p in self.passages]
        self.fields = [p.field for p in self.passages]
        self.scale = collection.scale

    @cached_property
    def lexical(self) -> LexicalProfiles | None:
        """Passage-level TF-IDF of the collection (its owner view is not used), fitted once per
        matrix: a write of members only leaves the resources' matrix, and so its fit, as it was."""
        if not self.passages:
            return None
        return LexicalProfiles.fit(
            # a retired passage (a write since the last build) keeps its row, not its words
            [p.text if live else "" for p, live in zip(self.passages, self.live, strict=True)],
            [p.language for p in self.passages],
            [[] for _ in self.passages],
            [1.0] * len(self.passages),
            1,
        )

    @classmethod
    def of(cls, collection: CollectionIndex) -> PassageMatrix:
        """The collection's matrix, built once per collection index and kept with it: a write of
        members only leaves the resources' index, and so their matrix and its TF-IDF fit, as they were."""
        found = collection.derived.get("matrix")
        if not isinstance(found, PassageMatrix):
            found = collection.derived["matrix"] = cls(collection)
        return found

    def rows(self, field_prefixes: tuple[str, ...], owners: set[str] | None = None) -> np.ndarray:
        return np.asarray(
            [
                row
                for row, (owner, field) in enumerate(zip(self.owners, self.fields, strict=True))
                if self.live[row] and field.startswith(field_prefixes) and (owners is None or owner in owners)
            ],
            dtype=np.int64,
        )


@dataclass(frozen=True)
class RowSet:
    """Passages chosen once (say, every strength), with their vectors and language codes copied
    out, so that scoring them against a query is one matrix product. ``columns`` holds the vectors
    transposed and contiguous, (d, n): OpenBLAS multiplies a few query rows by a transposed view
    (``q @ v.T``) about 5x slower than by a contiguous copy (0.31 vs 0.06 ms for 3 x 527 here)."""

    rows: np.ndarray
    columns: np.ndarray
    language_codes: np.ndarray


class Similarity:
    """Scores queries against one collection's passages; ``pool_rows`` are the cohort.

    ``dense`` False leaves only lexical evidence (the lexical-only evaluation variant);
    ``calibrate`` False takes one cohort for all languages instead of one per language.
    """

    def __init__(
        self,
        matrix: PassageMatrix,
        pool_rows: np.ndarray,
        lexical: LexicalProfiles | None,
        lexical_gain: float,
        calibrate: bool = True,
        dense: bool = True,
        across_languages: bool = True,
    ) -> None:
        self.matrix = matrix
        self.across_languages = across_languages
        self.pool_rows = pool_rows
        self.lexical = lexical
        self.lexical_gain = lexical_gain if lexical is not None else 0.0
        self.calibrate = calibrate
        self.dense = dense
        # Language codes: one column per language of the collection, and a last one for a language it lacks.
        self.languages = sorted(set(matrix.languages.tolist()))
        self.code_of = {language: code for code, language in enumerate(self.languages)}
        self.fallback_code = len(self.languages)
        self.row_codes = np.asarray([self.code_of[language] for language in matrix.languages.tolist()], dtype=np.int64)
        self.pool = self.rowset(pool_rows)

    def rowset(self, rows: np.ndarray) -> RowSet:
        rows = np.asarray(rows, dtype=np.int64)
        return RowSet(rows, np.ascontiguousarray(self.matrix.vectors[rows].T), self.row_codes[rows])

    def prepare(self, texts: list[str], vectors: np.ndarray, lexical_gains: np.ndarray | None = None) -> Prepared:
        """Per-query cohort statistics and lexical cosines, computed once per set of queries;
        ``lexical_gains``: each query's own lexical gain, where it is not ``lexical_gain``."""
        pool_cosines = vectors @ self.pool.columns
        codes = self.pool.language_codes if self.calibrate else np.zeros(len(self.pool.rows), dtype=np.int64)
        scale = self.matrix.scale
        means, spreads = cohort_statistics(pool_cosines, codes, len(self.languages), scale)
        unrelated = unrelated_spread(pool_cosines, codes, means, scale)
        routed = routed_rows(scale, vectors)
        if scale.routed is not None and routed.any():  # texts an ensemble read with one encoder: its scale
            means[routed], spreads[routed] = cohort_statistics(pool_cosines[routed], codes, len(self.languages), scale.routed)
            unrelated[routed] = unrelated_spread(pool_cosines[routed], codes, means[routed], scale.routed)
        if not self.calibrate:  # one cohort: every language takes the whole pool's statistics
            means[:], spreads[:] = means[:, :1], spreads[:, :1]
        # the same evidence measured in the spread of unrelated passages: dense * match_gain
        match_gain = spreads[:, 0] / unrelated
        gains = np.full(len(texts), self.lexical_gain, dtype=np.float32) if lexical_gains is None else lexical_gains
        lexical = None
        if self.lexical is not None and gains.any():
            lexical = self.lexical.passage_scores(texts) * gains[:, None]
            if self.across_languages and len(self.languages) > 1:
                pool_dense = self._dense_of(means, spreads, pool_cosines, self.pool.language_codes)
                query_languages = [language_of(text) for text in texts]
                lexical = across_languages(lexical, pool_dense, query_languages, self.pool.rows, self.matrix.languages[self.pool.rows])
        return Prepared(vectors, means, spreads, lexical, texts, match_gain)

    def rows(self, prepared: Prepared, rows: np.ndarray | RowSet) -> tuple[np.ndarray, np.ndarray]:
        """(raw cosine, evidence in z units) of each query against stored passages ``rows``."""
        raw, dense, lexical = self.parts(prepared, rows)
        return raw, dense if lexical is None else dense + lexical

    def parts(self, prepared: Prepared, rows: np.ndarray | RowSet) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """(raw cosine, dense evidence, lexical evidence or None), both in z units, apart: the
        match label reads the dense part alone, times ``prepared.match_gain`` (``calibration.match_score``)."""
        chosen = rows if isinstance(rows, RowSet) else self.rowset(rows)
        raw = prepared.vectors @ chosen.columns
        dense = self._dense(prepared, raw, chosen.language_codes)
        lexical = None if prepared.lexical is None else prepared.lexical[:, chosen.rows]
        return raw, dense, lexical

    def vectors(
        self, prepared: Prepared, vectors: np.ndarray, languages: list[str], texts: list[str] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The same for passages that are not stored (lexical evidence too when ``texts`` are given)."""
        raw = prepared.vectors @ vectors.T
        codes = np.asarray([self.code_of.get(language, self.fallback_code) for language in languages], dtype=np.int64)
        evidence = self._dense(prepared, raw, codes)
        if texts is not None and prepared.lexical is not None and self.lexical is not None:
            evidence = evidence + self.lexical_gain * self.lexical.pair_scores(prepared.texts, texts, languages)
        return raw, evidence

    def _dense(self, prepared: Prepared, raw: np.ndarray, codes: np.ndarray) -> np.ndarray:
        return self._dense_of(prepared.means, prepared.spreads, raw, codes)

    def _dense_of(self, means: np.ndarray, spreads: np.ndarray, raw: np.ndarray, codes: np.ndarray) -> np.ndarray:
        if not self.dense:
            return np.zeros_like(raw)
        return (raw - means[:, codes]) / spreads[:, codes]


@lru_cache(maxsize=8192)
def language_of(text: str) -> str | None:
    """``detect``, kept: a stored member's needs are asked again at every ranking."""
    return detect(text)


def across_languages(
    lexical: np.ndarray, pool_dense: np.ndarray, query_languages: list[str | None], pool_rows: np.ndarray, pool_languages: np.ndarray
) -> np.ndarray:
    """Lexical evidence that does not depend on the language a passage is written in.

    Shared words are evidence only between texts of one language: a passage in the query's
    language gets some, one in another language gets none for the same meaning, so a member
    writing in the asker's language ranks above an equally relevant one writing in another (on
    the demo, a relevant peer writing in another language reached the top 10 15 % of the time,
    56 % in the asker's). So a pool passage in another language is credited at least the lexical
    evidence a passage of the query's language as close in meaning gets: per query, a straight
    line of lexical on dense evidence fitted over the pool's passages in the query's language,
    read at the passage's dense evidence. What shared words tell beyond the meaning is kept; the
    bonus for merely sharing a language is not. A pool in one language (and a query whose language
    has no passage, or cannot be told) is left exactly as it was."""
    fair = lexical
    for query, language in enumerate(query_languages):
        if language is None:
            continue
        same = pool_languages == language
        other = ~same & (pool_languages != "")
        if same.sum() < 2 or not other.any():
            continue
        x, y = pool_dense[query, same], lexical[query, pool_rows[same]]
        spread = float(((x - x.mean()) ** 2).sum())
        slope = float(((x - x.mean()) * (y - y.mean())).sum()) / spread if spread > 0 else 0.0  # least squares
        intercept = float(y.mean()) - slope * float(x.mean())
        if fair is lexical:
            fair = lexical.copy()
        expected = np.maximum(intercept + max(slope, 0.0) * pool_dense[query, other], 0.0)
        rows = pool_rows[other]
        fair[query, rows] = np.maximum(lexical[query, rows], expected)
    return fair


class Prepared:
    def __init__(
        self,
        vectors: np.ndarray,
        means: np.ndarray,
        spreads: np.ndarray,
        lexical: np.ndarray | None,
        texts: list[str] | None = None,
        match_gain: np.ndarray | None = None,
    ) -> None:
        self.vectors = vectors
        self.means = means  # (queries, languages + 1): each language's cohort mean; the last column: the whole pool
        self.spreads = spreads
        self.lexical = lexical  # (queries, passages) TF-IDF cosines times each query's lexical gain, or None
        self.texts = texts or []
        # per query: the spread of the whole pool over that of its unrelated passages (``calibration.unrelated_spread``)
        self.match_gain = np.ones(len(vectors), dtype=np.float32) if match_gain is None else match_gain


class OwnerGroups:
    """The columns of each owner, for a fixed column -> owner map (``codes[j]`` owns column j);
    worked out once, since sorting the map on every request cost more than the scoring."""

    def __init__(self, codes: np.ndarray) -> None:
        self.size = len(codes)
        self.order = np.argsort(codes, kind="stable")
        sorted_codes = codes[self.order]
        boundaries = np.flatnonzero(np.diff(sorted_codes)) + 1
        self.starts = np.concatenate([[0], boundaries]).astype(np.int64) if self.size else np.zeros(0, np.int64)
        self.owners = sorted_codes[self.starts]
        self.block_of_column = np.repeat(np.arange(len(self.starts)), np.diff(np.append(self.starts, self.size)))
        self.positions = np.arange(self.size)
        # Most column sets are written owner after owner (a member's passages together): their
        # columns are already in blocks, and a request need not copy its scores into that order.
        self.in_order = bool(np.array_equal(self.order, self.positions))

    def ordered(self, scores: np.ndarray) -> np.ndarray:
        """``scores`` (queries, columns) with its columns in blocks, owner after owner (a view when they already are)."""
        return scores if self.in_order else scores[:, self.order]


def best_by_owner(scores: np.ndarray, groups: OwnerGroups, n_owners: int) -> np.ndarray:
    """Per query, each owner's best score (-inf where it has none): ``max_by_owner`` without the column it came from."""
    best = np.full((scores.shape[0], n_owners), -np.inf, dtype=np.float32)
    if scores.shape[1]:
        best[:, groups.owners] = np.maximum.reduceat(groups.ordered(scores), groups.starts, axis=1)
    return best


def max_by_owner(scores: np.ndarray, codes: np.ndarray | OwnerGroups, n_owners: int) -> tuple[np.ndarray, np.ndarray]:
    """Per query, each owner's best score and the column it came from (-1 where it has none).

    ``scores`` is (queries, columns); ``codes[j]`` is the owner of column j (or its OwnerGroups).
    """
    groups = codes if isinstance(codes, OwnerGroups) else OwnerGroups(codes)
    best = best_by_owner(scores, groups, n_owners)
    where = np.full((scores.shape[0], n_owners), -1, dtype=np.int64)
    if scores.shape[1] == 0:
        return best, where
    # argmax within each owner's block: the first column of the block that equals the block's
    # best as kept (float32); a block with none (a NaN best) keeps -1
    ordered = groups.ordered(scores)
    is_best = ordered == best[:, groups.owners][:, groups.block_of_column]
    first = np.minimum.reduceat(np.where(is_best, groups.positions, groups.size), groups.starts, axis=1)
    found = first < groups.size
    where[:, groups.owners] = np.where(found, groups.order[np.where(found, first, 0)], -1)
    return best, where


def top_k_mean_by_owner(scores: np.ndarray, groups: OwnerGroups, n_owners: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per query, each owner's mean of its ``k`` best scores, a missing one counting as 0, and
    the column of its best score; -inf and -1 for an owner without columns.

    With z-unit evidence, 0 is the cohort mean (an unrelated passage), so an owner with fewer
    than ``k`` columns is averaged with unrelated ones: the mean rewards breadth, and it never
    exceeds the owner's best score."""
    values = np.full((scores.shape[0], n_owners), -np.inf, dtype=np.float32)
    where = np.full((scores.shape[0], n_owners), -1, dtype=np.int64)
    if scores.shape[1] == 0:
        return values, where
    ordered = groups.ordered(scores)
    blocks = groups.block_of_column
    rank = np.arange(groups.size) - groups.starts[blocks]  # position within its block once sorted
    for query in range(scores.shape[0]):
        # blocks stay where they are (their order is the primary key); inside each, best first
        by_score = np.lexsort((-ordered[query], blocks))
        best_first = ordered[query, by_score]
        kept = np.where(rank < k, best_first, 0.0)
        values[query, groups.owners] = np.add.reduceat(kept, groups.starts) / k
        where[query, groups.owners] = groups.order[by_score[groups.starts]]
    return values, where
