"""Resources for a member: from its needs and profile, what it did not write, no near-duplicates,
and by default in the languages it reads first.

Each resource's score is the calibrated affinity (``matcher.scoring.calibration``) of its best
passage with the member's best-matching need (or, more weakly, its profile): dense and lexical
evidence together. Its label comes, as every other answer's does, from the match evidence of that
need against the resource: the dense evidence of its best passage alone (``match_score``), so a
resource is labelled the same here as in a search for the need's text, whatever language either
is written in. The list is ordered by label, then by score. Weak matches are left out; when
nothing reaches a partial match the closest few come back, marked weak.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from pydantic import BaseModel, Field

from embeddings.embedder import TextEncoder
from matcher.records import Member, Resource
from matcher.scoring.calibration import LABEL_ORDER, PARTIAL, MatchQuality, affinity, match_quality, match_score, shown
from matcher.scoring.evidence import NeedEvidence
from matcher.scoring.similarity import OwnerGroups, best_by_owner, max_by_owner

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
    match_score: float = Field(
        0.0, description="0-1, what match_quality comes from: the dense evidence of the resource's best passage for 'because'."
    )
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
    _, dense, lexical = similarity.parts(prepared, similarity.pool)
    levels = dense if lexical is None else dense + lexical
    owner_ids = sorted(set(matrix.owners))
    code_of = {owner: code for code, owner in enumerate(owner_ids)}
    groups = OwnerGroups(np.asarray([code_of[matrix.owners[row]] for row in similarity.pool.rows], dtype=np.int64))
    per_owner = best_by_owner(np.where(levels > 0, levels * factors, levels), groups, len(owner_ids))
    # the label's evidence: each query's best dense match per resource, in the unrelated passages'
    # spread. The need (or profile) a resource is said to answer is the one that gives its label,
    # and the passage quoted the one that gives it: Acapulco's profile, which names 'active ageing'
    # word for word, outranked its need for active ageing programmes, and the module on it came
    # back 'weak, because of the profile' where the need gives it 'partial'.
    match = dense * prepared.match_gain[:, None]
    matches, where = max_by_owner(np.where(match > 0, match * factors, match), groups, len(owner_ids))
    query_of = np.argmax(matches, axis=0)
    ranking = per_owner.max(axis=0)
    best: dict[str, tuple[float, float, str, str]] = {}
    for code, owner in enumerate(owner_ids):
        i = int(query_of[code])
        row = int(similarity.pool.rows[where[i, code]])
        best[owner] = (float(affinity(ranking[code])), float(match_score(matches[i, code])), texts[i], matrix.passages[row].key)
    readable = set(member.languages)
    # a higher label first, then the score: a list never shows a partial match above a strong one
    order = sorted(best, key=lambda rid: (-LABEL_ORDER[match_quality(best[rid][1])], -best[rid][0], rid))
    ranked = [rid for rid in order if rid in resources and member.id not in resources[rid].authors]
    if options.only_evidence:
        with_evidence = [rid for rid in ranked if best[rid][1] >= PARTIAL]
        ranked = with_evidence or ranked[:CLOSEST]
    if not options.all_languages:
        ranked = [r for r in ranked if resources[r].language in readable] + [r for r in ranked if resources[r].language not in readable]
    row_of = {p.key: row for row, p in enumerate(matrix.passages) if matrix.live[row]}
    hits: list[MemberResourceHit] = []
    kept_vectors: list[np.ndarray] = []
    for rid in ranked:
        score, matched, because, passage = best[rid]
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
                match_score=shown(matched),
                match_quality=match_quality(matched),
                readable=resource.language in readable,
                because=because,
                passage=passage,
            )
        )
        kept_vectors.append(vector)
        if len(hits) == options.k:
            break
    return hits
