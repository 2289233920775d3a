"""The shared calendar and the peer-learning database: events checked against the members and
clusters they name, resources linked to the event or cluster that produced them, and the
iCalendar feed of the network or of one cluster."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from matcher.calendar import ical
from matcher.calendar.book import CalendarBook
from matcher.calendar.model import Community, Event, LearningLink
from matcher.clusters.names import cluster_label, cluster_names
from matcher.errors import InvalidFieldError
from matcher.records import Resource
from matcher.snapshot import Snapshot
from matcher.store import Store
from matcher.usecases.clusters import resolve_cluster


class LearningEntry(BaseModel):
    """A resource of the peer-learning database with the event that produced it (if any)."""

    resource_id: str
    title: str
    kind: str
    language: str
    published: dt.date | None
    authors: list[str]
    cluster: str | None
    event_id: str | None
    event_title: str | None
    event_starts: dt.datetime | None
    community_id: str | None = None


def _check_members(snapshot: Snapshot, event: Event) -> None:
    for field, ids in (("hosts", event.hosts), ("participants", event.participants)):
        for position, member_id in enumerate(ids):
            if member_id not in snapshot.members_by_id:
                raise InvalidFieldError(f"{event.id}.{field}.{position}", f"no member with id '{member_id}'")


def save_events(snapshot: Snapshot, store: Store, events: list[Event]) -> int:
    """Create or replace ``events``; none is written when one names an unknown member or cluster."""
    for event in events:
        _check_members(snapshot, event)
        if event.cluster is not None:
            resolve_cluster(snapshot, event.cluster)
    return CalendarBook(store).put_events(events)


def save_communities(snapshot: Snapshot, store: Store, communities: list[Community]) -> int:
    """Create or replace communities of learning; none is written when one names an unknown member or cluster."""
    for community in communities:
        for position, entry in enumerate(community.members):
            if entry.member_id not in snapshot.members_by_id:
                raise InvalidFieldError(f"{community.id}.members.{position}", f"no member with id '{entry.member_id}'")
        if community.cluster is not None:
            resolve_cluster(snapshot, community.cluster)
    return CalendarBook(store).put_communities(communities)


def communities_of(snapshot: Snapshot, store: Store, cluster: str | None = None) -> list[Community]:
    return CalendarBook(store).communities(resolve_cluster(snapshot, cluster) if cluster else None)


def link_resources(snapshot: Snapshot, store: Store, links: list[LearningLink], actor: str) -> int:
    """Put resources in the peer-learning database; none is linked when one names an unknown resource, event,
    community or cluster."""
    events, communities = CalendarBook(store).event_ids(), CalendarBook(store).community_ids()
    for link in links:
        if link.resource_id not in snapshot.resources_by_id:
            raise InvalidFieldError("resource_id", f"no resource with id '{link.resource_id}'")
        if link.event_id is not None and link.event_id not in events:
            raise InvalidFieldError("event_id", f"no event with id '{link.event_id}'")
        if link.community_id is not None and link.community_id not in communities:
            raise InvalidFieldError("community_id", f"no community with id '{link.community_id}'")
        if link.cluster is not None:
            resolve_cluster(snapshot, link.cluster)
    return CalendarBook(store).link(links, actor)


def events_of(
    snapshot: Snapshot, store: Store, cluster: str | None = None, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> list[Event]:
    code = resolve_cluster(snapshot, cluster) if cluster else None
    return CalendarBook(store).events(code, since, until)


def calendar_feed(snapshot: Snapshot, store: Store, cluster: str | None, language: str, stamp: dt.datetime | None = None) -> bytes:
    """The iCalendar feed of every event (``cluster`` None) or of one cluster's, names in ``language``."""
    code = resolve_cluster(snapshot, cluster) if cluster else None
    path = snapshot.settings.taxonomy_path
    clusters = {c: cluster_label(c, language, path) for c in cluster_names(path)}
    title = f"peermatch: {clusters[code]}" if code else "peermatch"
    events = CalendarBook(store).events(code)
    return ical.feed(events, title, snapshot.names, clusters, stamp or dt.datetime.now(dt.UTC))


def peer_learning(snapshot: Snapshot, store: Store, cluster: str | None = None, event: str | None = None) -> list[LearningEntry]:
    """The peer-learning database (of one cluster or one event): newest first."""
    code = resolve_cluster(snapshot, cluster) if cluster else None
    book = CalendarBook(store)
    events = {e.id: e for e in book.events()}
    entries = []
    for link in book.links().values():
        resource = snapshot.resources_by_id.get(link.resource_id)
        if resource is None or (code and link.cluster != code) or (event and link.event_id != event):
            continue
        produced = events.get(link.event_id) if link.event_id else None
        entries.append(_entry(resource, link, produced))
    return sorted(entries, key=lambda e: e.event_starts or dt.datetime.min.replace(tzinfo=dt.UTC), reverse=True)


def _entry(resource: Resource, link: LearningLink, event: Event | None) -> LearningEntry:
    return LearningEntry(
        resource_id=resource.id,
        title=resource.title,
        kind=resource.kind,
        language=resource.language,
        published=resource.published,
        authors=list(resource.authors),
        cluster=link.cluster,
        event_id=event.id if event else None,
        event_title=event.title if event else None,
        event_starts=event.starts if event else None,
        community_id=link.community_id,
    )


class EventView(BaseModel):
    event: Event
    outputs: list[LearningEntry] = Field(description="The resources it produced (recordings, reports).")


def delete_event(store: Store, event_id: str) -> None:
    """Remove an event and its hosts and participants; resources it produced stay in the database, linked to its cluster."""
    CalendarBook(store).delete_event(event_id)


def event_view(snapshot: Snapshot, store: Store, event_id: str) -> EventView:
    event = CalendarBook(store).event(event_id)
    return EventView(event=event, outputs=peer_learning(snapshot, store, event=event_id))
