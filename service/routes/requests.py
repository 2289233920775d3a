"""Requests and offers through /v1: offers (put, list), requests (create, list, get with the
package and its evidence), a package preview, and one POST per step of a request's life.

Scopes, as proposals have them: reading (lists, a request, a preview) needs ``read``; a
partner's answer on its part (``/parts/{id}/respond``) needs ``answer`` (the hub's key); the
secretariat's steps and putting offers need ``write``. Every step is stored with its actor,
``key:<the API key's name>``. Errors: 404 for an unknown request or offer, 409 for a step its
status does not allow (the message names the status), 422 for a bad field or a package
constraint that cannot hold (``field`` names it: max_partners, regional_partner, force_in).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Response
from pydantic import BaseModel, Field, StrictBool

from matcher.requests import RequestBook
from matcher.requests.model import PartStatus, RequestEvent, Step, StoredRequest
from matcher.requests.records import Offer, OfferType, Request, RequestStatus
from matcher.requests.solver import PackageOptions
from matcher.usecases import requests as usecase
from matcher.usecases.requests import Solved
from service.auth import ApiKey
from service.deps import Answerer, Offset, Reader, State, Writer
from service.pages import Page

router = APIRouter(tags=["requests"])
RequestId = Annotated[str, Path(min_length=1, max_length=200, description="The request's id.")]
PartId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The part's id (in the request's package).")]
CONFLICT: dict[int | str, dict[str, Any]] = {409: {"description": "The request's status does not allow this step (the message names it)."}}
TEXT = 10_000
OFFERS_MAX = 5_000  # offers in one PUT: a network's whole catalogue


# ---- what travels --------------------------------------------------------------------------------


class RequestOptions(BaseModel):
    """Optional rules for the package."""

    max_partners: int | None = Field(None, ge=1, le=1000, description="At most this many partners.")
    regional_partner: bool = Field(False, description="At least one partner from the requester's region.")
    force_in: list[str] = Field(default_factory=list, max_length=100, description="Member ids that must take part.")
    force_out: list[str] = Field(default_factory=list, max_length=100, description="Member ids left out.")

    def domain(self) -> PackageOptions:
        return PackageOptions(self.max_partners, self.regional_partner, tuple(self.force_in), tuple(self.force_out))


class RequestStepNote(BaseModel):
    note: str = Field("", max_length=TEXT)


class Triage(BaseModel):
    accepted: StrictBool = Field(description="Accepted by the secretariat (true), or declined (false: a note says why).")
    note: str = Field("", max_length=TEXT)


class SolveIn(BaseModel):
    options: RequestOptions = Field(default_factory=RequestOptions)
    note: str = Field("", max_length=TEXT)


class PartAnswer(BaseModel):
    accepted: StrictBool = Field(description="The partner confirms (true) or declines (false) its part; a decline is re-solved at once.")
    note: str = Field("", max_length=TEXT)


class RequestNoteIn(BaseModel):
    note: str = Field(min_length=1, max_length=TEXT)


class RequestCheckIn(BaseModel):
    on: dt.date = Field(description="The day of the check-in.")
    note: str = Field("", max_length=TEXT)


class RequestClosing(BaseModel):
    outcomes: dict[int, str] = Field(description="Each component's outcome, by its index (0 first).", examples=[{"0": "40 schools online"}])
    rating: int = Field(ge=1, le=5, description="How it went, from 1 (poor) to 5 (excellent).")
    note: str = Field("", max_length=TEXT)


class RequestEventPublic(BaseModel):
    step: Step
    actor: str
    at: dt.datetime
    note: str
    payload: dict[str, Any]


class PartPublic(BaseModel):
    id: int
    component: int
    offer_id: str
    member_id: str
    amount: float = Field(description="How much it gives, in the component's unit (0: the component names no quantity).")
    score: float = Field(description="The match evidence of the offer for the component (0-1, the peers' scale).")
    label: str = Field(description="strong (>= 0.7), partial (>= 0.3) or weak, as for peers.")
    status: PartStatus
    round: int


class CandidatePublic(BaseModel):
    offer_id: str
    member_id: str
    score: float
    label: str
    left: float = Field(description="Capacity left after other active packages.")
    fails: list[str] = Field(
        description="What keeps it out: evidence, language, region, availability, currency, capacity (empty: suitable)."
    )


class ReasonPublic(BaseModel):
    text: str = Field(description="Why, in English.")
    template: str
    values: dict[str, str | int | float]


class ComponentPublic(BaseModel):
    index: int
    text: str
    type: OfferType
    quantity: float | None
    unit: str
    share: float = Field(description="What the package delivers of it, 0-1.")
    uncovered: str | None = Field(
        description="Why it is not fully covered (type, evidence, language, region, capacity, partly, constraints)."
    )
    reasons: list[ReasonPublic]
    candidates: list[CandidatePublic] = Field(description="The best offers of the type it wants, suitable first.")


class RequestPublic(BaseModel):
    request: Request
    status: RequestStatus
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime
    outcome: dict[str, Any] | None
    rating: int | None
    partners: list[str]
    parts: list[PartPublic] = Field(description="Every part ever proposed (declined and withdrawn ones too), oldest first.")
    events: list[RequestEventPublic]


class RequestDetail(RequestPublic):
    components: list[ComponentPublic] = Field(description="Each component with its coverage, candidates and what is missing.")


class PackagePublic(BaseModel):
    method: str
    objective: float
    partners: list[str]
    parts: list[dict[str, Any]]
    components: list[ComponentPublic]


RequestPage = Page[RequestPublic]
OfferPage = Page[Offer]
CANDIDATES_SHOWN = 5


def _book(state: Any) -> RequestBook:
    return RequestBook(state.workspace.store)


def actor(key: ApiKey) -> str:
    return f"key:{key.name}"


def _label(score: float) -> str:
    return "strong" if score >= 0.7 else "partial" if score >= 0.3 else "weak"


def public(stored: StoredRequest) -> RequestPublic:
    return RequestPublic(
        request=stored.request,
        status=stored.status,
        created_by=stored.created_by,
        created_at=stored.created_at,
        updated_at=stored.updated_at,
        outcome=stored.outcome,
        rating=stored.rating,
        partners=stored.partners,
        parts=[
            PartPublic(
                id=p.id,
                component=p.component,
                offer_id=p.offer_id,
                member_id=p.member_id,
                amount=p.amount,
                score=p.score,
                label=_label(p.score),
                status=p.status,
                round=p.round,
            )
            for p in stored.parts
        ],
        events=[_event(e) for e in stored.events],
    )


def _event(e: RequestEvent) -> RequestEventPublic:
    return RequestEventPublic(step=e.step, actor=e.actor, at=e.at, note=e.note, payload=e.payload)


def components(solved: Solved) -> list[ComponentPublic]:
    why = {u.component: u for u in solved.uncovered}
    out = []
    for index, component in enumerate(solved.request.components):
        missing = why.get(index)
        out.append(
            ComponentPublic(
                index=index,
                text=component.text,
                type=component.type,
                quantity=component.quantity,
                unit=component.currency or component.unit,
                share=round(solved.package.share[index], 4),
                uncovered=missing.code if missing else None,
                reasons=[ReasonPublic(text=r.text(), template=r.template, values=r.values) for r in (missing.reasons if missing else [])],
                candidates=[
                    CandidatePublic(
                        offer_id=x.offer_id, member_id=x.member_id, score=x.score, label=x.label, left=x.left, fails=list(x.fails)
                    )
                    for x in solved.candidates.by_component[index][:CANDIDATES_SHOWN]
                ],
            )
        )
    return out


# ---- offers ----------------------------------------------------------------------------------------


@router.put("/v1/offers", summary="Add or replace offers (by id)", tags=["offers"])
def put_offers(offers: Annotated[list[Offer], Body(max_length=OFFERS_MAX)], state: State, key: Writer) -> dict[str, int]:
    return {"written": _book(state).put_offers(offers)}


@router.delete(
    "/v1/offers/{offer_id}", status_code=204, summary="Remove an offer no active package holds", tags=["offers"], responses=CONFLICT
)
def delete_offer(offer_id: Annotated[str, Path(min_length=1, max_length=200)], state: State, key: Writer) -> Response:
    _book(state).delete_offer(offer_id)
    return Response(status_code=204)


@router.get("/v1/offers", response_model=OfferPage, summary="List offers, by member and type", tags=["offers"])
def list_offers(
    state: State,
    key: Reader,
    member_id: Annotated[str | None, Query(max_length=200)] = None,
    type: OfferType | None = None,  # noqa: A002 - the field's name in the records
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> OfferPage:
    offers = _book(state).offers(member_id, type)
    return OfferPage(total=len(offers), offset=offset, limit=limit, items=offers[offset : offset + limit])


# ---- requests --------------------------------------------------------------------------------------


@router.post("/v1/requests", response_model=RequestPublic, status_code=201, summary="Receive a request", responses=CONFLICT)
def create_request(body: Request, state: State, key: Writer) -> RequestPublic:
    return public(_book(state).receive(body, actor(key)))


@router.get("/v1/requests", response_model=RequestPage, summary="List requests, newest first")
def list_requests(
    state: State,
    key: Reader,
    status: RequestStatus | None = None,
    country: Annotated[str | None, Query(min_length=2, max_length=2, description="ISO 3166-1 alpha-2.")] = None,
    type: OfferType | None = None,  # noqa: A002 - the filter names a component's type
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> RequestPage:
    total, items = _book(state).list(
        status=status, country=country.upper() if country else None, offer_type=type, offset=offset, limit=limit
    )
    return RequestPage(total=total, offset=offset, limit=limit, items=[public(r) for r in items])


@router.get("/v1/requests/{request_id}", response_model=RequestDetail, summary="A request with its package, evidence and history")
def get_request(request_id: RequestId, state: State, key: Reader) -> RequestDetail:
    stored, solved = usecase.current(state.snapshot, _book(state), request_id)
    return RequestDetail(**public(stored).model_dump(), components=components(solved))


@router.post("/v1/requests/{request_id}/preview", response_model=PackagePublic, summary="The package it would get now (nothing stored)")
def preview_package(request_id: RequestId, state: State, key: Reader, body: SolveIn | None = None) -> PackagePublic:
    options = (body or SolveIn()).options.domain()
    solved = usecase.solve(state.snapshot, _book(state), request_id, options)
    parts = [
        {"component": p.component, "offer_id": p.offer_id, "member_id": p.member_id, "amount": p.amount, "score": p.score}
        for p in solved.package.parts
    ]
    return PackagePublic(
        method="milp", objective=solved.package.objective, partners=solved.package.partners, parts=parts, components=components(solved)
    )


@router.post("/v1/requests/{request_id}/triage", response_model=RequestPublic, summary="Accept or decline", responses=CONFLICT)
def triage_request(request_id: RequestId, body: Triage, state: State, key: Writer) -> RequestPublic:
    return public(_book(state).triage(request_id, actor(key), body.accepted, body.note))


@router.post("/v1/requests/{request_id}/propose", response_model=RequestPublic, summary="Solve and propose a package", responses=CONFLICT)
def propose_package(request_id: RequestId, state: State, key: Writer, body: SolveIn | None = None) -> RequestPublic:
    body = body or SolveIn()
    return public(usecase.propose(state.snapshot, _book(state), request_id, actor(key), body.options.domain(), body.note))


@router.post(
    "/v1/requests/{request_id}/resolve", response_model=RequestPublic, summary="Solve again, confirmed parts locked", responses=CONFLICT
)
def resolve_package(request_id: RequestId, state: State, key: Writer, body: SolveIn | None = None) -> RequestPublic:
    body = body or SolveIn()
    return public(usecase.resolve(state.snapshot, _book(state), request_id, actor(key), body.options.domain(), body.note))


@router.post(
    "/v1/requests/{request_id}/approve", response_model=RequestPublic, summary="The secretariat approves the package", responses=CONFLICT
)
def approve_request(request_id: RequestId, state: State, key: Writer, body: RequestStepNote | None = None) -> RequestPublic:
    return public(_book(state).approve(request_id, actor(key), body.note if body else ""))


@router.post(
    "/v1/requests/{request_id}/parts/{part_id}/respond",
    response_model=RequestPublic,
    summary="A partner confirms or declines its part (the hub)",
    responses=CONFLICT,
)
def respond_to_part(request_id: RequestId, part_id: PartId, body: PartAnswer, state: State, key: Answerer) -> RequestPublic:
    return public(usecase.respond(state.snapshot, _book(state), request_id, part_id, body.accepted, actor(key), body.note))


@router.post("/v1/requests/{request_id}/deliver", response_model=RequestPublic, summary="Delivery starts", responses=CONFLICT)
def start_delivery(request_id: RequestId, state: State, key: Writer, body: RequestStepNote | None = None) -> RequestPublic:
    return public(_book(state).deliver(request_id, actor(key), body.note if body else ""))


@router.post("/v1/requests/{request_id}/notes", response_model=RequestPublic, summary="A follow-up note", responses=CONFLICT)
def add_request_note(request_id: RequestId, body: RequestNoteIn, state: State, key: Writer) -> RequestPublic:
    return public(_book(state).add_note(request_id, actor(key), body.note))


@router.post("/v1/requests/{request_id}/check-ins", response_model=RequestPublic, summary="A dated check-in", responses=CONFLICT)
def add_request_check_in(request_id: RequestId, body: RequestCheckIn, state: State, key: Writer) -> RequestPublic:
    return public(_book(state).check_in(request_id, actor(key), body.on, body.note))


@router.post(
    "/v1/requests/{request_id}/close", response_model=RequestPublic, summary="Close with outcomes and a rating", responses=CONFLICT
)
def close_request(request_id: RequestId, body: RequestClosing, state: State, key: Writer) -> RequestPublic:
    return public(_book(state).close(request_id, actor(key), body.outcomes, body.rating, body.note))
