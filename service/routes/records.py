"""Members and resources: get, list (paginated), upsert, delete, bulk import."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel

from matcher.errors import InvalidRecordsError, PeermatchError
from matcher.ingest.readers import RawRow
from matcher.ingest.validate import Validated, check_references, validate_rows
from matcher.record_forms import MemberWrite, ResourceWrite
from matcher.records import Member, Resource
from service.deps import Offset, Reader, State, Writer
from service.errors import invalid_records_response
from service.pages import Page
from service.public_records import PUBLIC_OF, MemberPublic, ResourcePublic, member_public, resource_public

router = APIRouter(prefix="/v1", tags=["records"])
Collection = Literal["members", "resources"]
# Bodies are the write models (matcher.record_forms), answers the public ones (service.public_records),
# the store holds neither: each job its own schema in the OpenAPI document.
MemberPage = Page[MemberPublic]
ResourcePage = Page[ResourcePublic]
# One bulk request holds at most this many records; more come in batches. The hostile run saw
# 50,000 empty records take 15 s to validate (a worker thread held, /health stalled): 5,000
# bound that to about 1.5 s and still carry a whole network's growth of a year in one request.
BULK_MAX = 5_000


class WriteResult(BaseModel):
    changed: list[str]
    store_revision: int
    generation: str


def _page(
    state: Any, collection: Collection, offset: int, limit: int, cursor: str | None, updated_since: dt.datetime | None
) -> dict[str, Any]:
    limit = min(limit, state.settings.page_size_max)
    total, items = state.workspace.store.page(collection, offset, limit, after=cursor, updated_since=updated_since)
    next_cursor = items[-1].record.id if len(items) == limit else None  # a full page: there may be more
    answered = [PUBLIC_OF[collection](item) for item in items]
    return {"total": total, "offset": offset, "limit": limit, "items": answered, "next_cursor": next_cursor}


CURSOR_NOTE = "The previous page's next_cursor: the records after it, by id (instead of offset)."
Cursor = Annotated[str | None, Query(max_length=200, description=CURSOR_NOTE)]
SINCE_NOTE = "Only records written at or after this time (ISO 8601; UTC if no zone). Deletions: GET /v1/events."
UpdatedSince = Annotated[dt.datetime | None, Query(description=SINCE_NOTE)]


def _checked(state: Any, validated: Validated) -> list[Member | Resource]:
    """The records, if every one is valid and names only known members as partners or authors."""
    problems = validated.problems or check_references(validated, lambda ids: state.workspace.store.existing("members", ids))
    if problems:
        raise InvalidRecordsError(problems)
    return validated.records


def _written(state: Any, changed: list[str]) -> WriteResult:
    snapshot = state.snapshot
    return WriteResult(changed=changed, store_revision=snapshot.store_revision, generation=snapshot.generation)


@router.get("/members", response_model=MemberPage, summary="List members, by id")
def list_members(
    state: State,
    key: Reader,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Cursor = None,
    updated_since: UpdatedSince = None,
) -> Any:
    return _page(state, "members", offset, limit, cursor, updated_since)


@router.get("/resources", response_model=ResourcePage, summary="List resources, by id")
def list_resources(
    state: State,
    key: Reader,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Cursor = None,
    updated_since: UpdatedSince = None,
) -> Any:
    return _page(state, "resources", offset, limit, cursor, updated_since)


@router.get("/members/{member_id}", response_model=MemberPublic)
def get_member(member_id: str, state: State, key: Reader) -> MemberPublic:
    return member_public(state.workspace.store.get_stored("members", member_id))


@router.get("/resources/{resource_id}", response_model=ResourcePublic)
def get_resource(resource_id: str, state: State, key: Reader) -> ResourcePublic:
    return resource_public(state.workspace.store.get_stored("resources", resource_id))


@router.put("/members/{member_id}", response_model=WriteResult, summary="Create or replace a member")
def put_member(
    member_id: Annotated[str, Path(min_length=1, max_length=200)], member: MemberWrite, state: State, key: Writer
) -> WriteResult:
    if member.id != member_id:
        raise PeermatchError(f"the body's id '{member.id}' differs from the path's '{member_id}'")
    records = _checked(state, Validated("members", [member.record()], lines={member.id: ("request body", 1)}))
    return _written(state, state.upsert(records))


@router.put("/resources/{resource_id}", response_model=WriteResult, summary="Create or replace a resource")
def put_resource(
    resource_id: Annotated[str, Path(min_length=1, max_length=200)], resource: ResourceWrite, state: State, key: Writer
) -> WriteResult:
    if resource.id != resource_id:
        raise PeermatchError(f"the body's id '{resource.id}' differs from the path's '{resource_id}'")
    records = _checked(state, Validated("resources", [resource.record()], lines={resource.id: ("request body", 1)}))
    return _written(state, state.upsert(records))


@router.delete(
    "/members/{member_id}",
    status_code=204,
    responses={409: {"description": "named by a partner list, an author list or an open proposal: nothing deleted; 'details' lists them"}},
)
def delete_member(member_id: str, state: State, key: Writer) -> None:
    state.delete("members", member_id)


@router.delete("/resources/{resource_id}", status_code=204)
def delete_resource(resource_id: str, state: State, key: Writer) -> None:
    state.delete("resources", resource_id)


BULK_RESPONSES: dict[int | str, dict[str, Any]] = {
    422: {"description": "invalid records, each with its position ('line', 1-based) and field, in 'details'"}
}


def _bulk_body(model: str) -> dict[str, Any]:
    """The body as documented: records of ``model``. It is read as plain objects so that each
    problem can be reported with its record's position, all at once, and decoded in a worker
    thread (``_records``), not by FastAPI on the event loop: 5,000 records decoded and checked
    there held up /health for as long."""
    schema = {"type": "array", "maxItems": BULK_MAX, "items": {"$ref": f"#/components/schemas/{model}"}}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


@router.post(
    "/members/bulk",
    response_model=WriteResult,
    summary="Import many members at once: all valid, or none written",
    responses=BULK_RESPONSES,
    openapi_extra=_bulk_body("MemberWrite"),
)
async def bulk_members(request: Request, state: State, key: Writer) -> WriteResult | Response:
    body = await request.body()  # bytes only, here: decoded and checked in a worker thread
    return await run_in_threadpool(_bulk, state, "members", body)


@router.post(
    "/resources/bulk",
    response_model=WriteResult,
    summary="Import many resources at once: all valid, or none written",
    responses=BULK_RESPONSES,
    openapi_extra=_bulk_body("ResourceWrite"),
)
async def bulk_resources(request: Request, state: State, key: Writer) -> WriteResult | Response:
    body = await request.body()
    return await run_in_threadpool(_bulk, state, "resources", body)


def _bulk(state: Any, collection: Collection, body: bytes) -> WriteResult | Response:
    """Run in a worker thread: the body decoded, every record checked, written; or the 422,
    rendered here too (its problems counted and the first hundred listed), not on the event loop."""
    records = _records(body)
    validated = validate_rows([RawRow("request body", i, row) for i, row in enumerate(records, start=1)], collection)
    try:
        return _written(state, state.upsert(_checked(state, validated)))
    except InvalidRecordsError as error:
        return invalid_records_response(error)


def _records(body: bytes) -> list[dict[str, Any]]:
    """A bulk body as a list of at most BULK_MAX objects; anything else is refused as FastAPI
    refuses a body that does not parse (the same 422 shape, naming the body or the position)."""
    try:
        value = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        at, reason = (error.pos, error.msg) if isinstance(error, json.JSONDecodeError) else (error.start, "not UTF-8")
        problem = {"type": "json_invalid", "loc": ("body", at), "msg": "JSON decode error", "ctx": {"error": reason}}
        raise RequestValidationError([problem]) from None
    if not isinstance(value, list):
        raise RequestValidationError([{"type": "list_type", "loc": ("body",), "msg": "Input should be a valid list of records"}])
    if len(value) > BULK_MAX:
        message = f"List should have at most {BULK_MAX} items, not {len(value)}: send them in batches"
        raise RequestValidationError([{"type": "too_long", "loc": ("body",), "msg": message}])
    for position, item in enumerate(value):
        if not isinstance(item, dict):
            raise RequestValidationError([{"type": "dict_type", "loc": ("body", position), "msg": "Input should be a valid object"}])
    return value
