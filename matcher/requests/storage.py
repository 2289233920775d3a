"""Offers, requests, their events and package parts in the store (the issue-23 migration).

Functions over one connection, called inside the store's transactions by ``RequestBook``: a step
reads the status, checks it, and writes the event, the parts and the new status together.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any, cast

from matcher.requests.lifecycle import ACTIVE
from matcher.requests.model import HOLDING, Part, PartStatus, RequestEvent, Step, StoredRequest
from matcher.requests.records import Offer, Request, RequestStatus

REQUEST_COLUMNS = "id, body, status, outcome, rating, created_by, created_at, updated_at"
PART_COLUMNS = "id, request_id, component, offer_id, member_id, amount, score, status, round, created_at, updated_at"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


# ---- offers ------------------------------------------------------------------------------------


def upsert_offers(db: sqlite3.Connection, offers: Iterable[Offer], at: dt.datetime) -> int:
    rows = [(o.id, o.member_id, o.type, o.model_dump_json(exclude_none=True), at.isoformat()) for o in offers]
    db.executemany(
        "INSERT INTO offers (id, member_id, type, body, updated_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET member_id = excluded.member_id, type = excluded.type, body = excluded.body,"
        " updated_at = excluded.updated_at",
        rows,
    )
    return len(rows)


def offers(db: sqlite3.Connection, member_id: str | None = None, offer_type: str | None = None) -> list[Offer]:
    clauses, args = [], []
    if member_id is not None:
        clauses.append("member_id = ?")
        args.append(member_id)
    if offer_type is not None:
        clauses.append("type = ?")
        args.append(offer_type)
    where = " WHERE " + " AND ".join(clauses) if clauses else ""
    return [Offer.model_validate_json(body) for (body,) in db.execute(f"SELECT body FROM offers{where} ORDER BY id", args)]


def delete_offer(db: sqlite3.Connection, offer_id: str) -> bool:
    return db.execute("DELETE FROM offers WHERE id = ?", (offer_id,)).rowcount > 0


def requests_holding(db: sqlite3.Connection, offer_id: str) -> list[str]:
    """The requests whose active packages hold ``offer_id``."""
    holding, statuses = list(HOLDING), sorted(ACTIVE)
    rows = db.execute(
        f"SELECT DISTINCT p.request_id FROM request_parts p JOIN requests r ON r.id = p.request_id WHERE p.offer_id = ?"
        f" AND p.status IN ({','.join('?' * len(holding))}) AND r.status IN ({','.join('?' * len(statuses))}) ORDER BY 1",
        [offer_id, *holding, *statuses],
    )
    return [str(row[0]) for row in rows]


def committed_by_offer(db: sqlite3.Connection, except_request: str | None = None) -> dict[str, float]:
    """Each offer -> the amount its parts hold in active packages (other than ``except_request``)."""
    statuses = sorted(ACTIVE)
    holding = list(HOLDING)
    rows = db.execute(
        f"SELECT p.offer_id, SUM(p.amount) FROM request_parts p JOIN requests r ON r.id = p.request_id"
        f" WHERE p.status IN ({','.join('?' * len(holding))}) AND r.status IN ({','.join('?' * len(statuses))})"
        " AND r.id != ? GROUP BY p.offer_id",
        [*holding, *statuses, except_request or ""],
    )
    return {str(offer): float(total) for offer, total in rows}


# ---- requests ----------------------------------------------------------------------------------


def insert_request(db: sqlite3.Connection, request: Request, actor: str, at: dt.datetime) -> None:
    requester = request.requester_id or request.requester_name or ""
    db.execute(
        "INSERT INTO requests (id, body, status, country, requester, created_by, created_at, updated_at)"
        " VALUES (?, ?, 'received', ?, ?, ?, ?, ?)",
        (request.id, request.model_dump_json(exclude_none=True), request.country, requester, actor, at.isoformat(), at.isoformat()),
    )


def exists(db: sqlite3.Connection, request_id: str) -> bool:
    return db.execute("SELECT 1 FROM requests WHERE id = ?", (request_id,)).fetchone() is not None


def append_event(
    db: sqlite3.Connection, request_id: str, step: Step, actor: str, at: dt.datetime, note: str, payload: dict[str, Any]
) -> None:
    db.execute(
        "INSERT INTO request_events (request_id, step, actor, at, note, payload) VALUES (?, ?, ?, ?, ?, ?)",
        (request_id, step, actor, at.isoformat(), note, json.dumps(payload, ensure_ascii=False, sort_keys=True)),
    )


def set_status(db: sqlite3.Connection, request_id: str, status: RequestStatus, at: dt.datetime, **closing: Any) -> None:
    extra = "".join(f", {name} = :{name}" for name in closing)
    values = {"status": status, "at": at.isoformat(), "id": request_id}
    values |= {k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v for k, v in closing.items()}
    db.execute(f"UPDATE requests SET status = :status, updated_at = :at{extra} WHERE id = :id", values)


def add_parts(db: sqlite3.Connection, request_id: str, parts: Sequence[dict[str, Any]], round_: int, at: dt.datetime) -> None:
    stamp = at.isoformat()
    db.executemany(
        "INSERT INTO request_parts (request_id, component, offer_id, member_id, amount, score, status, round, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, 'proposed', ?, ?, ?)",
        [(request_id, p["component"], p["offer_id"], p["member_id"], p["amount"], p["score"], round_, stamp, stamp) for p in parts],
    )


def set_part_status(db: sqlite3.Connection, part_id: int, status: PartStatus, at: dt.datetime) -> None:
    db.execute("UPDATE request_parts SET status = ?, updated_at = ? WHERE id = ?", (status, at.isoformat(), part_id))


def withdraw_unconfirmed(db: sqlite3.Connection, request_id: str, at: dt.datetime, keep: Iterable[int] = ()) -> int:
    """The parts nobody confirmed yet leave the package (a new solve replaces them), but those in
    ``keep`` (proposed again as they are: their partner may be answering them now)."""
    kept = sorted(set(keep))
    marks = ",".join("?" * len(kept))
    return db.execute(
        "UPDATE request_parts SET status = 'withdrawn', updated_at = ? WHERE request_id = ? AND status = 'proposed'"
        + (f" AND id NOT IN ({marks})" if kept else ""),
        (at.isoformat(), request_id, *kept),
    ).rowcount


def last_round(db: sqlite3.Connection, request_id: str) -> int:
    return int(db.execute("SELECT COALESCE(MAX(round), 0) FROM request_parts WHERE request_id = ?", (request_id,)).fetchone()[0])


def load(db: sqlite3.Connection, request_id: str) -> StoredRequest | None:
    rows = db.execute(f"SELECT {REQUEST_COLUMNS} FROM requests WHERE id = ?", (request_id,)).fetchall()
    found = _assemble(db, rows)
    return found[0] if found else None


def page(
    db: sqlite3.Connection, status: str | None, country: str | None, offer_type: str | None, offset: int, limit: int
) -> tuple[int, list[StoredRequest]]:
    """Requests newest first, filtered by status, country and a type of support asked for."""
    clauses, args = [], []
    if status is not None:
        clauses.append("status = ?")
        args.append(status)
    if country is not None:
        clauses.append("country = ?")
        args.append(country)
    if offer_type is not None:
        # the types asked are in the body's components: json_each keeps the filter in SQL
        clauses.append("EXISTS (SELECT 1 FROM json_each(body, '$.components') c WHERE json_extract(c.value, '$.type') = ?)")
        args.append(offer_type)
    where = " WHERE " + " AND ".join(clauses) if clauses else ""
    total = int(db.execute(f"SELECT COUNT(*) FROM requests{where}", args).fetchone()[0])
    rows = db.execute(
        f"SELECT {REQUEST_COLUMNS} FROM requests{where} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?", [*args, limit, offset]
    ).fetchall()
    return total, _assemble(db, rows)


def _assemble(db: sqlite3.Connection, rows: Sequence[Sequence[Any]]) -> list[StoredRequest]:
    ids = [str(row[0]) for row in rows]
    events: dict[str, list[RequestEvent]] = {i: [] for i in ids}
    parts: dict[str, list[Part]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for request_id, step, actor, at, note, payload in db.execute(
            f"SELECT request_id, step, actor, at, note, payload FROM request_events WHERE request_id IN ({marks}) ORDER BY id", chunk
        ):
            events[request_id].append(RequestEvent(step, actor, dt.datetime.fromisoformat(at), note, json.loads(payload)))
        for row in db.execute(f"SELECT {PART_COLUMNS} FROM request_parts WHERE request_id IN ({marks}) ORDER BY id", chunk):
            pid, rid, component, offer, member, amount, score, status, round_, created, updated = row
            parts[rid].append(
                Part(
                    pid,
                    rid,
                    component,
                    offer,
                    member,
                    amount,
                    score,
                    cast(PartStatus, status),
                    round_,
                    dt.datetime.fromisoformat(created),
                    dt.datetime.fromisoformat(updated),
                )
            )
    out = []
    for request_id, body, status, outcome, rating, by, created, updated in rows:
        out.append(
            StoredRequest(
                Request.model_validate_json(body),
                status,
                by,
                dt.datetime.fromisoformat(created),
                dt.datetime.fromisoformat(updated),
                json.loads(outcome) if outcome else None,
                rating,
                events[request_id],
                parts[request_id],
            )
        )
    return out
