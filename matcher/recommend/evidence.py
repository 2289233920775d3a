"""How well each member's evidence answers a set of need texts: strengths, authored documents, profile.

For need i and candidate j: strength[i, j] is the best hybrid score of j's strengths (scaled by
their level), document[i, j] that of the passages of resources j authored, profile[i, j] that of
j's profile and representative. The need score is their weighted sum, so a need met by a stated
strength and backed by documents outscores a vague profile overlap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.recommend.similarity import OwnerGroups, PassageMatrix, Prepared, Similarity, max_by_owner
from matcher.records import Member, Resource

STRENGTH, DOCUMENT, PROFILE = "strength", "document", "profile"


@dataclass(frozen=True)
class EvidenceWeights:
    strength: float = 0.6
    document: float = 0.3
    profile: float = 0.1


@dataclass
class NeedScores:
    """(needs, candidates) matrices; ``where_*`` hold the winning passage row (-1: none)."""

    strength: np.ndarray
    document: np.ndarray
    profile: np.ndarray
    total: np.ndarray
    where_strength: np.ndarray
    where_document: np.ndarray
    where_profile: np.ndarray


@dataclass(frozen=True)
class EvidenceItem:
    kind: str  # strength, document or profile
    passage: str
    text: str
    cosine: float
    score: float
    resource_id: str | None = None


def level_factor(level: int | None) -> float:
    """A stated level 5 counts fully; level 1 counts 0.8; no level 0.9."""
    return 0.9 if level is None else 0.75 + 0.05 * level


class NeedEvidence:
    def __init__(
        self,
        members: list[Member],
        resources: list[Resource],
        member_matrix: PassageMatrix,
        resource_matrix: PassageMatrix,
        lexical_weight: float,
        calibrate: bool,
        weights: EvidenceWeights | None = None,
    ) -> None:
        self.weights = weights or EvidenceWeights()
        self.candidates = [m.id for m in members]
        self.code_of = {member_id: code for code, member_id in enumerate(self.candidates)}
        self.member_matrix = member_matrix
        self.resource_matrix = resource_matrix
        members_by_id = {m.id: m for m in members}

        self.strength_rows = member_matrix.rows(("strength:",))
        self.strength_codes = self._codes(member_matrix, self.strength_rows)
        self.strength_factor = np.asarray(
            [
                level_factor(members_by_id[member_matrix.owners[r]].strengths[_index(member_matrix.fields[r])].level)
                for r in self.strength_rows
            ],
            dtype=np.float32,
        )
        self.profile_rows = member_matrix.rows(("profile", "representative"))
        self.profile_codes = self._codes(member_matrix, self.profile_rows)
        self.need_rows = member_matrix.rows(("need:",))
        self.need_codes = self._codes(member_matrix, self.need_rows)
        # A document backs each of its authors: one column per (passage, author) pair.
        authors_of = {r.id: [a for a in r.authors if a in self.code_of] for r in resources}
        rows, codes = [], []
        for row, owner in enumerate(resource_matrix.owners):
            for author in authors_of.get(owner, []):
                rows.append(row)
                codes.append(self.code_of[author])
        self.document_rows = np.asarray(rows, dtype=np.int64)
        self.document_codes = np.asarray(codes, dtype=np.int64)

        self.strength_groups, self.profile_groups, self.need_groups, self.document_groups = (
            OwnerGroups(codes) for codes in (self.strength_codes, self.profile_codes, self.need_codes, self.document_codes)
        )

        evidence_pool = np.concatenate([self.strength_rows, self.profile_rows])
        self.member_similarity = Similarity(member_matrix, evidence_pool, lexical_weight, calibrate)
        self.resource_similarity = Similarity(resource_matrix, np.flatnonzero(resource_matrix.live), lexical_weight, calibrate)
        self.strength_set = self.member_similarity.rowset(self.strength_rows)
        self.profile_set = self.member_similarity.rowset(self.profile_rows)
        self.need_set = self.member_similarity.rowset(self.need_rows)
        self.document_unique, self.document_inverse = np.unique(self.document_rows, return_inverse=True)
        self.document_set = self.resource_similarity.rowset(self.document_unique)

    def _codes(self, matrix: PassageMatrix, rows: np.ndarray) -> np.ndarray:
        return np.asarray([self.code_of[matrix.owners[r]] for r in rows], dtype=np.int64)

    def prepare(self, texts: list[str], vectors: np.ndarray) -> tuple[Prepared, Prepared]:
        return self.member_similarity.prepare(texts, vectors), self.resource_similarity.prepare(texts, vectors)

    def score(self, texts: list[str], vectors: np.ndarray, prepared: tuple[Prepared, Prepared] | None = None) -> NeedScores:
        """Every need text against every candidate (``prepared``: from ``prepare``, if already done)."""
        on_members, on_resources = prepared or self.prepare(texts, vectors)
        n = len(self.candidates)
        _, strength = self.member_similarity.rows(on_members, self.strength_set)
        strength_best, strength_where = max_by_owner(strength * self.strength_factor, self.strength_groups, n)
        _, profile = self.member_similarity.rows(on_members, self.profile_set)
        profile_best, profile_where = max_by_owner(profile, self.profile_groups, n)
        _, document = self.resource_similarity.rows(on_resources, self.document_set)
        document_best, document_where = max_by_owner(document[:, self.document_inverse], self.document_groups, n)
        strength_best, profile_best, document_best = (np.maximum(m, 0.0) for m in (strength_best, profile_best, document_best))
        w = self.weights
        total = w.strength * strength_best + w.document * document_best + w.profile * profile_best
        return NeedScores(
            strength_best,
            document_best,
            profile_best,
            total,
            _rows_of(strength_where, self.strength_rows),
            _rows_of(document_where, self.document_rows),
            _rows_of(profile_where, self.profile_rows),
        )

    def explain(self, scores: NeedScores, need: int, candidate: int, texts: list[str], vectors: np.ndarray) -> list[EvidenceItem]:
        """The passages behind scores.total[need, candidate], strongest first."""
        items = []
        for kind, where, values, matrix in (
            (STRENGTH, scores.where_strength, scores.strength, self.member_matrix),
            (DOCUMENT, scores.where_document, scores.document, self.resource_matrix),
            (PROFILE, scores.where_profile, scores.profile, self.member_matrix),
        ):
            row = int(where[need, candidate])
            if row < 0 or values[need, candidate] <= 0:
                continue
            passage = matrix.passages[row]
            cosine = float(vectors[need] @ matrix.vectors[row])
            items.append(
                EvidenceItem(
                    kind,
                    passage.key,
                    passage.text,
                    round(cosine, 4),
                    round(float(values[need, candidate]), 4),
                    resource_id=passage.owner_id if kind == DOCUMENT else None,
                )
            )
        return sorted(items, key=lambda item: -item.score)


def _rows_of(where: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Column positions (from max_by_owner) back to passage rows; -1 stays -1."""
    out = np.full(where.shape, -1, dtype=np.int64)
    found = where >= 0
    out[found] = rows[where[found]]
    return out


def _index(field: str) -> int:
    return int(field.split(":", 1)[1])
