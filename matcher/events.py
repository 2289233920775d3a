"""One feed of what changed, for a hub that keeps a copy: record upserts and deletes (the store's
change log) and every step of every proposal (its event log), oldest first.

The two logs are numbered separately, so a position in the feed is a pair: the last change
revision and the last proposal event seen. The cursor writes it as ``"<revision>.<event>"``; a
client keeps it opaque and passes it back as ``since``. Each log is read in its own order, so no
event is skipped or repeated however the two interleave in time.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, Literal

from pydantic import BaseModel, Field

from matcher.errors import PeermatchError
from matcher.store import Store

CURSOR = re.compile(r"^(\d{1,18})\.(\d{1,18})$")


class FeedEvent(BaseModel):
    type: Literal["record.upserted", "record.deleted", "proposal.step"]
    at: dt.datetime = Field(description="When (ISO 8601, UTC).")
    cursor: str = Field(description="The feed's position just after this event (pass it as 'since' to resume here).")
    collection: Literal["members", "resources"] | None = Field(None, description="For a record event: its collection.")
    record_id: str | None = Field(None, description="For a record event: the record's id (GET it for its new state).")
    proposal_id: int | None = Field(None, description="For a proposal step: the proposal (GET it for its whole life).")
    step: str | None = Field(None, description="For a proposal step: propose, approve, reject, respond, note, check_in or close.")
    actor: str | None = Field(None, description="For a proposal step: who took it.")
    payload: dict[str, Any] | None = Field(None, description="For a proposal step: its data (as in the proposal's events).")


class Feed(BaseModel):
    events: list[FeedEvent]
    next: str = Field(description="The cursor to pass as 'since' next time (the same as 'since' when nothing is new).")
    more: bool = Field(description="Whether more events wait past this answer's limit (ask again at once).")


def parse_cursor(since: str | None) -> tuple[int, int]:
    """``(revision, event id)`` of a cursor; no cursor: the start of both logs."""
    if not since:
        return 0, 0
    match = CURSOR.match(since)
    if match is None:
        raise PeermatchError(f"'since' must be a cursor from an earlier answer (like '12.3'), got '{since[:40]}'")
    return int(match.group(1)), int(match.group(2))


def feed(store: Store, since: str | None, limit: int) -> Feed:
    """The events after ``since``, at most ``limit``, oldest first, read in one consistent view."""
    revision, event_id = parse_cursor(since)
    with store.reading() as db:
        changes = db.execute(
            "SELECT revision, collection, record_id, operation, at FROM changes WHERE revision > ? ORDER BY revision LIMIT ?",
            (revision, limit + 1),
        ).fetchall()
        steps = db.execute(
            "SELECT id, proposal_id, step, actor, at, payload FROM proposal_events WHERE id > ? ORDER BY id LIMIT ?",
            (event_id, limit + 1),
        ).fetchall()
    events = []
    for log, row in _merge(changes, steps)[:limit]:
        if log == "changes":
            revision = row[0]
            kind = "record.upserted" if row[3] == "upsert" else "record.deleted"
            event = FeedEvent(type=kind, at=_instant(row[4]), cursor="", collection=row[1], record_id=row[2])
        else:
            event_id = row[0]
            payload = json.loads(row[5])
            event = FeedEvent(
                type="proposal.step", at=_instant(row[4]), cursor="", proposal_id=row[1], step=row[2], actor=row[3], payload=payload
            )
        event.cursor = f"{revision}.{event_id}"
        events.append(event)
    more = len(changes) + len(steps) > limit
    return Feed(events=events, next=f"{revision}.{event_id}", more=more)


def _merge(changes: list[Any], steps: list[Any]) -> list[tuple[str, Any]]:
    """The two logs interleaved by time, each kept in its own order (its numbers only grow, so the
    cursor never goes back even if a clock did). Both stamp to the second: within one second,
    record changes come before proposal steps."""
    merged: list[tuple[str, Any]] = []
    i = j = 0
    while i < len(changes) or j < len(steps):
        if j == len(steps) or (i < len(changes) and _instant(changes[i][4]) <= _instant(steps[j][4])):
            merged.append(("changes", changes[i]))
            i += 1
        else:
            merged.append(("steps", steps[j]))
            j += 1
    return merged


def _instant(stamp: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(stamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
