"""One consistent view of a data directory: records of one store revision, the index generation
built from exactly that revision, the expertise graph of those records, and the searcher and
recommender over them. Everyone reads through a Snapshot (the command line, the evaluation
harness, every service request); only the Workspace makes one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from embeddings.embedder import TextEncoder
from matcher.graph.build import ExpertiseGraph
from matcher.graph.taxonomy import Topic, TopicAssigner, load_taxonomy
from matcher.indexing import Indexes
from matcher.recommend.engine import Recommender
from matcher.records import Member, RecordType, Resource
from matcher.search.resources import ResourceSearcher
from matcher.settings import Settings
from matcher.store.sqlite import Written


@dataclass(frozen=True, eq=False)
class Snapshot:
    indexes: Indexes
    members: list[Member]
    resources: list[Resource]
    encoder: TextEncoder
    settings: Settings
    built_graph: ExpertiseGraph | None = None  # derived from the previous snapshot's; else built on first use

    @cached_property
    def graph(self) -> ExpertiseGraph:
        """The expertise graph of exactly these records (a search never needs it, so it waits)."""
        if self.built_graph is not None:
            return self.built_graph
        taxonomy, assigner = taxonomy_and_assigner(self.settings, self.encoder)
        return ExpertiseGraph.build(self.members, self.resources, taxonomy, assigner)

    @property
    def generation(self) -> str:
        """The index generation and its deltas, e.g. ``gen-1764000000+3``."""
        return self.indexes.generation

    @property
    def store_revision(self) -> int:
        return self.indexes.store_revision

    @cached_property
    def recommender(self) -> Recommender:
        return Recommender(self.indexes, self.members, self.resources, self.encoder, self.settings, self.graph)

    @cached_property
    def searcher(self) -> ResourceSearcher:
        return ResourceSearcher(self.indexes, self.resources, self.encoder, self.settings)

    def describe(self) -> dict[str, object]:
        return {
            "generation": self.generation,
            "store_revision": self.store_revision,
            "members": len(self.members),
            "resources": len(self.resources),
            "graph": {"nodes": self.graph.graph.number_of_nodes(), "edges": self.graph.graph.number_of_edges()},
        }


def taxonomy_and_assigner(settings: Settings, encoder: TextEncoder) -> tuple[dict[str, Topic], TopicAssigner]:
    taxonomy = load_taxonomy(settings.taxonomy_path)
    return taxonomy, TopicAssigner(taxonomy, encoder)


def assemble(indexes: Indexes, members: list[Member], resources: list[Resource], encoder: TextEncoder, settings: Settings) -> Snapshot:
    """A snapshot whose graph will be built from these records (a fresh read of the store)."""
    return Snapshot(indexes, members, resources, encoder, settings)


def advance(previous: Snapshot, written: Written, indexes: Indexes) -> Snapshot:
    """The snapshot after a write, from the one it was written on: records and graph are
    updated record by record (a copy; ``previous`` is unchanged), not read and built again.
    A graph nobody has used yet is not built here either."""
    graph = previous.built_graph or previous.__dict__.get("graph")
    graph = graph.snapshot() if graph is not None else None
    records: dict[RecordType, dict[str, Member | Resource]] = {
        "members": {m.id: m for m in previous.members},
        "resources": {r.id: r for r in previous.resources},
    }
    for collection, ids in written.deleted.items():
        for record_id in ids:
            records[collection].pop(record_id, None)
            if graph is not None:
                graph.remove(collection, record_id)
    if graph is not None and written.deleted["members"]:
        # A deleted member that others name as a partner stays as their placeholder, as in a build.
        gone = set(written.deleted["members"])
        for record in records["members"].values():
            if gone & set(record.partners):  # type: ignore[union-attr]
                graph.upsert_member(record)  # type: ignore[arg-type]
    # Resources first: a member's "authored" edges are drawn from the resources present.
    for record in written.upserted["resources"]:
        records["resources"][record.id] = record
        if graph is not None:
            graph.upsert_resource(record)  # type: ignore[arg-type]
    for record in written.upserted["members"]:
        records["members"][record.id] = record
        if graph is not None:
            graph.upsert_member(record)  # type: ignore[arg-type]
    members = [records["members"][k] for k in sorted(records["members"])]
    resources = [records["resources"][k] for k in sorted(records["resources"])]
    return Snapshot(indexes, members, resources, previous.encoder, previous.settings, graph)  # type: ignore[arg-type]
