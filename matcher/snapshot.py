"""One consistent view of a data directory: records of one store revision, the index generation
built from exactly that revision, the expertise graph of those records, and the searcher and
recommender over them. Everyone reads through a Snapshot (the command line, the evaluation
harness, every service request); only the Workspace makes one.
"""

from __future__ import annotations

import bisect
import weakref
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TypeVar, cast

from embeddings.embedder import TextEncoder
from matcher.errors import UnknownIdError
from matcher.graph.build import ExpertiseGraph
from matcher.graph.signals import GraphSignals
from matcher.graph.taxonomy import Topic, TopicAssigner, load_taxonomy
from matcher.index.indexes import Indexes
from matcher.recommend.engine import Recommender
from matcher.recommend.peer_weights import weights_mark
from matcher.records import Member, Resource
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
    known_member_ids: list[str] | None = None  # the ids of ``members``, in order, when the maker has them
    known_resource_ids: list[str] | None = None
    # The learned peer weights file as it was when this snapshot was made (peer_weights.weights_mark):
    # a new file (`peermatch eval learn-weights --apply`) makes a new snapshot, without a write.
    weights_mark: tuple[int, int] | None = None
    # The last snapshot's graph signals, by weak reference (never kept alive by this one): taken
    # over by this snapshot's recommender when the walks are the same (``GraphSignals``).
    earlier_signals: weakref.ref[GraphSignals] | None = None

    def with_current_weights(self) -> Snapshot:
        """The same data with a fresh recommender, for a changed weights file: indexes, records and
        the graph are shared; the peer scorer and every cached answer start again."""
        graph = self.built_graph or self.__dict__.get("graph")
        return replace(self, built_graph=graph, weights_mark=weights_mark(self.settings.data_dir))

    @cached_property
    def member_ids(self) -> list[str]:
        return self.known_member_ids if self.known_member_ids is not None else ids_of(self.members)

    @cached_property
    def resource_ids(self) -> list[str]:
        return self.known_resource_ids if self.known_resource_ids is not None else ids_of(self.resources)

    @cached_property
    def members_by_id(self) -> dict[str, Member]:
        """The one id -> member map of this snapshot (the recommender, its scorers and every
        adapter read it; nobody builds another)."""
        return dict(zip(self.member_ids, self.members, strict=True))

    @cached_property
    def resources_by_id(self) -> dict[str, Resource]:
        return dict(zip(self.resource_ids, self.resources, strict=True))

    @cached_property
    def names(self) -> dict[str, str]:
        """Each member's id -> its name, as pages show a member named by id."""
        return {member_id: member.name for member_id, member in self.members_by_id.items()}

    def member(self, member_id: str) -> Member:
        """The stored member ``member_id``; raises UnknownIdError naming it."""
        try:
            return self.members_by_id[member_id]
        except KeyError:
            raise UnknownIdError("member", member_id) from None

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
        return Recommender(
            self.indexes,
            self.members,
            self.resources,
            self.encoder,
            self.settings,
            self.graph,
            members_by_id=self.members_by_id,
            resources_by_id=self.resources_by_id,
            earlier_signals=self.earlier_signals or (lambda: None),
        )

    @cached_property
    def searcher(self) -> ResourceSearcher:
        return ResourceSearcher(self.indexes, self.resources, self.encoder, self.settings)


def taxonomy_and_assigner(settings: Settings, encoder: TextEncoder) -> tuple[dict[str, Topic], TopicAssigner]:
    taxonomy = load_taxonomy(settings.taxonomy_path)
    return taxonomy, TopicAssigner(taxonomy, encoder)


def assemble(indexes: Indexes, members: list[Member], resources: list[Resource], encoder: TextEncoder, settings: Settings) -> Snapshot:
    """A snapshot whose graph will be built from these records (a fresh read of the store)."""
    return Snapshot(indexes, members, resources, encoder, settings, weights_mark=weights_mark(settings.data_dir))


def advance(previous: Snapshot, written: Written, indexes: Indexes) -> Snapshot:
    """The snapshot after a write, from the one it was written on: records and graph are
    updated record by record (a copy; ``previous`` is unchanged), not read and built again.
    A graph nobody has used yet is not built here either."""
    graph = previous.built_graph or previous.__dict__.get("graph")
    graph = graph.snapshot() if graph is not None else None
    for collection, ids in written.deleted.items():
        for record_id in ids:
            if graph is not None:
                graph.remove(collection, record_id)
    members, member_ids = _merged(
        previous.members, previous.member_ids, cast(list[Member], written.upserted["members"]), set(written.deleted["members"])
    )
    resources, resource_ids = _merged(
        previous.resources, previous.resource_ids, cast(list[Resource], written.upserted["resources"]), set(written.deleted["resources"])
    )
    if graph is not None and written.deleted["members"]:
        # A deleted member that others name as a partner stays as their placeholder, as in a build.
        gone = set(written.deleted["members"])
        for member in members:
            if gone & set(member.partners):
                graph.upsert_member(member)
    if graph is not None:
        # Resources first: a member's "authored" edges are drawn from the resources present.
        for record in written.upserted["resources"]:
            graph.upsert_resource(record)  # type: ignore[arg-type]
        for record in written.upserted["members"]:
            graph.upsert_member(record)  # type: ignore[arg-type]
    marked = weights_mark(previous.settings.data_dir)
    built = previous.__dict__.get("recommender")
    signals = built.__dict__.get("signals") if built is not None else None
    earlier = weakref.ref(signals) if signals is not None else None
    return Snapshot(indexes, members, resources, previous.encoder, previous.settings, graph, member_ids, resource_ids, marked, earlier)


Record = TypeVar("Record", Member, Resource)


def ids_of(records: list[Member] | list[Resource]) -> list[str]:
    return [r.id for r in records]


def _merged(previous: list[Record], ids: list[str], upserted: list[Record], deleted: set[str]) -> tuple[list[Record], list[str]]:
    """``previous`` (sorted by id; ``ids`` its ids) with ``upserted`` replacing or joining and
    ``deleted`` gone, still sorted: new lists, copied and edited by binary search (a write of a
    few records must not walk 20,000 records in Python)."""
    if not upserted and not deleted:
        return previous, ids
    records, ids = list(previous), list(ids)
    for record_id in deleted:
        at = bisect.bisect_left(ids, record_id)
        if at < len(ids) and ids[at] == record_id:
            del records[at], ids[at]
    for record in upserted:
        at = bisect.bisect_left(ids, record.id)
        if at < len(ids) and ids[at] == record.id:
            records[at] = record
        else:
            records.insert(at, record)
            ids.insert(at, record.id)
    return records, ids
