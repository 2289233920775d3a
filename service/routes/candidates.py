"""Candidate cities through /v1: the list with each one's joining status, and its dated steps
(applied, supported, joined). Reading needs ``read``; recording a step needs ``write``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from matcher.candidates import Joining, JoiningStatus
from matcher.usecases.candidates import CandidateStanding, StepOut, candidates, step_out
from service.deps import Reader, State, Writer

router = APIRouter(tags=["candidates"])
MemberId = Annotated[str, Path(min_length=1, max_length=200)]


class StepIn(BaseModel):
    status: JoiningStatus = Field(description="The next step: applied, then supported, then joined.")
    on: dt.date = Field(description="The day it happened.")
    note: str = Field("", max_length=2_000)


@router.get("/v1/candidates", response_model=list[CandidateStanding], summary="Candidate cities and their joining status")
def list_candidates(state: State, key: Reader) -> list[CandidateStanding]:
    return candidates(state.workspace.store)


@router.get("/v1/members/{member_id}/joining", response_model=list[StepOut], summary="A candidate's steps toward joining")
def joining_steps(member_id: MemberId, state: State, key: Reader) -> list[StepOut]:
    return [step_out(s) for s in Joining(state.workspace.store).history(member_id)]


@router.post("/v1/members/{member_id}/joining", response_model=StepOut, status_code=201, summary="Record a candidate's next step")
def add_joining_step(member_id: MemberId, body: StepIn, state: State, key: Writer) -> StepOut:
    return step_out(Joining(state.workspace.store).record(member_id, body.status, body.on, f"key:{key.name}", body.note))
