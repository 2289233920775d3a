"""The capacity map: who offers and who needs each topic, by region; unmet needs first; each cell opens its members."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from matcher.graph.capacity import topic_labels, topic_members
from matcher.records import MEMBER_KINDS, REGIONS, Member
from matcher.regions import SIDES, country_groups
from service.console.pages.pairing import DEFAULT_FORM
from service.console.web import SignedIn

router = APIRouter(include_in_schema=False)


def _chosen(members: list[Member], network: str, kind: str) -> list[Member]:
    return [m for m in members if (not network or network in m.networks) and (not kind or m.kind == kind)]


def heat(count: int) -> int:
    """A cell's shade, 0 to 4: none, one member, a few, several, many (the text says the count)."""
    return 0 if count == 0 else 1 if count == 1 else 2 if count <= 3 else 3 if count <= 6 else 4


@router.get("/capacity")
def capacity_page(page: SignedIn, network: str = Query("", max_length=200), kind: str = Query("", max_length=50)) -> Response:
    snapshot = page.state.snapshot
    chosen = _chosen(snapshot.members, network, kind)
    capacity = snapshot.recommender.capacity(chosen)
    networks = sorted({n for m in snapshot.members for n in m.networks})
    return page.render(
        "capacity.html",
        capacity=capacity,
        topic_rows={row.topic: row for row in capacity.topics},
        network=network,
        kind=kind,
        networks=networks,
        kinds=MEMBER_KINDS,
        regions=REGIONS,
        sides=SIDES,
        heat=heat,
    )


@router.get("/capacity/cell")
def capacity_cell(
    page: SignedIn,
    topic: str = Query(..., max_length=200),
    region: str = Query("", max_length=100),
    side: str = Query("offers", pattern="^(offers|needs)$"),
    network: str = Query("", max_length=200),
    kind: str = Query("", max_length=50),
    hemisphere: str = Query("", pattern="^(|North|South)$"),
) -> Response:
    snapshot = page.state.snapshot
    members = _cell(page, topic, side, region, hemisphere, network, kind)
    offering = _cell(page, topic, "offers", "", "", network, kind) if side == "needs" else []
    # Where the needers could find help: each region and side with offerers of the topic (not the needers themselves).
    needers = {m.id for m in members}
    helpers = [m for m in offering if m.id not in needers]
    by_region = {r: sum(m.region == r for m in helpers) for r in REGIONS}
    by_side = {s: sum(side_of(m) == s for m in helpers) for s in SIDES}
    graph = snapshot.recommender.graph
    attributes = graph.graph.nodes.get(f"topic:{topic}", {}) if graph is not None else {}
    label = page.t.pick(topic_labels(attributes), str(attributes.get("label", topic)))
    return page.render(
        "capacity_cell.html",
        members=members,
        topic=topic,
        label=label,
        region=region,
        hemisphere=hemisphere,
        side=side,
        network=network,
        kind=kind,
        helpers_by_region=by_region,
        helpers_by_side=by_side,
    )


def side_of(member: Member) -> str:
    return country_groups().side(member)


def _cell(page: Any, topic: str, side: str, region: str, hemisphere: str, network: str, kind: str) -> list[Member]:
    """The members behind one cell of the map: offering or needing ``topic``, in a region or on a side."""
    snapshot = page.state.snapshot
    graph = snapshot.recommender.graph
    offering, needing = topic_members(graph, topic) if graph is not None else (set(), set())
    ids = offering if side == "offers" else needing
    return [
        m
        for m in _chosen(snapshot.members, network, kind)
        if m.id in ids and (not region or m.region == region) and (not hemisphere or side_of(m) == hemisphere)
    ]


@router.get("/capacity/pair")
def pair_these(
    page: SignedIn,
    topic: str = Query(..., max_length=200),
    region: str = Query("", max_length=100),
    hemisphere: str = Query("", pattern="^(|North|South)$"),
    mentor_region: str = Query("", max_length=100),
    mentor_hemisphere: str = Query("", pattern="^(|North|South)$"),
    network: str = Query("", max_length=200),
    kind: str = Query("", max_length=50),
) -> Response:
    """"Pair these": the pairing form filled with a cell's needers as mentees and the topic's
    offerers (in the region or on the side chosen) as mentors, to check and run."""
    mentees = [m.id for m in _cell(page, topic, "needs", region, hemisphere, network, kind)]
    chosen = set(mentees)
    mentors = [m.id for m in _cell(page, topic, "offers", mentor_region, mentor_hemisphere, network, "") if m.id not in chosen]
    form = {**DEFAULT_FORM, "mentees": " ".join(mentees), "mentors": " ".join(mentors)}
    form |= {"mentee_regions": [], "mentor_regions": [], "mentee_kinds": [], "mentor_kinds": [], "mentor_other_regions": False}
    t = page.t
    notice = " ".join(
        [
            str(t.ngettext("%(num)s member needing this topic as mentee,", "%(num)s members needing this topic as mentees,", len(mentees))),
            str(t.ngettext("%(num)s member offering it as mentor.", "%(num)s members offering it as mentors.", len(mentors))),
            t.plain("Check the settings, then run."),
        ]
    )
    return page.render("pairing.html", form=form, regions=REGIONS, kinds=MEMBER_KINDS, error=None, notice=notice)
