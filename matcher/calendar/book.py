"""Events and learning links in the store (tables ``calendar_*``, ``learning_links``). Callers
check that the members, clusters and resources named exist (``matcher.usecases.calendar``)."""

from __future__ import annotations

import datetime as dt

from matcher.calendar.model import Community, Event, LearningLink
from matcher.errors import UnknownIdError
from matcher.store import Store


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _utc(moment: dt.datetime) -> str:
    """Stored in UTC, so that text order is time order."""
    return moment.astimezone(dt.UTC).isoformat()


class CalendarBook:
    def __init__(self, store: Store) -> None:
        self.store = store

    def put_events(self, events: list[Event]) -> int:
        """Create or replace events (all of them in one transaction); the event's cluster of a link
        made through it follows the event."""
        with self.store.transaction() as db:
            for event in events:
                db.execute("DELETE FROM calendar_event_members WHERE event_id = ?", (event.id,))
                db.execute(
                    "INSERT INTO calendar_events (id, cluster, starts, body, updated_at) VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT (id) DO UPDATE SET cluster = excluded.cluster, starts = excluded.starts,"
                    " body = excluded.body, updated_at = excluded.updated_at",
                    (event.id, event.cluster, _utc(event.starts), event.model_dump_json(), _now()),
                )
                db.executemany(
                    "INSERT INTO calendar_event_members (event_id, member_id, role) VALUES (?, ?, ?)",
                    [(event.id, m, "host") for m in event.hosts] + [(event.id, m, "participant") for m in event.participants],
                )
        return len(events)

    def delete_event(self, event_id: str) -> None:
        """Remove an event; the resources it produced keep their place in its cluster's database."""
        with self.store.transaction() as db:
            row = db.execute("SELECT cluster FROM calendar_events WHERE id = ?", (event_id,)).fetchone()
            if row is None:
                raise UnknownIdError("event", event_id)
            db.execute("UPDATE learning_links SET cluster = COALESCE(cluster, ?), event_id = NULL WHERE event_id = ?", (row[0], event_id))
            db.execute("DELETE FROM calendar_event_members WHERE event_id = ?", (event_id,))
            db.execute("DELETE FROM calendar_events WHERE id = ?", (event_id,))

    def event(self, event_id: str) -> Event:
        with self.store.reading() as db:
            row = db.execute("SELECT body FROM calendar_events WHERE id = ?", (event_id,)).fetchone()
        if row is None:
            raise UnknownIdError("event", event_id)
        return Event.model_validate_json(row[0])

    def events(
        self, cluster: str | None = None, since: dt.datetime | None = None, until: dt.datetime | None = None, member: str | None = None
    ) -> list[Event]:
        """Events by start time, optionally of one cluster, in a window, or with one member (host or participant)."""
        where, args = [], []
        if cluster is not None:
            where.append("cluster = ?")
            args.append(cluster)
        if since is not None:
            where.append("starts >= ?")
            args.append(_utc(since))
        if until is not None:
            where.append("starts < ?")
            args.append(_utc(until))
        if member is not None:
            where.append("id IN (SELECT event_id FROM calendar_event_members WHERE member_id = ?)")
            args.append(member)
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        with self.store.reading() as db:
            rows = db.execute(f"SELECT body FROM calendar_events{clause} ORDER BY starts, id", args).fetchall()
        return [Event.model_validate_json(body) for (body,) in rows]

    def event_ids(self) -> set[str]:
        with self.store.reading() as db:
            return {row[0] for row in db.execute("SELECT id FROM calendar_events")}

    def link(self, links: list[LearningLink], actor: str) -> int:
        """Put resources in the peer-learning database (a resource has one link: a new one replaces it)."""
        with self.store.transaction() as db:
            db.executemany(
                "INSERT INTO learning_links (resource_id, cluster, event_id, community_id, linked_by, linked_at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (resource_id) DO UPDATE SET cluster = excluded.cluster, event_id = excluded.event_id,"
                " community_id = excluded.community_id, linked_by = excluded.linked_by, linked_at = excluded.linked_at",
                [(link.resource_id, link.cluster, link.event_id, link.community_id, actor, _now()) for link in links],
            )
        return len(links)

    def links(self) -> dict[str, LearningLink]:
        """Resource id -> its link; a link through an event or a community takes its cluster when it names none."""
        with self.store.reading() as db:
            rows = db.execute(
                "SELECT l.resource_id, COALESCE(l.cluster, e.cluster, c.cluster), l.event_id, l.community_id FROM learning_links l"
                " LEFT JOIN calendar_events e ON e.id = l.event_id LEFT JOIN learning_communities c ON c.id = l.community_id"
            ).fetchall()
        return {r: LearningLink.model_construct(resource_id=r, cluster=c, event_id=e, community_id=m) for r, c, e, m in rows}

    def put_communities(self, communities: list[Community]) -> int:
        with self.store.transaction() as db:
            db.executemany(
                "INSERT INTO learning_communities (id, cluster, body, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                " cluster = excluded.cluster, body = excluded.body, updated_at = excluded.updated_at",
                [(c.id, c.cluster, c.model_dump_json(), _now()) for c in communities],
            )
        return len(communities)

    def communities(self, cluster: str | None = None) -> list[Community]:
        where, args = ("WHERE cluster = ?", [cluster]) if cluster else ("", [])
        with self.store.reading() as db:
            rows = db.execute(f"SELECT body FROM learning_communities {where} ORDER BY id", args).fetchall()
        return [Community.model_validate_json(body) for (body,) in rows]

    def community_ids(self) -> set[str]:
        with self.store.reading() as db:
            return {row[0] for row in db.execute("SELECT id FROM learning_communities")}
