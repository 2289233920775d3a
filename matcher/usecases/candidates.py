"""Candidate cities as callers see them: each candidate with its latest joining step."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from matcher.candidates import Joining, JoiningStep
from matcher.store import Store


class CandidateStanding(BaseModel):
    member_id: str
    name: str
    country: str
    region: str
    status: str | None  # None: no step recorded yet
    on: dt.date | None


class StepOut(BaseModel):
    member_id: str
    status: str
    on: dt.date
    actor: str
    at: dt.datetime
    note: str


def step_out(step: JoiningStep) -> StepOut:
    return StepOut(member_id=step.member_id, status=step.status, on=step.on, actor=step.actor, at=step.at, note=step.note)


def candidates(store: Store) -> list[CandidateStanding]:
    latest = Joining(store).standing()
    return [
        CandidateStanding(
            member_id=m.id,
            name=m.name,
            country=m.country,
            region=m.region,
            status=latest[m.id].status if m.id in latest else None,
            on=latest[m.id].on if m.id in latest else None,
        )
        for m in store.members()
        if m.membership == "candidate"
    ]
