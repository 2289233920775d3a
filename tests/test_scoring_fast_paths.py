"""The scoring's fast paths give bit for bit the numbers of the plain computations they replace.

A peer answer shows scores rounded to 4 digits, and a last-bit difference in float32 moves a
rounding now and then (one answer in 691 on the demo when BLAS threads changed a sum's order):
a speed change must keep every operation's order, not only its value to a tolerance.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from matcher.scoring.calibration import row_medians
from matcher.scoring.lexical_profiles import LexicalProfiles, _accumulate
from matcher.scoring.similarity import OwnerGroups, best_by_owner, max_by_owner


def _accumulate_term_by_term(queries: list[tuple[np.ndarray, np.ndarray]], by_term: sparse.csr_matrix) -> np.ndarray:
    """The plain computation: each query term's row of ``by_term``, times its weight, added in turn."""
    out = np.zeros((len(queries), by_term.shape[1]), dtype=np.float32)
    indptr, indices, data = by_term.indptr, by_term.indices, by_term.data
    for row, (columns, weights) in enumerate(queries):
        for column, weight in zip(columns.tolist(), weights.tolist(), strict=True):
            start, end = indptr[column], indptr[column + 1]
            out[row, indices[start:end]] += weight * data[start:end]
    return out


def test_the_vectorised_tfidf_accumulation_adds_in_the_same_order() -> None:
    rng = np.random.default_rng(7)
    vocabulary = [f"w{i}" for i in range(60)]
    texts = [" ".join(rng.choice(vocabulary, size=int(rng.integers(3, 25)))) for _ in range(300)]
    profiles = LexicalProfiles.fit(texts, ["en"] * len(texts), [[i % 7] for i in range(len(texts))], [1.0] * len(texts), 7)
    queries = [" ".join(rng.choice(vocabulary, size=int(rng.integers(1, 40)))) for _ in range(20)] + ["", "tarte tatin"]
    for idf, by_term in ((profiles.passage_idf, profiles.passage_vectors_t), (profiles.owner_idf, profiles.owner_vectors_t)):
        weighted = profiles._query_weights(queries, idf)
        fast, plain = _accumulate(weighted, by_term), _accumulate_term_by_term(weighted, by_term)
        assert fast.dtype == plain.dtype == np.float32
        assert np.array_equal(fast, plain)
        assert fast[:20].any(axis=1).all() and not fast[20:].any()  # the queries found their passages; the empty ones none


def _max_by_owner_owner_by_owner(scores: np.ndarray, codes: np.ndarray, n_owners: int) -> tuple[np.ndarray, np.ndarray]:
    """The plain computation: each owner's columns, their best (kept as float32) and the first column holding it."""
    best = np.full((scores.shape[0], n_owners), -np.inf, dtype=np.float32)
    where = np.full((scores.shape[0], n_owners), -1, dtype=np.int64)
    for query in range(scores.shape[0]):
        for owner in np.unique(codes):
            columns = np.flatnonzero(codes == owner)
            best[query, owner] = scores[query, columns].max()
            holding = columns[scores[query, columns] == best[query, owner]]
            where[query, owner] = holding[0] if len(holding) else -1
    return best, where


def test_the_best_of_each_owner_and_its_first_column_are_those_of_a_plain_loop() -> None:
    rng = np.random.default_rng(3)
    shuffled = rng.permutation(np.repeat(np.arange(9), rng.integers(1, 6, size=9)))
    in_blocks = np.sort(shuffled)
    for codes in (shuffled, in_blocks):
        groups = OwnerGroups(codes)
        assert groups.in_order == (codes is in_blocks)
        for dtype in (np.float32, np.float64):
            scores = np.asarray(rng.integers(0, 4, size=(4, len(codes))) / 3, dtype=dtype)  # ties within owners
            scores[1, codes == 2] = -np.inf  # an owner with nothing but -inf
            scores[2, codes == 5] = np.nan  # a NaN best: no column found
            scores[3] = rng.standard_normal(len(codes))  # a float64 best that float32 does not hold
            best, where = max_by_owner(scores, groups, 11)
            plain_best, plain_where = _max_by_owner_owner_by_owner(scores, codes, 11)
            assert np.array_equal(best, plain_best, equal_nan=True) and np.array_equal(where, plain_where)
            assert np.array_equal(best_by_owner(scores, groups, 11), plain_best, equal_nan=True)
            assert (where[:, 9:] == -1).all() and where[2, 5] == -1 and (where[1, 2] >= 0)


def test_the_row_medians_are_numpys() -> None:
    rng = np.random.default_rng(5)
    for n in (1, 2, 3, 545, 546):
        for _ in range(50):
            values = (rng.standard_normal((3, n)) * rng.uniform(0.01, 1)).astype(np.float32)
            values[1] = np.round(values[1], 2)  # ties
            assert np.array_equal(row_medians(values), np.median(values, axis=1))
            assert row_medians(values).dtype == np.float32
    values[2, 0] = np.nan
    assert np.array_equal(row_medians(values), np.median(values, axis=1), equal_nan=True) and np.isnan(row_medians(values)[2])
