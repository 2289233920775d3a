"""The scoring's fast paths give bit for bit the numbers of the plain computations they replace.

A peer answer shows scores rounded to 4 digits, and a last-bit difference in float32 moves a
rounding now and then (one answer in 691 on the demo when BLAS threads changed a sum's order):
a speed change must keep every operation's order, not only its value to a tolerance.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from matcher.scoring.lexical_profiles import LexicalProfiles, _accumulate


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
