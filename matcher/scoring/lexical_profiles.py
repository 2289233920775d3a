"""Lexical evidence: stemmed TF-IDF (words and word pairs) per passage and per owner's whole evidence.

Each passage is stemmed with its own language's Snowball stemmer (PyStemmer: English, French,
Spanish, Portuguese, German, Italian, Dutch, Russian, Turkish, ...). A query's language is not
known, so its words are stemmed with the stemmer of every language the collection holds and the
stems pooled: an English query meets English stems, a French one French stems.

Two views, both cosines in [0, 1] and so comparable across queries:
- per passage: TF-IDF over passages (idf: in how many passages a term appears);
- per owner (a member, a person): the field-weighted sum of the term counts of all its
  passages (strengths, authored documents, profile), then TF-IDF over owners. This is the
  classic expertise profile (a person's papers concatenated) that wins on the reviewer gold standard.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence
from functools import cache, lru_cache

import numpy as np
import Stemmer
from bm25s.stopwords import (
    STOPWORDS_EN,
    STOPWORDS_FRENCH,
    STOPWORDS_GERMAN,
    STOPWORDS_ITALIAN,
    STOPWORDS_PORTUGUESE,
    STOPWORDS_SPANISH,
)
from scipy import sparse

_WORD = re.compile(r"\w+")
STEMMERS = {
    "en": "english",
    "fr": "french",
    "es": "spanish",
    "pt": "portuguese",
    "de": "german",
    "it": "italian",
    "nl": "dutch",
    "ru": "russian",
    "tr": "turkish",
    "ar": "arabic",
    "sv": "swedish",
    "da": "danish",
    "no": "norwegian",
    "fi": "finnish",
    "ro": "romanian",
    "el": "greek",
    "id": "indonesian",
    "ca": "catalan",
    "pl": "polish",
}


def fold(text: str) -> str:
    """Lower case without accents: 'Éducation' and 'education' become the same word."""
    lowered = text.lower()
    if lowered.isascii():  # most text: nothing to take off, and the per-character walk is the cost
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


STOP_WORDS = frozenset(
    fold(w) for w in (*STOPWORDS_EN, *STOPWORDS_FRENCH, *STOPWORDS_SPANISH, *STOPWORDS_PORTUGUESE, *STOPWORDS_GERMAN, *STOPWORDS_ITALIAN)
)


@cache
def _stemmer(language: str) -> Stemmer.Stemmer | None:
    name = STEMMERS.get(language)
    return Stemmer.Stemmer(name) if name else None


# The same texts come back all day (a stored member's needs, a cluster's aspects): their words
# and terms are kept, a bounded number of them (a peer request spent 40% of its time here).
TEXT_CACHE = 65_536


@lru_cache(maxsize=TEXT_CACHE)
def words(text: str) -> tuple[str, ...]:
    """Folded words of two or more characters, stop words removed."""
    return tuple(w for w in _WORD.findall(fold(text)) if len(w) > 1 and w not in STOP_WORDS and not w.isdigit())


@lru_cache(maxsize=TEXT_CACHE)
def terms(text: str, language: str | None) -> tuple[str, ...]:
    """Stems of ``text`` in ``language`` (unstemmed words if no stemmer), then consecutive stem pairs."""
    stemmer = _stemmer(language or "")
    found = list(words(text))
    stems = stemmer.stemWords(found) if stemmer else found
    return (*stems, *(f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False)))


# Every term this process has seen gets one number for good, so that a text's term counts are
# worked out once (``term_counts``, cached) and each fit only gathers arrays: a fit is made for
# every new snapshot (each write), and its walk over every term of every passage in Python was
# most of the time a write took from the readers (issue 21, item 2). The table grows with the
# distinct words and word pairs of the texts fitted (a network's vocabulary, not its traffic:
# queries only look terms up).
_TERM_IDS: dict[str, int] = {}
_TERM_LOCK = threading.Lock()


@lru_cache(maxsize=TEXT_CACHE)
def term_counts(text: str, language: str | None) -> tuple[np.ndarray, np.ndarray]:
    """The terms of ``text`` (``terms``) as process-wide term numbers, each once, and their counts."""
    found = terms(text, language)
    if any(term not in _TERM_IDS for term in found):
        with _TERM_LOCK:  # two threads must not give two terms one number
            for term in found:
                if term not in _TERM_IDS:
                    _TERM_IDS[term] = len(_TERM_IDS)
    counts: dict[int, int] = {}
    for term in found:
        number = _TERM_IDS[term]
        counts[number] = counts.get(number, 0) + 1
    return np.fromiter(counts, dtype=np.int64, count=len(counts)), np.fromiter(counts.values(), dtype=np.float32, count=len(counts))


class LexicalProfiles:
    """TF-IDF over passages and over owners, fitted once per collection (plain numpy/scipy state)."""

    def __init__(
        self,
        vocabulary: dict[int, int],
        languages: list[str],
        passage_idf: np.ndarray,
        passage_vectors: sparse.csr_matrix,
        owner_idf: np.ndarray,
        owner_vectors: sparse.csr_matrix,
    ) -> None:
        self.vocabulary = vocabulary  # process-wide term number (term_id) -> column
        self.languages = languages
        self.passage_idf = passage_idf
        self.passage_vectors = passage_vectors  # (passages, terms), rows L2-normalised
        self.owner_idf = owner_idf
        self.owner_vectors_t = owner_vectors.T.tocsr()  # (terms, owners): queries multiply it
        self._counts: dict[str, dict[int, int]] = {}  # text -> its term counts in this vocabulary
        self.passage_vectors_t = passage_vectors.T.tocsr()  # (terms, passages): a query's few terms pick their rows

    @classmethod
    def fit(
        cls,
        texts: Sequence[str],
        languages: Sequence[str | None],
        owners: Sequence[Sequence[int]],
        weights: Sequence[float],
        n_owners: int,
    ) -> LexicalProfiles:
        """``owners[i]``: the owner codes passage i counts for (none, one, or several authors);
        ``weights[i]``: how much its terms count in those owners' profiles (the field weight)."""
        if not (len(texts) == len(languages) == len(owners) == len(weights)):
            raise ValueError("texts, languages, owners and weights must have one entry per passage")
        counted = [term_counts(text, language) for text, language in zip(texts, languages, strict=True)]
        numbers = np.concatenate([ids for ids, _ in counted]) if counted else np.zeros(0, np.int64)
        values = np.concatenate([counts for _, counts in counted]) if counted else np.zeros(0, np.float32)
        rows = np.repeat(np.arange(len(texts)), [len(ids) for ids, _ in counted])
        present_terms, columns = np.unique(numbers, return_inverse=True)  # this collection's terms, as columns
        vocabulary = dict(zip(present_terms.tolist(), range(len(present_terms)), strict=True))
        shape = (len(texts), max(len(vocabulary), 1))
        counts_matrix = sparse.csr_matrix((values, (rows, columns.reshape(-1))), shape=shape)
        link_rows = [row for row, codes in enumerate(owners) for _ in codes]
        link_cols = [code for codes in owners for code in codes]
        link_vals = [float(weights[row]) for row, codes in enumerate(owners) for _ in codes]
        links = sparse.csr_matrix((np.asarray(link_vals, np.float32), (link_cols, link_rows)), shape=(n_owners, len(texts)))
        owner_counts = (links @ counts_matrix).tocsr()
        passage_idf, passage_vectors = _tfidf(counts_matrix)
        owner_idf, owner_vectors = _tfidf(owner_counts)
        present = sorted({language for language in languages if language})
        return cls(vocabulary, present, passage_idf, passage_vectors, owner_idf, owner_vectors)

    def _column(self, term: str) -> int | None:
        number = _TERM_IDS.get(term)
        return None if number is None else self.vocabulary.get(number)

    def _text_counts(self, text: str) -> dict[int, int]:
        counts: dict[int, int] = {}
        for language in self.languages or [""]:
            found: dict[int, int] = {}
            for term in terms(text, language):
                column = self._column(term)
                if column is not None:
                    found[column] = found.get(column, 0) + 1
            for column, count in found.items():
                counts[column] = max(counts.get(column, 0), count)
        return counts

    def _query_weights(self, queries: Sequence[str], idf: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each query's terms and TF-IDF weights (sublinear tf, L2-normalised), as ``_weigh``
        gives them, without building a sparse matrix: a request has a handful of short texts,
        and scipy's per-matrix overhead was half of a peer request's time."""
        out = []
        for text in queries:
            counts = self._counts.get(text)
            if counts is None:
                counts = self._text_counts(text)
                if len(self._counts) >= TEXT_CACHE:
                    self._counts.clear()
                self._counts[text] = counts
            columns = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
            weights = (1 + np.log(np.maximum(tf, 1.0))) * idf[columns]
            norm = float(np.sqrt((weights * weights).sum()))
            out.append((columns, (weights / norm if norm > 0 else weights).astype(np.float32)))
        return out

    def _query_counts(self, queries: Sequence[str]) -> sparse.csr_matrix:
        """Term counts of each query, stemmed in every language of the collection (a stem that
        two stemmers agree on counts once: its largest count)."""
        rows, columns, values = [], [], []
        for row, text in enumerate(queries):
            counts = self._counts.get(text)
            if counts is None:
                counts = self._text_counts(text)
                if len(self._counts) >= TEXT_CACHE:  # bounded: a new profile's texts must not grow it forever
                    self._counts.clear()
                self._counts[text] = counts
            rows += [row] * len(counts)
            columns += list(counts)
            values += list(counts.values())
        return sparse.csr_matrix((np.asarray(values, np.float32), (rows, columns)), shape=(len(queries), max(len(self.vocabulary), 1)))

    def passage_scores(self, queries: Sequence[str]) -> np.ndarray:
        """(queries, passages) TF-IDF cosines."""
        return _accumulate(self._query_weights(queries, self.passage_idf), self.passage_vectors_t)

    def pair_scores(self, queries: Sequence[str], texts: Sequence[str], languages: Sequence[str | None]) -> np.ndarray:
        """(queries, texts) TF-IDF cosines against texts that are not in the collection (passage idf;
        terms the collection never saw are left out, as they are for queries)."""
        rows, columns, values = [], [], []
        for row, (text, language) in enumerate(zip(texts, languages, strict=True)):
            counts: dict[int, int] = {}
            for term in terms(text, language):
                column = self._column(term)
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
            rows += [row] * len(counts)
            columns += list(counts)
            values += list(counts.values())
        shape = (len(texts), max(len(self.vocabulary), 1))
        others = _weigh(sparse.csr_matrix((np.asarray(values, np.float32), (rows, columns)), shape=shape), self.passage_idf)
        query = _weigh(self._query_counts(queries), self.passage_idf)
        return np.asarray((query @ others.T).toarray(), dtype=np.float32)

    def owner_scores(self, queries: Sequence[str]) -> np.ndarray:
        """(queries, owners) TF-IDF cosines against each owner's whole evidence."""
        return _accumulate(self._query_weights(queries, self.owner_idf), self.owner_vectors_t)


def _tfidf(counts: sparse.csr_matrix) -> tuple[np.ndarray, sparse.csr_matrix]:
    """Smoothed idf (as scikit-learn's) and sublinear-tf, L2-normalised rows."""
    n = counts.shape[0]
    document_frequency = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float32)
    idf = (np.log((1 + n) / (1 + document_frequency)) + 1).astype(np.float32)
    return idf, _weigh(counts, idf)


