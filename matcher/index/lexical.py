"""BM25 (bm25s) over passages, with accent folding and English/French/Spanish/Portuguese stop words.

Like the dense index, a lexical index is a base (a bm25s index, immutable) plus, after
incremental writes, a small delta of passages scored here with the same BM25 variant and the
base's statistics (document count, frequencies, mean length) extended by the delta, and dead
rows that no search returns. A compaction rebuilds the base, as Lucene merges segments.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from functools import cached_property
from pathlib import Path

import bm25s
import numpy as np
from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_FRENCH, STOPWORDS_PORTUGUESE, STOPWORDS_SPANISH

from matcher.text_folding import fold

_TOKEN = re.compile(r"[a-z0-9]+")
# bm25s drops a document with no tokens; this placeholder keeps rows aligned with keys.
_EMPTY = "\x00"


STOP_WORDS = frozenset(fold(word) for word in (*STOPWORDS_EN, *STOPWORDS_FRENCH, *STOPWORDS_SPANISH, *STOPWORDS_PORTUGUESE))


def tokenize(text: str) -> list[str]:
    """Folded word tokens of two or more characters, stop words removed."""
    return [t for t in _TOKEN.findall(fold(text)) if len(t) > 1 and t not in STOP_WORDS]


class LexicalIndex:
    def __init__(
        self,
        retriever: bm25s.BM25 | None,
        keys: list[str],
        base_lengths: np.ndarray | None = None,
        delta: list[Counter[str]] | None = None,
        dead: np.ndarray | None = None,
    ) -> None:
        self.retriever = retriever
        self.keys = keys
        self.delta = delta or []
        self.base_rows = len(keys) - len(self.delta)
        self.base_lengths = np.zeros(self.base_rows, np.float32) if base_lengths is None else base_lengths
        self.dead = np.zeros(len(keys), dtype=bool) if dead is None else dead

    @cached_property
    def _delta_lengths(self) -> np.ndarray:
        return np.asarray([sum(c.values()) for c in self.delta], dtype=np.float32)

    @cached_property
    def _delta_df(self) -> Counter[str]:
        """Document frequencies of the delta rows (worked out by the first search, not by the write)."""
        return Counter(token for counts in self.delta for token in counts)

    def __len__(self) -> int:
        return len(self.keys)

    @classmethod
    def build(cls, texts: list[str], keys: list[str]) -> LexicalIndex:
        if len(texts) != len(keys):
            raise ValueError(f"{len(texts)} texts but {len(keys)} keys")
        if not texts:
            return cls(None, [])
        tokens = [tokenize(text) or [_EMPTY] for text in texts]
        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
        return cls(retriever, keys, np.asarray([len(t) for t in tokens], dtype=np.float32))

    def extended(self, texts: list[str], keys: list[str], dead_rows: np.ndarray) -> LexicalIndex:
        """A new index: this one's rows with ``dead_rows`` retired and ``texts`` appended as delta rows."""
        dead = np.concatenate([self.dead, np.zeros(len(keys), dtype=bool)])
        dead[np.asarray(dead_rows, dtype=np.int64)] = True
        added = [Counter(tokenize(text) or [_EMPTY]) for text in texts]
        return LexicalIndex(self.retriever, [*self.keys, *keys], self.base_lengths, [*self.delta, *added], dead)

    def scores(self, query: str) -> np.ndarray:
        """The BM25 score of every row for ``query`` (0 for dead rows and rows without a query word)."""
        out = np.zeros(len(self.keys), dtype=np.float32)
        tokens = tokenize(query)
        if not tokens:
            return out
        if self.retriever is not None and self.base_rows:
            out[: self.base_rows] = self.retriever.get_scores(tokens)
        if self.delta:
            out[self.base_rows :] = self._delta_scores(tokens)
        out[self.dead] = 0.0
        return out

    def _delta_scores(self, tokens: list[str]) -> np.ndarray:
        """bm25s's 'lucene' BM25 for the delta rows, over base + delta statistics."""
        k1, b = (self.retriever.k1, self.retriever.b) if self.retriever is not None else (1.5, 0.75)
        n_docs = self.base_rows + len(self.delta)
        mean_length = float((self.base_lengths.sum() + self._delta_lengths.sum()) / max(n_docs, 1))
        norm = k1 * ((1 - b) + b * self._delta_lengths / max(mean_length, 1e-9))
        scores = np.zeros(len(self.delta), dtype=np.float32)
        for token in tokens:
            df = self._base_df(token) + self._delta_df.get(token, 0)
            if not df:
                continue
            idf = math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
            tf = np.asarray([c.get(token, 0) for c in self.delta], dtype=np.float32)
            scores += idf * tf / (norm + tf)
        return scores

    def _base_df(self, token: str) -> int:
        if self.retriever is None:
            return 0
        column = self.retriever.vocab_dict.get(token)
        if column is None:
            return 0
        indptr = self.retriever.scores["indptr"]
        return int(indptr[column + 1] - indptr[column])

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Rows and BM25 scores of the top-k live passages with a positive score, among ``allowed`` rows."""
        if not tokenize(query) or not len(self.keys):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        scores = self.scores(query)
        if allowed is not None:
            mask = np.zeros(len(self.keys), dtype=bool)
            mask[allowed] = True
            scores = np.where(mask, scores, 0.0)
        k = min(k, len(self.keys))
        top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        keep = scores[top] > 0
        return top[keep].astype(np.int64), scores[top][keep].astype(np.float32)

    def save(self, folder: Path) -> None:
        if self.delta or self.dead.any():
            raise ValueError("only a compacted index (no delta, no dead rows) is saved as a base")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "lexical-keys.json").write_text(json.dumps(self.keys))
        np.save(folder / "lexical-lengths.npy", self.base_lengths, allow_pickle=False)
        if self.retriever is not None:
            self.retriever.save(str(folder / "bm25"), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        keys = json.loads((folder / "lexical-keys.json").read_text())
        if not keys:
            return cls(None, [])
        retriever = bm25s.BM25.load(str(folder / "bm25"), show_progress=False)
        lengths = np.load(folder / "lexical-lengths.npy", allow_pickle=False)
        if len(lengths) != len(keys):
            raise ValueError(f"{folder}: {len(lengths)} document lengths for {len(keys)} keys")
        return cls(retriever, keys, lengths)
