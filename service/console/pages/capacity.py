"""The capacity map: who offers and who needs each topic, by region; unmet needs first; each cell opens its members."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response

from matcher.graph.capacity import topic_labels, topic_members
from matcher.records import MEMBER_KINDS, REGIONS, Member
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
) -> Response:
    snapshot = page.state.snapshot
    graph = snapshot.recommender.graph
    offering, needing = topic_members(graph, topic) if graph is not None else (set(), set())
    ids = offering if side == "offers" else needing
    members = [m for m in _chosen(snapshot.members, network, kind) if m.id in ids and (not region or m.region == region)]
    attributes = graph.graph.nodes.get(f"topic:{topic}", {}) if graph is not None else {}
    label = page.t.pick(topic_labels(attributes), str(attributes.get("label", topic)))
    return page.render(
        "capacity_cell.html", members=members, topic=topic, label=label, region=region, side=side, network=network, kind=kind
    )
