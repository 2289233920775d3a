"""Proposals in the store (migration 4): rows, their events, and the reads the domain needs.

Functions over one connection, called inside the store's transactions by ``Partnerships``: a step
reads the status, checks it and writes the event and the new status in one transaction, so two
worker processes can never both move the same proposal.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Sequence
from typing import Any, cast

from matcher.partnerships.model import Answer, Event, Kind, Proposal, Status, Step

COLUMNS = (
    "id, kind, member_id, partner_id, group_name, status, reason, score, quality, source, outcome, rating, "
    "created_by, created_at, updated_at, check_in_due"
)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def insert_proposal(db: sqlite3.Connection, values: dict[str, Any], at: dt.datetime) -> int:
    stamp = at.isoformat()
    cursor = db.execute(
        "INSERT INTO proposals (kind, member_id, partner_id, group_name, status, reason, score, quality, source,"
        " created_by, created_at, updated_at) VALUES (:kind, :member_id, :partner_id, :group, 'proposed', :reason, :score,"
        " :quality, :source, :actor, :at, :at)",
        values | {"at": stamp},
    )
    return int(cursor.lastrowid or 0)


def append_event(
    db: sqlite3.Connection, proposal_id: int, step: Step, actor: str, at: dt.datetime, note: str, payload: dict[str, Any]
) -> None:
    db.execute(
        "INSERT INTO proposal_events (proposal_id, step, actor, at, note, payload) VALUES (?, ?, ?, ?, ?, ?)",
        (proposal_id, step, actor, at.isoformat(), note, json.dumps(payload, ensure_ascii=False, sort_keys=True)),
    )


def set_status(db: sqlite3.Connection, proposal_id: int, status: Status, at: dt.datetime, **closing: Any) -> None:
    """The proposal's status after a step (and, for ``close``, its outcome and rating)."""
    extra = "".join(f", {name} = :{name}" for name in closing)
    db.execute(
        f"UPDATE proposals SET status = :status, updated_at = :at{extra} WHERE id = :id",
        {"status": status, "at": at.isoformat(), "id": proposal_id} | closing,
    )


def status_of(db: sqlite3.Connection, proposal_id: int) -> Status | None:
    row = db.execute("SELECT status FROM proposals WHERE id = ?", (proposal_id,)).fetchone()
    return cast(Status, row[0]) if row else None


def load(db: sqlite3.Connection, proposal_id: int) -> Proposal | None:
    rows = db.execute(f"SELECT {COLUMNS} FROM proposals WHERE id = ?", (proposal_id,)).fetchall()
    found = _assemble(db, rows)
    return found[0] if found else None


def page(db: sqlite3.Connection, status: str | None, member_id: str | None, offset: int, limit: int) -> tuple[int, list[Proposal]]:
    """Proposals newest first, filtered by status and by a member on either side."""
    where, args = _filters(status, member_id)
    total = int(db.execute(f"SELECT COUNT(*) FROM proposals{where}", args).fetchone()[0])
    rows = db.execute(f"SELECT {COLUMNS} FROM proposals{where} ORDER BY id DESC LIMIT ? OFFSET ?", [*args, limit, offset]).fetchall()
    return total, _assemble(db, rows)


def open_for_pair(db: sqlite3.Connection, kind: Kind, member_id: str, partner_id: str) -> tuple[int, str] | None:
    """An open proposal (proposed, approved, active) for the same pair, either way round (a group: the same member and group)."""
    pairs = [(member_id, partner_id)] if kind == "expert_group" else [(member_id, partner_id), (partner_id, member_id)]
    for a, b in pairs:
        row = db.execute(
            "SELECT id, status FROM proposals WHERE member_id = ? AND partner_id = ? AND (kind = 'expert_group') = ?"
            " AND status IN ('proposed', 'approved', 'active') ORDER BY id LIMIT 1",
            (a, b, kind == "expert_group"),
        ).fetchone()
        if row:
            return int(row[0]), str(row[1])
    return None


def pair_statuses(db: sqlite3.Connection, member_id: str) -> list[tuple[str, Status]]:
    """(the other member, status) of every proposal between members that involves ``member_id``,
    oldest first (expert-group proposals name a group, not a member: left out)."""
    rows = db.execute(
        "SELECT member_id, partner_id, status FROM proposals WHERE kind != 'expert_group' AND (member_id = ? OR partner_id = ?)"
        " ORDER BY id",
        (member_id, member_id),
    ).fetchall()
    return [(str(b) if a == member_id else str(a), cast(Status, status)) for a, b, status in rows]


def member_pairs(db: sqlite3.Connection) -> list[tuple[str, str, Status]]:
    """(member, partner, status) of every proposal between two members, oldest first."""
    rows = db.execute("SELECT member_id, partner_id, status FROM proposals WHERE kind != 'expert_group' ORDER BY id").fetchall()
    return [(str(a), str(b), cast(Status, status)) for a, b, status in rows]


def every_proposal(db: sqlite3.Connection) -> list[Proposal]:
    """All proposals, oldest first (for the evaluation's judgements)."""
    return _assemble(db, db.execute(f"SELECT {COLUMNS} FROM proposals ORDER BY id").fetchall())


def _filters(status: str | None, member_id: str | None) -> tuple[str, list[Any]]:
    clauses, args = [], []
    if status is not None:
        clauses.append("status = ?")
        args.append(status)
    if member_id is not None:
        clauses.append("(member_id = ? OR partner_id = ?)")
        args += [member_id, member_id]
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), args


def _assemble(db: sqlite3.Connection, rows: Sequence[Sequence[Any]]) -> list[Proposal]:
    """Proposals from their rows, each with its events (one query for all of them)."""
    ids = [int(row[0]) for row in rows]
    events: dict[int, list[Event]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for proposal_id, step, actor, at, note, payload in db.execute(
            f"SELECT proposal_id, step, actor, at, note, payload FROM proposal_events WHERE proposal_id IN ({marks}) ORDER BY id",
            chunk,
        ):
            events[proposal_id].append(Event(step, actor, dt.datetime.fromisoformat(at), note, json.loads(payload)))
    out = []
    for row in rows:
        (pid, kind, member_id, partner_id, group, status, reason, score, quality, source, outcome, rating, by, created, updated, due) = row
        responses: dict[str, Answer] = {}
        for event in events[pid]:
            if event.step == "respond":
                responses[str(event.payload["side"])] = cast(Answer, event.payload["answer"])
        out.append(
            Proposal(
                id=pid,
                kind=kind,
                member_id=member_id,
                partner_id=partner_id,
                group=group,
                status=status,
                reason=reason,
                score=score,
                quality=quality,
                source=source,
                created_by=by,
                created_at=dt.datetime.fromisoformat(created),
                responses=responses,
                events=events[pid],
                outcome=outcome,
                rating=rating,
                updated_at=dt.datetime.fromisoformat(updated),
                check_in_due=dt.date.fromisoformat(due) if due else None,
            )
        )
    return out
