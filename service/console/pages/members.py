"""Members: a searchable, filterable list, and each member's page with its recommendations."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Query
from fastapi.responses import Response

from matcher.candidates import Joining
from matcher.errors import UnknownIdError
from matcher.explanations import HELPS_NONE_MET
from matcher.index.lexical import fold
from matcher.partnerships import Partnerships
from matcher.partnerships.lifecycle import OPEN
from matcher.partnerships.model import Proposal
from matcher.partnerships.partnerships import MAX_PAGE
from matcher.recommend.helps import HelpOptions
from matcher.recommend.member_resources import MemberResourceOptions
from matcher.recommend.peers import NEED_FIRST, NO_EVIDENCE, PeerMatch, PeerOptions
from matcher.records import MEMBER_KINDS, REGIONS, Member
from matcher.ties import Ties
from matcher.usecases.experts import NO_RESOURCE, helps_for, resources_for, why_no_help
from matcher.usecases.peers import explained, peer_question, rank
from matcher.usecases.unread import unread_languages
from service.console.labels import country_words
from service.console.needs import answered
from service.console.unknown import unknown_id
from service.console.web import SignedIn

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
PEERS_SHOWN = 10
RESOURCES_SHOWN = 8
HELPS_SHOWN = 5  # the members whose needs it meets best: a first idea, not a directory
REASON_LIMIT = 2000  # what a proposal stores of its reason (the /proposals form cuts there too)
PARTNERED = ("active", "closed")  # a proposal that became a partnership (closed: after its work)


@dataclass(frozen=True)
class MemberFilters:
    q: str = ""
    network: str = ""
    cluster: str = ""
    region: str = ""
    kind: str = ""
    language: str = ""

    def keep(self, member: Member) -> bool:
        if self.q:
            # A person searches by what the pages show: the country's name ("Sénégal", in any of the
            # console's languages, accents or not) and what members need and offer, not only codes.
            needle = fold(self.q)
            words = [member.id, member.name, member.country, *member.networks, *(s.text for s in member.strengths)]
            haystack = fold(" ".join([*words, *(n.text for n in member.needs)])) + " " + country_words(member.country)
            if needle not in haystack:
                return False
        return (
            (not self.network or self.network in member.networks)
            and (not self.cluster or any(c.cluster == self.cluster for c in member.clusters))
            and (not self.region or member.region == self.region)
            and (not self.kind or member.kind == self.kind)
            and (not self.language or self.language in member.languages)
        )


@router.get("/members")
def member_list(
    page: SignedIn,
    q: str = Query("", max_length=200),
    network: str = Query("", max_length=200),
    cluster: str = Query("", max_length=200),
    region: str = Query("", max_length=100),
    kind: str = Query("", max_length=50),
    language: str = Query("", max_length=10),
    offset: int = Query(0, ge=0, le=10**9),
) -> Response:
    members = page.state.snapshot.members
    filters = MemberFilters(q.strip(), network, cluster, region, kind, language)
    shown = [m for m in members if filters.keep(m)]
    choices = {
        "network": sorted({n for m in members for n in m.networks}),
        "cluster": sorted({c.cluster for m in members for c in m.clusters}),
        "region": list(REGIONS),
        "kind": list(MEMBER_KINDS),
        "language": sorted({lang for m in members for lang in m.languages}),
    }
    return page.render(
        "members.html",
        filters=filters,
        choices=choices,
        total=len(shown),
        members=shown[offset : offset + PAGE_SIZE],
        offset=offset,
        page_size=PAGE_SIZE,
        everyone=len(members),
    )


@dataclass(frozen=True)
class PartnerLine:
    """A partner on a member's page: listed in its record, or partnered through proposals (active,
    or closed after their work, each with its history), or both."""

    id: str
    listed: bool
    partnerships: tuple[Proposal, ...]


def partner_lines(member: Member, proposals: list[Proposal]) -> list[PartnerLine]:
    """The record's partners first, then those met through proposals, newest partnership first."""
    through: dict[str, list[Proposal]] = {}
    for pr in sorted(proposals, key=lambda pr: pr.id, reverse=True):
        if pr.status in PARTNERED and pr.kind != "expert_group":
            through.setdefault(pr.partner_id if pr.member_id == member.id else pr.member_id, []).append(pr)
    ids = dict.fromkeys([*member.partners, *through])
    return [PartnerLine(other, other in member.partners, tuple(through.get(other, ()))) for other in ids]


