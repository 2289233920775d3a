"""People and expert groups of people through /v1: people records, composing a group for a theme
(with an optional gender or region balance rule, reported), saving it with a mandate, each
person's answer to the invitation, and a saved group."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path
from pydantic import BaseModel, Field

from matcher.people.model import InvitationStatus, PeopleGroup, PeopleGroupOptions, Person, SavedGroup
from matcher.usecases import people
from service.deps import MAX_OFFSET, Answerer, Reader, State, Writer

router = APIRouter(prefix="/v1/people", tags=["people"])
GroupId = Annotated[int, Path(ge=1, le=MAX_OFFSET)]
PersonId = Annotated[str, Path(min_length=1, max_length=200)]
NOT_FOUND: dict[int | str, dict[str, str]] = {404: {"description": "No such group, person or invitation."}}


class Written(BaseModel):
    written: int


class ComposeRequest(BaseModel):
    theme: str = Field(min_length=1, max_length=2_000)
    options: PeopleGroupOptions = Field(default_factory=PeopleGroupOptions)


class SaveRequest(ComposeRequest):
    name: str = Field(min_length=1, max_length=200, description="The group's name (one group per name).")
    mandate: str = Field(min_length=1, max_length=10_000, description="What the group is asked to do, and by when.")


class Saved(BaseModel):
    id: int
    group: PeopleGroup


class AnswerIn(BaseModel):
    status: InvitationStatus
    note: str = Field("", max_length=2_000)


@router.put("", response_model=Written, summary="Create or replace people (all or none)")
def put_people(body: Annotated[list[Person], Body(max_length=5_000)], state: State, key: Writer) -> Written:
    return Written(written=people.save_people(state.snapshot, state.workspace.store, body))


@router.get("", response_model=list[Person], summary="Every person")
def list_people(state: State, key: Reader) -> list[Person]:
    return people.all_people(state.workspace.store)


@router.post("/groups/compose", response_model=PeopleGroup, summary="Compose an expert group of people for a theme (nothing saved)")
def compose(body: ComposeRequest, state: State, key: Reader) -> PeopleGroup:
    return people.compose_group(state.snapshot, state.workspace.store, body.theme, body.options)


@router.post("/groups", response_model=Saved, status_code=201, summary="Compose and save a group: each of its people is invited")
def save(body: SaveRequest, state: State, key: Writer) -> Saved:
    group = people.compose_group(state.snapshot, state.workspace.store, body.theme, body.options)
    return Saved(id=people.save_group(state.workspace.store, body.name, body.mandate, group, f"key:{key.name}"), group=group)


@router.get("/groups/{group_id}", response_model=SavedGroup, summary="A saved group with its invitations and answers", responses=NOT_FOUND)
def get_group(group_id: GroupId, state: State, key: Reader) -> SavedGroup:
    return people.saved_group(state.workspace.store, group_id)


@router.post(
    "/groups/{group_id}/invitations/{person_id}",
    response_model=SavedGroup,
    summary="A person's answer to the invitation",
    responses=NOT_FOUND,
)
def answer(group_id: GroupId, person_id: PersonId, body: AnswerIn, state: State, key: Answerer) -> SavedGroup:
    return people.answer_invitation(state.workspace.store, group_id, person_id, body.status, body.note)
