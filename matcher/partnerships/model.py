"""A proposal and the events of its life, as plain frozen data (what the store holds, read back)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["pairing", "expert_group", "recommendation"]
Status = Literal["proposed", "approved", "rejected", "active", "declined", "closed"]
Step = Literal["propose", "approve", "reject", "respond", "note", "check_in", "schedule", "close"]
Answer = Literal["accepted", "declined"]
# Two weeks for both sides to answer an approved proposal: the secretariats' usual reply window
# (the reminders' MailSettings.link_days is the same by default).
ANSWER_DAYS = 14
KINDS: tuple[Kind, ...] = ("pairing", "expert_group", "recommendation")
STATUSES: tuple[Status, ...] = ("proposed", "approved", "rejected", "active", "declined", "closed")


@dataclass(frozen=True)
class Event:
    """One step: what (``step``), who (``actor``, e.g. ``user:alice`` or ``key:hub``), when (UTC),
    the note given, and the step's data (``payload``: the side that answered, a check-in's date,
    an outcome and rating, and ``status`` when the step changed it)."""

    step: Step
    actor: str
    at: dt.datetime
    note: str = ""
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Proposal:
    """A proposed partnership between ``member_id`` and ``partner_id`` (for an expert group: the
    group's name), its current ``status``, each side's answer and every event, oldest first."""

    id: int
    kind: Kind
    member_id: str
    partner_id: str
    group: str | None
    status: Status
    reason: str
    score: float | None
    quality: str | None
    source: str | None
    created_by: str
    created_at: dt.datetime
    responses: dict[str, Answer] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    outcome: str | None = None
    rating: int | None = None
    updated_at: dt.datetime | None = None
    check_in_due: dt.date | None = None  # the next check-in's due date, set by the secretariat

    def overdue(self, today: dt.date, answer_days: int = ANSWER_DAYS) -> list[str]:
        """What is late on ``today``: 'check_in' (the due date passed while approved or active) and
        'answers' (approved more than ``answer_days`` ago and a side has not answered)."""
        late = []
        if self.status in ("approved", "active") and self.check_in_due is not None and self.check_in_due < today:
            late.append("check_in")
        if self.status == "approved":
            approved = next((e.at for e in reversed(self.events) if e.step == "approve"), None)
            if approved is not None and (today - approved.date()).days > answer_days and set(self.sides) - set(self.responses):
                late.append("answers")
        return late

    @property
    def sides(self) -> tuple[str, ...]:
        """The members whose answers are needed (see ``lifecycle.sides``)."""
        from matcher.partnerships.lifecycle import sides

        return sides(self.kind, self.member_id, self.partner_id)
