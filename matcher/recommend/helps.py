"""Whom can a member help: its stated strengths and authored documents against every other
member's needs, the reverse of its peer partners.

Each other member's needs are scored against this member's evidence (``NeedEvidence``, the same
scores as peer partners read the other way round); a member appears once, with the need this
member meets best. The list is ordered by the match label first (strong, then partial, then weak),
then by the match score, so that it reads as the secretariat would ask: whom does this member's
work answer, and how well. Members without a working language in common are left out, as in peers.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, Field

from matcher.recommend.peers import MatchedEvidence
from matcher.records import Member
from matcher.scoring.calibration import LABEL_ORDER, PARTIAL, MatchQuality, match_quality, shown
from matcher.scoring.evidence import NeedEvidence

SCORE_DIGITS = 4


class HelpOptions(BaseModel):
    k: int = Field(10, ge=1, le=500)
    only_evidence: bool = Field(True, description="Leave out members whose needs this member's evidence meets only weakly.")
    require_common_language: bool = True


class HelpMatch(BaseModel):
    id: str
    name: str
    kind: str
    country: str
    region: str
    need: str = Field(description="The member's need that this member's evidence meets best.")
    priority: int | None
    match_score: float = Field(description="0-1, what match_quality comes from (as in peers).")
    match_quality: MatchQuality
    evidence: list[MatchedEvidence] = Field(description="This member's passages that meet the need, strongest first.")
    shared_languages: list[str]
    flags: list[str] = Field(
        default_factory=list,
        description="Warnings, as in peers: 'language not read by the model (CODES): ...' when 'need' is in a language"
        " the encoder was not trained on (the scores of this result are then not meaningful).",
    )


def whom_can_help(evidence: NeedEvidence, by_id: Mapping[str, Member], helper: Member, options: HelpOptions) -> list[HelpMatch]:
    """The members whose needs ``helper`` (a stored member) meets, best first."""
    ev = evidence
    column = ev.code_of[helper.id]
    rows = ev.need_rows
    if len(rows) == 0:
        return []
    matrix = ev.member_matrix
    texts = [matrix.passages[r].text for r in rows.tolist()]
    vectors = matrix.vectors[rows]
    scores = ev.score(texts, vectors)
    matches = scores.match[:, column]
    languages = set(helper.languages)
    best: dict[str, int] = {}  # member id -> its need (row of ``scores``) the helper meets best
    for i, code in enumerate(ev.need_codes.tolist()):
        owner = ev.candidates[code]
        if owner == helper.id or (options.require_common_language and not languages & set(by_id[owner].languages)):
            continue
        if owner not in best or matches[i] > matches[best[owner]]:
            best[owner] = i
    order = sorted(best.items(), key=lambda item: (-LABEL_ORDER[match_quality(float(matches[item[1]]))], -float(matches[item[1]]), item[0]))
    if options.only_evidence:
        order = [item for item in order if matches[item[1]] >= PARTIAL]
    out = []
    for owner, i in order[: options.k]:
        member = by_id[owner]
        need_index = int(matrix.fields[int(rows[i])].split(":", 1)[1])
        items = ev.explain(scores, i, column, texts, vectors)
        out.append(
            HelpMatch(
                id=member.id,
                name=member.name,
                kind=member.kind,
                country=member.country,
                region=member.region,
                need=member.needs[need_index].text,
                priority=member.needs[need_index].priority,
                match_score=shown(float(matches[i]), SCORE_DIGITS),
                match_quality=match_quality(float(matches[i])),
                evidence=[MatchedEvidence(**item.__dict__) for item in items],
                shared_languages=sorted(languages & set(member.languages)),
            )
        )
    return out