def _weigh(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    weighted = counts.copy().astype(np.float32)
    # sublinear tf, 1 + log(count); a field weight can make a count below 1, which stays as it is
    weighted.data = np.where(weighted.data >= 1, 1 + np.log(np.maximum(weighted.data, 1.0)), weighted.data)
    weighted = (weighted @ sparse.diags(idf)).tocsr()
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return (sparse.diags(1 / norms) @ weighted).tocsr()


def _accumulate(queries: list[tuple[np.ndarray, np.ndarray]], by_term: sparse.csr_matrix) -> np.ndarray:
    """(queries, items) scores: for each query term, its weight times that term's row of
    ``by_term`` (terms, items), summed."""
    out = np.zeros((len(queries), by_term.shape[1]), dtype=np.float32)
    if not queries:
        return out
    terms = np.concatenate([query_terms for query_terms, _ in queries])
    weights = np.concatenate([query_weights for _, query_weights in queries])
    query_of_term = np.repeat(np.arange(len(queries)), [len(query_terms) for query_terms, _ in queries])
    positions, repeats = _entries_of(by_term.indptr, terms)
    cells = np.repeat(query_of_term, repeats) * by_term.shape[1] + by_term.indices[positions]
    # np.add.at adds in entry order: into each cell, its query's terms one after the other, in
    # float32, the same sums rounded the same way as adding each term's row in turn in a Python
    # loop (which took 0.32 ms of a peer request's needs against the demo's member passages, and
    # grew with the texts: a reciprocal request scores its candidates' needs too).
    np.add.at(out.reshape(-1), cells, np.repeat(weights, repeats) * by_term.data[positions])
    return out


def _entries_of(indptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The positions in a CSR matrix's ``indices`` and ``data`` of ``rows``' entries, row after row
    in the order given, and how many entries each row has."""
    starts, ends = indptr[rows], indptr[rows + 1]
    lengths = ends - starts
    # each entry's position: its row's start, plus its rank among the entries gathered so far
    # minus the number gathered before its row
    offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return offsets + np.arange(int(lengths.sum())), lengths
