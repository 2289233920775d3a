"""A fake embedder whose vectors are known: each keyword is one dimension (as in sentence-transformers' tests)."""

from __future__ import annotations

import numpy as np

from matcher.index.lexical import fold

# Keywords in several languages share a dimension, so the fake is "cross-lingual" by design.
CONCEPTS: dict[str, tuple[str, ...]] = {
    "teacher": ("teacher", "teachers", "enseignants", "docentes"),
    "digital": ("digital", "numerique", "digitales"),
    "literacy": ("literacy", "alphabetisation", "alfabetizacion"),
    "older": ("older", "agees", "mayores"),
    "flood": ("flood", "floods", "inondations", "inundaciones"),
    "budget": ("budget", "budgets", "presupuesto"),
    "garden": ("garden", "gardens", "jardins", "huertos"),
}


class FakeEncoder:
    model_id = "fake-keywords"

    def __init__(self) -> None:
        self.concepts = list(CONCEPTS)
        self.dimension = len(self.concepts) + 1  # the last dimension: "no known keyword"
        self.encoded_count = 0

    def encode(self, texts: list[str], *, progress: bool = False, **_: object) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            words = set(fold(text).replace(",", " ").replace(".", " ").split())
            for j, concept in enumerate(self.concepts):
                if words & set(CONCEPTS[concept]):
                    vectors[i, j] = 1.0
            if not vectors[i].any():
                vectors[i, -1] = 1.0
        self.encoded_count += len(texts)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def encode_queries(self, texts: list[str], **_: object) -> np.ndarray:
        return self.encode(texts)
