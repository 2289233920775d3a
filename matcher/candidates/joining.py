"""A candidate's steps toward joining, in order: applied, then supported (a member or the
secretariat backs the application), then joined. Each step is dated (the day it happened) and
stored with who recorded it and when; a step out of order, or for a member that is no candidate,
is refused naming why."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, cast

from matcher.errors import InvalidProposalError, UnknownIdError
from matcher.store import Store

JoiningStatus = Literal["applied", "supported", "joined"]
JOINING_STATUSES: tuple[JoiningStatus, ...] = ("applied", "supported", "joined")
MAX_NOTE = 2_000


class JoiningError(InvalidProposalError):
    """A joining step that cannot be recorded (the service answers 422 naming the field)."""


@dataclass(frozen=True)
class JoiningStep:
    member_id: str
    status: JoiningStatus
    on: dt.date
    actor: str
    at: dt.datetime
    note: str


class Joining:
    def __init__(self, store: Store) -> None:
        self.store = store

    def record(self, member_id: str, status: JoiningStatus, on: dt.date, actor: str, note: str = "") -> JoiningStep:
        """Record the next step of ``member_id``'s joining; it must follow the last one, on or after its date."""
        if status not in JOINING_STATUSES:
            raise JoiningError("status", f"'{status}' is not one of {', '.join(JOINING_STATUSES)}")
        if len(note) > MAX_NOTE:
            raise JoiningError("note", f"at most {MAX_NOTE} characters")
        try:
            member = self.store.get("members", member_id)
        except UnknownIdError as error:
            raise JoiningError("member_id", f"unknown member '{member_id}'") from error
        if member.membership != "candidate":
            raise JoiningError("member_id", f"'{member_id}' is a member, not a candidate (import it with membership 'candidate')")
        at = dt.datetime.now(dt.UTC).replace(microsecond=0)
        with self.store.transaction() as db:
            last = db.execute(
                "SELECT status, on_date FROM joining_steps WHERE member_id = ? ORDER BY id DESC LIMIT 1", (member_id,)
            ).fetchone()
            expected = (
                JOINING_STATUSES[JOINING_STATUSES.index(last[0]) + 1] if last and last[0] != "joined" else None if last else "applied"
            )
            if status != expected:
                why = f"'{member_id}' has joined already" if expected is None else f"the next step of '{member_id}' is '{expected}'"
                raise JoiningError("status", f"cannot record '{status}': {why}")
            if last and on < dt.date.fromisoformat(last[1]):
                raise JoiningError("on", f"{on.isoformat()} is before the previous step ({last[1]})")
            db.execute(
                "INSERT INTO joining_steps (member_id, status, on_date, actor, at, note) VALUES (?, ?, ?, ?, ?, ?)",
                (member_id, status, on.isoformat(), actor, at.isoformat(), note),
            )
        return JoiningStep(member_id, status, on, actor, at, note)

    def history(self, member_id: str | None = None) -> list[JoiningStep]:
        """Every step, oldest first (of one member, or of all)."""
        where, args = (" WHERE member_id = ?", [member_id]) if member_id else ("", [])
        with self.store.reading() as db:
            rows = db.execute(f"SELECT member_id, status, on_date, actor, at, note FROM joining_steps{where} ORDER BY id", args).fetchall()
        return [
            JoiningStep(m, cast(JoiningStatus, s), dt.date.fromisoformat(o), a, dt.datetime.fromisoformat(t), n)
            for m, s, o, a, t, n in rows
        ]

    def standing(self) -> dict[str, JoiningStep]:
        """Each candidate's latest step."""
        return {step.member_id: step for step in self.history()}
