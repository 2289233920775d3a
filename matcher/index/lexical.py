"""BM25 (bm25s) over passages, with accent folding and English/French/Spanish/Portuguese stop words."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import bm25s
import numpy as np
from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_FRENCH, STOPWORDS_PORTUGUESE, STOPWORDS_SPANISH

_TOKEN = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower case without accents: 'Éducation' and 'education' become the same word."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


STOP_WORDS = frozenset(fold(word) for word in (*STOPWORDS_EN, *STOPWORDS_FRENCH, *STOPWORDS_SPANISH, *STOPWORDS_PORTUGUESE))


def tokenize(text: str) -> list[str]:
    """Folded word tokens of two or more characters, stop words removed."""
    return [t for t in _TOKEN.findall(fold(text)) if len(t) > 1 and t not in STOP_WORDS]


class LexicalIndex:
    def __init__(self, retriever: bm25s.BM25 | None, keys: list[str]) -> None:
        self.retriever = retriever
        self.keys = keys

    def __len__(self) -> int:
        return len(self.keys)

    @classmethod
    def build(cls, texts: list[str], keys: list[str]) -> LexicalIndex:
        if len(texts) != len(keys):
            raise ValueError(f"{len(texts)} texts but {len(keys)} keys")
        if not texts:
            return cls(None, [])
        retriever = bm25s.BM25()
        # An empty token list would make bm25s drop the row; a placeholder keeps rows aligned with keys.
        retriever.index([tokenize(text) or ["\x00"] for text in texts], show_progress=False)
        return cls(retriever, keys)

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Rows and BM25 scores of the top-k passages with a positive score, among ``allowed`` rows."""
        tokens = tokenize(query)
        if self.retriever is None or not tokens:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        k = min(k, len(self.keys))
        mask = None
        if allowed is not None:
            mask = np.zeros(len(self.keys), dtype=np.float32)
            mask[allowed] = 1.0
        rows, scores = self.retriever.retrieve([tokens], k=k, show_progress=False, weight_mask=mask)
        rows, scores = rows[0], scores[0]
        keep = scores > 0
        return rows[keep].astype(np.int64), scores[keep].astype(np.float32)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "lexical-keys.json").write_text(json.dumps(self.keys))
        if self.retriever is not None:
            self.retriever.save(str(folder / "bm25"), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        keys = json.loads((folder / "lexical-keys.json").read_text())
        if not keys:
            return cls(None, [])
        retriever = bm25s.BM25.load(str(folder / "bm25"), show_progress=False)
        return cls(retriever, keys)
