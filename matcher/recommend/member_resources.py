"""Resources for a member: from its needs and profile, what it did not write, no near-duplicates,
and by default in the languages it reads first.

Each resource's score is the calibrated affinity (``matcher.scoring.calibration``) of its best
passage with the member's best-matching need (or, more weakly, its profile), the scale every
recommendation uses. Weak matches are left out; when nothing reaches a partial match the closest
few come back, marked weak.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from pydantic import BaseModel, Field

from embeddings.embedder import TextEncoder
from matcher.records import Member, Resource
from matcher.scoring.calibration import PARTIAL, MatchQuality, affinity, match_quality
from matcher.scoring.evidence import NeedEvidence
from matcher.scoring.similarity import max_by_owner

DUPLICATE_COSINE = 0.97  # cosine above which two resources are the same text (a translation or a copy)
PROFILE_FACTOR = 0.8  # a profile says less about what a member is looking for than a stated need
CLOSEST = 3


class MemberResourceOptions(BaseModel):
    k: int = Field(10, ge=1, le=200)
    all_languages: bool = Field(False, description="Rank across all languages instead of readable ones first.")
    only_evidence: bool = Field(True, description="Leave out weak matches (when none is partial, the closest few come back).")


class MemberResourceHit(BaseModel):
    id: str
    title: str
    kind: str
    language: str
    score: float
    match_quality: MatchQuality
    readable: bool
    because: str = Field(description="The need or profile text this resource answers best.")
    passage: str
    duplicates: list[str] = Field(default_factory=list, description="Near-identical resources folded into this one.")
    flags: list[str] = Field(
        default_factory=list,
        description="Warnings, as in peers: 'no evidence: no resource in the network answers this member's needs; closest"
        " match' (none reached a partial match: the list holds the closest few, all weak); 'language not read by the model"
        " (CODES): ...' when 'because' is in a language the encoder was not trained on (its scores are then not meaningful).",
    )


def resources_for_member(
    member: Member,
    resources: Mapping[str, Resource],
    evidence: NeedEvidence,
    encoder: TextEncoder,
    options: MemberResourceOptions | None = None,
) -> list[MemberResourceHit]:
    options = options or MemberResourceOptions()
    queries = [(n.text, 1.0) for n in member.needs]
    if member.profile:
        queries.append((member.profile, PROFILE_FACTOR))
    if not queries:
        return []
    texts = [text for text, _ in queries]
    factors = np.asarray([factor for _, factor in queries], dtype=np.float32)[:, None]
    similarity = evidence.resource_similarity
    matrix = evidence.resource_matrix
    _, prepared = evidence.prepare(texts, encoder.encode(texts, role="query"))
    _, levels = similarity.rows(prepared, similarity.pool)
    owner_ids = sorted(set(matrix.owners))
    code_of = {owner: code for code, owner in enumerate(owner_ids)}
    codes = np.asarray([code_of[matrix.owners[row]] for row in similarity.pool.rows], dtype=np.int64)
    per_owner, where = max_by_owner(np.where(levels > 0, levels * factors, levels), codes, len(owner_ids))
    query_of = np.argmax(per_owner, axis=0)
    best: dict[str, tuple[float, str, str]] = {}
    for code, owner in enumerate(owner_ids):
        i = int(query_of[code])
        row = int(similarity.pool.rows[where[i, code]])
        best[owner] = (float(affinity(per_owner[i, code])), texts[i], matrix.passages[row].key)
    readable = set(member.languages)
    ranked = [
        rid for rid in sorted(best, key=lambda rid: (-best[rid][0], rid)) if rid in resources and member.id not in resources[rid].authors
    ]
    if options.only_evidence:
        with_evidence = [rid for rid in ranked if best[rid][0] >= PARTIAL]
        ranked = with_evidence or ranked[:CLOSEST]
    if not options.all_languages:
        ranked = [r for r in ranked if resources[r].language in readable] + [r for r in ranked if resources[r].language not in readable]
    row_of = {p.key: row for row, p in enumerate(matrix.passages) if matrix.live[row]}
    hits: list[MemberResourceHit] = []
    kept_vectors: list[np.ndarray] = []
    for rid in ranked:
        score, because, passage = best[rid]
        vector = matrix.vectors[row_of[passage]]
        similar = [i for i, kept in enumerate(kept_vectors) if float(kept @ vector) >= DUPLICATE_COSINE]
        if similar:
            hits[similar[0]].duplicates.append(rid)
            continue
        resource = resources[rid]
        hits.append(
            MemberResourceHit(
                id=rid,
                title=resource.title,
                kind=resource.kind,
                language=resource.language,
                score=round(score, 4),
                match_quality=match_quality(score),
                readable=resource.language in readable,
                because=because,
                passage=passage,
            )
        )
        kept_vectors.append(vector)
        if len(hits) == options.k:
            break
    return hits
