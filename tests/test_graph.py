"""The member-expertise graph, its signals, the capacity map and the exports."""

from __future__ import annotations

import gc
import json
import re
import weakref
from pathlib import Path

import networkx as nx
import pytest

from matcher.graph.build import ExpertiseGraph
from matcher.graph.capacity import capacity_map
from matcher.graph.export import write_graphml, write_node_link
from matcher.graph.html import render
from matcher.graph.signals import GraphSignals
from matcher.graph.taxonomy import load_taxonomy
from matcher.records import Member, Resource

TAXONOMY = load_taxonomy()


def m(member_id: str, region: str = "Africa", languages: tuple[str, ...] = ("fr",), kind: str = "city", **fields: object) -> Member:
    country = {"Africa": "SN", "Europe and North America": "FR", "Latin America and the Caribbean": "PE"}[region]
    return Member.model_validate(
        {
            "id": member_id,
            "name": member_id.title(),
            "kind": kind,
            "country": country,
            "region": region,
            "languages": list(languages),
            **fields,
        }
    )


NETWORK = [
    m("dakar", needs=[{"text": "x", "topic": "digital-older", "priority": 5}], partners=["lyon"], clusters=[{"cluster": "inclusion"}]),
    m(
        "lyon",
        "Europe and North America",
        ("fr", "en"),
        strengths=[{"text": "x", "topic": "digital-older", "level": 5}],
        partners=["dakar", "lima"],
        clusters=[{"cluster": "inclusion", "role": "coordinator"}],
    ),
    m(
        "lima",
        "Latin America and the Caribbean",
        ("es",),
        strengths=[{"text": "x", "topic": "gender", "level": 4}],
        needs=[{"text": "x", "topic": "digital-older"}],
        partners=["lyon"],
    ),
    m("bamako", needs=[{"text": "x", "topic": "disaster-risk"}, {"text": "x", "topic": "gender"}]),
    m("fund", "Europe and North America", ("en",), kind="organization", strengths=[{"text": "x", "topic": "digital-older", "level": 3}]),
]
RESOURCES = [
    Resource(id="r1", title="Seniors online", summary="x", kind="publication", language="fr", topics=["digital-older"], authors=["lyon"]),
]


def test_edges_follow_the_records() -> None:
    graph = ExpertiseGraph.build(NETWORK, RESOURCES, TAXONOMY).graph
    assert graph["member:lyon"]["topic:digital-older"] == {"kind": "has_strength", "weight": 1.0}
    assert graph["member:dakar"]["topic:digital-older"]["kind"] == "has_need"
    assert graph["member:dakar"]["topic:digital-older"]["weight"] == 1.0
    assert graph["member:lyon"]["resource:r1"]["kind"] == "authored"
    assert graph["resource:r1"]["topic:digital-older"]["kind"] == "about"
    assert graph["member:lyon"]["cluster:inclusion"]["role"] == "coordinator"
    assert graph.has_edge("member:dakar", "member:lyon") and graph.has_edge("member:lyon", "member:dakar")
    # fund's strength, level 3 and no documents: 3 / 5
    assert graph["member:fund"]["topic:digital-older"]["weight"] == pytest.approx(0.6)


def test_one_upsert_equals_a_full_rebuild() -> None:
    incremental = ExpertiseGraph.build(NETWORK[:-1], RESOURCES, TAXONOMY)
    changed = m("bamako", needs=[{"text": "x", "topic": "gender"}], partners=["lima"])
    incremental.upsert_member(changed)
    incremental.upsert_member(NETWORK[-1])
    full = ExpertiseGraph.build([*NETWORK[:3], changed, NETWORK[-1]], RESOURCES, TAXONOMY)

    def edges(g: ExpertiseGraph) -> set[tuple[str, str, str]]:
        return {(u, v, str(sorted(d.items()))) for u, v, d in g.graph.edges(data=True)}

    # lima lists no partnership with bamako, but bamako's new partner edge is symmetric in both builds
    assert edges(incremental) == edges(full)
    assert not incremental.graph.has_edge("member:bamako", "topic:disaster-risk")


def test_signals_take_over_the_last_walks_only_when_the_help_view_is_the_same() -> None:
    """After a write that changes a text, not what a walk follows, the last snapshot's walks and
    bridges are taken over, equal to the bit to those made again; after one that changes an edge,
    they are made again."""
    graph = ExpertiseGraph.build(NETWORK, RESOURCES, TAXONOMY)
    first = GraphSignals(graph)
    needs = {"digital-older": 5.0}
    first.pagerank_from_needs(needs)
    first.bridges()
    edited = graph.snapshot()
    edited.upsert_member(NETWORK[1].model_copy(update={"profile": "Lyon, a learning city, writes anew."}))
    kept, again = GraphSignals(edited, first), GraphSignals(edited)
    assert (kept.walks_kept, again.walks_kept) == (1, 0)
    assert kept.pagerank_from_needs(needs) == again.pagerank_from_needs(needs)
    assert kept.bridges() == again.bridges()
    changed = graph.snapshot()
    changed.upsert_member(m("bamako", strengths=[{"text": "x", "topic": "digital-older", "level": 5}]))
    remade = GraphSignals(changed, first)
    assert remade.walks_kept == 0
    assert remade.pagerank_from_needs(needs)["bamako"] > 0 == first.pagerank_from_needs(needs).get("bamako", 0.0)

