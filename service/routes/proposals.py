"""Partnership proposals through /v1: create, list, get, and one POST per step of their life.

Scopes: reading (list, get) needs ``read``; a side's answer (``/respond``) needs ``answer`` (the
hub's key for its members' answers; a write key has it too), never a plain read key. The secretariat's steps
need ``write``: creating a proposal, approving, rejecting, notes, check-ins and closing. Every
step is stored with its actor, ``key:<the API key's name>`` (the console passes ``user:<name>``).

Errors: 404 for an unknown proposal id, 409 for a step its status does not allow (the message
names the status) or a pair that already has an open proposal, 422 for a bad field (an unknown
member id names ``member_id`` or ``partner_id``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query
from pydantic import AliasChoices, BaseModel, Field, StrictBool

from matcher.partnerships import Partnerships, Proposal
from matcher.partnerships.model import Answer, Kind, Status, Step
from service.auth import ApiKey
from service.deps import MAX_OFFSET, Answerer, Offset, Reader, State, Writer
from service.pages import Page

router = APIRouter(prefix="/v1/proposals", tags=["proposals"])
ProposalId = Annotated[int, Path(ge=1, le=MAX_OFFSET, description="The proposal's id.")]
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "The proposal's status does not allow this step (the message names the status), or the pair has an open one."}
}
TEXT = 10_000
ID = 200


# ---- what travels (request and answer models, apart from the domain's dataclasses) -------------


class ProposalCreate(BaseModel):
    kind: Kind = Field(description="Where it comes from: a pairing run, an expert group, or a single recommendation.")
    member_id: str = Field(min_length=1, max_length=ID, examples=["city-cove-bj"], description="The member it is proposed to.")
    partner_id: str = Field(
        min_length=1, max_length=ID, examples=["city-sfax-tn"], description="The partner member; for 'expert_group': the group's name."
    )
    reason: str = Field("", max_length=TEXT, description="Why (e.g. the need met and the evidence).")
    score: float | None = Field(None, allow_inf_nan=False, description="The recommendation's score, if any.")
    quality: Literal["strong", "partial", "weak"] | None = Field(None, description="The recommendation's match quality, if any.")
    source: str | None = Field(None, max_length=TEXT, description="E.g. a pairing job id.")
    group: str | None = Field(None, max_length=ID, description="A label tying proposals of one batch; for 'expert_group': the group.")


class StepNote(BaseModel):
    note: str = Field("", max_length=TEXT)


OptionalNote = Annotated[StepNote | None, Body(description="A note on the decision (the body may be left out).")]


class SideAnswer(BaseModel):
    side: str = Field(min_length=1, max_length=ID, description="The member id of the side that answers.")
    accepted: StrictBool  # "yes" or 1 is not an answer: only JSON true or false
    note: str = Field("", max_length=TEXT)


# Every step's note is 'note', as in the answer's events; 'text', the first name of a note and a
# check-in's text, is still read so that older clients keep working.
NOTE_NAMES = AliasChoices("note", "text")


class NoteIn(BaseModel):
    note: str = Field(min_length=1, max_length=TEXT, validation_alias=NOTE_NAMES)


class CheckIn(BaseModel):
    on: dt.date = Field(description="The day of the check-in.")
    note: str = Field("", max_length=TEXT, validation_alias=NOTE_NAMES)
    next_due: dt.date | None = Field(None, description="When the next check-in is due (reminders go out from that day).")


class CheckInDue(BaseModel):
    due: dt.date = Field(description="When the next check-in is due.")
    note: str = Field("", max_length=TEXT)


class Closing(BaseModel):
    outcome: str = Field(min_length=1, max_length=TEXT, examples=["joint teacher training delivered in both cities"])
    rating: int = Field(ge=1, le=5, description="How it went, from 1 (poor) to 5 (excellent).")
    note: str = Field("", max_length=TEXT)


class EventPublic(BaseModel):
    step: Step
    actor: str = Field(description="Who: 'key:<API key name>' or 'user:<console user>'.")
    at: dt.datetime = Field(description="When (ISO 8601, UTC).")
    note: str
    payload: dict[str, Any] = Field(description="The step's data: side and answer, a check-in's date, outcome and rating, the new status.")


class ProposalPublic(BaseModel):
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
    outcome: str | None
    rating: int | None
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime | None
    sides: list[str] = Field(description="Whose answers are needed (an expert group: the member only).")
    responses: dict[str, Answer] = Field(description="Each side's answer so far.")
    events: list[EventPublic] = Field(description="Every step, oldest first.")
    check_in_due: dt.date | None = Field(None, description="When the next check-in is due.")
    overdue: list[Literal["check_in", "answers"]] = Field(
        default_factory=list, description="What is late today: the check-in (its due date passed), the answers (approved over 14 days ago)."
    )


ProposalPage = Page[ProposalPublic]


def public(proposal: Proposal) -> ProposalPublic:
    fields = {name: getattr(proposal, name) for name in ProposalPublic.model_fields if name not in ("events", "sides", "overdue")}
    events = [EventPublic(step=e.step, actor=e.actor, at=e.at, note=e.note, payload=e.payload) for e in proposal.events]
    overdue = proposal.overdue(dt.datetime.now(dt.UTC).date())
    return ProposalPublic(**fields, sides=list(proposal.sides), events=events, overdue=overdue)  # type: ignore[arg-type]


def _book(state: Any) -> Partnerships:
    return Partnerships(state.workspace.store)


def actor(key: ApiKey) -> str:
    return f"key:{key.name}"


# ---- routes ------------------------------------------------------------------------------------


@router.post("", response_model=ProposalPublic, status_code=201, summary="Propose a partnership", responses=CONFLICT)
def create_proposal(body: ProposalCreate, state: State, key: Writer) -> ProposalPublic:
    details = body.model_dump(exclude={"kind", "member_id", "partner_id"})
    return public(_book(state).propose(body.kind, body.member_id, body.partner_id, actor(key), **details))


@router.get("", response_model=ProposalPage, summary="List proposals, newest first")
def list_proposals(
    state: State,
    key: Reader,
    status: Status | None = None,
    member_id: Annotated[str | None, Query(max_length=ID, description="A member on either side.")] = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> ProposalPage:
    total, items = _book(state).list(status=status, member_id=member_id, offset=offset, limit=limit)
    return ProposalPage(total=total, offset=offset, limit=limit, items=[public(p) for p in items])


@router.get("/{proposal_id}", response_model=ProposalPublic, summary="A proposal with every step of its life")
def get_proposal(proposal_id: ProposalId, state: State, key: Reader) -> ProposalPublic:
    return public(_book(state).get(proposal_id))


@router.post("/{proposal_id}/approve", response_model=ProposalPublic, summary="The secretariat approves", responses=CONFLICT)
def approve_proposal(proposal_id: ProposalId, state: State, key: Writer, body: OptionalNote = None) -> ProposalPublic:
    return public(_book(state).approve(proposal_id, actor(key), body.note if body else ""))


@router.post("/{proposal_id}/reject", response_model=ProposalPublic, summary="The secretariat rejects", responses=CONFLICT)
def reject_proposal(proposal_id: ProposalId, state: State, key: Writer, body: OptionalNote = None) -> ProposalPublic:
    return public(_book(state).reject(proposal_id, actor(key), body.note if body else ""))


@router.post("/{proposal_id}/respond", response_model=ProposalPublic, summary="A side accepts or declines (the hub)", responses=CONFLICT)
def respond_to_proposal(proposal_id: ProposalId, body: SideAnswer, state: State, key: Answerer) -> ProposalPublic:
    return public(_book(state).respond(proposal_id, body.side, body.accepted, actor(key), body.note))


@router.post("/{proposal_id}/notes", response_model=ProposalPublic, summary="A follow-up note", responses=CONFLICT)
def add_proposal_note(proposal_id: ProposalId, body: NoteIn, state: State, key: Writer) -> ProposalPublic:
    return public(_book(state).add_note(proposal_id, actor(key), body.note))


@router.post("/{proposal_id}/check-ins", response_model=ProposalPublic, summary="A dated check-in", responses=CONFLICT)
def add_check_in(proposal_id: ProposalId, body: CheckIn, state: State, key: Writer) -> ProposalPublic:
    return public(_book(state).check_in(proposal_id, actor(key), body.on, body.note, body.next_due))


@router.post("/{proposal_id}/check-in-due", response_model=ProposalPublic, summary="Set the next check-in's due date", responses=CONFLICT)
def set_check_in_due(proposal_id: ProposalId, body: CheckInDue, state: State, key: Writer) -> ProposalPublic:
    return public(_book(state).schedule_check_in(proposal_id, actor(key), body.due, body.note))


@router.post("/{proposal_id}/close", response_model=ProposalPublic, summary="Close with an outcome and a rating", responses=CONFLICT)
def close_proposal(proposal_id: ProposalId, body: Closing, state: State, key: Writer) -> ProposalPublic:
    return public(_book(state).close(proposal_id, actor(key), body.outcome, body.rating, body.note))