@router.get("/members/{member_id}")
def member_page(page: SignedIn, member_id: str, include_declined: bool = False) -> Response:
    snapshot = page.state.snapshot
    member = snapshot.recommender.member(member_id)  # an unknown id is a 404 page naming it
    book = Partnerships(page.state.workspace.store)
    question = peer_question(book, member.id, PeerOptions(k=PEERS_SHOWN), include_declined=include_declined)  # one read of the proposals
    _, proposals = book.list(member_id=member.id, limit=MAX_PAGE)
    # A peer already in an open proposal with this member shows that proposal, not a second "Propose".
    open_with = {(pr.partner_id if pr.member_id == member.id else pr.member_id): pr for pr in proposals if pr.status in OPEN}
    help_options = HelpOptions(k=HELPS_SHOWN)
    helps = helps_for(snapshot, member.id, help_options)
    # Why nobody, as the API says it; 'none met' is the page's own sentence (the API's names an option the page lacks).
    help_why = None if helps else why_no_help(snapshot, member.id, help_options)
    return page.render(
        "member.html",
        member=member,
        names=snapshot.names,
        members=snapshot.members_by_id,
        peers=explained(snapshot, rank(snapshot, question)),
        need_first=NEED_FIRST,  # the flag of a peer placed above higher scores as one need's best answer
        no_evidence=NO_EVIDENCE,  # the flag of a weak peer shown as the closest match when nobody answers
        resources=resources_for(snapshot, member, MemberResourceOptions(k=RESOURCES_SHOWN)),
        helps=helps,
        # as the API flags each peer and resource: the needs' languages the model does not read
        unread=unread_languages(snapshot, [need.text for need in member.needs], member.languages),
        help_why=None if help_why is None or help_why.template == HELPS_NONE_MET else help_why,
        no_resource=NO_RESOURCE,  # the flag of resources that are only the closest: none answers a need
        include_declined=include_declined,
        declined=question.declined,
        proposals=proposals,
        open_with=open_with,
        partners=partner_lines(member, proposals),
        joining=Joining(page.state.workspace.store).history(member.id) if member.membership == "candidate" else [],
        ties=Ties(page.state.workspace.store).list(member.id),
    )


@router.get("/members/{member_id}/propose/{partner_id}")
def confirm_proposal(page: SignedIn, member_id: str, partner_id: str, include_declined: bool = False) -> Response:
    """The step before proposing a recommended peer: both members, the match, and every need of the
    member the peer answers, with all its evidence quoted in full. Nothing is stored until the
    officer confirms (a plain form: it works without JavaScript)."""
    page.require_secretariat()
    snapshot = page.state.snapshot
    member = snapshot.recommender.member(member_id)  # an unknown id is a 404 page naming it
    if partner_id == member.id:
        return page.redirect(f"/members/{member.id}", page.t.plain("A member cannot be its own partner."), error=True)
    if partner_id not in snapshot.members_by_id:
        return page.redirect(f"/members/{member.id}", unknown_id(page.t, UnknownIdError("member", partner_id)), error=True)
    book = Partnerships(page.state.workspace.store)
    _, proposals = book.list(member_id=member.id, limit=MAX_PAGE)
    already = next((pr for pr in proposals if pr.status in OPEN and partner_id in (pr.member_id, pr.partner_id)), None)
    if already is not None:
        return page.redirect(f"/proposals/{already.id}", page.t.plain("These two members already have an open proposal."))
    question = peer_question(book, member.id, PeerOptions(k=PEERS_SHOWN), include_declined=include_declined)
    peer = next((p for p in explained(snapshot, rank(snapshot, question)) if p.id == partner_id), None)
    if peer is None:
        name = snapshot.names.get(partner_id, partner_id)
        message = page.t.plain("%(name)s is no longer among the recommended peers of %(member)s.", name=name, member=member.name)
        return page.redirect(f"/members/{member.id}", message, error=True)
    return page.render(
        "propose.html",
        member=member,
        peer=peer,
        partner=snapshot.members_by_id[peer.id],
        reason=proposal_reason(peer),
        include_declined=include_declined,
    )


def proposal_reason(peer: PeerMatch, limit: int = REASON_LIMIT) -> str:
    """The proposal's reason: every need the peer answers (at least a partial match) with its best
    evidence, one per line; a long quote is shortened so that every need fits in ``limit``
    characters, none is left out. A peer that answers none (a weak match, proposed as the closest)
    gives its closest need: the reason says what the proposal rests on, however little."""
    needs = answered(peer.needs_met) or peer.needs_met[:1]
    share = limit // max(1, len(needs)) - 1
    lines = []
    for need in needs:
        line = f"{need.need} ← {need.evidence[0].text}" if need.evidence else need.need
        lines.append(line if len(line) <= share else line[: share - 1].rstrip() + "…")
    return "\n".join(lines)
