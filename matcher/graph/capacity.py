"""The network's capacity map: who offers and who needs each topic, by region; the North/South
split (``matcher.regions``: high-income countries are North); unmet needs; brokers between regions and clusters.

Unmet needs come from the topic graph (nobody offers the topic, or nobody sharing a language)
and, when the caller passes each need's best match evidence (``need_evidence``, from the affinity
matrix), from the text itself: a need that no other member's evidence meets even partially is
unmet, whatever its topic says; and a need that some member's evidence meets at least partially
is not called unmet because nobody offers its topic (its topic was guessed, or is a neighbour of
the one its answer is tagged with: Dakar's need on youth employment skills, tagged 'Skills for
work', was unmet while 22 members offer 'Skills for youth employment')."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field, computed_field

from matcher.explanations import UNMET_NO_EVIDENCE, UNMET_NO_EVIDENCE_CLOSEST, UNMET_NO_LANGUAGE, UNMET_NO_PROVIDER, Explanation, explain
from matcher.graph.build import ExpertiseGraph
from matcher.graph.signals import GraphSignals
from matcher.records import REGIONS, Member
from matcher.regions import country_groups
from matcher.scoring.calibration import PARTIAL


def side(member: Member) -> str:
    """'North' or 'South' by the one classification in force (``matcher.regions``: the World Bank
    income group of the member's country, or the side it declares it operates in), never by its kind."""
    return country_groups().side(member)


def topic_labels(attributes: dict[str, object]) -> dict[str, str]:
    """A topic node's label in each language (its ``label_fr``, ``label_es``... attributes)."""
    return {key.removeprefix("label_"): str(value) for key, value in attributes.items() if key.startswith("label_")}


class TopicRow(BaseModel):
    topic: str
    label: str  # English
    labels: dict[str, str] = Field(default_factory=dict)  # language -> label, as the taxonomy gives them
    offers: dict[str, int]  # region -> members with the strength
    needs: dict[str, int]  # region -> members with the need
    offers_north: int
    offers_south: int
    needs_north: int
    needs_south: int
    strongest: list[tuple[str, str, float]]  # (member id, name, strength weight)


class UnmetNeed(BaseModel):
    member: str
    name: str
    region: str
    topic: str
    explanation: Explanation = Field(description="The reason as data (template and values), for a translation.")
    need: str | None = None  # the need's text, for needs found unmet on their text evidence

    @computed_field(description="The reason in English, made from `explanation`.")  # type: ignore[prop-decorator]
    @property
    def reason(self) -> str:
        return self.explanation.text()


class Broker(BaseModel):
    member: str
    name: str
    region: str
    betweenness: float
    partner_regions: list[str]
    clusters: list[str]


class CapacityMap(BaseModel):
    regions: list[str]
    topics: list[TopicRow]
    unmet_needs: list[UnmetNeed]
    brokers: list[Broker]
    totals: dict[str, Any]


def capacity_map(
    expertise: ExpertiseGraph,
    members: list[Member],
    top_providers: int = 3,
    top_brokers: int = 10,
    need_evidence: dict[str, tuple[float, str | None]] | None = None,
    classify: Callable[[Member], str] | None = None,
) -> CapacityMap:
    """``need_evidence``: "<member id>#need:<i>" -> (the best calibrated score any other member's
    evidence reaches for that need, that member's id). ``classify``: North or South of a member
    (default: ``side``, the classification in force; another rule, to compare)."""
    classify = classify or side
    by_id = {m.id: m for m in members}
    graph = expertise.graph
    offers: dict[str, set[str]] = defaultdict(set)
    needs: dict[str, set[str]] = defaultdict(set)
    weights: dict[tuple[str, str], float] = {}
    need_indices: dict[tuple[str, str], list[int]] = {}  # (member, topic) -> which of its needs are on it
    for u, v, d in graph.edges(data=True):
        if not u.startswith("member:"):
            continue
        member_id, topic = u.split(":", 1)[1], v.split(":", 1)[1]
        if member_id not in by_id:
            continue
        if d.get("kind") == "has_strength":
            offers[topic].add(member_id)
            weights[(member_id, topic)] = max(weights.get((member_id, topic), 0.0), float(d.get("weight", 0.0)))
        elif d.get("kind") == "has_need":
            needs[topic].add(member_id)
            need_indices[(member_id, topic)] = list(d.get("needs", []))
    rows = []
    for topic in sorted(set(offers) | set(needs)):
        attributes = graph.nodes.get(f"topic:{topic}", {})
        providers = sorted(offers[topic], key=lambda m: (-weights[(m, topic)], m))[:top_providers]
        rows.append(
            TopicRow(
                topic=topic,
                label=str(attributes.get("label", topic)),
                labels=topic_labels(attributes),
                offers={r: sum(by_id[m].region == r for m in offers[topic]) for r in REGIONS},
                needs={r: sum(by_id[m].region == r for m in needs[topic]) for r in REGIONS},
                offers_north=sum(classify(by_id[m]) == "North" for m in offers[topic]),
                offers_south=sum(classify(by_id[m]) == "South" for m in offers[topic]),
                needs_north=sum(classify(by_id[m]) == "North" for m in needs[topic]),
                needs_south=sum(classify(by_id[m]) == "South" for m in needs[topic]),
                strongest=[(m, by_id[m].name, round(weights[(m, topic)], 3)) for m in providers],
            )
        )
    unmet = []
    answered = {need_id for need_id, (score, _) in (need_evidence or {}).items() if score >= PARTIAL}
    for topic, needers in sorted(needs.items()):
        for needer in sorted(needers):
            member = by_id[needer]
            offering = [by_id[other] for other in offers.get(topic, set()) if other != needer]
            on_topic = need_indices.get((needer, topic), [])
            if not offering and on_topic and all(f"{needer}#need:{i}" in answered for i in on_topic):
                continue  # some member's text answers each of its needs on the topic: the tag is not the whole story
            if not offering:
                reason = explain(UNMET_NO_PROVIDER)
            elif not any(set(provider.languages) & set(member.languages) for provider in offering):
                spoken = sorted({lang for provider in offering for lang in provider.languages})
                reason = explain(UNMET_NO_LANGUAGE, providers=len(offering), languages=", ".join(spoken))
            else:
                continue
            unmet.append(
                UnmetNeed(member=needer, name=member.name, region=member.region, topic=topic, explanation=reason)
            )
    listed = {(u.member, u.topic) for u in unmet}
    for need_id, (score, provider) in sorted((need_evidence or {}).items()):
        member_id, index = need_id.split("#need:", 1)
        if member_id not in by_id or score >= PARTIAL:
            continue
        member = by_id[member_id]
        need = member.needs[int(index)]
        topic = need.topic or "(untagged)"
        if (member_id, topic) in listed:
            continue
        reason = (
            explain(UNMET_NO_EVIDENCE_CLOSEST, name=by_id[provider].name, score=score) if provider in by_id else explain(UNMET_NO_EVIDENCE)
        )
        unmet.append(
            UnmetNeed(
                member=member_id,
                name=member.name,
                region=member.region,
                topic=topic,
                explanation=reason,
                need=need.text,
            )
        )
    centrality = GraphSignals(expertise).bridges()
    brokers = []
    for member_id, value in sorted(centrality.items(), key=lambda pair: (-pair[1], pair[0]))[:top_brokers]:
        if member_id not in by_id or value <= 0:
            continue
        member = by_id[member_id]
        partner_regions = sorted({by_id[p].region for p in member.partners if p in by_id})
        brokers.append(
            Broker(
                member=member_id,
                name=member.name,
                region=member.region,
                betweenness=round(value, 4),
                partner_regions=partner_regions,
                clusters=sorted(c.cluster for c in member.clusters),
            )
        )
    totals = {
        "members": len(members),
        "north": sum(classify(m) == "North" for m in members),
        "south": sum(classify(m) == "South" for m in members),
        "strength_links": sum(len(v) for v in offers.values()),
        "need_links": sum(len(v) for v in needs.values()),
        "unmet_needs": len(unmet),
    }
    return CapacityMap(regions=list(REGIONS), topics=rows, unmet_needs=unmet, brokers=brokers, totals=totals)


def topic_members(expertise: ExpertiseGraph, topic: str) -> tuple[set[str], set[str]]:
    """The ids of the members that offer ``topic`` and of those that need it (a capacity map's cell, drilled into)."""
    offering: set[str] = set()
    needing: set[str] = set()
    node = f"topic:{topic}"
    if node not in expertise.graph:
        return offering, needing
    for source, _, data in expertise.graph.in_edges(node, data=True):  # edges run member -> topic
        if not source.startswith("member:"):
            continue
        member_id = source.split(":", 1)[1]
        if data.get("kind") == "has_strength":
            offering.add(member_id)
        elif data.get("kind") == "has_need":
            needing.add(member_id)
    return offering, needing
