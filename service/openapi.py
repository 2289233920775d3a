"""The OpenAPI document, made to tell the truth about errors.

FastAPI documents a 422 as its own ``{detail: [...]}`` and no other error; this service answers
every error in one shape (``service.errors.ErrorBody``) and can answer 401, 403, 404, 413, 503...
on routes that never mention them. ``install`` amends the generated document once, by rule:

* every route: 413 (a body over the limit, whatever the route) and 500;
* every /v1 route: 400, 401 (with WWW-Authenticate), 403, 503 (with Retry-After when busy);
  404 where an id is given (in the path, or a recommendation's body);
* every route that needs a key (/metrics too): 401 and 403;
* 422 wherever FastAPI validates parameters or a body;
* every error answer's body: the ``Error`` schema, with a description (client generators refuse
  an answer without one);
* two models of one name in two modules get the API names of ``SCHEMA_NAMES``, so each schema's
  title is distinct (a generator keys its classes by title and would drop one of them).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from service.errors import ErrorBody
from service.gate import KEYLESS_PREFIXES
from service.openapi_notes import PROPERTY_NOTES

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


# FastAPI keys two same-named models by module ("matcher__recommend__peers__ScoreParts") but keeps
# the bare class name as both titles. The API's names for them, by that key:
SCHEMA_NAMES = {
    "matcher__recommend__peers__ScoreParts": "PeerScoreParts",
    "matcher__search__resources__ScoreParts": "SearchScoreParts",
    "service__routes__notify__AnswerIn": "SignedLinkAnswerIn",
    "service__routes__people__AnswerIn": "InvitationAnswerIn",
}


class SchemaNameError(RuntimeError):
    """Two models share a name and ``SCHEMA_NAMES`` gives no API name for one of them."""


def amend(document: dict[str, Any]) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in FRAMEWORK_SCHEMAS:
        schemas.pop(name, None)
    schemas["Error"] = ErrorBody.model_json_schema() | {"title": "Error"}
    _name_schemas(document, schemas)
    for name, notes in PROPERTY_NOTES.items():
        for field, note in notes.items():
            schemas[name]["properties"][field]["description"] = note
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            statuses = {"413", "500"}
            if path.startswith("/v1/"):
                statuses |= {"400", "503"} if path.startswith(KEYLESS_PREFIXES) else {"400", "401", "403", "503"}
                if "{" in path or path.startswith("/v1/recommendations/"):
                    statuses.add("404")
            if operation.get("security"):
                statuses |= {"401", "403"}
            _conditional_and_idempotent(path, method, operation)
            for status in statuses:
                responses.setdefault(status, {})
            for status, answer in responses.items():
                if int(status) < 400 or (path == "/ready" and status == "503"):  # /ready's 503 is a Readiness
                    continue
                answer["description"] = answer.get("description") if answer.get("description") not in (None, "Validation Error") else None
                answer["description"] = answer["description"] or DESCRIPTIONS.get(status, "An error.")
                answer["content"] = {"application/json": {"schema": ERROR_REF}}
                if status in HEADERS:
                    answer["headers"] = HEADERS[status]


def _name_schemas(document: dict[str, Any], schemas: dict[str, Any]) -> None:
    """Rename module-qualified schemas to their API names (key, title and every $ref)."""
    renames = {}
    for key in list(schemas):
        if "__" not in key:
            continue
        if key not in SCHEMA_NAMES:
            shared = key.rsplit("__", 1)[-1]
            raise SchemaNameError(f"schema '{key}': two models share the name '{shared}'; give it an API name in SCHEMA_NAMES")
        renames[f"#/components/schemas/{key}"] = f"#/components/schemas/{SCHEMA_NAMES[key]}"
        schemas[SCHEMA_NAMES[key]] = schemas.pop(key) | {"title": SCHEMA_NAMES[key]}
    if renames:
        _rewrite_refs(document, renames)


def _rewrite_refs(node: Any, renames: dict[str, str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref in renames:
            node["$ref"] = renames[ref]
        for value in node.values():
            _rewrite_refs(value, renames)
    elif isinstance(node, list):
        for value in node:
            _rewrite_refs(value, renames)


ETAG_NOTE = "The answer's tag: send it as If-None-Match to get a 304 while it is unchanged."
ETAG_HEADER = {"ETag": {"description": ETAG_NOTE, "schema": {"type": "string"}}}


def _conditional_and_idempotent(path: str, method: str, operation: dict[str, Any]) -> None:
    """What service.conditional and service.idempotency add to /v1 routes, documented."""
    if not path.startswith("/v1/"):
        return
    parameters = operation.setdefault("parameters", [])
    responses = operation["responses"]
    if method == "get":
        parameters.append(
            {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"},
             "description": "An ETag of an earlier answer: 304 with no body if the answer is still the same."}
        )
        if "200" in responses:
            responses["200"]["headers"] = responses["200"].get("headers", {}) | ETAG_HEADER
        responses["304"] = {"description": "Not modified: the answer is the one tagged in If-None-Match.", "headers": ETAG_HEADER}
    elif method == "post":
        parameters.append(
            {"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string", "minLength": 1, "maxLength": 200},
             "description": "A key of your choosing per request: a retry with the same key and body gets the first answer "
             "(header Idempotent-Replayed: true) for 24 hours; the same key with another body is refused (422)."}
        )
