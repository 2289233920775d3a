"""The topic taxonomy (shipped ``taxonomy.json`` or a user's file) and topic assignment by similarity.

A strength, need or resource without a topic gets the taxonomy topics whose label and
description are closest to its text, above a threshold (at most ``max_topics``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from embeddings.embedder import Role, TextEncoder
from matcher.errors import UnreadableFileError

DEFAULT_TAXONOMY = Path(__file__).parent / "taxonomy.json"
# Cosine of a text against "label: description" from which a topic is assigned: high enough that
# off-topic text gets none, low enough that a French paraphrase finds its English topic
# (both checked in tests/test_demo.py::test_untagged_text_is_assigned_taxonomy_topics).
ASSIGN_THRESHOLD = 0.45
MAX_TOPICS = 2


@dataclass(frozen=True)
class Topic:
    id: str
    group: str
    cluster: str | None
    label: dict[str, str]
    description: dict[str, str]

    def text(self, language: str = "en") -> str:
        return f"{self.label.get(language) or self.label['en']}: {self.description.get(language) or self.description.get('en', '')}"


def load_taxonomy(path: Path | None = None) -> dict[str, Topic]:
    path = path or DEFAULT_TAXONOMY
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise UnreadableFileError(f"{path}: not a readable taxonomy: {error}") from error
    topics = {}
    for number, item in enumerate(data.get("topics", []), start=1):
        if not isinstance(item, dict) or "id" not in item or "en" not in item.get("label", {}):
            raise UnreadableFileError(f"{path}: topic #{number} needs an 'id' and a 'label' with at least 'en'")
        topics[item["id"]] = Topic(item["id"], item.get("group", ""), item.get("cluster"), item["label"], item.get("description", {}))
    if not topics:
        raise UnreadableFileError(f"{path}: no topics")
    return topics


class TopicAssigner:
    """Nearest taxonomy topics for untagged text; topic vectors are embedded once (and cached)."""

    def __init__(self, taxonomy: dict[str, Topic], encoder: TextEncoder, threshold: float = ASSIGN_THRESHOLD) -> None:
        self.ids = list(taxonomy)
        self.encoder = encoder
        self.threshold = threshold
        self.vectors = encoder.encode([taxonomy[t].text() for t in self.ids])

    def assign(
        self, texts: list[str], max_topics: int = MAX_TOPICS, *, query: bool = False, role: Role = "passage"
    ) -> list[list[tuple[str, float]]]:
        """Each text's nearest topics (id, similarity) above the threshold; ``query``: the texts came
        with a request, so their vectors are not kept on disk."""
        if not texts:
            return []
        # Each text in its own role (a need asks, a strength states: the vector it was indexed
        # with, cached), against the topics' (statements).
        vectors = self.encoder.encode_queries(texts, role=role) if query else self.encoder.encode(texts, role=role)
        sims = vectors @ self.vectors.T
        out = []
        for row in sims:
            best = np.argsort(-row)[:max_topics]
            out.append([(self.ids[j], round(float(row[j]), 4)) for j in best if row[j] >= self.threshold])
        return out
