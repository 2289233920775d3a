"""Resources for a member: from its needs and profile, what it did not write, no near-duplicates,
and by default in the languages it reads first."""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, Field

from embeddings.embedder import TextEncoder
from matcher.indexing import CollectionIndex
from matcher.recommend.similarity import PassageMatrix
from matcher.records import Member, Resource
from matcher.search.retrieval import retrieve
from matcher.settings import Settings

DUPLICATE_COSINE = 0.97


class MemberResourceOptions(BaseModel):
    k: int = Field(10, ge=1, le=200)
    all_languages: bool = Field(False, description="Rank across all languages instead of readable ones first.")


class MemberResourceHit(BaseModel):
    id: str
    title: str
    kind: str
    language: str
    score: float
    readable: bool
    because: str = Field(description="The need or profile text this resource answers best.")
    passage: str
    duplicates: list[str] = Field(default_factory=list, description="Near-identical resources folded into this one.")


def resources_for_member(
    member: Member,
    resources: dict[str, Resource],
    index: CollectionIndex,
    matrix: PassageMatrix,
    encoder: TextEncoder,
    settings: Settings,
    options: MemberResourceOptions | None = None,
) -> list[MemberResourceHit]:
    options = options or MemberResourceOptions()
    queries = [(n.text, (n.priority or 3) / 5) for n in member.needs]
    if member.profile:
        queries.append((member.profile, 0.4))
    if not queries:
        return []
    vectors = encoder.encode([text for text, _ in queries])
    best: dict[str, tuple[float, str, str]] = {}
    for (text, weight), vector in zip(queries, vectors, strict=True):
        for hit in retrieve(
            index,
            text,
            vector,
            depth=settings.candidate_depth,
            fusion=settings.fusion,
            lexical_weight=settings.lexical_weight,
            calibrate_languages=settings.calibrate_languages,
        ):
            score = weight * hit.score
            if hit.owner_id not in best or score > best[hit.owner_id][0]:
                best[hit.owner_id] = (score, text, hit.best_passage.key)
    readable = set(member.languages)
    ranked = [
        rid for rid in sorted(best, key=lambda rid: (-best[rid][0], rid)) if rid in resources and member.id not in resources[rid].authors
    ]
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
                readable=resource.language in readable,
                because=because,
                passage=passage,
            )
        )
        kept_vectors.append(vector)
        if len(hits) == options.k:
            break
    return hits
