"""Peer partners for a member or an unsaved profile: every exclusion applied once, before ranking.

Left out of every peer ranking, whoever asks (the API, the console, the command line):
- the member itself and, unless ``include_partners``, the partners its record lists
  (``PeerRecommender``'s eligibility, with the other filters of ``PeerOptions``);
- its active partners and, unless ``include_declined``, the members whose latest proposal with it
  was declined or rejected (``left_out_in``);
- the ids the caller names in ``options.exclude``.
They are left out before the per-country cap, so a left-out member never takes a country's place.
"""

from __future__ import annotations

from dataclasses import dataclass

from matcher.explanations import PEERS_NO_COMMON_LANGUAGE, PEERS_NONE_ALLOWED, Explanation, explain
from matcher.partnerships import Partnerships
from matcher.partnerships.model import Status
from matcher.partnerships.partnerships import declined_in
from matcher.recommend.peers import PeerMatch, PeerOptions, PeerRanking
from matcher.record_forms import UnsavedProfile
from matcher.records import Member
from matcher.snapshot import Snapshot


@dataclass(frozen=True)
class PeerQuestion:
    """A peer question with its exclusions resolved: who asks, and the options that rank for it."""

    member: str | Member  # a stored member's id, or an unsaved profile
    options: PeerOptions
    declined: frozenset[str] = frozenset()  # declined or rejected in earlier proposals (left out unless asked)

    @property
    def key(self) -> tuple[object, ...] | None:
        """What identifies the answer in a snapshot's cache; None for an unsaved profile (never cached)."""
        if not isinstance(self.member, str):
            return None
        return ("peers", self.member, self.options.model_dump_json())


def peer_question(
    partnerships: Partnerships | None,
    member: str | Member | UnsavedProfile,
    options: PeerOptions | None = None,
    *,
    include_declined: bool = False,
) -> PeerQuestion:
    """``options`` with the proposal history's exclusions added (one read of the proposals).
    ``partnerships`` None: no proposal history (an evaluation set has none). An unsaved profile
    is asked as ``UnsavedProfile.member()``: under its id if it has one, else under none that is stored."""
    options = options or PeerOptions()
    if isinstance(member, UnsavedProfile):
        member = member.member()
    asker = member if isinstance(member, str) else member.id
    standing = partnerships.standing_with(asker) if partnerships is not None else {}
    leave_out = left_out_in(standing, include_declined)
    if leave_out:
        options = options.model_copy(update={"exclude": sorted(leave_out | set(options.exclude or ()))})
    return PeerQuestion(member, options, frozenset(declined_in(standing)))


def left_out_in(standing: dict[str, Status], include_declined: bool = False) -> set[str]:
    """Of ``Partnerships.standing_with``'s answer, whom a peer ranking leaves out: active partners
    (like the partners a record lists), and the declined or rejected unless ``include_declined``."""
    active = {other for other, status in standing.items() if status == "active"}
    return active if include_declined else active | declined_in(standing)


def rank(snapshot: Snapshot, question: PeerQuestion) -> PeerRanking:
    """The ranking for ``question``: ids, scores and parts, best first, not yet explained."""
    return snapshot.recommender.rank_peers(question.member, question.options)


def peers_for(
    snapshot: Snapshot,
    partnerships: Partnerships | None,
    member: str | Member | UnsavedProfile,
    options: PeerOptions | None = None,
    *,
    include_declined: bool = False,
) -> PeerRanking:
    """Peer partners for a stored member (by id) or an unsaved profile, every exclusion applied
    before ranking; raises UnknownIdError for an unknown id."""
    return rank(snapshot, peer_question(partnerships, member, options, include_declined=include_declined))


def explained(snapshot: Snapshot, ranking: PeerRanking) -> list[PeerMatch]:
    """The results of ``ranking`` with their evidence (built for these results only)."""
    return snapshot.recommender.explain_peers(ranking)


def why_none(snapshot: Snapshot, question: PeerQuestion) -> Explanation:
    """Why ``question``'s ranking is empty. Only filters empty it (without evidence the closest few
    still come back): most often, for a visitor writing only Russian or Greek, no member sharing a
    working language; else the request's other filters, exclusions and proposal history."""
    member = snapshot.member(question.member) if isinstance(question.member, str) else question.member
    if question.options.require_common_language:
        spoken = {code for other in snapshot.members if other.id != member.id for code in other.languages}
        if not spoken & set(member.languages):
            return explain(PEERS_NO_COMMON_LANGUAGE, languages=", ".join(member.languages))
    return explain(PEERS_NONE_ALLOWED)
