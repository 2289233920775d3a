"""Members and resources: get, list (paginated), upsert, delete, bulk import."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query
from pydantic import BaseModel

from matcher.errors import InvalidRecordsError, PeermatchError
from matcher.ingest.readers import RawRow
from matcher.ingest.validate import Validated, check_references, validate_rows
from matcher.records import Member, Resource
from service.deps import Offset, Reader, State, Writer

router = APIRouter(prefix="/v1", tags=["records"])
Collection = Literal["members", "resources"]
MODELS = {"members": Member, "resources": Resource}


class Page(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[dict[str, Any]]


class WriteResult(BaseModel):
    changed: list[str]
    store_revision: int
    generation: str


def _page(state: Any, collection: Collection, offset: int, limit: int) -> Page:
    limit = min(limit, state.settings.page_size_max)
    store = state.workspace.store
    items = [r.model_dump(mode="json") for r in store.page(collection, offset, limit)]
    return Page(total=store.count(collection), offset=offset, limit=limit, items=items)


def _checked(state: Any, validated: Validated) -> list[Member | Resource]:
    """The records, if every one is valid and names only known members as partners or authors."""
    problems = validated.problems or check_references(validated, lambda ids: state.workspace.store.existing("members", ids))
    if problems:
        raise InvalidRecordsError(problems)
    return validated.records


def _written(state: Any, changed: list[str]) -> WriteResult:
    snapshot = state.snapshot
    return WriteResult(changed=changed, store_revision=snapshot.store_revision, generation=snapshot.generation)


@router.get("/members", response_model=Page, summary="List members, by id")
def list_members(state: State, key: Reader, offset: Offset = 0, limit: Annotated[int, Query(ge=1, le=500)] = 50) -> Page:
    return _page(state, "members", offset, limit)


@router.get("/resources", response_model=Page, summary="List resources, by id")
def list_resources(state: State, key: Reader, offset: Offset = 0, limit: Annotated[int, Query(ge=1, le=500)] = 50) -> Page:
    return _page(state, "resources", offset, limit)


@router.get("/members/{member_id}", response_model=Member)
def get_member(member_id: str, state: State, key: Reader) -> Member:
    return state.workspace.store.get("members", member_id)


@router.get("/resources/{resource_id}", response_model=Resource)
def get_resource(resource_id: str, state: State, key: Reader) -> Resource:
    return state.workspace.store.get("resources", resource_id)


@router.put("/members/{member_id}", response_model=WriteResult, summary="Create or replace a member")
def put_member(member_id: Annotated[str, Path(min_length=1, max_length=200)], member: Member, state: State, key: Writer) -> WriteResult:
    if member.id != member_id:
        raise PeermatchError(f"the body's id '{member.id}' differs from the path's '{member_id}'")
    records = _checked(state, Validated("members", [member], lines={member.id: ("request body", 1)}))
    return _written(state, state.upsert(records))


@router.put("/resources/{resource_id}", response_model=WriteResult, summary="Create or replace a resource")
def put_resource(
    resource_id: Annotated[str, Path(min_length=1, max_length=200)], resource: Resource, state: State, key: Writer
) -> WriteResult:
    if resource.id != resource_id:
        raise PeermatchError(f"the body's id '{resource.id}' differs from the path's '{resource_id}'")
    records = _checked(state, Validated("resources", [resource], lines={resource.id: ("request body", 1)}))
    return _written(state, state.upsert(records))


@router.delete("/members/{member_id}", status_code=204)
def delete_member(member_id: str, state: State, key: Writer) -> None:
    state.delete("members", member_id)


@router.delete("/resources/{resource_id}", status_code=204)
def delete_resource(resource_id: str, state: State, key: Writer) -> None:
    state.delete("resources", resource_id)


@router.post(
    "/{collection}/bulk",
    response_model=WriteResult,
    summary="Import many records at once: all valid, or none written",
    responses={422: {"description": "invalid records, each with its position ('line', 1-based) and field"}},
)
def bulk(
    collection: Collection,
    state: State,
    key: Writer,
    records: Annotated[
        list[dict[str, Any]],
        Body(
            max_length=50_000,
            examples=[[{"id": "city-x", "name": "X", "kind": "city", "country": "SN", "region": "Africa", "languages": ["fr"]}]],
        ),
    ],
) -> WriteResult:
    validated = validate_rows([RawRow("request body", i, row) for i, row in enumerate(records, start=1)], collection)
    return _written(state, state.upsert(_checked(state, validated)))
