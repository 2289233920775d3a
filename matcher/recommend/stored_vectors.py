"""A stored member's own texts (needs, profile) as vectors, read from the snapshot's member matrix.

Each stored text was embedded once, when it was indexed; its vector is a row of the matrix the
recommender already holds in memory. Fetching it again from the on-disk embedding cache (or
encoding it again) per request is wasted work. The row is used only when the passage is exactly
the text (one window, the same words): a text split into several passages, or changed by the
windowing, has no single row and is embedded as before, so the vector is always the text's own.
"""

from __future__ import annotations

import numpy as np

from embeddings.embedder import TextEncoder, encode_in_roles
from matcher.passages import role_of_field
from matcher.scoring.similarity import PassageMatrix


class StoredVectors:
    """The member matrix's live passages by key (``<owner>#<field>:<n>``), built once per snapshot."""

    def __init__(self, matrix: PassageMatrix, encoder: TextEncoder) -> None:
        self.matrix = matrix
        self.encoder = encoder
        self.row_of = {passage.key: row for row, passage in enumerate(matrix.passages) if matrix.live[row]}

    def vectors(self, owner_id: str, texts: list[str], fields: list[str]) -> np.ndarray:
        """(len(texts), d) vectors of a stored member's ``texts``, ``fields[i]`` naming where
        ``texts[i]`` is stored (``need:0``, ``profile``); rows of the matrix when every text is one
        indexed passage as written, else ``encoder.encode`` (the store's texts, cached on disk)."""
        rows = [self._row(owner_id, text, field) for text, field in zip(texts, fields, strict=True)]
        if any(row is None for row in rows):
            return encode_in_roles(self.encoder, texts, [role_of_field(field) for field in fields])
        return self.matrix.vectors[np.asarray(rows, dtype=np.int64)]

    def _row(self, owner_id: str, text: str, field: str) -> int | None:
        row = self.row_of.get(f"{owner_id}#{field}:0")
        if row is None or f"{owner_id}#{field}:1" in self.row_of or self.matrix.passages[row].text != text:
            return None
        return row