def test_a_dropped_graph_and_its_signals_are_freed_at_once_not_by_the_cycle_collector() -> None:
    """A service worker drops a snapshot's graphs at each write; networkx's cached views point back
    at their graph, and a full cycle-collector pass freeing them stalled every read of the worker."""
    graph = ExpertiseGraph.build(NETWORK, RESOURCES, TAXONOMY)
    copy = graph.snapshot()
    copy.upsert_member(NETWORK[1].model_copy(update={"profile": "Lyon writes anew."}))
    signals = GraphSignals(copy)
    signals.pagerank_from_needs({"digital-older": 5.0})
    signals.bridges()
    signals.introductions("dakar", "lima")
    copy.members(), copy.edges_of("has_need"), graph.members()
    networkx_graphs = [weakref.ref(g) for g in (graph.graph, copy.graph, signals.help_view)]
    gc.collect()
    gc.disable()
    try:
        del graph, copy, signals
        assert [ref() for ref in networkx_graphs] == [None, None, None]
    finally:
        gc.enable()


def test_pagerank_from_needs_reaches_the_providers_and_introductions_name_the_path() -> None:
    signals = GraphSignals(ExpertiseGraph.build(NETWORK, RESOURCES, TAXONOMY))
    ranks = signals.pagerank_from_needs({"digital-older": 5})
    assert ranks["lyon"] == 1.0  # level 5 and a document on the topic
    assert ranks["lyon"] > ranks["fund"] > ranks.get("bamako", 0.0)
    assert signals.introductions("dakar", "lima") == ["both partners of Lyon"]
    bridges = signals.bridges()
    assert max(bridges, key=lambda member: bridges[member]) == "lyon"


def counts_in(html: str, kind: str) -> dict[tuple[str, str], int]:
    pattern = rf"<td class='n {kind}' data-topic='([^']+)' data-region='([^']+)'[^>]*>(\d+)</td>"
    return {(topic, region): int(n) for topic, region, n in re.findall(pattern, html)}


def expected_counts(members: list[Member], attribute: str) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for member in members:
        for topic in {item.topic for item in getattr(member, attribute)}:
            counts[(topic, member.region)] = counts.get((topic, member.region), 0) + 1  # type: ignore[index]
    return counts


def test_capacity_map_html_shows_the_counts_of_the_records() -> None:
    capacity = capacity_map(ExpertiseGraph.build(NETWORK, RESOURCES, TAXONOMY), NETWORK)
    html = render(capacity)
    shown_offers = {key: n for key, n in counts_in(html, "offers").items() if n}
    shown_needs = {key: n for key, n in counts_in(html, "needs").items() if n}
    assert shown_offers == expected_counts(NETWORK, "strengths")
    assert shown_needs == expected_counts(NETWORK, "needs")
    row = next(r for r in capacity.topics if r.topic == "digital-older")
    assert (row.offers_north, row.offers_south, row.needs_north, row.needs_south) == (2, 0, 0, 2)
    assert row.strongest[0][0] == "lyon"
    unmet = {(u.member, u.topic): u.reason for u in capacity.unmet_needs}
    assert unmet[("bamako", "disaster-risk")] == "nobody in the network offers this topic"
    assert unmet[("bamako", "gender")] == "1 provider, not sharing a working language (es)"
    assert unmet[("lima", "digital-older")] == "2 providers, none sharing a working language (en, fr)"
    assert ("dakar", "digital-older") not in unmet  # Lyon offers it in French
    assert "<script" not in html and "http" not in html  # self-contained


def test_exports_round_trip(tmp_path: Path) -> None:
    expertise = ExpertiseGraph.build(NETWORK, RESOURCES, TAXONOMY)
    write_graphml(expertise, tmp_path / "g.graphml")
    write_node_link(expertise, tmp_path / "g.json")
    back = nx.read_graphml(tmp_path / "g.graphml")
    assert back.number_of_nodes() == expertise.graph.number_of_nodes()
    assert back.number_of_edges() == expertise.graph.number_of_edges()
    assert back.nodes["member:lyon"]["region"] == "Europe and North America"
    data = json.loads((tmp_path / "g.json").read_text())
    assert len(data["edges"]) == expertise.graph.number_of_edges()


def test_a_user_taxonomy_replaces_the_default(tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"topics": [{"id": "water", "label": {"en": "Water"}, "description": {"en": "Clean water."}}]}))
    assert list(load_taxonomy(path)) == ["water"]
    path.write_text(json.dumps({"topics": [{"label": {"en": "no id"}}]}))
    with pytest.raises(Exception, match="topic #1 needs an 'id'"):
        load_taxonomy(path)


def test_pagerank_power_iteration_matches_networkx() -> None:
    signals = GraphSignals(ExpertiseGraph.build(NETWORK, RESOURCES, TAXONOMY))
    start = {"topic:digital-older": 3.0, "topic:gender": 1.0}
    reference = nx.pagerank(signals.help_view, alpha=0.85, personalization=start, weight="weight", tol=1e-12)
    members = {n.split(":", 1)[1]: r for n, r in reference.items() if n.startswith("member:")}
    best = max(members.values())
    ours = signals.pagerank_from_needs({"digital-older": 3.0, "gender": 1.0})
    for member, rank in members.items():
        assert ours[member] == pytest.approx(rank / best, rel=1e-6)
