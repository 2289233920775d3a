"""One feed of what changed, for a hub that keeps a copy: record upserts and deletes (the store's
change log), every step of every proposal (its event log), and the networks' own records (offers,
requests, clusters' terms, plans and updates, events, communities, people, ties, contacts,
candidates: the ``network_changes`` log their tables' triggers write), oldest first.

The three logs are numbered separately, so a position in the feed is a triple: the last change
revision, the last proposal event and the last network change seen. The cursor writes it as
``"<revision>.<event>.<network>"`` (a two-part cursor from before the third log still reads, as
``.0``); a client keeps it opaque and passes it back as ``since``. Each log is read in its own
order, so no event is skipped or repeated however the logs interleave in time.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, Literal

from pydantic import BaseModel, Field

from matcher.errors import PeermatchError
from matcher.store import Store

CURSOR = re.compile(r"^(\d{1,18})\.(\d{1,18})(?:\.(\d{1,18}))?$")
NetworkKind = Literal[
    "offer", "request", "cluster", "calendar_event", "learning_link", "community", "person", "people_group", "tie", "contact", "candidate"
]


class FeedEvent(BaseModel):
    type: Literal["record.upserted", "record.deleted", "proposal.step", "network.upserted", "network.deleted"]
    at: dt.datetime = Field(description="When (ISO 8601, UTC).")
    cursor: str = Field(description="The feed's position just after this event (pass it as 'since' to resume here).")
    collection: Literal["members", "resources"] | None = Field(None, description="For a record event: its collection.")
    record_id: str | None = Field(
        None,
        description=(
            "For a record event: the record's id (GET it for its new state). For a network event: the id of what to GET again "
            "(a cluster's code for its terms, plan and updates; a request's id for its steps and parts; a member's id for its "
            "contact or joining steps)."
        ),
    )
    kind: NetworkKind | None = Field(None, description="For a network event: what changed (offer, request, cluster, calendar_event, ...).")
    proposal_id: int | None = Field(None, description="For a proposal step: the proposal (GET it for its whole life).")
    step: str | None = Field(None, description="For a proposal step: propose, approve, reject, respond, note, check_in or close.")
    actor: str | None = Field(None, description="For a proposal step: who took it.")
    payload: dict[str, Any] | None = Field(None, description="For a proposal step: its data (as in the proposal's events).")


class Feed(BaseModel):
    events: list[FeedEvent]
    next: str = Field(description="The cursor to pass as 'since' next time (the same as 'since' when nothing is new).")
    more: bool = Field(description="Whether more events wait past this answer's limit (ask again at once).")


def parse_cursor(since: str | None) -> tuple[int, int, int]:
    """``(revision, event id, network change id)`` of a cursor; no cursor: the start of every log."""
    if not since:
        return 0, 0, 0
    match = CURSOR.match(since)
    if match is None:
        raise PeermatchError(f"'since' must be a cursor from an earlier answer (like '12.3.4'), got '{since[:40]}'")
    return int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)


def feed(store: Store, since: str | None, limit: int) -> Feed:
    """The events after ``since``, at most ``limit``, oldest first, read in one consistent view."""
    revision, event_id, network_id = parse_cursor(since)
    with store.reading() as db:
        changes = db.execute(
            "SELECT revision, collection, record_id, operation, at FROM changes WHERE revision > ? ORDER BY revision LIMIT ?",
            (revision, limit + 1),
        ).fetchall()
        steps = db.execute(
            "SELECT id, proposal_id, step, actor, at, payload FROM proposal_events WHERE id > ? ORDER BY id LIMIT ?",
            (event_id, limit + 1),
        ).fetchall()
        network = db.execute(
            "SELECT id, kind, record_id, operation, at FROM network_changes WHERE id > ? ORDER BY id LIMIT ?",
            (network_id, limit + 1),
        ).fetchall()
    events = []
    for log, row in _merge({"changes": changes, "steps": steps, "network": network})[:limit]:
        if log == "changes":
            revision = row[0]
            kind = "record.upserted" if row[3] == "upsert" else "record.deleted"
            event = FeedEvent(type=kind, at=_instant(row[4]), cursor="", collection=row[1], record_id=row[2])
        elif log == "steps":
            event_id = row[0]
            payload = json.loads(row[5])
            event = FeedEvent(
                type="proposal.step", at=_instant(row[4]), cursor="", proposal_id=row[1], step=row[2], actor=row[3], payload=payload
            )
        else:
            network_id = row[0]
            kind = "network.upserted" if row[3] == "upsert" else "network.deleted"
            event = FeedEvent(type=kind, at=_instant(row[4]), cursor="", kind=row[1], record_id=row[2])
        event.cursor = f"{revision}.{event_id}.{network_id}"
        events.append(event)
    more = len(changes) + len(steps) + len(network) > limit
    return Feed(events=events, next=f"{revision}.{event_id}.{network_id}", more=more)


def _merge(logs: dict[str, list[Any]]) -> list[tuple[str, Any]]:
    """The logs interleaved by time, each kept in its own order (its numbers only grow, so the
    cursor never goes back even if a clock did). On equal stamps the earlier-named log comes
    first: record changes, then proposal steps, then network changes. Every log's query puts
    the row's time fifth."""
    names = list(logs)
    heads = dict.fromkeys(names, 0)
    merged: list[tuple[str, Any]] = []
    while True:
        waiting = [name for name in names if heads[name] < len(logs[name])]
        if not waiting:
            return merged
        name = min(waiting, key=lambda n: (_instant(logs[n][heads[n]][4]), names.index(n)))
        merged.append((name, logs[name][heads[name]]))
        heads[name] += 1


def _instant(stamp: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(stamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
