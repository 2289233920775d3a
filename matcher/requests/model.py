"""A stored request: the record, its status, its package's parts and every event of its life."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from matcher.requests.records import Request, RequestStatus

Step = Literal["receive", "triage", "propose", "approve", "respond", "resolve", "deliver", "note", "check_in", "close"]
PartStatus = Literal["proposed", "confirmed", "declined", "withdrawn"]
PART_STATUSES: tuple[str, ...] = PartStatus.__args__  # type: ignore[attr-defined]
# A part holds its offer's capacity while it is proposed or confirmed; a declined or withdrawn one frees it.
HOLDING: tuple[PartStatus, ...] = ("proposed", "confirmed")


@dataclass(frozen=True)
class RequestEvent:
    """One step: what, who (``user:alice``, ``key:hub``), when (UTC), the note, and its data."""

    step: Step
    actor: str
    at: dt.datetime
    note: str = ""
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Part:
    """One offer put to one component of a request: how much it gives (in the component's
    unit; 0 when the component names no quantity), its evidence score, and its partner's answer."""

    id: int
    request_id: str
    component: int
    offer_id: str
    member_id: str
    amount: float
    score: float
    status: PartStatus
    round: int  # which solve proposed it (1: the first package; each re-solve adds one)
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True)
class StoredRequest:
    request: Request
    status: RequestStatus
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime
    outcome: dict[str, Any] | None = None  # at closing: each component's outcome, by index
    rating: int | None = None
    events: list[RequestEvent] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.request.id

    @property
    def package(self) -> list[Part]:
        """The parts of the current package: proposed or confirmed."""
        return [part for part in self.parts if part.status in HOLDING]

    @property
    def partners(self) -> list[str]:
        return sorted({part.member_id for part in self.package})
