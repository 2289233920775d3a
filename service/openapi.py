"""The OpenAPI document, made to tell the truth about errors.

FastAPI documents a 422 as its own ``{detail: [...]}`` and no other error; this service answers
every error in one shape (``service.errors.ErrorBody``) and can answer 401, 403, 404, 413, 503...
on routes that never mention them. ``install`` amends the generated document once, by rule:

* every route: 413 (a body over the limit, whatever the route) and 500;
* every /v1 route: 400, 401 (with WWW-Authenticate), 403, 503 (with Retry-After when busy);
  404 where an id is given (in the path, or a recommendation's body);
* 422 wherever FastAPI validates parameters or a body;
* every error answer's body: the ``Error`` schema.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from service.errors import ErrorBody

ERROR_REF = {"$ref": "#/components/schemas/Error"}
DESCRIPTIONS = {
    "400": "The request cannot be served as it stands (e.g. a body id that differs from the path's); 'message' says why.",
    "401": "No API key, or an unknown or expired one.",
    "403": "The key lacks the scope this route needs.",
    "404": "An id names no record or job.",
    "409": "The resource is not in a state that allows this (e.g. a job that has not finished).",
    "413": "The request body is over the size limit (PEERMATCH_MAX_BODY_BYTES).",
    "422": "A parameter or the body is invalid: 'field' names the first problem, 'details' lists them all.",
    "500": "An unexpected error; 'message' gives the request id to report.",
    "503": "Not ready (no index built yet), or busy (too many heavy requests or pairing jobs: Retry-After says when to try again).",
}
HEADERS = {
    "401": {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
    "503": {"Retry-After": {"description": "Seconds to wait before retrying (when busy).", "schema": {"type": "string"}}},
}
FRAMEWORK_SCHEMAS = ("HTTPValidationError", "ValidationError")


def install(app: FastAPI) -> None:
    """Replace ``app.openapi`` by one that returns the amended document (built once)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        fresh = app.openapi_schema is None
        document = generate()
        if fresh:
            amend(document)
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def amend(document: dict[str, Any]) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in FRAMEWORK_SCHEMAS:
        schemas.pop(name, None)
    schemas["Error"] = ErrorBody.model_json_schema() | {"title": "Error"}
    for path, operations in document.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            statuses = {"413", "500"}
            if path.startswith("/v1/"):
                statuses |= {"400", "401", "403", "503"}
                if "{" in path or path.startswith("/v1/recommendations/"):
                    statuses.add("404")
            for status in statuses:
                responses.setdefault(status, {})
            for status, answer in responses.items():
                if int(status) < 400 or path == "/ready":
                    continue
                answer["description"] = answer.get("description") if answer.get("description") not in (None, "Validation Error") else None
                answer["description"] = answer["description"] or DESCRIPTIONS.get(status, "An error.")
                answer["content"] = {"application/json": {"schema": ERROR_REF}}
                if status in HEADERS:
                    answer["headers"] = HEADERS[status]
