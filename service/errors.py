"""One JSON shape for every error: ``{"code", "message", "field"?, "details"?}``."""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from matcher.errors import (
    IndexNotBuiltError,
    InvalidFieldError,
    InvalidProposalError,
    InvalidRecordsError,
    ModelNotFoundError,
    PeermatchError,
    ProposalConflictError,
    ReferencedRecordError,
    UnknownIdError,
)
from matcher.explanations import english_noun

# SQLite's words for a store that cannot be written: the disk, not the request, is at fault.
UNWRITABLE_ERRNOS = (errno.EROFS, errno.ENOSPC, errno.EDQUOT)
UNWRITABLE = ("readonly database", "disk is full", "disk I/O error", "unable to open database")

# An error answer lists at most this many problems (and counts them all): 50,000 bad records once
# made a 45.6 MB answer; a client fixes the first hundred, then sends again.
MAX_DETAILS = 100


class ErrorBody(BaseModel):
    code: str
    message: str
    field: str | None = None
    details: list[dict[str, Any]] | None = None


def error_response(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorBody(code=code, message=message, field=field, details=details).model_dump(exclude_none=True)
    return JSONResponse(body, status_code=status, headers=headers)


def invalid_records_response(error: InvalidRecordsError) -> Response:
    """422 for invalid records: the first MAX_DETAILS problems, each with its line and field, and
    the count of all. A bulk route builds it in its worker thread (30,000 problems counted and
    rendered on the event loop held up /health); the error handler for everyone else."""
    details = [
        {
            "line": p.line,
            "field": p.field,
            "reason": p.reason,
            "id": p.record_id,
            "explanation": p.explanation.model_dump(),  # for the hub to translate
        }
        for p in error.problems[:MAX_DETAILS]
    ]
    count = len(error.problems)
    records = len({(p.file, p.line) for p in error.problems})
    listed = f" ('details' lists the first {MAX_DETAILS})" if count > MAX_DETAILS else ""
    problems, invalid = english_noun(count, "problem"), english_noun(records, "record")
    message = f"{count} {problems} in {records} invalid {invalid}; nothing was written{listed}"
    return error_response(422, "invalid_records", message, error.problems[0].field, details)


def unknown_id_field(request: Request, error: UnknownIdError) -> str:
    """Where the unknown id was given, as 'field' names it for a 422: the field the raiser named,
    else the path parameter that holds it (member_id, resource_id, job_id...), else 'id'."""
    if error.field:
        return error.field
    held = [name for name, value in request.path_params.items() if str(value) == error.record_id]
    return held[0] if held else "id"


def routing_message(request: Request, error: StarletteHTTPException) -> str:
    """The router's bare 'Not Found' and 'Method Not Allowed', with the method and path they are
    about; every other HTTP error's detail is kept as its raiser wrote it."""
    where = f"{request.method} {request.url.path}"
    if error.status_code == 404 and error.detail == "Not Found":
        return f"no route {where} (the routes are listed at /openapi.json)"
    if error.status_code == 405 and error.detail == "Method Not Allowed":
        # Not the router's Allow header: it names the first route of the path only (GET for
        # /v1/members/{member_id}, which PUT and DELETE serve too).
        return f"{where}: method not allowed (the path's methods are listed at /openapi.json)"
    return str(error.detail)


HtmlErrors = tuple[Callable[[Request], bool], Callable[[Request, Exception], Response]]


def install(app: FastAPI, html: HtmlErrors | None = None) -> None:
    """The JSON error handlers; with ``html`` (the console's), a browser on a console page gets
    an HTML page instead (``html[0]`` says when, ``html[1]`` renders it)."""

    @app.exception_handler(RequestValidationError)
    async def validation(request: Request, error: RequestValidationError) -> Response:
        if html is not None and html[0](request):
            return html[1](request, error)
        details = []
        for item in error.errors():
            loc = tuple(item.get("loc", ()))
            if item.get("type") == "json_invalid":  # its loc ends in a character offset, not a field
                reason = (item.get("ctx") or {}).get("error", "invalid JSON")
                details.append({"field": "(body)", "reason": f"malformed JSON at character {loc[-1] if loc else 0}: {reason}"})
                continue
            # the first part says where (body, query, path, header): the rest names the field
            location = [str(part) for part in (loc[1:] if loc and loc[0] in ("body", "query", "path", "header", "cookie") else loc)]
            details.append({"field": ".".join(location) or "(body)", "reason": item.get("msg", "")})
        first = details[0] if details else {"field": "(body)", "reason": "invalid request"}
        return error_response(422, "invalid_request", f"field '{first['field']}': {first['reason']}", first["field"], details)

    @app.exception_handler(StarletteHTTPException)
    async def http(request: Request, error: StarletteHTTPException) -> Response:
        if html is not None and html[0](request):
            return html[1](request, error)
        codes = {
            401: "unauthorized",
            403: "forbidden",
            404: "not_found",
            405: "method_not_allowed",
            409: "conflict",
            413: "too_large",
            503: "busy",
        }
        headers = dict(error.headers) if error.headers else None
        return error_response(error.status_code, codes.get(error.status_code, "error"), routing_message(request, error), headers=headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        if html is not None and html[0](request):
            return html[1](request, error)
        # Registered for Exception, this runs in Starlette's outermost error middleware, which
        # logs the traceback and re-raises after sending: the client still gets the one shape.
        request_id = getattr(request.state, "request_id", None)
        return error_response(500, "internal", "internal error" + (f" (request id {request_id})" if request_id else ""))

    @app.exception_handler(sqlite3.OperationalError)
    async def storage(request: Request, error: sqlite3.OperationalError) -> Response:
        """A store that cannot be written (read-only or full disk): 503 naming the cause; reads go on."""
        if not any(cause in str(error) for cause in UNWRITABLE):
            raise error
        return error_response(
            503,
            "storage_unavailable",
            f"the data directory cannot be written ({error}); nothing was changed, reads still work: retry once it is writable",
            headers={"Retry-After": "60"},
        )

    @app.exception_handler(OSError)
    async def file_system(request: Request, error: OSError) -> Response:
        """A data directory that a write cannot change (a read-only or full file system: the write
        lock, an index delta): the same 503 as the store's; any other OSError is unexpected."""
        if error.errno not in UNWRITABLE_ERRNOS:
            return await unexpected(request, error)
        return error_response(
            503,
            "storage_unavailable",
            f"the data directory cannot be written ({error.strerror}: {error.filename}); nothing was changed, reads still work:"
            " retry once it is writable",
            headers={"Retry-After": "60"},
        )

    @app.exception_handler(PeermatchError)
    async def peermatch(request: Request, error: PeermatchError) -> Response:
        if html is not None and html[0](request):
            return html[1](request, error)
        if isinstance(error, UnknownIdError):
            return error_response(404, "not_found", str(error), unknown_id_field(request, error))
        if isinstance(error, InvalidRecordsError):
            return invalid_records_response(error)
        if isinstance(error, InvalidProposalError | InvalidFieldError):
            return error_response(422, "invalid_request", str(error), error.field)
        if isinstance(error, ReferencedRecordError):
            return error_response(409, "conflict", str(error), "id", details=[{"reference": r} for r in error.references])
        if isinstance(error, ProposalConflictError):
            return error_response(409, "conflict", str(error))
        if isinstance(error, IndexNotBuiltError | ModelNotFoundError):
            return error_response(503, "not_ready", str(error))
        return error_response(400, "bad_request", str(error))
