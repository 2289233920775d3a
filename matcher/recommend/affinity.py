"""The affinity matrix: every need (rows) against every member (columns), scored as peer results are.

Evaluators and the pairing solver read it; it is written as CSV (one row per need) and JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from embeddings.embedder import TextEncoder
from matcher.records import Member
from matcher.scoring.evidence import NeedEvidence
from matcher.spreadsheet import SpreadsheetWriter


@dataclass
class AffinityMatrix:
    need_ids: list[str]  # "<member id>#need:<i>"
    need_texts: list[str]
    member_ids: list[str]
    scores: np.ndarray  # (needs, members) float32; a member's own needs score 0
    # (needs, members) float32: what the match label comes from (dense evidence alone, as peers
    # are labelled); empty when not computed
    matches: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))

    def write_csv(self, path: Path) -> None:
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = SpreadsheetWriter(handle)  # need texts: never run as formulas
            writer.writerow(["need_id", "need_text", *self.member_ids])
            for need_id, text, row in zip(self.need_ids, self.need_texts, self.scores, strict=True):
                writer.writerow([need_id, text, *(f"{value:.5f}" for value in row)])

    def write_json(self, path: Path) -> None:
        payload = {
            "needs": [{"id": i, "text": t} for i, t in zip(self.need_ids, self.need_texts, strict=True)],
            "members": self.member_ids,
            "scores": np.round(self.scores, 5).tolist(),
        }
        path.write_text(json.dumps(payload, ensure_ascii=False))


def affinity_matrix(
    needy: list[Member], evidence: NeedEvidence, encoder: TextEncoder, member_ids: list[str] | None = None
) -> AffinityMatrix:
    """Needs of ``needy`` against ``member_ids`` (default: every member)."""
    need_ids, texts = [], []
    for member in needy:
        for i, need in enumerate(member.needs):
            need_ids.append(f"{member.id}#need:{i}")
            texts.append(need.text)
    columns = [evidence.code_of[m] for m in (member_ids or evidence.candidates)]
    if not texts:
        empty = np.zeros((0, len(columns)), np.float32)
        return AffinityMatrix([], [], [evidence.candidates[c] for c in columns], empty, empty)
    scored = evidence.score(texts, encoder.encode(texts, role="query"))
    scores = scored.total[:, columns].astype(np.float32)
    matches = scored.match[:, columns].astype(np.float32)
    ids = [evidence.candidates[c] for c in columns]
    position = {member_id: j for j, member_id in enumerate(ids)}
    for i, need_id in enumerate(need_ids):
        own = position.get(need_id.split("#", 1)[0])
        if own is not None:
            scores[i, own] = matches[i, own] = 0.0
    return AffinityMatrix(need_ids, texts, ids, scores, matches)
