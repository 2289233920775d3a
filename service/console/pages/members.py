"""Members: a searchable, filterable list, and each member's page with its recommendations."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Query
from fastapi.responses import Response

from matcher.candidates import Joining
from matcher.index.lexical import fold
from matcher.partnerships import Partnerships
from matcher.partnerships.lifecycle import OPEN
from matcher.partnerships.partnerships import MAX_PAGE
from matcher.recommend.helps import HelpOptions
from matcher.recommend.member_resources import MemberResourceOptions
from matcher.recommend.peers import PeerOptions
from matcher.records import MEMBER_KINDS, REGIONS, Member
from matcher.ties import Ties
from matcher.usecases.experts import helps_for, resources_for
from matcher.usecases.peers import explained, peer_question, rank
from service.console.labels import country_words
from service.console.web import SignedIn

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
PEERS_SHOWN = 10
RESOURCES_SHOWN = 8
HELPS_SHOWN = 5  # the members whose needs it meets best: a first idea, not a directory


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


@router.get("/members/{member_id}")
def member_page(page: SignedIn, member_id: str, include_declined: bool = False) -> Response:
    snapshot = page.state.snapshot
    member = snapshot.recommender.member(member_id)  # an unknown id is a 404 page naming it
    book = Partnerships(page.state.workspace.store)
    question = peer_question(book, member.id, PeerOptions(k=PEERS_SHOWN), include_declined=include_declined)  # one read of the proposals
    _, proposals = book.list(member_id=member.id, limit=MAX_PAGE)
    # A peer already in an open proposal with this member shows that proposal, not a second "Propose".
    open_with = {(pr.partner_id if pr.member_id == member.id else pr.member_id): pr for pr in proposals if pr.status in OPEN}
    # Partnerships made through proposals (active, or closed after their work) are partners too,
    # not only those the record lists.
    through_proposals = [
        pr.partner_id if pr.member_id == member.id else pr.member_id
        for pr in proposals
        if pr.status in ("active", "closed") and pr.kind != "expert_group"
    ]
    partners = list(dict.fromkeys([*member.partners, *through_proposals]))
    return page.render(
        "member.html",
        member=member,
        names=snapshot.names,
        peers=explained(snapshot, rank(snapshot, question)),
        resources=resources_for(snapshot, member, MemberResourceOptions(k=RESOURCES_SHOWN)),
        helps=helps_for(snapshot, member.id, HelpOptions(k=HELPS_SHOWN)),
        include_declined=include_declined,
        declined=question.declined,
        proposals=proposals,
        open_with=open_with,
        partners=partners,
        joining=Joining(page.state.workspace.store).history(member.id) if member.membership == "candidate" else [],
        ties=Ties(page.state.workspace.store).list(member.id),
    )
