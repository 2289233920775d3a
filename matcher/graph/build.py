"""The member-expertise graph (networkx): members, topics, resources and clusters, and how they relate.

Edges (directed, attribute ``kind``):
- has_strength  member -> topic    weight: level / 5, +0.1 per authored resource on that topic (max 1)
- has_need      member -> topic    weight: priority / 5
- authored      member -> resource
- about         resource -> topic
- member_of     member -> cluster  role: member or coordinator
- partner_of    member -> member   (both directions)

Updates are per record: upserting one member removes and re-adds only that member's edges.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from embeddings.embedder import Role
from matcher.graph.acyclic import forget_views_with
from matcher.graph.taxonomy import Topic, TopicAssigner
from matcher.records import Member, Resource

LEVEL_DEFAULT = 3


def node(kind: str, key: str) -> str:
    return f"{kind}:{key}"


class ExpertiseGraph:
    def __init__(self, taxonomy: dict[str, Topic], assigner: TopicAssigner | None = None) -> None:
        self.graph = nx.DiGraph()
        forget_views_with(self, self.graph)
        self.taxonomy = taxonomy
        self.assigner = assigner
        for topic in taxonomy.values():
            self.graph.add_node(
                node("topic", topic.id),
                type="topic",
                label=topic.label["en"],
                group=topic.group,
                **{f"label_{language}": text for language, text in topic.label.items()},  # flat: GraphML takes no dicts
            )
        self._authored: dict[str, set[str]] = {}  # member id -> resource ids
        self._resource_topics: dict[str, list[str]] = {}

    # ---- building --------------------------------------------------------------------------

    @classmethod
    def build(
        cls, members: Iterable[Member], resources: Iterable[Resource], taxonomy: dict[str, Topic], assigner: TopicAssigner | None = None
    ) -> ExpertiseGraph:
        graph = cls(taxonomy, assigner)
        for resource in resources:
            graph.upsert_resource(resource, refresh_authors=False)
        for member in members:
            graph.upsert_member(member)
        return graph

    def _topics_of(self, items: list[tuple[str | None, str]], role: Role = "passage") -> list[list[str]]:
        """Each item's topics: its own, else the assigned ones (when an assigner is set)."""
        missing = [i for i, (topic, _) in enumerate(items) if not topic]
        assigned = self.assigner.assign([items[i][1] for i in missing], role=role) if self.assigner and missing else []
        out: list[list[str]] = [[topic] if topic else [] for topic, _ in items]
        for i, topics in zip(missing, assigned, strict=True):
            out[i] = [t for t, _ in topics]
        return out

    def _topic_node(self, topic_id: str) -> str:
        key = node("topic", topic_id)
        if key not in self.graph:
            self.graph.add_node(key, type="topic", label=topic_id, group="custom")
        return key

    def upsert_member(self, member: Member) -> None:
        key = node("member", member.id)
        if key in self.graph:
            self.graph.remove_edges_from(list(self.graph.out_edges(key)))
            self.graph.remove_edges_from([(u, v) for u, v, k in self.graph.in_edges(key, data="kind") if k == "partner_of"])
        self.graph.add_node(
            key,
            type="member",
            label=member.name,
            kind=member.kind,
            country=member.country,
            region=member.region,
            languages=",".join(member.languages),
        )
        authored_topics: dict[str, int] = {}
        for resource_id in self._authored.get(member.id, set()):
            self.graph.add_edge(key, node("resource", resource_id), kind="authored")
            for topic in self._resource_topics.get(resource_id, []):
                authored_topics[topic] = authored_topics.get(topic, 0) + 1
        strengths = self._topics_of([(s.topic, s.text) for s in member.strengths])
        for strength, topics in zip(member.strengths, strengths, strict=True):
            for topic in topics:
                weight = min(1.0, (strength.level or LEVEL_DEFAULT) / 5 + 0.1 * authored_topics.get(topic, 0))
                self.graph.add_edge(key, self._topic_node(topic), kind="has_strength", weight=round(weight, 4))
        needs = self._topics_of([(n.topic, n.text) for n in member.needs], role="query")
        for index, (need, topics) in enumerate(zip(member.needs, needs, strict=True)):
            for topic in topics:
                # which of the member's needs are on the topic ('needs'): the capacity map reads
                # each need's text evidence for it
                edge = self.graph.get_edge_data(key, self._topic_node(topic)) or {}
                on_topic = [*edge.get("needs", []), index]
                self.graph.add_edge(key, self._topic_node(topic), kind="has_need", weight=need.weight / 5, needs=on_topic)
        for cluster in member.clusters:
            cluster_key = node("cluster", cluster.cluster)
            if cluster_key not in self.graph:
                self.graph.add_node(cluster_key, type="cluster", label=cluster.cluster)
            self.graph.add_edge(key, cluster_key, kind="member_of", role=cluster.role)
        for partner in member.partners:
            other = node("member", partner)
            if other not in self.graph:
                self.graph.add_node(other, type="member", label=partner)  # filled in when the partner arrives
            self.graph.add_edge(key, other, kind="partner_of")
            self.graph.add_edge(other, key, kind="partner_of")

    def upsert_resource(self, resource: Resource, refresh_authors: bool = True) -> None:
        key = node("resource", resource.id)
        if key in self.graph:
            self.graph.remove_node(key)
            for authored in self._authored.values():
                authored.discard(resource.id)
        topics = resource.topics or self._topics_of([(None, f"{resource.title}. {resource.body[:1000]}")])[0]
        self._resource_topics[resource.id] = topics
        self.graph.add_node(key, type="resource", label=resource.title, kind=resource.kind, language=resource.language)
        for topic in topics:
            self.graph.add_edge(key, self._topic_node(topic), kind="about")
        for author in resource.authors:
            self._authored.setdefault(author, set()).add(resource.id)
            member_key = node("member", author)
            if member_key in self.graph:
                self.graph.add_edge(member_key, key, kind="authored")

    def remove(self, kind: str, record_id: str) -> None:
        """Take a deleted record out. A member that other members name as a partner is rebuilt by
        upserting those members again (the caller knows them: see matcher.snapshot.advance)."""
        key = node("member" if kind == "members" else "resource", record_id)
        if kind == "members":
            if key in self.graph:
                self.graph.remove_node(key)
            return  # its _authored entry stays: resources still name it, as in a build
        if key in self.graph:
            self.graph.remove_node(key)
        # _authored maps an author to its resources: the deleted resource leaves every author's set.
        for authored in self._authored.values():
            authored.discard(record_id)
        self._resource_topics.pop(record_id, None)

    def snapshot(self) -> ExpertiseGraph:
        """A copy that later upserts do not touch (readers keep a consistent view while writers go on)."""
        copy = ExpertiseGraph.__new__(ExpertiseGraph)
        copy.graph = self.graph.copy()
        forget_views_with(copy, copy.graph)
        copy.taxonomy = self.taxonomy
        copy.assigner = self.assigner
        copy._authored = {k: set(v) for k, v in self._authored.items()}
        copy._resource_topics = {k: list(v) for k, v in self._resource_topics.items()}
        return copy

    # ---- reading ---------------------------------------------------------------------------

    def members(self) -> list[str]:
        return [n for n, t in self.graph.nodes(data="type") if t == "member" and "region" in self.graph.nodes[n]]

    def edges_of(self, kind: str) -> list[tuple[str, str, dict[str, object]]]:
        return [(u, v, d) for u, v, d in self.graph.edges(data=True) if d.get("kind") == kind]

    def undirected(self) -> nx.Graph:
        """The weighted undirected view used by PageRank and betweenness."""
        view = nx.Graph()
        view.add_nodes_from(self.graph.nodes(data=True))
        for u, v, d in self.graph.edges(data=True):
            weight = float(d.get("weight", 1.0))  # type: ignore[arg-type]
            if view.has_edge(u, v):
                view[u][v]["weight"] = max(view[u][v]["weight"], weight)
            else:
                view.add_edge(u, v, weight=weight)
        return view
